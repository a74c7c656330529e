"""The number of replications by the procedure of Hoad, Robinson & Davies (2010).

`decide` is tested on hand-made series (a constant one, a noisy one, one that meets the
precision and loses it again, one that never meets it before the cap), and the whole
loop on the short baseline: the replications it settles on give, in a separate run of
exactly that many, the precision it promised.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import anwsim
from anwsim.cli import main
from anwsim.experiment import summarise, tasks
from anwsim.experiment.precision import (
    MIN_REPLICATIONS,
    Decision,
    decide,
    look_ahead,
    relative_half_width,
)

# t(0.975, df) from a table, so that the formula is checked independently of scipy
T_975 = {2: 4.302652729749464, 4: 2.7764451051977987, 9: 2.2621571627982053}


def _by_hand(values: list[float]) -> float:
    n = len(values)
    mean = sum(values) / n
    sd = math.sqrt(sum((v - mean) ** 2 for v in values) / (n - 1))
    return T_975[n - 1] * sd / math.sqrt(n) / abs(mean)


def _first_solution(series: list[np.ndarray], precision: float) -> int | None:
    """The procedure written out plainly: the first n ≥ 3 such that every target's
    relative half-width is within the precision at n and at each of the next k_limit
    replications."""
    length = min(len(s) for s in series)
    for n in range(MIN_REPLICATIONS, length + 1):
        span = range(n, n + look_ahead(n) + 1)
        if span[-1] > length:
            return None
        if all(relative_half_width(s[:m]) <= precision for s in series for m in span):
            return n
    return None


# --------------------------------------------------------------------------- formula


def test_relative_half_width_against_the_t_formula() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 6.0]
    # mean 3.2, s² = 14.8 / 4 = 3.7, t(0.975, 4) = 2.7764...
    expected = 2.7764451051977987 * math.sqrt(3.7) / math.sqrt(5) / 3.2
    assert relative_half_width(values) == pytest.approx(expected, rel=1e-12)
    assert relative_half_width(values) == pytest.approx(_by_hand(values), rel=1e-12)
    ten = [float(v) for v in np.linspace(80.0, 120.0, 10) ** 1.1]
    assert relative_half_width(ten) == pytest.approx(_by_hand(ten), rel=1e-12)
    three = [5.0, 7.0, 12.0]
    assert relative_half_width(three) == pytest.approx(_by_hand(three), rel=1e-12)


def test_relative_half_width_edge_cases() -> None:
    assert relative_half_width([4.0, 4.0, 4.0]) == 0.0
    assert relative_half_width([-1.0, -2.0, -3.0]) == relative_half_width([1.0, 2.0, 3.0])
    assert relative_half_width([5.0]) == math.inf
    assert relative_half_width([]) == math.inf
    assert relative_half_width([-1.0, 1.0]) == math.inf  # mean zero
    assert relative_half_width([1.0, math.nan, 2.0]) == math.inf
    # a 90% interval is narrower than a 95% one
    assert relative_half_width([1.0, 2.0, 4.0], 0.90) < relative_half_width([1.0, 2.0, 4.0])


def test_look_ahead() -> None:
    assert [look_ahead(n) for n in (3, 50, 100, 101, 119, 120, 200, 1000)] == [
        5,
        5,
        5,
        5,
        5,
        6,
        10,
        50,
    ]


# --------------------------------------------------------------------------- decide


def test_constant_series_stops_at_three_plus_the_look_ahead() -> None:
    decision = decide([[5.0] * 20], precision=0.05, cap=200)
    assert decision == Decision(solution=3, needed=8, widths=(0.0,))
    assert decision.keep == 8
    # with fewer values than the look-ahead needs, it asks for exactly enough
    for available in range(3, 8):
        early = decide([[5.0] * available], precision=0.05, cap=200)
        assert early.solution is None and early.needed == 8 and early.keep is None
    # before three replications nothing is decided
    assert decide([[5.0, 5.0]], 0.05, 200) == Decision(None, 3, (math.inf,))
    assert decide([[]], 0.05, 200).needed == 3


def test_noisy_series_needs_more_replications() -> None:
    rng = np.random.default_rng(20100601)
    noisy = rng.normal(100.0, 15.0, size=200)
    decision = decide([noisy], precision=0.05, cap=200)
    expected = _first_solution([noisy], 0.05)
    assert expected is not None and expected > 3
    assert decision.solution == expected
    assert decision.needed == decision.keep == expected + 5
    # the precision holds at the solution and throughout its look-ahead
    for m in range(expected, expected + 6):
        assert relative_half_width(noisy[:m]) <= 0.05
    assert decision.widths == (relative_half_width(noisy[: expected + 5]),)
    # a tighter precision needs more
    tighter = decide([noisy], precision=0.03, cap=200)
    assert tighter.solution is not None and tighter.solution > decision.solution
    assert tighter.solution == _first_solution([noisy], 0.03)
    # only the first `keep` values matter: more values do not change the decision
    assert decide([noisy[: decision.keep]], 0.05, 200) == decision


def test_losing_the_precision_resets_the_candidate() -> None:
    # meets 5% at n = 3 and 4, loses it at n = 5 (an outlier), regains it later
    values = [100.0, 101.0, 99.0, 100.0, 130.0] + [100.0, 102.0, 98.0, 101.0, 99.0] * 4
    assert relative_half_width(values[:3]) <= 0.05
    assert relative_half_width(values[:5]) > 0.05
    decision = decide([values], precision=0.05, cap=200)
    expected = _first_solution([np.array(values)], 0.05)
    assert expected is not None and expected > 5
    assert decision.solution == expected
    for m in range(expected, expected + 6):
        assert relative_half_width(values[:m]) <= 0.05
    assert relative_half_width(values[: expected - 1]) > 0.05  # it is the first such n
    # seen only up to the outlier, the procedure asks for more than the old candidate's
    # look-ahead would have needed
    assert decide([values[:5]], 0.05, 200) == Decision(None, 6, (relative_half_width(values[:5]),))


def test_every_target_must_meet_the_precision() -> None:
    steady = [50.0] * 100
    rng = np.random.default_rng(7)
    wobbly = list(rng.normal(10.0, 1.0, size=100))
    alone = decide([steady], 0.05, 200)
    both = decide([steady, wobbly], 0.05, 200)
    assert alone.solution == 3
    assert both.solution == _first_solution([np.array(steady), np.array(wobbly)], 0.05)
    assert both.solution is not None and both.solution > 3
    assert len(both.widths) == 2 and both.widths[0] == 0.0
    # series of different lengths: only the common replications count
    assert decide([steady, wobbly[:6]], 0.05, 200).solution is None


def test_the_cap_stops_without_a_solution() -> None:
    rng = np.random.default_rng(3)
    wild = rng.lognormal(0.0, 1.5, size=10)
    decision = decide([wild], precision=0.01, cap=10)
    assert decision.solution is None and decision.keep is None
    assert decision.needed == 10
    assert decision.widths[0] == relative_half_width(wild) > 0.01
    # below the cap it asks for one more, never beyond the cap
    assert decide([wild[:6]], 0.01, 10).needed == 7
    assert decide([wild[:9]], 0.01, 10).needed == 10
    # a candidate whose look-ahead would pass the cap is not asked beyond it
    assert decide([[5.0] * 4], 0.05, cap=6).needed == 6


def test_decide_needs_a_target() -> None:
    with pytest.raises(ValueError, match="at least one target"):
        decide([], 0.05, 10)


# --------------------------------------------------------------------------- the loop

PRECISION = 0.05
TARGETS = [("within_nts_norm", "U2"), ("call_to_doctor_mean", "U2")]


def _widths(summary: pd.DataFrame) -> dict[tuple[str, str], float]:
    out = {}
    for kpi, group in TARGETS:
        row = summary[(summary["kpi"] == kpi) & (summary["group"] == group)].iloc[0]
        out[(kpi, group)] = float(row["half_width"]) / abs(float(row["mean"]))
    return out


def test_automatic_replications_give_the_precision_a_fixed_run_confirms(
    baseline_path: Path, short: tuple[str, ...]
) -> None:
    progress: list[tuple[int, int, str]] = []
    summary = anwsim.run(
        baseline_path,
        overrides=short,
        precision=PRECISION,
        targets=TARGETS,
        max_replications=30,
        workers=1,
        progress=lambda done, total, note: progress.append((done, total, note)),
    )
    decision = summary.attrs["decision"]
    n = summary.attrs["replications"]
    assert isinstance(decision, Decision)
    assert decision.solution is not None and decision.solution > MIN_REPLICATIONS
    assert n == decision.keep == decision.solution + look_ahead(decision.solution)
    assert n < 30
    assert summary["replications"].max() == n
    assert max(done for done, _, _ in progress) == n  # no replication beyond those kept
    assert any("target 5%" in note for _, _, note in progress)

    fixed = anwsim.run(
        baseline_path, overrides=short, replications=n, workers=1, per_replication=True
    )
    fixed_summary = summarise(fixed)
    for target, width in _widths(fixed_summary).items():
        assert width <= PRECISION, target
    pd.testing.assert_frame_equal(fixed_summary, summary.reset_index(drop=True), check_exact=True)
    # the procedure on the fixed run's values decides the same, and needed all of them
    series = [
        fixed[(fixed["kpi"] == kpi) & (fixed["group"] == group)]["value"].to_numpy()
        for kpi, group in TARGETS
    ]
    assert decide(series, PRECISION, 30) == decision
    assert decide([s[: n - 1] for s in series], PRECISION, 30).solution is None


def test_an_unknown_target_is_an_error_not_a_run_to_the_cap(
    cli: CliRunner, baseline_path: Path, short: tuple[str, ...], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A misspelt --target has no half-width; without a check the run would go on to
    --max-reps (200 by default) and end without a solution. The command line refuses it
    before any replication; the runner, as a second line, after the first ones."""
    seen: list[int] = []
    real = tasks.run_replication

    def counting(
        scenario: Any, replication: int, sampler: Any = None, engine: str = "simpy"
    ) -> Any:
        seen.append(replication)
        return real(scenario, replication, sampler, engine=engine)

    monkeypatch.setattr(tasks, "run_replication", counting)
    sets = [arg for s in short for arg in ("--set", s)]
    args = ["run", str(baseline_path), *sets, "--precision", "0.05", "--workers", "1"]
    result = cli.invoke(main, [*args, "--target", "within_nts_norm:U9", "--max-reps", "50"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --target within_nts_norm:U9: within_nts_norm has no group 'U9' in "
        f"{baseline_path}; its groups: U0, U1, U2, U3, U4\n"
    )
    assert seen == []  # refused before anything ran

    with pytest.raises(ValueError, match="no KPI within_nts_norm:U9 in the results of 'baseline'"):
        anwsim.run(
            baseline_path,
            overrides=short,
            precision=0.05,
            targets=[("within_nts_norm", "U9")],
            max_replications=50,
            workers=1,
        )
    assert seen == [0, 1, 2]  # stopped as soon as the KPI table was known
