"""Paired comparisons and sweeps.

Every scenario of a comparison runs with the base's seed, so replication r of each sees
the same patients: a scenario compared with itself differs by exactly zero, and one
more GP per consult shift shows up as a drop in the time to a doctor that is many
half-widths of its paired CI.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import anwsim
from anwsim.cli import main
from anwsim.experiment import paired_differences, summarise
from anwsim.scenario import load_scenario

REPS = 8
T_975 = {7: 2.364624251592785}  # t(0.975, R - 1), from a table
GP_CONSULT = {"hap_a": [2, 3, 2, 1], "hap_b": [1, 2, 1, 1], "hap_c": [1, 2, 2, 1]}
"""Staff of the four gp_consult blocks of each post in scenarios/baseline.yaml."""


@pytest.fixture(scope="module")
def comparison(
    tmp_path_factory: pytest.TempPathFactory, baseline_path: Path, short: tuple[str, ...]
) -> tuple[pd.DataFrame, Path]:
    """baseline vs baseline vs one more consult GP at every post in every block."""
    baseline = load_scenario(baseline_path, list(short))
    for post, staff in GP_CONSULT.items():
        got = [block.staff for block in baseline.rosters[post]["gp_consult"]]
        assert got == staff, f"the baseline's {post} roster changed; update GP_CONSULT"
    more = [
        f"rosters.{post}.gp_consult.{i}.staff={n + 1}"
        for post, staff in GP_CONSULT.items()
        for i, n in enumerate(staff)
    ]
    plus_gp = load_scenario(baseline_path, [*short, *more]).model_copy(update={"name": "plus_gp"})
    out = tmp_path_factory.mktemp("compare") / "cmp"
    table = anwsim.compare(
        baseline_path,
        [baseline_path, plus_gp],
        overrides=short,
        replications=REPS,
        workers=2,
        out=out,
    )
    return table, out


def test_comparison_table_shape(comparison: tuple[pd.DataFrame, Path]) -> None:
    table, out = comparison
    assert table.attrs["replications"] == REPS
    assert list(dict.fromkeys(table["scenario"])) == ["baseline", "baseline-2", "plus_gp"]
    assert not table.duplicated(["scenario", "kpi", "group"]).any()
    per_scenario = table.groupby("scenario", sort=False).size()
    assert per_scenario.nunique() == 1
    base = table[table["scenario"] == "baseline"]
    assert base["difference"].isna().all() and base["significant"].isna().all()
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "comparison.parquet"), table, check_exact=True
    )
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "compare" and manifest["base"] == "baseline"
    assert list(manifest["scenarios"]) == ["baseline", "baseline-2", "plus_gp"]
    runs = [entry["scenario"]["run"] for entry in manifest["scenarios"].values()]
    assert all(run == runs[0] for run in runs)
    assert runs[0]["horizon_weeks"] == 2


def test_scenario_against_itself_differs_by_exactly_zero(
    comparison: tuple[pd.DataFrame, Path],
) -> None:
    table, out = comparison
    same = table[table["scenario"] == "baseline-2"]
    base = table[table["scenario"] == "baseline"]
    assert len(same) == len(base) > 50
    defined = same["difference"].notna()
    assert defined.sum() >= len(same) - 3  # a KPI with no patients in a replication is NaN
    assert (same.loc[defined, "difference"] == 0.0).all()
    assert (same.loc[defined, "difference_half_width"] == 0.0).all()
    assert not same["significant"].astype(bool).any()
    np.testing.assert_array_equal(same["mean"].to_numpy(), base["mean"].to_numpy())
    kpis = pd.read_parquet(out / "kpis.parquet")
    a = kpis[kpis["scenario"] == "baseline"].drop(columns="scenario").reset_index(drop=True)
    b = kpis[kpis["scenario"] == "baseline-2"].drop(columns="scenario").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_exact=True)


@pytest.mark.parametrize("urgency", ["U3", "U4"])
def test_one_more_gp_cuts_the_time_to_a_doctor(
    comparison: tuple[pd.DataFrame, Path], urgency: str
) -> None:
    table, out = comparison
    row = table[
        (table["scenario"] == "plus_gp")
        & (table["kpi"] == "call_to_doctor_mean")
        & (table["group"] == urgency)
    ].iloc[0]
    assert row["difference"] < 0
    assert bool(row["significant"])
    assert -row["difference"] > 5 * row["difference_half_width"], row

    # the paired difference and its CI, by hand from the per-replication values
    kpis = pd.read_parquet(out / "kpis.parquet")
    sel = kpis[(kpis["kpi"] == "call_to_doctor_mean") & (kpis["group"] == urgency)]
    base = sel[sel["scenario"] == "baseline"].set_index("replication")["value"]
    plus = sel[sel["scenario"] == "plus_gp"].set_index("replication")["value"]
    assert list(base.index) == list(plus.index) == list(range(REPS))
    d = (plus - base).to_numpy()
    assert (d < 0).all(), d  # fewer minutes in every replication, not only on average
    mean = sum(d) / REPS
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (REPS - 1))
    assert row["difference"] == pytest.approx(mean, rel=1e-12)
    assert row["difference_half_width"] == pytest.approx(
        T_975[REPS - 1] * sd / math.sqrt(REPS), rel=1e-9
    )
    assert row["mean"] == pytest.approx(plus.mean(), rel=1e-12)


def test_paired_differences_need_pairs_not_means() -> None:
    """With common random numbers, a shift that is nearly constant per replication is
    significant however noisy the replications are; unpaired CIs would overlap."""
    values = np.array([10.0, 30.0, 15.0, 50.0, 20.0])
    noise = np.array([0.1, -0.1, 0.05, 0.0, -0.05])
    rows = []
    for scenario, shift in (("a", 0.0 * noise), ("b", noise - 1.0)):
        for r, v in enumerate(values + shift):
            rows.append(
                {
                    "scenario": scenario,
                    "kpi": "k",
                    "group": "g",
                    "value": v,
                    "unit": "min",
                    "norm": np.nan,
                    "target": np.nan,
                    "replication": r,
                }
            )
    kpis = pd.DataFrame(rows)
    diffs = paired_differences(kpis, "a")
    assert len(diffs) == 1
    row = diffs.iloc[0]
    assert row["scenario"] == "b" and row["pairs"] == 5
    assert row["difference"] == pytest.approx(-1.0, abs=1e-12)
    sd = float(np.std(noise, ddof=1))
    assert row["half_width"] == pytest.approx(2.7764451051977987 * sd / math.sqrt(5), rel=1e-9)
    assert bool(row["significant"])
    unpaired = summarise(kpis)
    assert (unpaired["half_width"] > 10).all()  # each mean alone is far less certain
    with pytest.raises(ValueError, match="no scenario labelled 'x'"):
        paired_differences(kpis, "x")


# --------------------------------------------------------------------------- sweep

SWEPT = "rosters.hap_a.gp_consult.0.staff"  # weekday 17:00-23:00 at HAP A


@pytest.fixture(scope="module")
def swept(baseline_path: Path, short: tuple[str, ...]) -> pd.DataFrame:
    return anwsim.sweep(baseline_path, {SWEPT: [1, 3]}, overrides=short, replications=3, workers=1)


def test_sweep_returns_a_tidy_table(swept: pd.DataFrame, reference: Any) -> None:
    assert list(swept.columns[:4]) == ["scenario", SWEPT, "kpi", "group"]
    assert {"mean", "half_width", "replications"} <= set(swept.columns)
    assert list(dict.fromkeys(swept["scenario"])) == ["point-000", "point-001"]
    assert list(dict.fromkeys(swept[SWEPT])) == [1, 3]
    assert not swept.duplicated([SWEPT, "kpi", "group"]).any()
    kpi_rows = reference.summary[["kpi", "group"]].drop_duplicates()
    for _, rows in swept.groupby(SWEPT):
        assert len(rows) == len(kpi_rows)
        pd.testing.assert_frame_equal(
            rows[["kpi", "group"]].reset_index(drop=True), kpi_rows.reset_index(drop=True)
        )
    assert swept["replications"].max() == 3


def test_sweep_more_gps_less_waiting(swept: pd.DataFrame) -> None:
    def value(staff: int, kpi: str, group: str) -> float:
        row = swept[(swept[SWEPT] == staff) & (swept["kpi"] == kpi) & (swept["group"] == group)]
        assert len(row) == 1
        return float(row["mean"].iloc[0])

    assert value(3, "call_to_doctor_mean", "U3") < value(1, "call_to_doctor_mean", "U3")
    assert value(3, "utilisation", "hap_a/gp_consult") < value(1, "utilisation", "hap_a/gp_consult")
    # demand does not depend on staff (common random numbers)
    assert value(3, "patients_per_year", "gp_call") == value(1, "patients_per_year", "gp_call")


def test_sweep_with_the_baseline_value_reproduces_the_baseline(
    baseline_path: Path, short: tuple[str, ...], reference: Any
) -> None:
    """A grid point equal to the baseline's own value is the baseline, bit for bit."""
    table = anwsim.sweep(baseline_path, {SWEPT: [2]}, overrides=short, replications=2, workers=1)
    expected = reference.kpis[reference.kpis["replication"] < 2]
    summary = summarise(expected).drop(columns="scenario").reset_index(drop=True)
    got = table.drop(columns=["scenario", SWEPT]).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, summary, check_exact=True)


def test_cli_sweep(
    cli: CliRunner, baseline_path: Path, short: tuple[str, ...], tmp_path: Path
) -> None:
    sets = [arg for s in short for arg in ("--set", s)]
    out = tmp_path / "sweep"
    args = ["sweep", str(baseline_path), "--grid", f"{SWEPT}=1,3", *sets, "--reps", "1"]
    result = cli.invoke(main, [*args, "--workers", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Sweep: 2 grid point(s), 1 replication(s) each"
    # one column per point, named by its value (the path broken after its dots)
    assert "rosters.hap_a." in lines[2] and "staff=1" in lines[4] and "staff=3" in lines[4]
    assert "point-00" not in result.stdout
    table = pd.read_parquet(out / "sweep.parquet")
    assert sorted(table[SWEPT].unique()) == [1, 3]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kind"] == "sweep"
    assert manifest["grid"] == {SWEPT: [1, 3]}
    assert manifest["points"] == {"point-000": {SWEPT: 1}, "point-001": {SWEPT: 3}}


@pytest.mark.parametrize("path", ["run.horizon_weeks", "run.seed"])
def test_sweeping_run_settings_is_refused(cli: CliRunner, baseline_path: Path, path: str) -> None:
    """Every grid point runs with the base's run settings, so a swept run.* field would be
    labelled with values it never ran with (fixed in api.sweep: now an error)."""
    result = cli.invoke(main, ["sweep", str(baseline_path), "--grid", f"{path}=1,2"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --grid: {path}: run settings are shared by every grid point and cannot be "
        "swept; use --set for them\n"
    )


def test_significance_is_corrected_for_the_many_comparisons(
    comparison: tuple[pd.DataFrame, Path],
) -> None:
    """The ``*`` of a comparison is Benjamini–Hochberg's by default, as in the report:
    recomputed here from the stored p-values by hand (step-up: the largest k with
    p_(k) ≤ k/m · 5% and every smaller p), the raw flag kept beside it."""
    table, out = comparison
    assert table.attrs["correction"] == "bh"
    assert json.loads((out / "manifest.json").read_text())["correction"] == "bh"
    tested = table[table["p_value"].notna()]
    m = len(tested)
    assert table.attrs["comparisons"] == m > 0
    p = np.sort(tested["p_value"].to_numpy())
    passing = np.flatnonzero(p <= np.arange(1, m + 1) / m * 0.05)
    cut = p[passing[-1]] if passing.size else -1.0
    assert (tested["significant"] == (tested["p_value"] <= cut)).all()
    assert (tested["significant_uncorrected"] == (tested["p_value"] < 0.05)).all()
    assert tested["significant"].sum() <= tested["significant_uncorrected"].sum()
    # one more GP in every block lowers the U2 time to a doctor beyond any correction
    row = table[
        (table["scenario"] == "plus_gp")
        & (table["kpi"] == "call_to_doctor_mean")
        & (table["group"] == "U2")
    ]
    assert bool(row["significant"].iloc[0])


def test_compare_refuses_an_unknown_correction(baseline_path: Path) -> None:
    with pytest.raises(ValueError, match="correction is one of holm, bh, none"):
        anwsim.compare(baseline_path, [baseline_path], correction="bonferroni", out=None)


def test_the_compare_table_names_its_correction(
    comparison: tuple[pd.DataFrame, Path],
) -> None:
    from anwsim import tables

    table, _ = comparison
    text = tables.render(tables.comparison(table, "en", 200), 200)
    assert f"{table.attrs['comparisons']} comparisons" in text
    assert "Benjamini–Hochberg" in text
