"""`anwsim kpis`, the check of ``--target`` before anything runs, and the command-line
output options (``--lang``, ``--json``, ``--csv``, ``-q``).

The groups a scenario's KPI table will have are held to real replications of every
shipped scenario; the other tests replace the experiment API by fakes."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from anwsim import cli as anwsim_cli
from anwsim.cli import main
from anwsim.experiment import api
from anwsim.experiment.replication import run_replication
from anwsim.metrics.catalogue import check_targets, kpi_groups
from anwsim.metrics.definitions import KPIS
from anwsim.scenario import ScenarioError, load_scenario

REPO = Path(__file__).resolve().parents[1]
SHORT = ["run.horizon_weeks=2", "run.warmup_weeks=0.5"]
WIDE = {"COLUMNS": "100"}


@pytest.mark.parametrize("path", sorted((REPO / "scenarios").glob("*.yaml")), ids=lambda p: p.stem)
def test_the_groups_known_beforehand_are_those_of_a_replication(path: Path) -> None:
    scenario = load_scenario(path, SHORT)
    table = run_replication(scenario, 0).kpis
    real: dict[str, list[str]] = {}
    for kpi, group in zip(table["kpi"], table["group"], strict=True):
        real.setdefault(str(kpi), []).append(str(group))
    known = {k: groups for k, groups in kpi_groups(scenario).items() if groups}
    assert known == real  # the same rows, in the same order


def test_targets_are_checked_with_a_did_you_mean(baseline: Any) -> None:
    scenarios = {"baseline.yaml": baseline}
    assert check_targets(["within_nts_norm:U2", "utilisation:role:triagist"], scenarios) == [
        ("within_nts_norm", "U2"),
        ("utilisation", "role:triagist"),
    ]
    cases = {
        "within_nts_nrom:U2": "--target within_nts_nrom:U2: unknown KPI 'within_nts_nrom' "
        "(did you mean 'within_nts_norm'?)",
        "within_nts_norm:u2": "has no group 'u2' in baseline.yaml (did you mean 'U2'?)",
        "utilisation:gp_consult": "(did you mean 'role:gp_consult'?)",
        "answered_within_norm:other": "(did you mean 'other lines'?); its groups: other lines",
        "within_nts_norm:U9": "has no group 'U9' in baseline.yaml; its groups: U0, U1, U2, U3, U4",
        "within_nts_norm": "--target within_nts_norm: give KPI:GROUP",
    }
    for text, message in cases.items():
        with pytest.raises(ScenarioError) as caught:
            check_targets([text], scenarios)
        assert message in str(caught.value), text


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every call into the experiment API (which is faked: one tiny summary)."""
    seen: list[dict[str, Any]] = []

    def fake(*args: Any, **settings: Any) -> pd.DataFrame:
        seen.append(settings)
        rows = [
            ("within_nts_norm", "U2", 95.7612345, 1.28, "%", 60.0),
            ("unserved_patients", "hap_b/gp_consult", 12.3, 0.1, "patients", None),
            ("unserved_patients", "all", 12.3, 0.1, "patients", None),
        ]
        frame = pd.DataFrame(rows, columns=["kpi", "group", "mean", "half_width", "unit", "norm"])
        frame.insert(0, "scenario", "baseline")
        frame["target"] = None
        frame["sd"] = 0.1
        frame["replications"] = 5
        return frame

    monkeypatch.setattr(api, "run", fake)
    return seen


def test_a_mistyped_target_is_refused_before_anything_runs(
    cli: CliRunner, baseline_path: Path, calls: list[dict[str, Any]], tmp_path: Path
) -> None:
    out = tmp_path / "out"
    args = ["run", str(baseline_path), "--precision", "0.05", "--out", str(out)]
    result = cli.invoke(main, [*args, "--target", "within_nts_nrom:U2"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --target within_nts_nrom:U2: unknown KPI")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert calls == [] and not out.exists()
    good = cli.invoke(
        main, [*args, "--target", "within_nts_norm:U3", "--target", "abandoned_callers:all"]
    )
    assert good.exit_code == 0, good.output
    assert calls[0]["targets"] == [("within_nts_norm", "U3"), ("abandoned_callers", "all")]


def test_json_and_csv_put_only_the_unrounded_table_on_stdout(
    cli: CliRunner, baseline_path: Path, calls: list[dict[str, Any]]
) -> None:
    as_json = cli.invoke(main, ["run", str(baseline_path), "--no-out", "--json"])
    assert as_json.exit_code == 0, as_json.output
    records = json.loads(as_json.stdout)  # nothing else on stdout
    assert [r["group"] for r in records] == ["U2", "hap_b/gp_consult", "all"]  # every row
    assert records[0]["mean"] == 95.7612345 and records[0]["target"] is None
    assert "warning: 12.3 patients per replication" in as_json.stderr
    as_csv = cli.invoke(main, ["run", str(baseline_path), "--no-out", "--csv"])
    back = pd.read_csv(io.StringIO(as_csv.stdout))
    assert back["mean"].tolist() == [95.7612345, 12.3, 12.3]
    both = cli.invoke(main, ["run", str(baseline_path), "--no-out", "--json", "--csv"])
    assert both.exit_code == 2
    assert both.stderr == "error: --json, --csv: give one of them, not both\n"
    assert len(calls) == 2  # refused before it ran


def test_quiet_drops_the_progress_bar(
    cli: CliRunner,
    baseline_path: Path,
    calls: list[dict[str, Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(anwsim_cli, "_progress_bar", lambda: "a progress bar")
    cli.invoke(main, ["run", str(baseline_path), "--no-out"])
    cli.invoke(main, ["run", str(baseline_path), "--no-out", "-q"])
    assert [c["progress"] for c in calls] == ["a progress bar", None]


def test_dutch_run_table(cli: CliRunner, baseline_path: Path, calls: list[dict[str, Any]]) -> None:
    result = cli.invoke(main, ["run", str(baseline_path), "--no-out", "--lang", "nl"], env=WIDE)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "baseline — 5 replicatie(s)"
    assert lines[1].split() == ["KPI", "gemiddelde", "±", "95%-BI"]
    assert "  U2 ≤ 60 min" in result.stdout and "95,8 ± 1,3" in result.stdout
    assert result.stderr.startswith("waarschuwing: 12,3 patiënten per replicatie")


def test_kpis_lists_every_kpi(cli: CliRunner) -> None:
    result = cli.invoke(main, ["kpis"], env=WIDE)
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 100
    for name in KPIS:
        assert f"\n{name} — " in result.stdout
    block = result.stdout.split("\nwithin_nts_norm — ")[1].split("\n\n")[0]
    assert block.splitlines()[0] == "Seen within NTS norm"
    assert "  groups      urgencies with an NTS norm (U0–U4 by default)" in block
    assert "  unit        % (share)" in block
    assert "  norm        norms.nts_minutes[urgency] (no target)" in block
    assert "  better      higher is better" in block
    assert "  divides by  patients of the urgency" in block


def test_kpis_of_a_scenario_lists_its_groups(cli: CliRunner, baseline_path: Path) -> None:
    result = cli.invoke(main, ["kpis", str(baseline_path), "--lang", "nl"], env=WIDE)
    assert result.exit_code == 0, result.output
    block = result.stdout.split("\nutilisation — Bezettingsgraad")[1].split("\n\n")[0]
    assert "hap_a/gp_consult" in block and "role:triagist" in block
    assert "beter       geen richting: high utilisation" in block
    records = json.loads(cli.invoke(main, ["kpis", str(baseline_path), "--json"]).stdout)
    assert [r["kpi"] for r in records] == list(KPIS)
    by_name = {r["kpi"]: r for r in records}
    assert by_name["within_nts_norm"]["scenario_groups"] == ["U0", "U1", "U2", "U3", "U4"]
    assert by_name["seh_visits_per_year"]["digits"] == 0
    bad = cli.invoke(main, ["kpis", str(baseline_path), "--set", "run.seed=x"])
    assert bad.exit_code == 2 and bad.stderr.startswith("error: ")
