"""Parity: the compiled engine (`anwsim.engine`) against the SimPy reference (`anwsim.model`).

Both engines follow ``docs/engine.md`` and do the same float operations in the same
order, so they must agree *exactly*: the event trace row for row (time, class, sequence
number, kind, patient, pool, group), every per-patient column of `Outcomes` (NaN where
the other has NaN), every server group's change-point log (times, busy, capacity,
overtime, ended), ``stopped_at`` and ``queues``. No column is compared with a tolerance.

1. The shipped scenarios (``scenarios/baseline.yaml`` and ``scenarios/s*.yaml``), one week,
   three replications each.
2. Every hand-placed deterministic case of ``tests/model`` (rebuilt here from
   `tests/model/handmade.py` and the golden traces of ``test_trace.py``), plus a few
   hand cases for paths those files do not cover (front desk, neighbour region, call-back
   by the post's GP, SEH doctors).
3. Random small scenarios (hypothesis) built on `handmade.BASE`: random rosters with
   gaps and crew swaps, opening hours, end-of-shift rules, waiting room, redials,
   patience, call-backs, second post/SEH/station, closures, overload, short drains; a
   sampled Demand whose arrivals are partly snapped to whole minutes and to the roster
   and opening boundaries (equal-time events on purpose).

The compiled engine compiles on its first call in a fresh process (minutes; then cached
on disk), so run a warm-up call before timing this file.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

import anwsim.engine as compiled
import anwsim.model as reference
from anwsim.model.clock import TRACE_COLUMNS
from anwsim.sampling import DemandSampler
from anwsim.sampling.demand import Demand
from anwsim.scenario import DISPOSITIONS, ENTRIES, Scenario, load_scenario, validate_data
from anwsim.scenario.schema import MINUTES_PER_YEAR
from model import test_drain_and_unserved as drain_cases
from model import test_end_of_shift as shift_cases
from model import test_trace as golden
from model.handmade import ALWAYS, BASE, const, demand, scenario

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "scenarios"
SHORT = ["run.horizon_weeks=1", "run.warmup_weeks=0"]

# =========================================================================== the helper


def _frame_rows(trace: pd.DataFrame, lo: int, hi: int) -> str:
    part = trace.iloc[lo:hi]
    return part.to_string() if len(part) else "(no rows)"


def trace_difference(ref: pd.DataFrame, eng: pd.DataFrame) -> str | None:
    """None if the two traces are equal row for row; else a message naming the first
    diverging row and showing the rows around it in both traces."""
    cols = list(TRACE_COLUMNS)
    problems = []
    for name, tr in (("reference", ref), ("engine", eng)):
        if list(tr.columns) != cols:
            problems.append(f"{name} trace columns {list(tr.columns)} != {cols}")
    if problems:
        return "; ".join(problems)
    n = min(len(ref), len(eng))
    differs = np.zeros(n, dtype=bool)
    for c in cols:
        a, b = ref[c].to_numpy()[:n], eng[c].to_numpy()[:n]
        if c == "kind":
            differs |= a.astype(str) != b.astype(str)
        else:
            differs |= a != b  # exact: also the float times
    if differs.any():
        first = int(np.argmax(differs))
        what = "differ"
    elif len(ref) != len(eng):
        first = n
        what = f"lengths differ ({len(ref)} reference rows, {len(eng)} engine rows)"
    else:
        return None
    lo, hi = max(0, first - 5), first + 6
    diff_cols = (
        [c for c in cols if str(ref[c].iloc[first]) != str(eng[c].iloc[first])] if first < n else []
    )
    return (
        f"traces {what}: first diverging row {first}"
        + (f" (columns {diff_cols})" if diff_cols else "")
        + f"\n--- reference rows {lo}..{hi - 1}:\n{_frame_rows(ref, lo, hi)}"
        + f"\n--- engine rows {lo}..{hi - 1}:\n{_frame_rows(eng, lo, hi)}"
    )


def _differs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row (patient): whether the two columns differ (NaN equals NaN)."""
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        same = (a == b) | (np.isnan(a) & np.isnan(b))
    else:
        same = a == b
    return ~np.asarray(same).reshape(a.shape[0], -1).all(axis=1)


def outcomes_differences(ref: Any, eng: Any) -> list[str]:
    """Every difference between two `Outcomes` (exact comparison everywhere)."""
    out: list[str] = []
    if set(ref.patients) != set(eng.patients):
        out.append(
            f"patient columns differ: only reference "
            f"{sorted(set(ref.patients) - set(eng.patients))}, only engine "
            f"{sorted(set(eng.patients) - set(ref.patients))}"
        )
    for name, a in ref.patients.items():
        if name not in eng.patients:
            continue
        b = eng.patients[name]
        if a.shape != b.shape:
            out.append(f"patients[{name!r}]: shape {a.shape} != {b.shape}")
            continue
        if a.dtype != b.dtype:
            out.append(f"patients[{name!r}]: dtype {a.dtype} (reference) != {b.dtype} (engine)")
        if not np.array_equal(a, b, equal_nan=a.dtype.kind == "f" and b.dtype.kind == "f"):
            bad = np.flatnonzero(_differs(a, b))
            i = int(bad[0])
            out.append(
                f"patients[{name!r}]: first differing patient {i}: reference {a[i].tolist()!r}, "
                f"engine {b[i].tolist()!r} ({bad.size} patients differ)"
            )
    rr, re_ = ref.resources, eng.resources
    for attr in ("name", "role", "site"):
        if getattr(rr, attr) != getattr(re_, attr):
            out.append(f"resources.{attr}: {getattr(rr, attr)} != {getattr(re_, attr)}")
    if rr.name == re_.name:
        for g, group in enumerate(rr.name):
            for attr in ("times", "busy", "capacity", "overtime", "ended"):
                a, b = getattr(rr, attr)[g], getattr(re_, attr)[g]
                if a.shape != b.shape or not np.array_equal(a, b):
                    n = min(len(a), len(b))
                    bad = np.flatnonzero(a[:n] != b[:n])
                    k = int(bad[0]) if bad.size else n
                    out.append(
                        f"resources {group!r}.{attr}: lengths {len(a)}/{len(b)}, first "
                        f"difference at log row {k}: reference "
                        f"{rr.times[g][max(0, k - 2) : k + 3].tolist()} "
                        f"{a[max(0, k - 2) : k + 3].tolist()}, engine "
                        f"{re_.times[g][max(0, k - 2) : k + 3].tolist()} "
                        f"{b[max(0, k - 2) : k + 3].tolist()}"
                    )
                    break  # one message per group: the rest usually follows
    same_stop = ref.stopped_at == eng.stopped_at or (
        math.isnan(ref.stopped_at) and math.isnan(eng.stopped_at)
    )
    if not same_stop:
        out.append(f"stopped_at: reference {ref.stopped_at!r}, engine {eng.stopped_at!r}")
    if tuple(ref.queues) != tuple(eng.queues):
        out.append(f"queues: reference {ref.queues}, engine {eng.queues}")
    for attr in ("horizon", "replication", "seed"):
        if getattr(ref, attr) != getattr(eng, attr):
            out.append(f"{attr}: reference {getattr(ref, attr)!r}, engine {getattr(eng, attr)!r}")
    return out


def assert_same(scenario: Scenario, demand: Demand, *, plain: bool = False) -> None:
    """Both engines with ``trace=True``: the same trace, row for row, and the same
    Outcomes, exactly. ``plain``: also the engine without a trace (same Outcomes)."""
    ref_out, ref_trace = reference.simulate(scenario, demand, trace=True)
    eng_out, eng_trace = compiled.simulate(scenario, demand, trace=True)
    problems = []
    diff = trace_difference(ref_trace, eng_trace)
    if diff:
        problems.append(diff)
    problems += outcomes_differences(ref_out, eng_out)
    if plain:
        problems += [
            f"engine trace=False vs reference: {p}"
            for p in outcomes_differences(ref_out, compiled.simulate(scenario, demand))
        ]
    assert not problems, "\n".join(problems)


# =========================================================================== 1. shipped


SHIPPED = [SCENARIOS / "baseline.yaml", *sorted(SCENARIOS.glob("s*.yaml"))]


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenario(path: Path) -> None:
    s = load_scenario(path, SHORT)
    sampler = DemandSampler(s)
    for r in range(3):
        assert_same(s, sampler.sample(r), plain=r == 0)


def test_baseline_stopped_by_the_drain_limit() -> None:
    """The baseline over 3 days with a drain of a quarter of an hour: many patients are
    still in the chain at the stop (unserved, in queues and in service)."""
    s = load_scenario(
        SCENARIOS / "baseline.yaml",
        ["run.horizon_weeks=null", "run.horizon_days=3", "run.warmup_weeks=0",
         "run.drain_days=0.01"],
    )  # fmt: skip
    d = DemandSampler(s).sample(0)
    o = reference.simulate(s, d)
    assert (o.exit_via == reference.EXITS.index("unserved")).sum() > 5
    assert_same(s, d, plain=True)


# =========================================================================== 2. by hand


def staff(*blocks: tuple[str, int], days: tuple[str, ...] = ("all",)) -> list[dict]:
    return [{"days": list(days), "hours": hours, "staff": n} for hours, n in blocks]


Case = Callable[[], tuple[Scenario, Demand]]
HAND: dict[str, Case] = {}


def hand(name: str) -> Callable[[Case], Case]:
    def register(f: Case) -> Case:
        assert name not in HAND
        HAND[name] = f
        return f

    return register


# ---------------------------------------------------------------- golden traces (test_trace)


def _golden(build: Callable[[], Any]) -> Case:
    def case() -> tuple[Scenario, Demand]:
        c = build()
        return c.s, c.d

    return case


for _name, _build in golden.CASES.items():
    HAND[f"trace/{_name}"] = _golden(_build)


# ---------------------------------------------------------------- test_deterministic


@hand("det/fifo_and_emergency_line_first")
def _() -> tuple[Scenario, Demand]:
    s = scenario()
    return s, demand(
        s,
        [
            {"t": 10, "channel": "call"},
            {"t": 12, "channel": "call"},
            {"t": 13, "channel": "call", "urgency": "U1"},
        ],
    )


@hand("det/capacity_drop_at_an_arrival")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**{"rosters.line.triagist": staff(("00:00-01:00", 2), ("01:00-24:00", 1))})
    return s, demand(
        s,
        [
            {"t": 50, "channel": "call", "triage_minutes": 20},
            {"t": 60, "channel": "call", "triage_minutes": 5},
        ],
    )


@hand("det/capacity_rise_at_an_arrival")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**{"rosters.line.triagist": staff(("00:00-01:00", 1), ("01:00-24:00", 2))})
    return s, demand(
        s,
        [
            {"t": 50, "channel": "call", "triage_minutes": 20},
            {"t": 55, "channel": "call", "triage_minutes": 5},
            {"t": 60, "channel": "call", "triage_minutes": 5},
        ],
    )


@hand("det/release_at_shift_end")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**{"rosters.line.triagist": staff(("00:00-01:00", 2), ("01:00-24:00", 1))})
    return s, demand(
        s,
        [
            {"t": 40, "channel": "call", "triage_minutes": 20},
            {"t": 45, "channel": "call", "triage_minutes": 30},
            {"t": 50, "channel": "call", "triage_minutes": 5},
        ],
    )


@hand("det/redial_counted_once")
def _() -> tuple[Scenario, Demand]:
    s = scenario()
    return s, demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 30},
            {
                "t": 1,
                "channel": "call",
                "patience_minutes": [2, 2, 100, 100],
                "redials": [True, True, False],
                "redial_delay_minutes": [4, 6, 1],
            },
        ],
    )


CLOSING_POST = {
    "sites.gp_posts.post.opening": [{"days": ["all"], "hours": "00:00-02:00"}],
    "rosters.post.gp_consult": staff(("00:00-02:00", 1)),
    "rosters.post.gp_visit": staff(("00:00-02:00", 1)),
    "rosters.seh.treatment_place": staff(("00:00-24:00", 5)),
}


@hand("det/post_closes_while_patients_wait")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**CLOSING_POST)
    return s, demand(
        s,
        [
            {"t": 100, "channel": "walk_in", "consult_minutes": 15},
            {"t": 110, "channel": "walk_in", "consult_minutes": 30},
            {"t": 118, "channel": "walk_in", "consult_minutes": 10},
            {"t": 125, "channel": "walk_in", "seh_stay_minutes": 40},
        ],
    )


@hand("det/priority_by_urgency_then_arrival_at_the_post")
def _() -> tuple[Scenario, Demand]:
    s = scenario()
    return s, demand(
        s,
        [
            {"t": 0, "channel": "walk_in", "urgency": "U4", "consult_minutes": 10},
            {"t": 1, "channel": "walk_in", "urgency": "U4"},
            {"t": 2, "channel": "walk_in", "urgency": "U2"},
            {"t": 3, "channel": "walk_in", "urgency": "U3"},
        ],
    )


@hand("det/consult_includes_travel_to_the_post")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**{"region.areas.town.latitude": 52.1})
    return s, demand(s, [{"t": 10, "channel": "walk_in"}])


@hand("det/ambulance_ride_with_handover_at_a_full_seh")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**{"region.areas.town.latitude": 52.1})
    return s, demand(
        s,
        [
            {"t": 0, "channel": "walk_in", "disposition": "seh", "seh_stay_minutes": 100},
            {"t": 10, "channel": "emergency", "urgency": "U1"},
        ],
    )


@hand("det/every_hand_placed_patient_leaves_once")
def _() -> tuple[Scenario, Demand]:
    s = scenario()
    channels = ["call", "walk_in", "emergency"] * 7
    return s, demand(
        s, [{"t": float(t), "channel": c} for t, c in zip(range(0, 63, 3), channels, strict=True)]
    )


@hand("det/call_back_instead_of_abandon")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**{"triage.call_back_instead_of_abandon": True})
    return s, demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {"t": 1, "channel": "call", "patience_minutes": 2},
            {"t": 2, "channel": "call", "patience_minutes": 100},
        ],
    )


BASE_SEH = {"name": "SEH", "latitude": 52.0, "longitude": 5.0}


@hand("det/ambulances_skip_an_seh_without_intake")
def _() -> tuple[Scenario, Demand]:
    s = scenario(
        **{
            "sites.sehs": {
                "seh": {**BASE_SEH, "ambulance_intake": False},
                "far": {"name": "Far SEH", "latitude": 52.2, "longitude": 5.0},
            },
            "rosters.far": {"treatment_place": staff(("00:00-24:00", 2))},
        }
    )
    return s, demand(
        s,
        [
            {"t": 0, "channel": "emergency", "urgency": "U1"},
            {"t": 0, "channel": "walk_in", "disposition": "seh"},
        ],
    )


@hand("det/patient_arriving_at_a_closed_seh_travels_on")
def _() -> tuple[Scenario, Demand]:
    s = scenario(
        **{
            "region.areas.town.latitude": 52.1,
            "sites.sehs": {
                "seh": {**BASE_SEH, "opening": [{"days": ["all"], "hours": "00:00-01:00"}]},
                "far": {"name": "Far SEH", "latitude": 52.2, "longitude": 5.0},
            },
            "rosters.seh": {"treatment_place": staff(("00:00-01:00", 1))},
            "rosters.far": {"treatment_place": staff(("00:00-24:00", 1))},
        }
    )
    return s, demand(s, [{"t": 50, "channel": "walk_in", "disposition": "seh"}])


@hand("det/patience_ending_at_the_answer_is_cancelled")
def _() -> tuple[Scenario, Demand]:
    s = scenario()
    return s, demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {"t": 1, "channel": "call", "patience_minutes": 9.0},
            {"t": 2, "channel": "call", "patience_minutes": 3.0},
        ],
    )


# ---------------------------------------------------------------- test_end_of_shift

rule = shift_cases.rule
calls = shift_cases.calls

for _r in ("finish", "replace"):

    def _swap(r: str = _r) -> tuple[Scenario, Demand]:
        s = scenario(**shift_cases.SWAP, **rule(r))
        return s, demand(s, shift_cases.SWAP_CALLS)

    def _drop_on_time(r: str = _r) -> tuple[Scenario, Demand]:
        s = scenario(**shift_cases.DROP, **rule(r))
        return s, demand(s, calls((30, 30), (35, 25), (40, 20), (45, 5), (50, 5)))

    def _drop_busy(r: str = _r) -> tuple[Scenario, Demand]:
        s = scenario(**shift_cases.DROP, **rule(r))
        return s, demand(s, calls((30, 40), (35, 40), (40, 40), (45, 5), (50, 5)))

    def _overlap(r: str = _r) -> tuple[Scenario, Demand]:
        roster = {"rosters.line.triagist": staff(("00:00-01:00", 1), ("00:00-03:00", 1))}
        s = scenario(**roster, **rule(r))
        return s, demand(s, calls((10, 100), (20, 60), (30, 10)))

    def _overlap_stays(r: str = _r) -> tuple[Scenario, Demand]:
        roster = {
            "rosters.line.triagist": staff(
                ("00:00-01:00", 1), ("00:00-03:00", 1), ("01:00-03:00", 1)
            )
        }
        s = scenario(**roster, **rule(r))
        return s, demand(s, calls((10, 100), (20, 60), (30, 10), (65, 10)))

    def _per_role(r: str = _r) -> tuple[Scenario, Demand]:
        other = "replace" if r == "finish" else "finish"
        s = scenario(**shift_cases.POST_SWAP, **rule(r, triagist=other))
        return s, demand(s, shift_cases.SWAP_CALLS + shift_cases.WALK_INS)

    def _nurse_practitioner(r: str = _r) -> tuple[Scenario, Demand]:
        s = scenario(**shift_cases.NP_POST, **rule(r))
        return s, demand(s, shift_cases.NP_PATIENTS)

    def _closing_with_hold(r: str = _r) -> tuple[Scenario, Demand]:
        s = scenario(**shift_cases.CLOSING, **rule(r))
        return s, demand(s, shift_cases.CLOSING_PATIENTS)

    def _closing_after_an_earlier_crew(r: str = _r) -> tuple[Scenario, Demand]:
        roster = {"rosters.line.triagist": staff(("00:00-00:50", 1), ("00:00-01:00", 1))}
        s = scenario(**roster, **rule(r))
        return s, demand(s, calls((0, 100), (1, 100), (10, 5)))

    def _heavy_hourly_crews(r: str = _r) -> tuple[Scenario, Demand]:
        """test_replace_waits_less_and_works_more_overtime_than_finish, seed 0."""
        lines = [
            {"days": ["all"], "hours": f"{h:02d}:00-{h + 1:02d}:00", "staff": 3 + h % 2}
            for h in range(24)
        ]
        s = scenario(**{"rosters.line.triagist": lines}, **rule(r))
        rng = np.random.default_rng(0)
        services = np.maximum(1, np.rint(rng.exponential(10.0, 1000))).astype(int)
        arrivals = np.floor(np.cumsum(rng.exponential(10.0 / (3.5 * 0.9), 1000))).astype(int)
        keep = arrivals < 2 * 1440
        return s, demand(
            s, calls(*zip(arrivals[keep].tolist(), services[keep].tolist(), strict=True))
        )

    for _label, _f in [
        ("contiguous_swap", _swap),
        ("drop_three_to_one_on_time", _drop_on_time),
        ("drop_three_to_one_busy", _drop_busy),
        ("overlapping_blocks", _overlap),
        ("overlapping_blocks_a_crew_stays", _overlap_stays),
        ("per_role_map", _per_role),
        ("nurse_practitioner", _nurse_practitioner),
        ("closing_rule_with_hold", _closing_with_hold),
        ("closing_after_an_earlier_crew_ended", _closing_after_an_earlier_crew),
        ("heavy_line_hourly_crews", _heavy_hourly_crews),
    ]:
        HAND[f"shift/{_label}/{_r}"] = _f

    for _wr in (True, False):

        def _ambulance_swap(r: str = _r, wr: bool = _wr) -> tuple[Scenario, Demand]:
            s = scenario(
                **shift_cases.AMBULANCE_SWAP,
                **rule(r),
                **{"ambulance.dispatch_while_returning": wr},
            )
            return s, demand(
                s,
                [
                    {"t": 440, "channel": "emergency", "urgency": "U1", "conveyed": False},
                    {"t": 478, "channel": "emergency", "urgency": "U1", "conveyed": False},
                ],
            )

        HAND[f"shift/ambulance_crew_change_vehicle_returning/{_r}/while_returning={_wr}"] = (
            _ambulance_swap
        )


# ---------------------------------------------------------------- test_waiting_room


def one_triagist(**changes: object) -> Scenario:
    return scenario(**{"triage.max_waiting": 1, "triage.patience_minutes": "none", **changes})


@hand("room/third_caller_finds_the_waiting_room_full")
def _() -> tuple[Scenario, Demand]:
    s = one_triagist()
    return s, demand(s, [{"t": t, "channel": "call", "triage_minutes": 10} for t in (0, 1, 2)])


@hand("room/blocked_caller_redials_and_gets_through")
def _() -> tuple[Scenario, Demand]:
    s = one_triagist()
    return s, demand(
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


@hand("room/blocked_redials_until_the_plan_runs_out")
def _() -> tuple[Scenario, Demand]:
    s = one_triagist()
    return s, demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {"t": 1, "channel": "call", "triage_minutes": 10},
            {"t": 2, "channel": "call", "redials": [True, True, False]},
        ],
    )


@hand("room/hang_up_then_busy_signal")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**{"triage.max_waiting": 1})
    return s, demand(
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


CALL_BACK_ROOM = {"triage.max_waiting": 1, "triage.call_back_instead_of_abandon": True}


@hand("room/callers_awaiting_a_call_back_are_not_on_hold")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**CALL_BACK_ROOM)
    return s, demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {"t": 1, "channel": "call", "triage_minutes": 10, "patience_minutes": 2.0},
            {"t": 4, "channel": "call", "triage_minutes": 10},
            {"t": 5, "channel": "call", "triage_minutes": 10},
        ],
    )


@hand("room/callers_awaiting_a_call_back_control")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**CALL_BACK_ROOM)
    return s, demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {"t": 1, "channel": "call", "triage_minutes": 10, "patience_minutes": 1e6},
            {"t": 4, "channel": "call", "triage_minutes": 10},
            {"t": 5, "channel": "call", "triage_minutes": 10},
        ],
    )


@hand("room/answered_call_back_leaves_the_count")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**CALL_BACK_ROOM)
    return s, demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {"t": 1, "channel": "call", "triage_minutes": 10, "patience_minutes": 2.0},
            {"t": 4, "channel": "call", "triage_minutes": 10},
            {"t": 12, "channel": "call", "triage_minutes": 10},
            {"t": 21, "channel": "call", "triage_minutes": 10},
        ],
    )


NO_ROOM = {"triage.max_waiting": 0, "triage.patience_minutes": "none", "triage.max_redials": 0}


@hand("room/no_waiting_room_blocks_whoever_finds_the_triagists_busy")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**NO_ROOM)
    return s, demand(s, [{"t": t, "channel": "call", "triage_minutes": 100} for t in (0, 1, 2, 3)])


@hand("room/no_waiting_room_answers_a_caller_who_finds_a_free_triagist")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**NO_ROOM, **{"rosters.line.triagist": staff(("00:00-24:00", 2))})
    return s, demand(s, [{"t": t, "channel": "call", "triage_minutes": 10} for t in (0, 1, 2, 15)])


# ---------------------------------------------------------------- test_drain_and_unserved

DAY = 1440.0
run_fields = drain_cases.run


@hand("drain/arrival_at_the_horizon_never_starts")
def _() -> tuple[Scenario, Demand]:
    s = scenario(**{"run": run_fields(horizon_days=1)})
    return s, demand(s, [{"t": DAY - 1, "channel": "call"}, {"t": DAY, "channel": "call"}])


@hand("drain/callers_of_a_centre_without_triagists_leave_unserved")
def _() -> tuple[Scenario, Demand]:
    s = drain_cases.two_centres(horizon_days=2, drain_days=1)
    return s, demand(
        s,
        [
            {"t": 10, "channel": "call"},
            {"t": 20, "channel": "call", "area": 1},
            {"t": 30, "channel": "call", "area": 1, "patience_minutes": 60.0},
            {
                "t": 40,
                "channel": "call",
                "area": 1,
                "patience_minutes": [100.0, 1e6, 1e6, 1e6],
                "redials": [True, False, False],
                "redial_delay_minutes": [5000.0, 1.0, 1.0],
            },
            {"t": 2000, "channel": "call", "area": 1},
            {"t": 2 * DAY - 1, "channel": "call"},
        ],
    )


for _drain in (0.5, 3):

    def _long_consult(drain: float = _drain) -> tuple[Scenario, Demand]:
        s = scenario(**{"run": run_fields(horizon_days=1, drain_days=drain)})
        return s, demand(
            s,
            [
                {"t": 100, "channel": "walk_in", "consult_minutes": 3000.0},
                {"t": 200, "channel": "walk_in"},
                {"t": 300, "channel": "call"},
            ],
        )

    HAND[f"drain/drain_vs_a_long_consult/drain_days={_drain}"] = _long_consult


@hand("drain/unserved_in_the_ambulance_dispatch_queue")
def _() -> tuple[Scenario, Demand]:
    s = scenario(
        **{
            "run": run_fields(horizon_days=1, drain_days=0.25),
            "rosters.station.ambulance": [{"days": ["mon"], "hours": "00:00-01:00", "staff": 1}],
        }
    )
    return s, demand(
        s,
        [
            {"t": 30, "channel": "emergency", "urgency": "U1"},
            {"t": 70, "channel": "emergency", "urgency": "U1"},
        ],
    )


# ---------------------------------------------------------------- paths not covered above

SELF = {
    "entry": "walk_in_seh",
    "rate_per_1000_per_year": 1,
    "profile": "flat",
    "urgency_mix": {"U3": 100},
    "disposition_mix": {"default": {"seh": 100}},
}


@hand("extra/integrated_post_front_desk")
def _() -> tuple[Scenario, Demand]:
    """Self-referrals at the SEH of a spoedpost whose GP post is open 00:00-02:00: below
    the redirect share they are sent to the GP post (while it is open), else treated; one
    arrives as the post closes (120), one just before."""
    s = scenario(
        **{
            "demand.channels.self": SELF,
            "sites.integrated_posts": {
                "spoedpost": {
                    "name": "Spoedpost",
                    "gp_post": "post",
                    "seh": "seh",
                    "front_desk_redirect_percent": 50,
                }
            },
            **CLOSING_POST,
        }
    )
    return s, demand(
        s,
        [
            {"t": 10, "channel": "self", "front_desk_u": 0.1, "consult_minutes": 30},
            {"t": 12, "channel": "self", "front_desk_u": 0.9, "seh_stay_minutes": 30},
            {"t": 15, "channel": "self", "front_desk_u": 0.49, "consult_minutes": 100},
            {"t": 119, "channel": "self", "front_desk_u": 0.2},
            {"t": 120, "channel": "self", "front_desk_u": 0.2},
            {"t": 121, "channel": "walk_in"},
        ],
    )


@hand("extra/neighbour_region_with_offload_delay")
def _() -> tuple[Scenario, Demand]:
    """One vehicle; three incidents decided at the same minute: the first takes the
    vehicle, the others get a neighbour's (station -2). Offload delay at the SEH."""
    s = scenario(
        **golden.travel(station__town=8, town__seh=6, seh__station=5),
        **{
            "ambulance.no_vehicle_free": "neighbour_region",
            "ambulance.neighbour_response_minutes": 25.0,
            "sites.sehs.seh.offload_delay": {"percent": 50, "minutes": const(7)},
            "rosters.seh.treatment_place": staff(("00:00-24:00", 2)),
        },
    )
    return s, demand(
        s,
        [
            {"t": 10, "channel": "emergency", "urgency": "U1", "offload_u": 0.2,
             "offload_minutes": 7},
            {"t": 10, "channel": "emergency", "urgency": "U2", "offload_u": 0.7},
            {"t": 10, "channel": "emergency", "urgency": "U1", "conveyed": False},
            {"t": 50, "channel": "emergency", "urgency": "U3", "offload_u": 0.1,
             "offload_minutes": 7},
            {"t": 95, "channel": "emergency", "urgency": "U1"},
        ],
    )  # fmt: skip


@hand("extra/gp_callback_by_gp_consult")
def _() -> tuple[Scenario, Demand]:
    """``callback_by: gp_consult``: the call-back goes to the consult queue of the nearest
    open post (closed after 02:00: then to the supervision pool)."""
    s = scenario(**{"triage.callback_by": "gp_consult", **CLOSING_POST})
    return s, demand(
        s,
        [
            {"t": 10, "channel": "call", "disposition": "gp_callback", "callback_minutes": 7},
            {"t": 11, "channel": "walk_in", "consult_minutes": 20},
            {"t": 12, "channel": "call", "disposition": "gp_callback"},
            {"t": 114, "channel": "call", "disposition": "gp_callback", "callback_minutes": 30},
            {"t": 200, "channel": "call", "disposition": "gp_callback"},
        ],
    )


@hand("extra/seh_doctors")
def _() -> tuple[Scenario, Demand]:
    """Two places, one SEH doctor: walk-ins at the SEH wait for the doctor in a place."""
    s = scenario(
        **{
            "rosters.seh": {
                "treatment_place": staff(("00:00-24:00", 2)),
                "seh_doctor": staff(("00:00-01:00", 1), ("01:00-24:00", 1)),
            },
            "seh.doctor_assessment_minutes": const(5),
            "demand.channels.self": SELF,
            **rule("replace"),
        }
    )
    return s, demand(
        s,
        [
            {"t": 50, "channel": "self", "seh_doctor_minutes": 15, "seh_stay_minutes": 10},
            {"t": 52, "channel": "self", "urgency": "U1", "seh_doctor_minutes": 5},
            {"t": 55, "channel": "self", "seh_stay_minutes": 5},
            {"t": 60, "channel": "emergency", "urgency": "U1"},
            {"t": 60, "channel": "walk_in", "disposition": "seh"},
        ],
    )


@hand("extra/home_visits_with_a_second_post")
def _() -> tuple[Scenario, Demand]:
    """The nearer post has no car after 01:00: visits go to the far post's car."""
    far = {"name": "Far", "latitude": 52.1, "longitude": 5.0, "opening": ALWAYS}
    s = scenario(
        **{
            "sites.gp_posts.far": far,
            "rosters.post.gp_visit": staff(("00:00-01:00", 1)),
            "rosters.far": {
                "gp_consult": staff(("00:00-24:00", 1)),
                "gp_visit": staff(("00:00-24:00", 1)),
            },
        }
    )
    return s, demand(
        s,
        [
            {"t": 0, "channel": "call", "disposition": "home_visit"},
            {"t": 50, "channel": "call", "disposition": "home_visit", "seh_referral": True},
            {"t": 58, "channel": "call", "disposition": "home_visit"},
            {"t": 90, "channel": "call", "disposition": "home_visit"},
        ],
    )


@hand("extra/busy_signal_with_the_leaving_crew_in_overtime")
def _() -> tuple[Scenario, Demand]:
    """Replace crews 00-01 and 01-24 of one triagist, no waiting room. The caller at 50
    keeps the leaving crew's triagist in overtime to 80; the new crew takes the caller at
    60 (to 65). At 65 the only busy triagist is the one in overtime, so the new crew is
    free and the caller gets through (free = busy - overtime < capacity, not busy <
    capacity); the caller at 66 finds nobody free: busy signal."""
    s = scenario(
        **NO_ROOM,
        **rule("replace"),
        **{"rosters.line.triagist": staff(("00:00-01:00", 1), ("01:00-24:00", 1))},
    )
    return s, demand(s, calls((50, 30), (60, 5), (65, 5), (66, 5), (80, 5)))


@hand("extra/fleet_closes_with_an_incident_waiting")
def _() -> tuple[Scenario, Demand]:
    """One vehicle on Mondays 00:00-01:00 (finish): at 60 the fleet closes with an
    incident waiting (held); the vehicle comes home but may not take it (the fleet's
    dispatch does not use the hold); it is unserved at the stop."""
    s = scenario(
        **golden.travel(station__town=8, town__seh=6, seh__station=5),
        **{
            "run": run_fields(horizon_days=1, drain_days=0.5),
            "rosters.station.ambulance": [{"days": ["mon"], "hours": "00:00-01:00", "staff": 1}],
        },
    )
    return s, demand(
        s,
        [
            {"t": 30, "channel": "emergency", "urgency": "U1", "conveyed": False},
            {"t": 40, "channel": "emergency", "urgency": "U2"},
            {"t": 58, "channel": "emergency", "urgency": "U1"},
        ],
    )


@hand("extra/supervision_left_waiting_at_the_stop")
def _() -> tuple[Scenario, Demand]:
    """Supervisors only 00:00-01:00 on Mondays: later supervision checks wait to the stop
    (they are no patient's queue: the patients left with advice)."""
    s = scenario(
        **{
            "run": run_fields(horizon_days=1, drain_days=0.5),
            "rosters.line.gp_supervisor": [{"days": ["mon"], "hours": "00:00-01:00", "staff": 1}],
        }
    )
    return s, demand(
        s,
        [
            {"t": 10, "channel": "call", "supervised": True, "supervision_minutes": 55},
            {"t": 20, "channel": "call", "supervised": True},
            {"t": 70, "channel": "call", "supervised": True},
            {"t": 80, "channel": "call", "disposition": "gp_callback"},
        ],
    )


# ---------------------------------------------------------------- overload: long queues


@hand("overload/phone_queue_of_hundreds")
def _() -> tuple[Scenario, Demand]:
    """700 callers in an hour on one triagist (patience none): a queue of hundreds."""
    s = scenario(**{"triage.patience_minutes": "none"})
    rng = np.random.default_rng(1)
    times = np.sort(np.floor(rng.uniform(0, 60, 700)))
    return s, demand(
        s,
        [
            {"t": float(t), "channel": "call", "urgency": "U1" if k % 7 == 0 else "U3",
             "triage_minutes": float(1 + k % 3)}
            for k, t in enumerate(times)
        ],
    )  # fmt: skip


@hand("overload/post_closes_with_hundreds_waiting")
def _() -> tuple[Scenario, Demand]:
    """400 walk-ins while the post is open (00:00-02:00, one GP): it closes with hundreds
    waiting, all held (finish rule); the next day's GP finds the rest."""
    s = scenario(**CLOSING_POST, **{"run": run_fields(horizon_days=2, drain_days=2)})
    rng = np.random.default_rng(2)
    times = np.sort(np.floor(rng.uniform(0, 120, 400)))
    return s, demand(
        s,
        [
            {"t": float(t), "channel": "walk_in", "urgency": f"U{2 + k % 3}",
             "consult_minutes": float(5 + k % 4)}
            for k, t in enumerate(times)
        ],
    )  # fmt: skip


@hand("overload/hundreds_of_incidents_one_vehicle")
def _() -> tuple[Scenario, Demand]:
    """350 incidents in half an hour on one vehicle (replace crews every 8 hours)."""
    s = scenario(
        **golden.travel(station__town=8, town__seh=6, seh__station=5),
        **rule("replace"),
        **{
            "rosters.station.ambulance": staff(
                ("00:00-08:00", 1), ("08:00-16:00", 1), ("16:00-24:00", 1)
            ),
            "rosters.seh.treatment_place": staff(("00:00-24:00", 4)),
            "run": run_fields(horizon_days=1, drain_days=1),
        },
    )
    rng = np.random.default_rng(3)
    times = np.sort(np.floor(rng.uniform(0, 30, 350)))
    return s, demand(
        s,
        [
            {"t": float(t), "channel": "emergency", "urgency": f"U{k % 4}",
             "conveyed": k % 3 != 0, "on_scene_minutes": float(10 + k % 5)}
            for k, t in enumerate(times)
        ],
    )  # fmt: skip


def test_no_patients_at_all() -> None:
    """A sampled Demand with no patients (a tiny region, one day: replication 1 draws
    nobody); the rosters still change, so the reference traces roster and dispatch rows."""
    s = scenario(
        **{
            "run": run_fields(horizon_days=1),
            "rosters.line.triagist": staff(("00:00-08:00", 1), ("08:00-24:00", 2)),
        }
    )
    d = DemandSampler(s).sample(1)
    assert len(d) == 0
    assert_same(s, d, plain=True)


@pytest.mark.parametrize("name", list(HAND))
def test_hand_placed_case(name: str) -> None:
    s, d = HAND[name]()
    assert_same(s, d, plain=True)


def test_enough_hand_placed_cases() -> None:
    assert len(HAND) >= 25


# =========================================================================== 3. random

HOURS_OFTEN = [0, 1, 2, 6, 8, 12, 17, 23]
LENGTHS_OFTEN = [1, 2, 4, 8, 24]
DAY_SELECTORS = [
    ["all"], ["all"], ["all"], ["weekday"], ["weekend"], ["mon"], ["tue", "wed"], ["holiday"],
    ["weekend", "holiday"], ["sun"],
]  # fmt: skip
CALENDARS = [
    ("2025-01-06", []),
    ("2025-01-06", ["2025-01-07"]),  # a Tuesday holiday inside the horizon
    ("2025-04-21", ["2025-04-21"]),  # Easter Monday: day 0 is a holiday
    ("2025-12-22", ["2025-12-25", "2025-12-26"]),  # Christmas in the drain
]
POPULATION = 10000


def hours_text(start: int, length: int) -> str:
    return f"{start:02d}:00-{(start + length) % 24:02d}:00"


@st.composite
def roster_blocks(draw: Any, *, need_staff: bool, max_staff: int = 3) -> list[dict]:
    """1-4 blocks on whole hours: often contiguous with the block before (a swap at its
    end), starts and lengths often on a few shared values, gaps, staff 0..max_staff."""
    blocks: list[dict] = []
    end = 0
    for _ in range(draw(st.integers(1, 4))):
        if blocks and draw(st.booleans()):
            start = end % 24
        else:
            start = draw(st.sampled_from(HOURS_OFTEN) | st.integers(0, 23))
        length = draw(st.sampled_from(LENGTHS_OFTEN) | st.integers(1, 24))
        end = start + length
        blocks.append(
            {
                "days": draw(st.sampled_from(DAY_SELECTORS)),
                "hours": hours_text(start, length),
                "staff": draw(st.integers(0, max_staff)),
            }
        )
    if need_staff and all(b["staff"] == 0 for b in blocks):
        blocks[0]["staff"] = draw(st.integers(1, max_staff))
    return blocks


@st.composite
def duration(draw: Any, mean: float, *, zero: bool = True) -> dict:
    """A duration: constant whole minutes (ties!), sometimes 0, or exponential."""
    kind = draw(st.sampled_from(["constant", "constant", "exponential"]))
    if kind == "constant":
        low = 0 if zero and draw(st.integers(0, 9)) == 0 else 1
        return const(float(draw(st.integers(low, max(1, int(2 * mean))))))
    return {"kind": "exponential", "mean_minutes": float(mean)}


def staffed_opening(blocks: list[dict]) -> list[dict]:
    """Opening hours = the union of the staffed blocks (so an open site is staffed)."""
    return [{"days": b["days"], "hours": b["hours"]} for b in blocks if b["staff"] > 0]


@st.composite
def staffed_site(draw: Any, role_blocks: dict[str, list[dict]], open_roles: tuple[str, ...]):
    """(opening, rosters): open 24 h with one always on duty, or open while staffed."""
    if draw(st.booleans()):
        always = {**ALWAYS[0], "staff": draw(st.integers(1, 2))}
        main = open_roles[0]
        role_blocks[main] = [always, *role_blocks.get(main, [])]
        return list(ALWAYS), role_blocks
    staffed = [b for r in open_roles for b in role_blocks.get(r, []) if b["staff"] > 0]
    if not staffed:
        role_blocks[open_roles[0]] = [{**ALWAYS[0], "staff": 1}]
        staffed = role_blocks[open_roles[0]]
    return staffed_opening(staffed), role_blocks


def mix(draw: Any, options: list[str]) -> dict[str, float]:
    """A random percentage mix over ``options`` (integer percents summing to 100)."""
    weights = [draw(st.integers(0, 4)) for _ in options]
    if sum(weights) == 0:
        weights[0] = 1
    total = sum(weights)
    shares = [100 * w // total for w in weights]
    shares[int(np.argmax(weights))] += 100 - sum(shares)
    return {o: float(s) for o, s in zip(options, shares, strict=True) if s > 0}


def rate(patients: float, days: int) -> float:
    return patients / (days * 1440.0) * MINUTES_PER_YEAR * 1000.0 / POPULATION


@st.composite
def random_cases(draw: Any) -> dict[str, Any]:
    """A scenario as plain data (on `handmade.BASE`) and how to build its Demand."""
    data = copy.deepcopy(BASE)
    days = draw(st.integers(1, 3))
    data["run"] = {
        "horizon_days": days,
        "warmup_weeks": 0,
        "drain_days": draw(st.sampled_from([0.5, 1.0, 1.25, 2.0, 2.0, 7.5])),
        "replications": 1,
        "seed": draw(st.integers(0, 2**31)),
    }
    start, holidays = draw(st.sampled_from(CALENDARS))
    data["run"]["start_date"] = start
    data["public_holidays"] = list(holidays)
    sites = data["sites"]
    rosters: dict[str, dict[str, list[dict]]] = {}

    # --- places
    village = draw(st.booleans())
    if village:
        data["region"]["areas"]["village"] = {
            "name": "Village", "population": POPULATION // 2, "latitude": 52.07, "longitude": 5.04
        }  # fmt: skip
        if draw(st.integers(0, 3)) == 0:  # a second triage centre for the village
            sites["triage_centres"] = {
                "line": {"name": "Line", "areas": ["town"]},
                "line2": {"name": "Line 2", "areas": ["village"]},
            }
            rosters["line2"] = {"triagist": draw(roster_blocks(need_staff=False))}
    post2 = draw(st.booleans())
    seh2 = draw(st.booleans())
    if draw(st.booleans()):
        sites["ambulance_stations"]["station2"] = {
            "name": "Station 2", "latitude": 52.1, "longitude": 5.02
        }  # fmt: skip
        rosters["station2"] = {"ambulance": draw(roster_blocks(need_staff=False))}

    # --- rosters of the main sites
    rosters["line"] = {
        "triagist": draw(roster_blocks(need_staff=True)),
        "gp_supervisor": draw(roster_blocks(need_staff=True)),
    }
    with_np = draw(st.integers(0, 3)) == 0
    post_roles = {"gp_consult": draw(roster_blocks(need_staff=True))}
    if with_np:
        post_roles["nurse_practitioner"] = draw(roster_blocks(need_staff=False))
    opening, post_roles = draw(staffed_site(post_roles, ("gp_consult", "nurse_practitioner")))
    post_roles["gp_visit"] = draw(roster_blocks(need_staff=True))
    sites["gp_posts"]["post"]["opening"] = opening
    rosters["post"] = post_roles
    with_doctors = draw(st.integers(0, 2)) == 0
    seh_roles = {"treatment_place": draw(roster_blocks(need_staff=True))}
    opening, seh_roles = draw(staffed_site(seh_roles, ("treatment_place",)))
    if with_doctors:
        seh_roles["seh_doctor"] = draw(roster_blocks(need_staff=False))
    sites["sehs"]["seh"]["opening"] = opening
    rosters["seh"] = seh_roles
    rosters["station"] = {"ambulance": draw(roster_blocks(need_staff=True))}

    # --- second post / SEH (elsewhere, with opening hours and when_closed routing)
    if post2:
        roles2 = {"gp_consult": draw(roster_blocks(need_staff=True))}
        if with_np:
            roles2["nurse_practitioner"] = draw(roster_blocks(need_staff=False))
        opening2, roles2 = draw(staffed_site(roles2, ("gp_consult", "nurse_practitioner")))
        roles2["gp_visit"] = draw(roster_blocks(need_staff=False))
        sites["gp_posts"]["post2"] = {
            "name": "Post 2", "latitude": 52.05, "longitude": 5.06, "opening": opening2
        }  # fmt: skip
        rosters["post2"] = roles2
    if seh2:
        roles2 = {"treatment_place": draw(roster_blocks(need_staff=True))}
        opening2, roles2 = draw(staffed_site(roles2, ("treatment_place",)))
        if with_doctors:
            roles2["seh_doctor"] = draw(roster_blocks(need_staff=False))
        sites["sehs"]["seh2"] = {
            "name": "SEH 2", "latitude": 52.11, "longitude": 4.98, "opening": opening2,
            "ambulance_intake": draw(st.booleans()) or not draw(st.booleans()),
        }  # fmt: skip
        if not sites["sehs"]["seh2"]["ambulance_intake"]:
            sites["sehs"]["seh"]["ambulance_intake"] = True
        sites["sehs"]["seh2"]["when_closed"] = draw(st.sampled_from(["nearest_open", "seh"]))
        sites["sehs"]["seh"]["when_closed"] = draw(st.sampled_from(["nearest_open", "seh2"]))
        rosters["seh2"] = roles2
    post_targets = [
        "nearest_open",
        *(["post2"] if post2 else []),
        "seh",
        *(["seh2"] if seh2 else []),
    ]
    sites["gp_posts"]["post"]["when_closed"] = draw(st.sampled_from(post_targets))
    if post2:
        targets2 = [t for t in post_targets if t != "post2"] + ["post"]
        sites["gp_posts"]["post2"]["when_closed"] = draw(st.sampled_from(targets2))
    for sid in sites["sehs"]:
        if draw(st.integers(0, 2)) == 0:
            sites["sehs"][sid]["offload_delay"] = {
                "percent": float(draw(st.sampled_from([30, 100]))),
                "minutes": draw(duration(15)),
            }
    self_referrals = draw(st.booleans())
    if self_referrals and draw(st.booleans()):
        sites["integrated_posts"] = {
            "spoedpost": {
                "name": "Spoedpost",
                "gp_post": "post",
                "seh": "seh",
                "front_desk_redirect_percent": float(draw(st.sampled_from([0, 40, 100]))),
            }
        }
    data["rosters"] = rosters

    # --- staffing rules
    roles = ["triagist", "gp_supervisor", "gp_consult", "gp_visit", "nurse_practitioner",
             "seh_doctor", "treatment_place", "ambulance"]  # fmt: skip
    by_role = draw(st.dictionaries(st.sampled_from(roles), st.sampled_from(["finish", "replace"])))
    data["staffing"] = {
        "end_of_shift": draw(st.sampled_from(["finish", "replace"])),
        "end_of_shift_by_role": by_role,
    }

    # --- travel
    places = [*data["region"]["areas"], *sites["gp_posts"], *sites["sehs"],
              *sites["ambulance_stations"]]  # fmt: skip
    if draw(st.booleans()):  # whole minutes: equal times everywhere
        matrix = {a: {b: float(draw(st.integers(0, 12))) for b in places if b != a} for a in places}
        data["travel"] = {"method": "matrix", "matrix": matrix}
    else:
        data["travel"] = {}
    data["travel"]["noise_cv"] = draw(st.sampled_from([0.0, 0.0, 0.3]))

    # --- triage
    patience: Any = draw(st.sampled_from(["constant", "exponential", "none"]))
    if patience == "constant":
        patience = const(float(draw(st.integers(0, 15))))
    elif patience == "exponential":
        patience = {"kind": "exponential", "mean_minutes": 6.0}
    data["triage"] = {
        "duration_minutes": {"default": draw(duration(6)), "U1": draw(duration(3))},
        "patience_minutes": patience,
        "redial_percent": float(draw(st.sampled_from([0, 50, 100]))),
        "redial_delay_minutes": draw(duration(3)),
        "max_redials": draw(st.integers(0, 3)),
        "supervision_percent": float(draw(st.sampled_from([0, 30, 100]))),
        "supervision_minutes": draw(duration(2)),
        "callback_by": draw(st.sampled_from(["gp_supervisor", "gp_consult"])),
        "callback_minutes": {"default": draw(duration(5))},
        "call_back_instead_of_abandon": draw(st.booleans()),
        "max_waiting": draw(st.sampled_from([None, 0, 1, 2, 3])),
        "emergency_line_urgencies": draw(st.sampled_from([["U0", "U1"], [], ["U0", "U1", "U2"]])),
    }
    if data["triage"]["callback_by"] == "gp_consult" and not any(
        b["staff"] for b in rosters["post"]["gp_consult"]
    ):
        data["triage"]["callback_by"] = "gp_supervisor"

    # --- care
    data["gp"] = {
        "consult_minutes": {"default": draw(duration(10))},
        "visit_minutes": {"default": draw(duration(15))},
        "seh_referral_after_consult_percent": float(draw(st.sampled_from([0, 20]))),
        "seh_referral_after_visit_percent": float(draw(st.sampled_from([0, 20]))),
    }
    if with_np:
        data["gp"]["nurse_practitioner_consult_minutes"] = draw(duration(12))
        data["gp"]["nurse_practitioner_scope_percent"] = {"U3": 60.0, "U4": 100.0, "U5": 100.0}
    data["seh"] = {"length_of_stay_minutes": {"default": draw(duration(60))}}
    if with_doctors:
        data["seh"]["doctor_assessment_minutes"] = draw(duration(8))
    on_scene: Any = draw(duration(20))
    if draw(st.booleans()):
        on_scene = {"conveyed": draw(duration(25)), "not_conveyed": draw(duration(15))}
    data["ambulance"] = {
        "dispatch_delay_minutes": draw(duration(2)),
        "on_scene_minutes": on_scene,
        "conveyance_percent": {
            "A1": float(draw(st.sampled_from([50, 100]))),
            "A2": float(draw(st.sampled_from([0, 50, 100]))),
            "B": float(draw(st.sampled_from([0, 50]))),
        },
        "handover_minutes": draw(duration(10)),
        "urgent_speed_factor": draw(st.sampled_from([1.0, 1.5, 2.0])),
        "dispatch_while_returning": draw(st.booleans()),
        "no_vehicle_free": draw(st.sampled_from(["queue", "neighbour_region"])),
        "neighbour_response_minutes": float(draw(st.sampled_from([5, 30]))),
    }

    # --- demand: 20-300 patients over the horizon, flat or crowded into a few hours
    total = draw(st.integers(20, 300))
    if draw(st.integers(0, 2)) == 0:
        peak = [0.0] * 168
        for h in draw(st.lists(st.integers(0, 24 * days - 1), min_size=1, max_size=3)):
            peak[h] = 1.0
        profiles = {"flat": handmade_flat(), "peak": {"hour_of_week": peak}}
        profile = "peak"
    else:
        profiles, profile = {"flat": handmade_flat()}, "flat"
    urgencies = ["U0", "U1", "U2", "U3", "U4", "U5"]
    channels: dict[str, Any] = {
        "call": {
            "entry": "phone",
            "urgency_mix": mix(draw, urgencies),
            "disposition_mix": {"default": mix(draw, list(DISPOSITIONS))},
        },
        "walk_in": {
            "entry": "walk_in_gp",
            "urgency_mix": mix(draw, urgencies[1:]),
            "disposition_mix": {"default": mix(draw, ["consult", "seh", "ambulance"])},
        },
        "emergency": {
            "entry": "emergency_112",
            "urgency_mix": mix(draw, urgencies[:4]),
            "disposition_mix": {"default": mix(draw, ["ambulance", "advice"])},
        },
    }
    if self_referrals:
        channels["self"] = {
            "entry": "walk_in_seh",
            "urgency_mix": mix(draw, urgencies[1:]),
            "disposition_mix": {"default": {"seh": 100.0}},
        }
    if draw(st.booleans()):
        channels["referral"] = {
            "entry": "referral_seh",
            "urgency_mix": mix(draw, urgencies[1:4]),
            "disposition_mix": {"default": mix(draw, ["seh", "ambulance"])},
        }
    shares = mix(draw, list(channels))
    for name, channel in list(channels.items()):
        if name not in shares:
            if name in ("call", "walk_in", "emergency"):  # keep the hand-placed channels
                shares[name] = 1.0
            else:
                del channels[name]
                continue
        channel["profile"] = profile if draw(st.integers(0, 3)) else "flat"
        # A peak profile crowds the whole week's arrivals into the peak hours (in the
        # horizon): scale them to the horizon's share of the week.
        scale = days / 7.0 if channel["profile"] == "peak" else 1.0
        channel["rate_per_1000_per_year"] = rate(total * shares[name] / 100.0 * scale, days)
    data["demand"] = {"profiles": profiles, "channels": channels}

    # --- how the Demand is made
    how = {
        "replication": draw(st.integers(0, 1000)),
        "hand_placed": draw(st.integers(0, 4)) == 0,
        "snap_share": draw(st.sampled_from([0.0, 0.3, 0.7, 1.0])),
        "boundary_share": draw(st.sampled_from([0.0, 0.5, 0.9])),
        "snap_seed": draw(st.integers(0, 2**16)),
    }
    return {"data": data, "how": how}


def handmade_flat() -> dict:
    return copy.deepcopy(BASE["demand"]["profiles"]["flat"])


def boundary_minutes(s: Scenario) -> np.ndarray:
    """Every roster change and opening change of the scenario within the horizon."""
    from anwsim.scenario.calendar import Calendar

    cal = Calendar(s.run.start_date, s.run.n_days, s.public_holidays)
    out: set[float] = set()
    for roster in s.rosters.values():
        for blocks in roster.values():
            for b in blocks:
                for start, end in cal.block_intervals(b):
                    out |= {start, end}
    for kind in ("gp_posts", "sehs"):
        for site in getattr(s.sites, kind).values():
            out |= set(cal.open_function(site.opening).times.tolist())
    horizon = s.run.horizon_minutes
    return np.array(sorted(t for t in out if 0 <= t < horizon), dtype=np.float64)


def make_demand(s: Scenario, how: dict[str, Any]) -> Demand:
    """A sampled Demand (random durations) with part of its arrivals snapped to whole
    minutes and to roster/opening boundaries (and a minute or two before them); or, for
    ``hand_placed``, hand-placed patients on those minutes with default durations."""
    rng = np.random.default_rng(how["snap_seed"])
    bounds = boundary_minutes(s)
    horizon = s.run.horizon_minutes
    if how["hand_placed"]:
        n = int(rng.integers(5, 40))
        names = list(s.demand.channels)
        patients = []
        for _ in range(n):
            if bounds.size and rng.random() < 0.7:
                t = float(rng.choice(bounds)) - float(rng.choice([0, 0, 0, 1, 2]))
            else:
                t = float(rng.integers(0, int(horizon)))
            channel = names[int(rng.integers(len(names)))]
            entry = s.demand.channels[channel].entry
            allowed = {
                "phone": list(DISPOSITIONS),
                "emergency_112": ["ambulance", "advice"],
                "walk_in_gp": ["consult", "seh", "ambulance"],
                "walk_in_seh": ["seh"],
                "referral_seh": ["seh", "ambulance"],
            }[entry]
            patients.append(
                {
                    "t": max(0.0, t),
                    "channel": channel,
                    "urgency": f"U{int(rng.integers(0, 6))}",
                    "disposition": allowed[int(rng.integers(len(allowed)))],
                    "triage_minutes": float(rng.integers(0, 15)),
                    "consult_minutes": float(rng.integers(1, 30)),
                    "patience_minutes": float(rng.integers(0, 10)),
                    "redials": bool(rng.random() < 0.5),
                    "conveyed": bool(rng.random() < 0.7),
                    "supervised": bool(rng.random() < 0.3),
                    "np_eligible": bool(rng.random() < 0.3),
                    "seh_referral": bool(rng.random() < 0.2),
                    "front_desk_u": float(rng.random()),
                    "offload_u": float(rng.random()),
                    "offload_minutes": float(rng.integers(0, 20)),
                }
            )
        assert ENTRIES  # (the entries of the table above)
        return demand(s, patients)
    d = DemandSampler(s).sample(how["replication"])
    if len(d) == 0:  # (an empty Demand is its own test: test_no_patients_at_all)
        return make_demand(s, {**how, "hand_placed": True})
    arrivals = d.arrival_minutes.copy()
    snap = rng.random(len(d)) < how["snap_share"]
    to_bound = snap & (rng.random(len(d)) < how["boundary_share"]) if bounds.size else snap & False
    arrivals[snap] = np.floor(arrivals[snap])
    k = int(to_bound.sum())
    if k:
        arrivals[to_bound] = rng.choice(bounds, k) - rng.choice([0.0, 0.0, 0.0, 1.0, 2.0], k)
    arrivals = np.clip(arrivals, 0.0, np.nextafter(horizon, 0))
    order = np.argsort(arrivals, kind="stable")
    return dataclasses.replace(d, arrival_minutes=arrivals, order=order)


RANDOM_STATS = {"examples": 0, "patients": 0, "unserved": 0, "overtime": 0}


@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(random_cases())
def test_random_small_scenarios(case: dict[str, Any]) -> None:
    s = validate_data(copy.deepcopy(case["data"]))
    d = make_demand(s, case["how"])
    note(f"{len(d)} patients")
    assert_same(s, d, plain=True)
