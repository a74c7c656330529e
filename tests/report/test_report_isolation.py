"""The report only reads results: opening a result directory and drawing every figure
imports nothing of the model, the sampling stage, the engine or the runner.

A small comparison (two scenarios, two replications of one week, event logs) is run in
this process; a fresh interpreter then imports `anwsim.report`, opens it, draws every
figure (in English, then the Dutch report with its page), and lists the anwsim modules
it loaded.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import anwsim
from anwsim.scenario import URGENCIES

REPO_ROOT = Path(__file__).resolve().parents[2]
BASELINE = REPO_ROOT / "scenarios" / "baseline.yaml"
FORBIDDEN = (
    "anwsim.model",
    "anwsim.sampling",
    "anwsim.engine",
    "anwsim.experiment.runner",
    "anwsim.experiment.replication",
    "anwsim.experiment.tasks",
    "anwsim.experiment.backends",
    "anwsim.experiment.api",
)

SCRIPT = """
import json, sys
from anwsim.report import Results, build_report, make_figures

results = Results.open(sys.argv[1])
drawn = {"en": sorted(make_figures(results, "en"))}
drawn["nl"] = sorted(build_report(sys.argv[1], formats=("png",), lang="nl", out=sys.argv[2]))
queues = results.queues(results.base)
print(json.dumps({
    "modules": sorted(m for m in sys.modules if m.startswith("anwsim")),
    "figures": drawn,
    "queue_rows": None if queues is None else len(queues),
}))
"""


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("isolation")
    variant = root / "more_triage.yaml"
    variant.write_text(
        f"extends: {BASELINE}\nname: More triagists\n"
        "rosters:\n  hds:\n    triagist:\n"
        '      - {days: [all], hours: "00:00-24:00", staff: 4}\n',
        encoding="utf-8",
    )
    out = root / "compare"
    anwsim.compare(
        BASELINE,
        [variant],
        out=out,
        replications=2,
        overrides=["run.horizon_weeks=1", "run.warmup_weeks=0"],
        log="full",
        workers=1,
    )
    return out


def test_report_imports_nothing_of_the_model(compared: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(compared), str(tmp_path / "report")],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    loaded = [m for m in found["modules"] if m.startswith(FORBIDDEN)]
    assert loaded == []
    # it did draw: the figures of a comparison, and the queue tables are there
    assert {"workload", "capacity", "within_norm"} <= set(found["figures"]["en"])
    assert found["figures"]["en"] == found["figures"]["nl"]
    assert found["queue_rows"] == 2 * 13 * 168  # replications × queues × hours
    assert (tmp_path / "report" / "report.html").exists()


def test_urgency_and_entry_come_from_the_event_log(compared: Path, tmp_path: Path) -> None:
    """Each patient's urgency and entry are the Demand's (read from the log, not
    re-drawn); a log without those columns (an older directory) gives -1 and a note."""
    from anwsim.report import Results
    from anwsim.sampling import DemandSampler
    from anwsim.scenario import ENTRIES

    results = Results.open(compared)
    assert "no_urgency" not in results.notes
    patients = results.patients("baseline")
    assert patients is not None and (patients["urgency"] >= 0).all()
    scenario = results.scenario("baseline")
    demand = DemandSampler(scenario).sample(1)
    log = pd.read_parquet(compared / "events" / "baseline" / "rep-00001.parquet")
    arrivals = log[log["event"] == "arrival"]
    ids = arrivals["entity_id"].to_numpy()
    assert (arrivals["urgency"].to_numpy() == np.array(URGENCIES)[demand.urgency[ids]]).all()
    assert (arrivals["entry"].to_numpy() == np.array(ENTRIES)[demand.entry[ids]]).all()
    counts = patients[patients["replication"] == 1]["urgency"].value_counts().sort_index()
    in_window = demand.arrival_minutes < scenario.run.horizon_minutes
    want = np.bincount(demand.urgency[in_window], minlength=len(URGENCIES))
    assert counts.reindex(range(len(URGENCIES)), fill_value=0).tolist() == want.tolist()

    old = tmp_path / "old"
    shutil.copytree(compared, old)
    for path in (old / "events").rglob("rep-*.parquet"):
        pd.read_parquet(path).drop(columns=["urgency", "entry"]).to_parquet(path)
    results = Results.open(old)
    assert "no_urgency" in results.notes
    patients = results.patients("baseline")
    assert patients is not None and (patients["urgency"] == -1).all()
    assert (patients["entry"] == -1).all()
