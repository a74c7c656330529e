"""How the CLI shows KPIs: the headline rows from the definitions, the ranking's norms
from the KPI table, and a warning for every queue that left patients unserved.

The experiment API is replaced by fakes that return hand-made summary tables, so no
replication runs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from anwsim import cli as anwsim_cli
from anwsim.cli import format_ranking, main, unserved_warnings
from anwsim.experiment import api
from anwsim.experiment.summary import ranking
from anwsim.metrics.definitions import RANKING

ROWS = [
    # kpi, group, mean, unit, norm, target
    ("answered_within_norm", "other lines", 77.1, "%", 3.5, 75.0),
    ("within_nts_norm", "U2", 95.0, "%", 50.0, None),
    ("blocked_callers", "all", 1.5, "%", None, None),
    ("unserved_patients", "hds/triagist", 0.0, "patients", None, None),
    ("unserved_patients", "hap_b/gp_consult", 12.3, "patients", None, None),
    ("unserved_patients", "all_stations/ambulance", 0.5, "patients", None, None),
    ("unserved_patients", "all", 12.8, "patients", None, None),
    ("called_back", "all", 0.0, "%", None, None),
]


def summary(scenario: str = "baseline", scale: float = 1.0) -> pd.DataFrame:
    frame = pd.DataFrame(ROWS, columns=["kpi", "group", "mean", "unit", "norm", "target"])
    frame["mean"] = frame["mean"] * scale
    frame.insert(0, "scenario", scenario)
    frame["half_width"] = 0.1
    frame["sd"] = 0.1
    frame["replications"] = 5
    return frame


def comparison(scales: dict[str, float]) -> pd.DataFrame:
    """A comparison table: the first scenario is the base; the others differ from it by
    their scale, every difference significant."""
    frames = []
    base = summary(scale=next(iter(scales.values())))
    for name, scale in scales.items():
        frame = summary(name, scale)
        frame["difference"] = frame["mean"] - base["mean"]
        frame["difference_half_width"] = 0.01
        frame["significant"] = (frame["difference"].abs() > 0.01).astype(object)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.loc[out["scenario"] == next(iter(scales)), ["difference", "significant"]] = None
    return out


@pytest.fixture
def file(tmp_path: Path) -> Path:
    return tmp_path / "scenario.yaml"  # never read: the API is faked


def test_run_warns_for_each_queue_with_unserved_patients(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, file: Path
) -> None:
    monkeypatch.setattr(api, "run", lambda *a, **k: summary())
    result = cli.invoke(main, ["run", str(file), "--reps", "5"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: 12.3 patients per replication were never served at hap_b (gp_consult): "
        "check its roster and opening hours",
        "warning: 0.5 patients per replication were never served at all_stations "
        "(ambulance): check its roster and opening hours",
    ]
    # the headline table shows the total and blocked callers, not every queue
    lines = result.stdout.splitlines()
    assert lines[0] == "baseline — 5 replication(s)"
    assert any(line.startswith("Patients never served") and "12.8 ± 0.1" in line for line in lines)
    assert any(line.startswith("Callers lost to a busy signal (%)") for line in lines)
    assert not any("hap_b/gp_consult" in line for line in lines)
    assert not any(line.startswith("Callers called back") for line in lines)
    everything = cli.invoke(main, ["run", str(file), "--reps", "5", "--all-kpis"])
    assert "  hap_b/gp_consult" in everything.stdout
    assert "Callers called back (%)" in everything.stdout


def test_run_is_quiet_when_every_patient_was_served(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, file: Path
) -> None:
    monkeypatch.setattr(api, "run", lambda *a, **k: summary(scale=0.0))
    result = cli.invoke(main, ["run", str(file), "--reps", "5"])
    assert result.exit_code == 0
    assert "warning" not in result.stderr


def test_compare_warns_per_scenario_and_ranks_with_the_tables_norms(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, file: Path
) -> None:
    table = comparison({"base": 0.0, "a": 1.0, "b": 2.0})
    monkeypatch.setattr(api, "compare", lambda *a, **k: table)
    result = cli.invoke(main, ["compare", str(file), str(file), str(file), "--reps", "5"])
    assert result.exit_code == 0, result.output
    assert "warning: a: 12.3 patients per replication were never served at hap_b" in (result.stderr)
    assert "warning: b: 24.6 patients per replication" in result.stderr
    assert "warning: base:" not in result.stderr
    ranking = result.stdout.split("Ranking against base")[1]
    # norms as the KPI table gives them (3.5 and 50 here), not the usual 2 and 60
    assert "≤ 3.5 min" in ranking and "≤ 50 min" in ranking
    assert "≤ 2 min" not in ranking and "≤ 60 min" not in ranking
    # rank and score come first
    header = next(line for line in ranking.splitlines() if line.startswith("rank"))
    assert header.split()[:3] == ["rank", "score", "scenario"]


def test_sweep_warns_per_point_with_its_values(
    cli: CliRunner, monkeypatch: pytest.MonkeyPatch, file: Path
) -> None:
    table = pd.concat([summary("point-000", 0.0), summary("point-001", 1.0)])
    table.insert(1, "triage.redial_percent", [0] * len(ROWS) + [50] * len(ROWS))
    monkeypatch.setattr(api, "sweep", lambda *a, **k: table)
    result = cli.invoke(
        main, ["sweep", str(file), "--grid", "triage.redial_percent=0,50", "--reps", "2"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "warning: point-001 (triage.redial_percent=50): 12.3 patients per replication were "
        "never served at hap_b (gp_consult)" in result.stderr
    )
    assert "point-000" not in result.stderr
    # the table names each point by its value, not by its label
    assert "redial_percent=0" in result.stdout and "redial_percent=50" in result.stdout
    assert "point-00" not in result.stdout


def test_unserved_warnings_of_an_empty_table() -> None:
    assert unserved_warnings(pd.DataFrame()) == []


def test_ranking_labels_take_the_norm_from_the_table() -> None:
    table = comparison({"base": 1.0, "better": 2.0})
    ranked = ranking(table, "base")
    assert ranked.loc[0, "answered_within_norm:other lines:norm"] == 3.5
    text = format_ranking(ranked, "base")
    assert "≤ 3.5 min" in text
    label = anwsim_cli.ranking_label
    assert label("ambulance_response_within_norm", "A1", 12.0) == "amb ↑ A1 ≤ 12 min"
    assert label("utilisation", "role:triagist", None) == "util triagist"  # not scored: no arrow
    assert label("unserved_patients", "all", float("nan")) == "unserved ↓"
    assert label("within_nts_norm", "U3", 180.0, "nl") == "NTS ↑ U3 ≤ 3 u"


def test_ranking_scores_the_declared_list() -> None:
    table = comparison({"base": 1.0, "worse": 2.0})
    ranked = ranking(table, "base")
    scored = [(k, g) for k, g in RANKING if f"{k}:{g}" in ranked.columns]
    # present in the fake table: answered_within_norm (higher, up), within_nts_norm U2
    # (higher, up), blocked_callers (lower, up), unserved_patients all (lower, up)
    assert scored == [
        ("within_nts_norm", "U2"),
        ("answered_within_norm", "other lines"),
        ("blocked_callers", "all"),
        ("unserved_patients", "all"),
    ]
    assert ranked.loc[0, "improved"] == 2 and ranked.loc[0, "worsened"] == 2
