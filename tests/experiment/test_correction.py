"""p-values of the paired differences and their correction for multiple comparisons,
against hand computations."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from anwsim.experiment.summary import (
    ALPHA,
    CORRECTIONS,
    DEFAULT_CORRECTION,
    correct,
    holm,
    paired_differences,
    ranking,
    verdict,
)
from anwsim.report import command

P = np.array([0.01, 0.04, 0.03, 0.005])
"""Four p-values; sorted: 0.005, 0.01, 0.03, 0.04 (m = 4)."""

HOLM = np.array([0.03, 0.06, 0.06, 0.02])
"""By hand, step-down: 4·0.005 = 0.02; 3·0.01 = 0.03; 2·0.03 = 0.06; 1·0.04 = 0.04, raised
to 0.06 by the running maximum; back in the input's order."""

BH = np.array([0.02, 0.04, 0.04, 0.02])
"""By hand, step-up: p·m/i = 0.02, 0.02, 0.04, 0.04 for i = 1..4, then the running minimum
from the largest down (nothing lowers); back in the input's order."""


def _table(p: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scenario": [f"s{k}" for k in range(len(p))],
            "kpi": "within_nts_norm",
            "group": "U1",
            "difference": 1.0,
            "half_width": 0.5,
            "significant": np.asarray(p) < ALPHA,
            "p_value": p,
        }
    )


def test_holm_and_bh_match_hand_computations() -> None:
    assert holm(P) == pytest.approx(HOLM)
    holm_table = correct(_table(P), "holm")
    assert holm_table["p_adjusted"].to_numpy() == pytest.approx(HOLM)
    assert holm_table["significant"].tolist() == [True, False, False, True]
    bh_table = correct(_table(P), "bh")
    assert bh_table["p_adjusted"].to_numpy() == pytest.approx(BH)
    assert bh_table["significant"].tolist() == [True, True, True, True]
    none = correct(_table(P), "none")
    assert none["p_adjusted"].to_numpy() == pytest.approx(P)
    assert none["significant"].tolist() == [True, True, True, True]
    for table in (holm_table, bh_table, none):
        assert table["significant_uncorrected"].tolist() == [True, True, True, True]


def test_bh_step_up_lifts_an_earlier_p_value() -> None:
    # sorted 0.01, 0.045, 0.046: p·m/i = 0.03, 0.0675, 0.046 → step-up minimum from the
    # top: 0.03, 0.046, 0.046. Holm: 0.03, 0.09, 0.09 (running maximum of 3p, 2p, p).
    p = np.array([0.046, 0.01, 0.045])
    assert correct(_table(p), "bh")["p_adjusted"].to_numpy() == pytest.approx([0.046, 0.03, 0.046])
    assert correct(_table(p), "holm")["p_adjusted"].to_numpy() == pytest.approx([0.09, 0.03, 0.09])
    assert correct(_table(p), "bh")["significant"].tolist() == [True, True, True]
    assert correct(_table(p), "holm")["significant"].tolist() == [False, True, False]


def test_untested_rows_are_outside_the_family() -> None:
    p = np.array([0.01, np.nan, 0.04, 0.03, np.nan, 0.005])
    out = correct(_table(p), "holm")
    tested = ~np.isnan(p)
    assert out["p_adjusted"].to_numpy()[tested] == pytest.approx(HOLM)
    assert out["p_adjusted"].isna().tolist() == (~tested).tolist()
    assert not out["significant"][~tested].any()
    assert out.attrs == {"correction": "holm", "comparisons": 4}


def test_correcting_twice_starts_from_the_uncorrected_table() -> None:
    once = correct(_table(P), "holm")
    again = correct(once, "bh")
    assert again["p_adjusted"].to_numpy() == pytest.approx(BH)
    assert again["significant_uncorrected"].tolist() == [True] * 4
    assert list(again.columns).count("p_adjusted") == 1


def test_unknown_method_and_empty_table() -> None:
    with pytest.raises(ValueError, match="holm, bh, none"):
        correct(_table(P), "bonferroni")
    empty = paired_differences(_kpis(np.zeros((2, 3))).query("scenario == 'base'"), "base")
    out = correct(empty, "bh")
    assert out.empty and {"p_adjusted", "significant_uncorrected"} <= set(out.columns)


def _kpis(values: np.ndarray, kpi: str = "within_nts_norm") -> pd.DataFrame:
    """A KPI table: scenario ``base`` and ``s1``…; ``values[s, r]`` for replication r."""
    rows = []
    for s, row in enumerate(values):
        for r, value in enumerate(row):
            rows.append(
                {
                    "scenario": "base" if s == 0 else f"s{s}",
                    "kpi": kpi,
                    "group": "U1",
                    "replication": r,
                    "value": value,
                    "unit": "%",
                    "norm": np.nan,
                    "target": np.nan,
                }
            )
    return pd.DataFrame(rows)


def test_p_value_is_the_paired_t_test() -> None:
    # differences 1, 2, 6: mean 3, sd √7, t = 3 / (√7/√3) = 1.9640; two-sided with 2 df:
    # p = 1 − t/√(t² + 2) = 0.18858 (the t distribution with 2 df in closed form).
    kpis = _kpis(np.array([[0.0, 0.0, 0.0], [1.0, 2.0, 6.0]]))
    d = paired_differences(kpis, "base")
    t = 3.0 / (np.sqrt(7.0) / np.sqrt(3.0))
    assert d["p_value"].iloc[0] == pytest.approx(1.0 - t / np.sqrt(t * t + 2.0), rel=1e-12)
    assert not d["significant"].iloc[0]


def test_p_below_5_percent_exactly_when_the_ci_excludes_zero() -> None:
    rng = np.random.default_rng(7)
    frames = []
    for k in range(300):
        reps = int(rng.integers(2, 12))
        base = rng.normal(0.0, 1.0, reps)
        other = base + rng.normal(rng.normal(0.0, 0.8), 1.0, reps)
        frames.append(_kpis(np.vstack([base, other]), kpi=f"k{k}"))
    d = paired_differences(pd.concat(frames, ignore_index=True), "base")
    assert d["significant"].sum() > 30 and (~d["significant"]).sum() > 30  # both occur
    assert ((d["p_value"] < 0.05) == d["significant"]).all()
    assert (correct(d, "none")["significant"] == d["significant"]).all()


def test_single_pair_and_zero_variance() -> None:
    one = paired_differences(_kpis(np.array([[1.0], [3.0]])), "base")
    assert np.isnan(one["p_value"].iloc[0]) and not one["significant"].iloc[0]
    same = paired_differences(_kpis(np.array([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]])), "base")
    assert np.isnan(same["p_value"].iloc[0]) and not same["significant"].iloc[0]
    shifted = paired_differences(_kpis(np.array([[1.0, 2.0, 3.0], [2.0, 3.0, 4.0]])), "base")
    assert shifted["p_value"].iloc[0] == 0.0 and shifted["significant"].iloc[0]
    out = correct(pd.concat([one, same, shifted], ignore_index=True), "holm")
    assert out.attrs["comparisons"] == 1
    assert out["significant"].tolist() == [False, False, True]


def test_verdict_and_ranking_use_the_significant_flag() -> None:
    assert verdict("within_nts_norm", 2.0, True) == 1  # higher is better
    assert verdict("within_nts_norm", -2.0, True) == -1
    assert verdict("abandoned_callers", -2.0, True) == 1  # lower is better
    assert verdict("within_nts_norm", 2.0, False) == 0
    assert verdict("utilisation", 2.0, True) == 0  # no better direction
    comparison = pd.DataFrame(
        {
            "scenario": ["a", "a", "b", "b"],
            "kpi": ["within_nts_norm", "abandoned_callers"] * 2,
            "group": ["U1", "all"] * 2,
            "mean": 1.0,
            "difference": [1.0, 1.0, 1.0, -1.0],
            "significant": [True, False, True, True],
            "norm": np.nan,
        }
    )
    ranked = ranking(comparison, "base")
    assert ranked[["scenario", "rank", "score", "improved", "worsened"]].values.tolist() == [
        ["b", 1, 2, 2, 0],
        ["a", 2, 1, 1, 0],
    ]


def test_the_command_line_offers_the_choices_without_loading_pandas() -> None:
    code = "import sys, anwsim.cli, anwsim.report.command; print('pandas' in sys.modules)"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "False"
    assert command.CORRECTIONS == CORRECTIONS and command.DEFAULT_CORRECTION == DEFAULT_CORRECTION
