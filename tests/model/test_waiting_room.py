"""The phone line's waiting room (``triage.max_waiting``) against M/M/c/K, and by hand.

With ``patience_minutes: none`` (nobody hangs up), no redials, c triagists always on
duty, Poisson calls and exponential triage times, a waiting room of N makes the line an
M/M/c/K queue with K = c + N places in the system: a caller who finds N callers on
hold (so K in the system) gets a busy signal. Its birth-death chain, a = λ/μ, ρ = a/c:

    p_n = p_0 a^n / n!               n = 0..c
    p_n = p_0 a^c / c! ρ^(n - c)     n = c+1..K,     p_0 from Σ p_n = 1

    P(blocked)   = p_K                              (PASTA: arrivals see time averages)
    λ_eff        = λ (1 - p_K)                      (callers let in)
    L_q          = Σ_{n>c} (n - c) p_n
    W_q          = L_q / λ_eff                      (Little, admitted callers only)
    utilisation  = λ_eff / (c μ) = (L - L_q) / c

The statistics are per replication, as in `test_queueing_theory`: the share of call
attempts blocked (Σ blocked_attempts / Σ attempts), the mean wait of admitted callers
(answer - start of the answered attempt) and the busy share of the triagists
(`anwsim.metrics.group_integrals` over warm-up..horizon), compared within 4 SE. The
negative control holds the same runs against the N = ∞ formulas (M/M/c, Erlang C).

The hand-placed cases pin the rule itself: who is on hold, what a busy signal does to
the caller's attempts, redials and exit, and that callers waiting for a call-back are
not on hold.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from anwsim.metrics import group_integrals
from anwsim.model import EXITS
from anwsim.sampling import DemandSampler
from anwsim.scenario import Scenario

from . import scenarios as build_scenarios
from .handmade import demand, scenario
from .reference import simulate
from .test_queueing_theory import (
    Estimate,
    assert_matches,
    assert_rejects,
    erlang_c,
    estimate,
    mmc_mean_wait,
)

# --------------------------------------------------------------------------- theory


def mmck(lam: float, mu: float, c: int, k: int) -> tuple[float, float, float]:
    """(P(blocked), W_q of admitted callers, utilisation) of M/M/c/K (module docstring)."""
    a = lam / mu
    p = np.array(
        [
            a**n / math.factorial(n) if n <= c else a**c / math.factorial(c) * (a / c) ** (n - c)
            for n in range(k + 1)
        ]
    )
    p /= p.sum()
    n = np.arange(k + 1)
    lq = float(np.sum(np.maximum(n - c, 0) * p))
    lam_eff = lam * (1.0 - p[k])
    return float(p[k]), lq / lam_eff, lam_eff / (c * mu)


def erlang_b(c: int, a: float) -> float:
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def test_mmck_formula_limits() -> None:
    """K = c is Erlang B (no queue); K → ∞ is M/M/c (Erlang C, utilisation ρ)."""
    lam, mu, c = 0.3, 1 / 6, 2
    blocked, wait, util = mmck(lam, mu, c, c)
    assert blocked == pytest.approx(erlang_b(c, lam / mu))
    assert wait == 0.0
    assert util == pytest.approx(lam * (1 - blocked) / (c * mu))
    blocked, wait, util = mmck(lam, mu, c, 400)
    assert blocked < 1e-15
    assert wait == pytest.approx(mmc_mean_wait(lam, mu, c), rel=1e-9)
    assert util == pytest.approx(lam / (c * mu))
    # c = 1, K = 2 by hand: p ∝ (1, a, a²); P_K = a²/(1+a+a²), L_q = p_2, W_q = L_q/λ_eff.
    a = 0.5
    blocked, wait, _ = mmck(a, 1.0, 1, 2)
    assert blocked == pytest.approx(a**2 / (1 + a + a**2))
    assert wait == pytest.approx(blocked / (a * (1 - blocked)))
    assert erlang_c(1, a) == pytest.approx(a)


# --------------------------------------------------------------------------- M/M/c/K

C, N, MEAN_TRIAGE = 2, 3, 6.0
LAMBDA = 0.9 * C / MEAN_TRIAGE
"""ρ = λ/(cμ) = 0.9 on 2 triagists, waiting room 3 (K = 5): P(blocked) ≈ 0.14."""
DAYS, REPLICATIONS = 4, 10
WARMUP_HOURS = 2.0


def waiting_room_scenario(max_waiting: int | None, *, seed: int) -> Scenario:
    data = build_scenarios.phone_queue(
        arrival_rate=LAMBDA, triagists=C, mean_triage=MEAN_TRIAGE, seed=seed
    )
    run = data["run"]
    del run["horizon_weeks"]
    run.update(horizon_days=DAYS, warmup_weeks=WARMUP_HOURS / (7 * 24))
    data["triage"].update(patience_minutes="none", max_waiting=max_waiting, max_redials=0)
    return build_scenarios.build(data)


@pytest.fixture(scope="module")
def mmck_runs() -> dict[str, Estimate]:
    s = waiting_room_scenario(N, seed=301)
    start, end = s.run.warmup_minutes, s.run.horizon_minutes
    sampler = DemandSampler(s)
    blocked, waits, busy = [], [], []
    for r in range(REPLICATIONS):
        o = simulate(s, sampler.sample(r))
        assert np.all(o.exits == 1)
        keep = o.call >= start
        gave_up = o.exit_via == EXITS.index("blocked")
        assert np.all(o.attempts == 1) and np.all(o.abandoned_attempts == 0)
        assert np.array_equal(o.blocked_attempts == 1, gave_up)
        assert np.array_equal(np.isnan(o.answer), gave_up)
        assert np.all(o.exit_via[~gave_up] == EXITS.index("advice"))
        blocked.append(float(o.blocked_attempts[keep].sum() / o.attempts[keep].sum()))
        admitted = keep & ~gave_up
        waits.append(float(np.mean((o.answer - o.answered_attempt_start)[admitted])))
        g = group_integrals(o, start, end).set_index("role").loc["triagist"]
        assert g.staffed_minutes == pytest.approx(C * (end - start))
        busy.append(float(g.busy_minutes / g.staffed_minutes))
    return {"blocked": estimate(blocked), "wait": estimate(waits), "busy": estimate(busy)}


def test_blocking_probability_is_mmck(mmck_runs: dict[str, Estimate]) -> None:
    theory, _, _ = mmck(LAMBDA, 1 / MEAN_TRIAGE, C, C + N)
    assert_matches(mmck_runs["blocked"], theory, "M/M/2/5 P(blocked)")


def test_mean_wait_of_admitted_callers_is_mmck(mmck_runs: dict[str, Estimate]) -> None:
    _, theory, _ = mmck(LAMBDA, 1 / MEAN_TRIAGE, C, C + N)
    assert_matches(mmck_runs["wait"], theory, "M/M/2/5 W_q (min)")


def test_utilisation_is_mmck(mmck_runs: dict[str, Estimate]) -> None:
    _, _, theory = mmck(LAMBDA, 1 / MEAN_TRIAGE, C, C + N)
    assert_matches(mmck_runs["busy"], theory, "M/M/2/5 busy share λ(1-P_K)/(cμ)")


def test_infinite_waiting_room_formulas_are_rejected(mmck_runs: dict[str, Estimate]) -> None:
    """Negative control: the same runs against N = ∞ (M/M/2: nobody blocked, Erlang C
    wait, utilisation ρ) and against a waiting room one larger (M/M/2/6)."""
    mu = 1 / MEAN_TRIAGE
    assert_rejects(mmck_runs["blocked"], 0.0, "N = inf: P(blocked)")
    assert_rejects(mmck_runs["wait"], mmc_mean_wait(LAMBDA, mu, C), "N = inf: Erlang C W_q")
    assert_rejects(mmck_runs["busy"], LAMBDA / (C * mu), "N = inf: utilisation ρ")
    blocked, _, _ = mmck(LAMBDA, mu, C, C + N + 1)
    assert_rejects(mmck_runs["blocked"], blocked, "M/M/2/6 P(blocked)")


# --------------------------------------------------------------------------- by hand


def one_triagist(**changes: object) -> Scenario:
    return scenario(**{"triage.max_waiting": 1, "triage.patience_minutes": "none", **changes})


def test_third_caller_finds_the_waiting_room_full() -> None:
    """N = 1, one triagist, triage 10: the first is answered, the second waits on hold,
    the third finds one caller on hold and gets a busy signal (and does not redial)."""
    s = one_triagist()
    d = demand(s, [{"t": t, "channel": "call", "triage_minutes": 10} for t in (0, 1, 2)])
    o = simulate(s, d)
    assert o.attempts.tolist() == [1, 1, 1]
    assert o.blocked_attempts.tolist() == [0, 0, 1]
    assert o.abandoned_attempts.tolist() == [0, 0, 0]
    assert o.answer[:2].tolist() == [0, 10]
    assert [EXITS[v] for v in o.exit_via] == ["advice", "advice", "blocked"]
    # The blocked caller leaves at the minute of the busy signal, never reached anyone.
    assert o.exit.tolist() == [10, 20, 2]
    for name in ("answer", "answered_attempt_start", "abandon", "triage_end"):
        assert np.isnan(o.patients[name][2]), name
    assert o.exits.tolist() == [1, 1, 1]


def test_blocked_caller_redials_and_gets_through() -> None:
    """The busy signal at 2 is followed by the pre-drawn redial (delay 8): at 10 the
    triagist's release (END) and the answer of the caller on hold (DISPATCH) come before
    the redial (ARRIVAL), so the redial finds nobody on hold, joins, and is answered at
    20. A second redial plan (attempt 1) is not used."""
    s = one_triagist()
    d = demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {"t": 1, "channel": "call", "triage_minutes": 10},
            {
                "t": 2,
                "channel": "call",
                "triage_minutes": 10,
                "redials": [True, True, False],
                "redial_delay_minutes": [8.0, 1.0, 1.0],
            },
        ],
    )
    o = simulate(s, d)
    assert o.attempts.tolist() == [1, 1, 2]
    assert o.blocked_attempts.tolist() == [0, 0, 1]
    assert o.answered_attempt_start[2] == 10
    assert o.answer.tolist() == [0, 10, 20]
    assert o.exit.tolist() == [10, 20, 30]
    assert [EXITS[v] for v in o.exit_via] == ["advice"] * 3


def test_blocked_redials_until_the_plan_runs_out() -> None:
    """Blocked at 2, redials after 1 (at 3: still one on hold, blocked again), after 1
    more (at 4: blocked), and the pre-drawn plan says no third redial: exit ``blocked``
    at 4 with three attempts, all blocked."""
    s = one_triagist()
    d = demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {"t": 1, "channel": "call", "triage_minutes": 10},
            {"t": 2, "channel": "call", "redials": [True, True, False]},
        ],
    )
    o = simulate(s, d)
    assert o.attempts[2] == 3 and o.blocked_attempts[2] == 3
    assert EXITS[o.exit_via[2]] == "blocked" and o.exit[2] == 4


def test_hang_up_then_busy_signal_exits_blocked() -> None:
    """Finite patience: the caller at 1 hangs up at 2 (patience 1); the caller at 2.5
    finds nobody on hold and takes the place; the redial at 3 finds one on hold and
    gets a busy signal, and the plan has no second redial: the last attempt met a busy
    signal, so the exit is ``blocked`` at 3, with one attempt abandoned, one blocked."""
    s = scenario(**{"triage.max_waiting": 1})
    d = demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {
                "t": 1,
                "channel": "call",
                "patience_minutes": [1.0, 1e6, 1e6, 1e6],
                "redials": [True, False, False],
            },
            {"t": 2.5, "channel": "call", "triage_minutes": 10},
        ],
    )
    o = simulate(s, d)
    assert o.attempts.tolist() == [1, 2, 1]
    assert o.abandoned_attempts.tolist() == [0, 1, 0]
    assert o.blocked_attempts.tolist() == [0, 1, 0]
    assert [EXITS[v] for v in o.exit_via] == ["advice", "blocked", "advice"]
    assert o.exit[1] == 3
    assert o.abandon[1] == 2  # the hang-up is still recorded
    assert o.answer[[0, 2]].tolist() == [0, 10]
    assert o.exits.tolist() == [1, 1, 1]


def test_callers_awaiting_a_call_back_are_not_on_hold() -> None:
    """N = 1, call-back instead of abandon. The caller at 1 runs out of patience at 3
    and takes a call-back: still in the queue, but not on hold. So the caller at 4 finds
    nobody on hold and joins; the caller at 5 finds one on hold and is blocked. The
    call-back comes first (10), then the caller at 4 (20)."""
    s = scenario(**{"triage.max_waiting": 1, "triage.call_back_instead_of_abandon": True})
    patients = [
        {"t": 0, "channel": "call", "triage_minutes": 10},
        {"t": 1, "channel": "call", "triage_minutes": 10, "patience_minutes": 2.0},
        {"t": 4, "channel": "call", "triage_minutes": 10},
        {"t": 5, "channel": "call", "triage_minutes": 10},
    ]
    o = simulate(s, demand(s, patients))
    assert o.called_back.tolist() == [False, True, False, False]
    assert o.call_back_requested[1] == 3
    assert o.blocked_attempts.tolist() == [0, 0, 0, 1]
    assert o.answer[:3].tolist() == [0, 10, 20]
    assert [EXITS[v] for v in o.exit_via] == ["advice", "advice", "advice", "blocked"]
    # Control: the same callers when the caller at 1 keeps holding (patience 1e6): now
    # the caller at 4 is the one blocked, and so is the caller at 5.
    patients[1]["patience_minutes"] = 1e6
    o = simulate(s, demand(s, patients))
    assert o.called_back.tolist() == [False] * 4
    assert o.blocked_attempts.tolist() == [0, 0, 1, 1]


def test_answered_call_back_leaves_the_count() -> None:
    """After the called-back caller is answered (10), the caller waiting behind it is
    the one on hold: a caller at 12 is blocked, and the caller at 21 (after the caller
    behind was answered at 20) gets in."""
    s = scenario(**{"triage.max_waiting": 1, "triage.call_back_instead_of_abandon": True})
    patients = [
        {"t": 0, "channel": "call", "triage_minutes": 10},
        {"t": 1, "channel": "call", "triage_minutes": 10, "patience_minutes": 2.0},
        {"t": 4, "channel": "call", "triage_minutes": 10},
        {"t": 12, "channel": "call", "triage_minutes": 10},
        {"t": 21, "channel": "call", "triage_minutes": 10},
    ]
    o = simulate(s, demand(s, patients))
    assert o.blocked_attempts.tolist() == [0, 0, 0, 1, 0]
    assert o.answer[[0, 1, 2, 4]].tolist() == [0, 10, 20, 30]


# --------------------------------------------------------------------------- max_waiting: 0


def test_no_waiting_room_blocks_whoever_finds_the_triagists_busy() -> None:
    """``max_waiting: 0``: nobody is ever on hold. While the only triagist is busy with
    the caller at 0 (triage 100), the callers at 1, 2 and 3 are blocked at once, and
    no caller who got in waited a minute."""
    s = scenario(
        **{"triage.max_waiting": 0, "triage.patience_minutes": "none", "triage.max_redials": 0}
    )
    d = demand(s, [{"t": t, "channel": "call", "triage_minutes": 100} for t in (0, 1, 2, 3)])
    o = simulate(s, d)
    assert o.blocked_attempts[1:].tolist() == [1, 1, 1]
    assert [EXITS[v] for v in o.exit_via[1:]] == ["blocked"] * 3
    assert o.exit[1:].tolist() == [1, 2, 3]
    answered = ~np.isnan(o.answer)
    assert np.all(o.answer[answered] == o.answered_attempt_start[answered])
    assert o.exits.tolist() == [1] * 4


def test_no_waiting_room_still_answers_a_caller_who_finds_a_free_triagist() -> None:
    """A waiting room of 0 is M/M/c/c (Erlang B): a caller who finds a triagist free
    and nobody on hold is answered at once; only one who would have to wait is blocked.
    Two triagists, triage 10: the callers at 0 and 1 are answered, the one at 2 is
    blocked, the one at 15 is answered again."""
    s = scenario(
        **{
            "triage.max_waiting": 0,
            "triage.patience_minutes": "none",
            "triage.max_redials": 0,
            "rosters.line.triagist": [{"days": ["all"], "hours": "00:00-24:00", "staff": 2}],
        }
    )
    d = demand(s, [{"t": t, "channel": "call", "triage_minutes": 10} for t in (0, 1, 2, 15)])
    o = simulate(s, d)
    assert o.blocked_attempts.tolist() == [0, 0, 1, 0]
    assert o.answer[[0, 1, 3]].tolist() == [0, 1, 15]
