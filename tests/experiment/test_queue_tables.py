"""The result store keeps what the report's new figures need: a queue table per
replication (``queues/``, with provenance and checksum), the pooled
``queues_by_hour.parquet``, and the digest of every replication's Demand (in each
file's provenance and, at the end, in the manifest). Directories written before queue
tables existed still open and resume, and stay without them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import anwsim
from anwsim.experiment.store import ResultStore, read_provenance
from anwsim.experiment.tasks import Task, demand_digest, execute
from anwsim.report import Results
from anwsim.report.data import QUEUE_COLUMNS
from anwsim.sampling import DemandSampler
from anwsim.scenario import Scenario, load_scenario

REPO_ROOT = Path(__file__).resolve().parents[2]
BASELINE = REPO_ROOT / "scenarios" / "baseline.yaml"
SHORT = ["run.horizon_weeks=1", "run.warmup_weeks=0"]


@pytest.fixture(scope="module")
def short() -> Scenario:
    return load_scenario(BASELINE, SHORT)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("queues") / "run"
    anwsim.run(BASELINE, out=out, replications=2, overrides=SHORT, workers=1)
    return out


def test_demand_digest_same_seed_same_digest(short: Scenario) -> None:
    first = demand_digest(DemandSampler(short).sample(0))
    assert first == demand_digest(DemandSampler(short).sample(0))  # a fresh sampler
    assert len(first) == 64
    assert demand_digest(DemandSampler(short).sample(1)) != first
    other_seed = load_scenario(BASELINE, [*SHORT, "run.seed=7"])
    assert demand_digest(DemandSampler(other_seed).sample(0)) != first


def test_a_task_carries_its_digest_and_queue_table(short: Scenario) -> None:
    result = execute(Task("baseline", short, 1))
    assert result.ok, result.traceback
    assert result.demand_digest == demand_digest(DemandSampler(short).sample(1))
    assert result.queues is not None
    assert list(result.queues.columns[:2]) == ["scenario", "replication"]
    assert (result.queues["replication"] == 1).all()
    # the triage line's waits began in the window: some patients waited, all were seen
    assert result.queues["waits_started"].sum() > 0


def test_queue_files_provenance_checksums_and_manifest(run_dir: Path, short: Scenario) -> None:
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["replication_kinds"] == ["kpis", "hourly", "queues"]
    digests = manifest["demand_digests"]["baseline"]
    assert set(digests) == {"0", "1"} and digests["0"] != digests["1"]
    assert digests["1"] == demand_digest(DemandSampler(short).sample(1))
    frames = []
    for r in (0, 1):
        path = run_dir / "queues" / "baseline" / f"rep-{r:05d}.parquet"
        provenance = read_provenance(path)
        assert provenance["kind"] == "queues"
        assert provenance["replication"] == r
        assert provenance["demand_digest"] == digests[str(r)]
        kpis = run_dir / "kpis" / "baseline" / f"rep-{r:05d}.parquet"
        assert read_provenance(kpis)["demand_digest"] == digests[str(r)]
        record = json.loads((run_dir / "checksums" / "baseline" / f"rep-{r:05d}.json").read_text())
        assert record["files"]["queues"]["bytes"] == path.stat().st_size
        frames.append(pd.read_parquet(path))
    pooled = pd.read_parquet(run_dir / "queues_by_hour.parquet")
    both = pd.concat(frames)
    for column in ("waiting_minutes", "waits_started", "wait_minutes", "observed_minutes"):
        assert pooled[column].sum() == pytest.approx(both[column].sum())
    first = pooled.iloc[0]
    assert first["mean_waiting"] == pytest.approx(
        first["waiting_minutes"] / first["observed_minutes"]
    )
    # the report reads them
    queues = Results.open(run_dir).queues("baseline")
    assert queues is not None and tuple(queues.columns) == QUEUE_COLUMNS
    assert sorted(set(queues["replication"])) == [0, 1]
    assert queues["waiting_minutes"].sum() == pytest.approx(both["waiting_minutes"].sum())
    assert Results.open(run_dir).demand_digests == {
        "baseline": {int(r): d for r, d in digests.items()}
    }


def test_a_missing_queue_file_is_set_aside_on_resume(run_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "damaged"
    shutil.copytree(run_dir, copy)
    (copy / "queues" / "baseline" / "rep-00001.parquet").unlink()
    with ResultStore.resume(copy) as store:
        assert [(s.replication, s.reason) for s in store.set_aside] == [
            (1, "queues/baseline/rep-00001.parquet is missing")
        ]


def test_a_directory_from_before_queue_tables_opens_and_resumes(
    run_dir: Path, tmp_path: Path
) -> None:
    old = tmp_path / "old"
    shutil.copytree(run_dir, old)
    shutil.rmtree(old / "queues")
    for name in ("queues_by_hour.parquet", "queues_by_hour.csv"):
        (old / name).unlink()
    manifest = json.loads((old / "manifest.json").read_text())
    for key in ("replication_kinds", "demand_digests", "replications_done"):
        manifest.pop(key, None)
    (old / "manifest.json").write_text(json.dumps(manifest))
    (old / "kpis" / "baseline" / "rep-00001.parquet").unlink()  # interrupted
    (old / "kpis.parquet").unlink()

    assert Results.open(old).queues("baseline") is None
    with ResultStore.resume(old) as store:
        assert store.set_aside == []
    anwsim.resume(old, workers=1)
    assert not (old / "queues").exists()  # the resumed replication is like the others
    assert not (old / "queues_by_hour.parquet").exists()
    assert (old / "kpis" / "baseline" / "rep-00001.parquet").exists()
    results = Results.open(old)
    assert results.queues("baseline") is None
    assert set(json.loads((old / "manifest.json").read_text())["demand_digests"]["baseline"]) == {
        "0",
        "1",
    }
    assert pq.read_schema(old / "hourly" / "baseline" / "rep-00001.parquet") is not None
