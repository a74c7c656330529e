"""``triage.patience_minutes: none``: callers never hang up, and no patience timer exists.

With ``none`` the Demand's patience column is inf, `phone_call` schedules no patience
event, and the line is a plain M/M/c queue (compared with Erlang C within 4 SE, as in
`test_queueing_theory`). With a finite patience, the timer of a caller who is answered
is cancelled: it never fires and never shows in the trace, so every ``patience`` row of
a trace is a hang-up at that minute.
"""

from __future__ import annotations

import numpy as np
import pytest

from anwsim.model import EXITS
from anwsim.sampling import DemandSampler
from anwsim.scenario import Scenario

from . import scenarios as build_scenarios
from .handmade import demand, scenario
from .reference import simulate
from .test_queueing_theory import assert_matches, assert_rejects, estimate, mmc_mean_wait

LAMBDA, MEAN_TRIAGE, C = 2.0 / 6.0, 6.0, 3
"""Offered load 2 erlang on 3 triagists (ρ = 2/3): Erlang C wait C(3, 2)/(3μ - λ) = 8/3 min."""
DAYS, REPLICATIONS = 6, 10


def phone_line(patience: object, *, seed: int, redial_percent: float = 0) -> Scenario:
    data = build_scenarios.phone_queue(
        arrival_rate=LAMBDA, triagists=C, mean_triage=MEAN_TRIAGE, patience=patience, seed=seed
    )
    del data["run"]["horizon_weeks"]
    data["run"].update(horizon_days=DAYS, warmup_weeks=0.5 / 7)  # half a day of warm-up
    data["triage"].update(redial_percent=redial_percent, max_redials=2 if redial_percent else 0)
    return build_scenarios.build(data)


@pytest.fixture(scope="module")
def never_hang_up() -> tuple[Scenario, list]:
    s = phone_line("none", seed=401)
    sampler = DemandSampler(s)
    return s, [simulate(s, sampler.sample(r), trace=True) for r in range(REPLICATIONS)]


def test_no_patience_timer_is_ever_scheduled(never_hang_up) -> None:
    s, runs = never_hang_up
    d = DemandSampler(s).sample(0)
    assert np.all(np.isinf(d.patience_minutes))
    for o, trace in runs:
        kinds = set(trace.kind)
        assert "patience" not in kinds
        assert {"arrival", "dispatch", "grant", "triage_end"} <= kinds  # the trace is there
        assert np.all(o.exit_via == EXITS.index("advice"))
        assert np.all(o.abandoned_attempts == 0) and np.all(np.isnan(o.abandon))


def test_never_hanging_up_is_erlang_c(never_hang_up) -> None:
    s, runs = never_hang_up
    waits = []
    for o, _ in runs:
        keep = o.call >= s.run.warmup_minutes
        waits.append(float(np.mean((o.answer - o.answered_attempt_start)[keep])))
    est = estimate(waits)
    mu = 1.0 / MEAN_TRIAGE
    assert_matches(est, mmc_mean_wait(LAMBDA, mu, C), "M/M/3, patience none: mean wait (min)")
    assert_rejects(est, mmc_mean_wait(LAMBDA, mu, C + 1), "M/M/4 mean wait")


def test_patience_none_and_endless_patience_are_the_same_run() -> None:
    """A patience that never runs out within the run gives the same outcomes as none
    (the only difference is the patience timers in the trace)."""
    none = phone_line("none", seed=402)
    endless = phone_line(build_scenarios.constant(1e9), seed=402)
    a, trace_a = simulate(none, DemandSampler(none).sample(0), trace=True)
    b, trace_b = simulate(endless, DemandSampler(endless).sample(0), trace=True)
    for name, column in a.patients.items():
        assert np.array_equal(column, b.patients[name], equal_nan=True), name
    assert (trace_b.kind == "patience").sum() == 0
    assert trace_a.drop(columns="seq").equals(trace_b.drop(columns="seq"))


def test_only_hang_ups_show_as_patience_events() -> None:
    """Finite (exponential) patience and redials: the trace's ``patience`` rows are
    exactly the hang-ups. Per caller, as many rows as abandoned attempts; the last row
    of a caller who never got through is their ``abandon`` time; a caller who was
    answered has no row at or after the answer (their timer was cancelled)."""
    s = phone_line(build_scenarios.exponential(5.0), seed=403, redial_percent=50)
    o, trace = simulate(s, DemandSampler(s).sample(0), trace=True)
    rows = trace[trace.kind == "patience"]
    assert len(rows) == int(o.abandoned_attempts.sum()) > 100
    counts = np.bincount(rows.patient.to_numpy(), minlength=len(o))
    assert np.array_equal(counts, o.abandoned_attempts)
    last = rows.groupby("patient").time.max()
    never = np.flatnonzero(np.isnan(o.answer) & (o.abandoned_attempts > 0))
    assert never.size > 0
    assert np.array_equal(last.loc[never].to_numpy(), o.abandon[never])
    assert np.all(o.exit[never] == o.abandon[never])
    answered = last.index[~np.isnan(o.answer[last.index])]
    assert answered.size > 0  # callers who hung up, redialled and got through
    assert np.all(last.loc[answered].to_numpy() < o.answer[answered])
    assert (o.answer > o.answered_attempt_start).sum() > 100  # many timers were cancelled


def test_patience_ending_at_the_answer_is_cancelled() -> None:
    """The caller at 1 with patience 9 would hang up at 10, the minute the triagist frees
    up: the answer (DISPATCH) comes first, the timer is cancelled and not traced."""
    s = scenario()
    d = demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {"t": 1, "channel": "call", "patience_minutes": 9.0},
            {"t": 2, "channel": "call", "patience_minutes": 3.0},  # hangs up at 5
        ],
    )
    o, trace = simulate(s, d, trace=True)
    assert o.answer[1] == 10 and np.isnan(o.abandon[1])
    assert EXITS[o.exit_via[2]] == "abandoned" and o.abandon[2] == 5
    rows = trace[trace.kind == "patience"]
    assert rows[["time", "patient"]].values.tolist() == [[5.0, 2]]
