"""The event trace of `simulate(..., trace=True)`: golden traces derived by hand, and
properties of the baseline's trace.

A future compiled engine is checked against this trace row for row, so its semantics
are pinned down here from the rules of ``docs/engine.md``, not from a run:

* every expected trace below is derived by hand in the test, one comment per row saying
  why the row comes where it does (class order, SimPy continuation, scheduling order) and
  where each sequence number was taken;
* the baseline's trace is checked for the invariants every trace must have (processing
  order of a heap keyed by ``(time, cls, seq)`` -- not a trace sorted by that key, see
  `check_invariants` --, unique sequence numbers, grants behind their dispatch, one row
  per END timestamp of `Outcomes`, grants = requests served, ``trace=False`` changes
  nothing);
* the kinds of the trace and the table of ``docs/engine.md`` §3 must agree both ways.

Sequence numbers. The roster events of every pool take the first numbers (docs §1.2);
`roster_events` computes them from the scenario (the roster calendar, not the model), so
a hand-derived sequence number is written ``r + n``: the n-th number taken after the
rosters. In the tiny region of `handmade` every roster is 24/7 (one constant value), so
``r == 0`` except in the shift-change case.

Pools of the tiny region (docs §1.1): 0 ``line/triage``, 1 ``line/supervision``,
2 ``post/consult``, 3 ``post/visits``, 4 ``seh/places``, 5 ``seh/doctors``, 6 ``ambulance``.
Travel: an inline ``travel.matrix`` gives whole minutes, so every time below is exact.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from anwsim.model import EXITS
from anwsim.model import clock as clock_module
from anwsim.model.clock import ARRIVAL, CLASS_NAMES, DISPATCH, END, PATIENCE, ROSTER, TRACE_COLUMNS
from anwsim.sampling import DemandSampler
from anwsim.scenario import Scenario, load_scenario
from anwsim.scenario.calendar import Calendar

from .handmade import ALWAYS, const, demand, scenario
from .reference import simulate

ROOT = Path(__file__).resolve().parents[2]
ENGINE_MD = ROOT / "docs" / "engine.md"

E, R, D, P, A = END, ROSTER, DISPATCH, PATIENCE, ARRIVAL
TRIAGE, SUPERVISION, CONSULT, VISITS, PLACES, DOCTORS, AMBULANCE = range(7)
NONE = -1  # a column that does not apply

Row = tuple[float, int, int, str, int, int, int]


# --------------------------------------------------------------------------- helpers


def roster_events(s: Scenario) -> list[tuple[float, int, int]]:
    """``(time, pool, group)`` of every roster event, in the order the pools schedule them
    (docs §1.1, §1.2, §4), computed from the scenario's roster calendar: ``finish`` groups
    one event per change of the step function after 0, ``replace`` groups one per minute
    in (0, calendar end) at which a crew starts or ends."""
    n_days = s.run.n_days + max(7, math.ceil(s.run.drain_days))
    cal = Calendar(s.run.start_date, n_days, s.public_holidays)
    sites = s.sites
    pools: list[list[tuple[str, str]]] = []
    for c in sites.triage_centres:
        pools += [[(c, "triagist")], [(c, "gp_supervisor")]]
    for p in sites.gp_posts:
        pools += [[(p, "gp_consult"), (p, "nurse_practitioner")], [(p, "gp_visit")]]
    for h in sites.sehs:
        pools += [[(h, "treatment_place")], [(h, "seh_doctor")]]
    pools.append([(st, "ambulance") for st in sites.ambulance_stations])
    out = []
    for index, groups in enumerate(pools):
        for g, (site, role) in enumerate(groups):
            blocks = s.rosters.get(site, {}).get(role, [])  # type: ignore[call-overload]
            if s.staffing.rule_for(role) == "finish":
                times = [float(t) for t in cal.step_function(blocks).times[1:]]
            else:
                start, end, _ = cal.crews(blocks)
                times = sorted(
                    {float(t) for t in start if t > 0} | {float(t) for t in end if t < cal.horizon}
                )
            out += [(t, index, g) for t in times]
    return out


def rows(trace: Any) -> list[Row]:
    """The trace as a list of plain tuples in the order of `TRACE_COLUMNS`."""
    cols = [trace[c].to_numpy() for c in TRACE_COLUMNS]
    return [
        (float(t), int(c), int(q), str(k), int(p), int(o), int(g))
        for t, c, q, k, p, o, g in zip(*cols, strict=True)
    ]


def check_invariants(trace: Any) -> None:
    """What every trace must satisfy (docs §3, §5, §7)."""
    grant = (trace.kind == "grant").to_numpy()
    ev = trace[~grant]
    t, c, q = ev.time.to_numpy(), ev.cls.to_numpy(), ev.seq.to_numpy()
    assert ev.seq.is_unique, "one global counter: every event has its own number"
    # The trace is NOT sorted by (time, cls, seq) as a whole: classes are heap priorities,
    # not phases (§3), so an event scheduled at the current minute by a later class (the
    # dispatch of an arrival) comes after it. What holds: time never decreases; within
    # equal (time, cls) seq increases; and a row that comes after a row of larger
    # (cls, seq) at the same time was scheduled after that row was processed, so its seq
    # exceeds every seq of the trace up to that row (else the heap would have popped it
    # first).
    assert (np.diff(t) >= 0).all(), "time never goes back"
    order = np.lexsort((np.arange(len(t)), c, t))  # stable: trace order within (time, cls)
    same = (np.diff(t[order]) == 0) & (np.diff(c[order]) == 0)
    assert (np.diff(q[order])[same] > 0).all(), "within (time, cls): by seq"
    running_max = np.maximum.accumulate(q)
    starts = np.flatnonzero(np.r_[True, np.diff(t) != 0])
    for a, b in zip(starts, np.r_[starts[1:], len(t)], strict=True):
        for k in range(a + 1, b):
            later = [j for j in range(a, k) if (c[j], q[j]) > (c[k], q[k])]
            if later:
                assert q[k] > running_max[later[-1]], ("popped before it was scheduled", k)
    assert not (ev.kind == "grant").any()
    # Every grant row follows its dispatch (or another grant of it): same time, class, seq
    # and pool as the closest event row above it, which is a dispatch.
    index = np.arange(len(trace))
    last_event = np.maximum.accumulate(np.where(~grant, index, -1))
    g = np.flatnonzero(grant)
    assert (last_event[g] >= 0).all()
    host = trace.iloc[last_event[g]]
    gr = trace.iloc[g]
    assert (host.kind.to_numpy() == "dispatch").all()
    for column in ("time", "cls", "seq", "pool"):
        assert (host[column].to_numpy() == gr[column].to_numpy()).all(), column
    assert (gr.cls == DISPATCH).all()


@dataclass
class Case:
    s: Scenario
    d: Any
    expected: list[Row]
    r: int  # roster events (the first sequence numbers)


def matrix(**minutes: float) -> dict[str, dict[str, float]]:
    """A full travel matrix of the tiny region: 0 minutes unless given (``a__b=m`` is a→b
    and, unless b__a is given too, b→a)."""
    places = ["town", "post", "seh", "station"]
    out: dict[str, dict[str, float]] = {a: {} for a in places}
    for a in places:
        for b in places:
            if a != b:
                out[a][b] = 0.0
    given = {tuple(k.split("__")): float(v) for k, v in minutes.items()}
    for (a, b), v in given.items():
        out[a][b] = v
        if (b, a) not in given:
            out[b][a] = v
    return out


def travel(**minutes: float) -> dict[str, Any]:
    return {"travel": {"method": "matrix", "matrix": matrix(**minutes), "noise_cv": 0}}


@functools.cache
def run(case_name: str) -> tuple[Case, Any, Any]:
    case = CASES[case_name]()
    outcomes, trace = simulate(case.s, case.d, trace=True)
    return case, outcomes, trace


def check_golden(case_name: str) -> tuple[Case, Any, Any]:
    case, outcomes, trace = run(case_name)
    check_invariants(trace)
    assert rows(trace) == case.expected
    return case, outcomes, trace


# --------------------------------------------------------------------------- hand cases


def case_two_callers() -> Case:
    s = scenario()
    d = demand(s, [{"t": 10, "channel": "call"}, {"t": 12, "channel": "call"}])
    r = len(roster_events(s))  # 0: every roster of the tiny region is 24/7
    expected: list[Row] = [
        # The first arrival is scheduled once all pools are built: the first number after
        # the rosters (r + 0). Processing it starts p0's journey (URGENT) and schedules
        # p1's arrival (r + 1); only then does the journey run.
        (10, A, r + 0, "arrival", 0, NONE, NONE),
        # p0's journey requests a triagist: the pool's dispatch at 10 (r + 2), then p0's
        # patience timer (r + 3). Nothing else is waiting at 10.
        (10, D, r + 2, "dispatch", NONE, TRIAGE, NONE),
        # One triagist free: granted. p0 resumes (NORMAL continuation), cancels r + 3 and
        # schedules triage_end at 15 (r + 4).
        (10, D, r + 2, "grant", 0, TRIAGE, 0),
        # p1's arrival, r + 1 < r + 2: scheduled before p0's journey ran. Last patient: no
        # next arrival. Journey: dispatch (r + 5), patience (r + 6).
        (12, A, r + 1, "arrival", 1, NONE, NONE),
        # The only triagist is busy until 15: no grant.
        (12, D, r + 5, "dispatch", NONE, TRIAGE, NONE),
        # p0 resumes inside the END: release -> dispatch at 15 (r + 7); advice: leaves.
        (15, E, r + 4, "triage_end", 0, NONE, NONE),
        # END before DISPATCH: the freed triagist takes p1.
        (15, D, r + 7, "dispatch", NONE, TRIAGE, NONE),
        # p1 resumes: cancels r + 6, triage_end at 20 (r + 8).
        (15, D, r + 7, "grant", 1, TRIAGE, 0),
        # Release -> dispatch (r + 9).
        (20, E, r + 8, "triage_end", 1, NONE, NONE),
        # Nobody waits: a dispatch row without grants.
        (20, D, r + 9, "dispatch", NONE, TRIAGE, NONE),
    ]
    return Case(s, d, expected, r)


def case_patience_at_free_up() -> Case:
    s = scenario()
    d = demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {"t": 4, "channel": "call", "patience_minutes": 6},  # runs out at 10
            {"t": 5, "channel": "call", "patience_minutes": 3},  # runs out at 8
        ],
    )
    r = len(roster_events(s))
    expected: list[Row] = [
        # Schedules p1's arrival (r + 1); journey: dispatch (r + 2), patience (r + 3).
        (0, A, r + 0, "arrival", 0, NONE, NONE),
        (0, D, r + 2, "dispatch", NONE, TRIAGE, NONE),
        # p0 resumes: cancels r + 3, triage_end at 10 (r + 4).
        (0, D, r + 2, "grant", 0, TRIAGE, 0),
        # Schedules p2's arrival (r + 5); p1's journey: dispatch (r + 6), patience at
        # 4 + 6 = 10 (r + 7).
        (4, A, r + 1, "arrival", 1, NONE, NONE),
        (4, D, r + 6, "dispatch", NONE, TRIAGE, NONE),  # busy: no grant
        # Last patient; journey: dispatch (r + 8), patience at 5 + 3 = 8 (r + 9).
        (5, A, r + 5, "arrival", 2, NONE, NONE),
        (5, D, r + 8, "dispatch", NONE, TRIAGE, NONE),  # busy: no grant
        # p2 hangs up: leaves the queue, no redial, exits abandoned at 8. The code
        # schedules no dispatch for a hang-up (docs §5 says it does; see
        # test_a_hang_up_schedules_a_dispatch_as_documented below).
        (8, P, r + 9, "patience", 2, TRIAGE, NONE),
        # At 10 three events: this END (r + 4), p1's PATIENCE (r + 7) and, scheduled by the
        # release, the DISPATCH (r + 10). END first.
        (10, E, r + 4, "triage_end", 0, NONE, NONE),
        # DISPATCH (class 3) before PATIENCE (class 4) although r + 10 > r + 7.
        (10, D, r + 10, "dispatch", NONE, TRIAGE, NONE),
        # p1 resumes at once (NORMAL, beneath every class event), cancels r + 7 and
        # schedules triage_end at 15 (r + 11). Hence no patience row at 10.
        (10, D, r + 10, "grant", 1, TRIAGE, 0),
        (15, E, r + 11, "triage_end", 1, NONE, NONE),  # release -> dispatch (r + 12)
        (15, D, r + 12, "dispatch", NONE, TRIAGE, NONE),
    ]
    return Case(s, d, expected, r)


def case_hang_up_and_redial() -> Case:
    s = scenario()
    d = demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 30},
            {
                "t": 1,
                "channel": "call",
                "patience_minutes": [2, 100, 100, 100],  # hangs up at 3
                "redials": [True, False, False],
                "redial_delay_minutes": [4, 1, 1],  # redials at 7
            },
        ],
    )
    r = len(roster_events(s))
    expected: list[Row] = [
        # Schedules p1's arrival (r + 1); journey: dispatch (r + 2), patience (r + 3).
        (0, A, r + 0, "arrival", 0, NONE, NONE),
        (0, D, r + 2, "dispatch", NONE, TRIAGE, NONE),
        # p0 resumes: cancels r + 3, triage_end at 30 (r + 4).
        (0, D, r + 2, "grant", 0, TRIAGE, 0),
        # Journey of p1, attempt 1: dispatch (r + 5), patience at 1 + 2 = 3 (r + 6).
        (1, A, r + 1, "arrival", 1, NONE, NONE),
        (1, D, r + 5, "dispatch", NONE, TRIAGE, NONE),  # busy: no grant
        # Hang-up: the request leaves the queue (no dispatch, as in the case above) and
        # succeeds empty; p1 resumes after this event and schedules its redial at
        # 3 + 4 = 7 (class ARRIVAL, r + 7).
        (3, P, r + 6, "patience", 1, TRIAGE, NONE),
        # p1 resumes inside the redial event: attempt 2 joins the queue again, dispatch
        # (r + 8), patience at 7 + 100 (r + 9).
        (7, A, r + 7, "redial", 1, NONE, NONE),
        (7, D, r + 8, "dispatch", NONE, TRIAGE, NONE),  # busy: no grant
        (30, E, r + 4, "triage_end", 0, NONE, NONE),  # release -> dispatch (r + 10)
        # p1 resumes: cancels r + 9, triage_end at 35 (r + 11).
        (30, D, r + 10, "dispatch", NONE, TRIAGE, NONE),
        (30, D, r + 10, "grant", 1, TRIAGE, 0),
        (35, E, r + 11, "triage_end", 1, NONE, NONE),  # release -> dispatch (r + 12)
        (35, D, r + 12, "dispatch", NONE, TRIAGE, NONE),
    ]
    return Case(s, d, expected, r)


def case_shift_change_at_an_arrival() -> Case:
    blocks = [
        {"days": ["all"], "hours": "00:00-01:00", "staff": 1},
        {"days": ["all"], "hours": "01:00-24:00", "staff": 2},
    ]
    s = scenario(**{"rosters.line.triagist": blocks})
    d = demand(
        s,
        [
            {"t": 50, "channel": "call", "triage_minutes": 20},  # 50-70
            {"t": 55, "channel": "call", "triage_minutes": 5},  # waits for the new shift
            {"t": 60, "channel": "call", "triage_minutes": 5},  # arrives as it starts
        ],
    )
    r = len(roster_events(s))
    # Roster calendar: 7 days of horizon + max(7, ceil(7 drain days)) = 14 days. The
    # triagists change 1 -> 2 at 01:00 of every day (14 changes) and 2 -> 1 at 00:00 of
    # days 1..13 (at 0 nothing changes; 00:00 of day 14 is the calendar's end): 27 roster
    # events, all of pool 0 (the other rosters are 24/7), seq 0..26 in time order.
    assert r == 14 + 13
    roster_time = [60.0] + [1440.0 * ((j + 1) // 2) + (0 if j % 2 else 60) for j in range(1, r)]
    expected: list[Row] = [
        # Schedules p1's arrival (r + 1); journey: dispatch (r + 2), patience (r + 3).
        (50, A, r + 0, "arrival", 0, NONE, NONE),
        (50, D, r + 2, "dispatch", NONE, TRIAGE, NONE),
        # Capacity 1 until 60. p0 resumes: cancels r + 3, triage_end at 70 (r + 4).
        (50, D, r + 2, "grant", 0, TRIAGE, 0),
        # Schedules p2's arrival at 60 (r + 5); journey: dispatch (r + 6), patience (r + 7).
        (55, A, r + 1, "arrival", 1, NONE, NONE),
        (55, D, r + 6, "dispatch", NONE, TRIAGE, NONE),  # busy 1 = capacity 1: no grant
        # At 60: the ROSTER (class 2, seq 0: the first roster event of the first pool) runs
        # before p2's ARRIVAL (class 5, r + 5). Capacity 1 -> 2; it schedules the pool's
        # dispatch (r + 8).
        (60, R, 0, "roster", NONE, TRIAGE, 0),
        # DISPATCH (class 3) before the ARRIVAL: p1, waiting since 55, takes the new
        # triagist. p1 resumes: cancels r + 7, triage_end at 65 (r + 9).
        (60, D, r + 8, "dispatch", NONE, TRIAGE, NONE),
        (60, D, r + 8, "grant", 1, TRIAGE, 0),
        # Then p2 arrives: journey: dispatch (r + 10), patience (r + 11).
        (60, A, r + 5, "arrival", 2, NONE, NONE),
        # Scheduled at 60 by the arrival, it runs at 60 (before any later ARRIVAL of the
        # minute). Both triagists busy: no grant.
        (60, D, r + 10, "dispatch", NONE, TRIAGE, NONE),
        (65, E, r + 9, "triage_end", 1, NONE, NONE),  # release -> dispatch (r + 12)
        # p2 resumes: cancels r + 11, triage_end at 65 + 5 = 70 (r + 13).
        (65, D, r + 12, "dispatch", NONE, TRIAGE, NONE),
        (65, D, r + 12, "grant", 2, TRIAGE, 0),
        # Two ENDs at 70, by sequence: p0's (r + 4, scheduled at 50) before p2's (r + 13,
        # scheduled at 65). p0's release schedules the dispatch (r + 14) ...
        (70, E, r + 4, "triage_end", 0, NONE, NONE),
        # ... and p2's release finds it pending: no new dispatch, no new number.
        (70, E, r + 13, "triage_end", 2, NONE, NONE),
        (70, D, r + 14, "dispatch", NONE, TRIAGE, NONE),  # nobody waits
    ]
    # The rest of the run: each later roster event j (seq j) and the dispatch it schedules
    # (the next number, r + 14 + j), no one waiting.
    for j in range(1, r):
        t = roster_time[j]
        expected += [
            (t, R, j, "roster", NONE, TRIAGE, 0),
            (t, D, r + 14 + j, "dispatch", NONE, TRIAGE, NONE),
        ]
    return Case(s, d, expected, r)


def case_walk_in_consult_with_travel() -> Case:
    s = scenario(**travel(town__post=7))
    d = demand(s, [{"t": 10, "channel": "walk_in"}, {"t": 12, "channel": "walk_in"}])
    r = len(roster_events(s))
    expected: list[Row] = [
        # Schedules p1's arrival (r + 1); journey: post_for(town) = post, 7 minutes away:
        # at_post at 17 (r + 2). No request yet.
        (10, A, r + 0, "arrival", 0, NONE, NONE),
        # Journey of p1: at_post at 19 (r + 3).
        (12, A, r + 1, "arrival", 1, NONE, NONE),
        # p0 resumes inside the END: post open, joins the consult queue: dispatch (r + 4).
        (17, E, r + 2, "at_post", 0, NONE, NONE),
        (17, D, r + 4, "dispatch", NONE, CONSULT, NONE),
        # Not np_eligible: groups (0,), the GP. p0 resumes: consult_end at 27 (r + 5).
        (17, D, r + 4, "grant", 0, CONSULT, 0),
        (19, E, r + 3, "at_post", 1, NONE, NONE),  # joins the queue: dispatch (r + 6)
        (19, D, r + 6, "dispatch", NONE, CONSULT, NONE),  # the GP is busy: no grant
        # Release -> dispatch (r + 7); p0 leaves (consult).
        (27, E, r + 5, "consult_end", 0, NONE, NONE),
        # p1 resumes: consult_end at 37 (r + 8).
        (27, D, r + 7, "dispatch", NONE, CONSULT, NONE),
        (27, D, r + 7, "grant", 1, CONSULT, 0),
        (37, E, r + 8, "consult_end", 1, NONE, NONE),  # release -> dispatch (r + 9)
        (37, D, r + 9, "dispatch", NONE, CONSULT, NONE),
    ]
    return Case(s, d, expected, r)


def case_ambulance_ride() -> Case:
    s = scenario(
        **travel(station__town=8, town__seh=6, seh__station=5),
        **{
            "ambulance.urgent_speed_factor": 2.0,  # U1 -> A1: response and transport ÷ 2
            "rosters.seh.seh_doctor": [{**ALWAYS[0], "staff": 1}],
            "seh.doctor_assessment_minutes": const(5),
            "sites.sehs.seh.offload_delay": {"percent": 100, "minutes": const(3)},
        },
    )
    d = demand(
        s,
        [
            {
                "t": 10,
                "channel": "emergency",
                "urgency": "U1",
                "dispatch_delay_minutes": 2,
                "on_scene_minutes": 20,
                "offload_u": 0.0,  # < offload share 1.0: delayed
                "offload_minutes": 3,
                "handover_minutes": 10,
                "seh_doctor_minutes": 5,
                "seh_stay_minutes": 60,  # leave_at = 39 + 60 = 99
            }
        ],
    )
    r = len(roster_events(s))
    expected: list[Row] = [
        # Only patient. Journey: emergency_112 -> ambulance: incident at 10,
        # dispatch_decided at 10 + 2 = 12 (r + 1).
        (10, A, r + 0, "arrival", 0, NONE, NONE),
        # Resumes inside: calls the fleet: dispatch (r + 2).
        (12, E, r + 1, "dispatch_decided", 0, NONE, NONE),
        (12, D, r + 2, "dispatch", NONE, AMBULANCE, NONE),
        # The vehicle at station 0 (group 0): 8 car minutes × 1 / 2 = 4: on_scene at 16
        # (r + 3).
        (12, D, r + 2, "grant", 0, AMBULANCE, 0),
        (16, E, r + 3, "on_scene", 0, NONE, NONE),  # scene_end at 36 (r + 4)
        # Conveyed: seh_for(town) = seh, 6 × 1 / 2 = 3: at_seh at 39 (r + 5).
        (36, E, r + 4, "scene_end", 0, NONE, NONE),
        # Open SEH: requests a place: dispatch (r + 6).
        (39, E, r + 5, "at_seh", 0, NONE, NONE),
        (39, D, r + 6, "dispatch", NONE, PLACES, NONE),
        # In a place at 39; the crew's handover runs first: offload_end at 42 (r + 7).
        (39, D, r + 6, "grant", 0, PLACES, 0),
        (42, E, r + 7, "offload_end", 0, NONE, NONE),  # handover_end at 52 (r + 8)
        # Inside this END, in code order: send_home schedules vehicle_home at 52 + 5 = 57
        # (r + 9) and the fleet's dispatch (r + 10: a returning vehicle may be sent); then
        # treat() asks for a doctor: the doctors' dispatch (r + 11).
        (52, E, r + 8, "handover_end", 0, NONE, NONE),
        (52, D, r + 10, "dispatch", NONE, AMBULANCE, NONE),  # no incident waits
        (52, D, r + 11, "dispatch", NONE, DOCTORS, NONE),
        # p0 resumes: assessment_end at 57 (r + 12).
        (52, D, r + 11, "grant", 0, DOCTORS, 0),
        # Two ENDs at 57 by sequence: the vehicle home (r + 9) releases the vehicle:
        # fleet dispatch (r + 13) ...
        (57, E, r + 9, "vehicle_home", 0, AMBULANCE, 0),
        # ... then the assessment (r + 12): release -> doctors' dispatch (r + 14);
        # leave_at 99 > 57: seh_end at 99 (r + 15).
        (57, E, r + 12, "assessment_end", 0, NONE, NONE),
        (57, D, r + 13, "dispatch", NONE, AMBULANCE, NONE),
        (57, D, r + 14, "dispatch", NONE, DOCTORS, NONE),
        # Release of the place -> dispatch (r + 16); leaves (seh).
        (99, E, r + 15, "seh_end", 0, NONE, NONE),
        (99, D, r + 16, "dispatch", NONE, PLACES, NONE),
    ]
    return Case(s, d, expected, r)


def case_ambulance_redispatched_while_returning() -> Case:
    s = scenario(
        **travel(station__town=8, town__seh=6, seh__station=5),
        **{"ambulance.urgent_speed_factor": 2.0},
    )
    d = demand(
        s,
        [
            {"t": 10, "channel": "emergency", "urgency": "U1", "conveyed": False},
            {"t": 38, "channel": "emergency", "urgency": "U1", "conveyed": False},
        ],
    )
    r = len(roster_events(s))
    expected: list[Row] = [
        # Schedules p1's arrival (r + 1); dispatch_decided at 12 (r + 2).
        (10, A, r + 0, "arrival", 0, NONE, NONE),
        (12, E, r + 2, "dispatch_decided", 0, NONE, NONE),  # fleet dispatch (r + 3)
        (12, D, r + 3, "dispatch", NONE, AMBULANCE, NONE),
        (12, D, r + 3, "grant", 0, AMBULANCE, 0),  # 8 / 2 = 4: on_scene at 16 (r + 4)
        (16, E, r + 4, "on_scene", 0, NONE, NONE),  # scene_end at 36 (r + 5)
        # Not conveyed: the vehicle drives home from town, 8 minutes (no speed factor on
        # the return): vehicle_home at 44 (r + 6); the fleet's dispatch (r + 7); p0 leaves.
        (36, E, r + 5, "scene_end", 0, NONE, NONE),
        (36, D, r + 7, "dispatch", NONE, AMBULANCE, NONE),  # no incident waits
        (38, A, r + 1, "arrival", 1, NONE, NONE),  # dispatch_decided at 40 (r + 8)
        (40, E, r + 8, "dispatch_decided", 1, NONE, NONE),  # fleet dispatch (r + 9)
        # The station has no free vehicle (busy until it is home); the returning one is
        # half way (f = (40 - 36) / 8): 0.5 × 0 + 0.5 × 8 = 4 car minutes, 4 / 2 = 2:
        # on_scene at 42 (r + 10). Its vehicle_home (r + 6) is cancelled: no row at 44.
        (40, D, r + 9, "dispatch", NONE, AMBULANCE, NONE),
        (40, D, r + 9, "grant", 1, AMBULANCE, 0),
        (42, E, r + 10, "on_scene", 1, NONE, NONE),  # scene_end at 62 (r + 11)
        # Home at 70 (r + 12); fleet dispatch (r + 13); p1 leaves.
        (62, E, r + 11, "scene_end", 1, NONE, NONE),
        (62, D, r + 13, "dispatch", NONE, AMBULANCE, NONE),
        (70, E, r + 12, "vehicle_home", 1, AMBULANCE, 0),  # release: dispatch (r + 14)
        (70, D, r + 14, "dispatch", NONE, AMBULANCE, NONE),
    ]
    return Case(s, d, expected, r)


def case_home_visits() -> Case:
    s = scenario(**travel(post__town=7, town__post=9))  # out 7, back 9
    d = demand(
        s,
        [
            {"t": 0, "channel": "call", "disposition": "home_visit"},
            {"t": 3, "channel": "call", "disposition": "home_visit"},
        ],
    )
    r = len(roster_events(s))
    expected: list[Row] = [
        # Schedules p1's arrival (r + 1); journey: dispatch (r + 2), patience (r + 3).
        (0, A, r + 0, "arrival", 0, NONE, NONE),
        (0, D, r + 2, "dispatch", NONE, TRIAGE, NONE),
        (0, D, r + 2, "grant", 0, TRIAGE, 0),  # cancels r + 3; triage_end at 5 (r + 4)
        # Journey: dispatch (r + 5), patience (r + 6).
        (3, A, r + 1, "arrival", 1, NONE, NONE),
        (3, D, r + 5, "dispatch", NONE, TRIAGE, NONE),  # busy: no grant
        # Inside the END, in code order: the release schedules the triage dispatch
        # (r + 7); then the disposition: a car of the post: its dispatch (r + 8).
        (5, E, r + 4, "triage_end", 0, NONE, NONE),
        # p1 resumes: cancels r + 6, triage_end at 10 (r + 9).
        (5, D, r + 7, "dispatch", NONE, TRIAGE, NONE),
        (5, D, r + 7, "grant", 1, TRIAGE, 0),
        # p0 resumes: 7 minutes out: visit_arrival at 12 (r + 10).
        (5, D, r + 8, "dispatch", NONE, VISITS, NONE),
        (5, D, r + 8, "grant", 0, VISITS, 0),
        # Release -> triage dispatch (r + 11); car request -> visits dispatch (r + 12).
        (10, E, r + 9, "triage_end", 1, NONE, NONE),
        (10, D, r + 11, "dispatch", NONE, TRIAGE, NONE),  # nobody waits
        (10, D, r + 12, "dispatch", NONE, VISITS, NONE),  # the only car is out: no grant
        (12, E, r + 10, "visit_arrival", 0, NONE, NONE),  # visit_end at 22 (r + 13)
        # car_home at 22 + 9 = 31 (r + 14, pool of the cars); p0 leaves (home_visit).
        (22, E, r + 13, "visit_end", 0, NONE, NONE),
        (31, E, r + 14, "car_home", 0, VISITS, NONE),  # releases the car: dispatch (r + 15)
        # p1 resumes: visit_arrival at 38 (r + 16).
        (31, D, r + 15, "dispatch", NONE, VISITS, NONE),
        (31, D, r + 15, "grant", 1, VISITS, 0),
        (38, E, r + 16, "visit_arrival", 1, NONE, NONE),  # visit_end at 48 (r + 17)
        (48, E, r + 17, "visit_end", 1, NONE, NONE),  # car_home at 57 (r + 18)
        (57, E, r + 18, "car_home", 1, VISITS, NONE),  # dispatch (r + 19)
        (57, D, r + 19, "dispatch", NONE, VISITS, NONE),
    ]
    return Case(s, d, expected, r)


def case_supervision_and_call_back() -> Case:
    s = scenario(**travel(town__post=7))
    d = demand(
        s,
        [
            {
                "t": 0,
                "channel": "call",
                "disposition": "consult",
                "supervised": True,
                "supervision_minutes": 1,
            },
            {"t": 1, "channel": "call", "disposition": "gp_callback", "callback_minutes": 5},
        ],
    )
    r = len(roster_events(s))
    expected: list[Row] = [
        # Schedules p1's arrival (r + 1); journey: dispatch (r + 2), patience (r + 3).
        (0, A, r + 0, "arrival", 0, NONE, NONE),
        (0, D, r + 2, "dispatch", NONE, TRIAGE, NONE),
        (0, D, r + 2, "grant", 0, TRIAGE, 0),  # cancels r + 3; triage_end at 5 (r + 4)
        (1, A, r + 1, "arrival", 1, NONE, NONE),  # dispatch (r + 5), patience (r + 6)
        (1, D, r + 5, "dispatch", NONE, TRIAGE, NONE),  # busy: no grant
        # Inside the END: release -> triage dispatch (r + 7); the supervision
        # check is *started* (URGENT, runs after this event); the disposition runs on:
        # consult, 7 minutes to the post: at_post at 12 (r + 8). After the event the check
        # runs: its request -> supervision dispatch (r + 9), after the at_post's number
        # although started before it in code.
        (5, E, r + 4, "triage_end", 0, NONE, NONE),
        # p1 resumes: cancels r + 6, triage_end at 10 (r + 10).
        (5, D, r + 7, "dispatch", NONE, TRIAGE, NONE),
        (5, D, r + 7, "grant", 1, TRIAGE, 0),
        # The check resumes: supervision_end at 6 (r + 11).
        (5, D, r + 9, "dispatch", NONE, SUPERVISION, NONE),
        (5, D, r + 9, "grant", 0, SUPERVISION, 0),
        (6, E, r + 11, "supervision_end", 0, NONE, NONE),  # release -> dispatch (r + 12)
        (6, D, r + 12, "dispatch", NONE, SUPERVISION, NONE),
        # Release -> triage dispatch (r + 13); gp_callback by the supervising GP: request
        # -> supervision dispatch (r + 14).
        (10, E, r + 10, "triage_end", 1, NONE, NONE),
        (10, D, r + 13, "dispatch", NONE, TRIAGE, NONE),
        (10, D, r + 14, "dispatch", NONE, SUPERVISION, NONE),
        (10, D, r + 14, "grant", 1, SUPERVISION, 0),  # callback_end at 15 (r + 15)
        (12, E, r + 8, "at_post", 0, NONE, NONE),  # consult request: dispatch (r + 16)
        (12, D, r + 16, "dispatch", NONE, CONSULT, NONE),
        (12, D, r + 16, "grant", 0, CONSULT, 0),  # consult_end at 22 (r + 17)
        (15, E, r + 15, "callback_end", 1, NONE, NONE),  # release -> dispatch (r + 18)
        (15, D, r + 18, "dispatch", NONE, SUPERVISION, NONE),
        (22, E, r + 17, "consult_end", 0, NONE, NONE),  # release -> dispatch (r + 19)
        (22, D, r + 19, "dispatch", NONE, CONSULT, NONE),
    ]
    return Case(s, d, expected, r)


CASES = {
    "two_callers": case_two_callers,
    "patience_at_free_up": case_patience_at_free_up,
    "hang_up_and_redial": case_hang_up_and_redial,
    "shift_change_at_an_arrival": case_shift_change_at_an_arrival,
    "walk_in_consult_with_travel": case_walk_in_consult_with_travel,
    "ambulance_ride": case_ambulance_ride,
    "ambulance_redispatched_while_returning": case_ambulance_redispatched_while_returning,
    "home_visits": case_home_visits,
    "supervision_and_call_back": case_supervision_and_call_back,
}


# --------------------------------------------------------------------------- golden traces


def test_golden_two_callers() -> None:
    case, o, trace = check_golden("two_callers")
    assert o.answer.tolist() == [10, 15] and o.triage_end.tolist() == [15, 20]
    # The cancelled patience timers (r + 3, r + 6) took their numbers but left no row.
    assert not set(trace.seq) & {case.r + 3, case.r + 6}


def test_golden_patience_at_the_minute_a_triagist_frees_up() -> None:
    case, o, trace = check_golden("patience_at_free_up")
    assert o.answer[1] == 10 and math.isnan(o.abandon[1])  # answered, not lost
    assert ((trace.kind == "patience") & (trace.patient == 1)).sum() == 0
    assert case.r + 7 not in set(trace.seq)  # the cancelled timer
    assert EXITS[o.exit_via[2]] == "abandoned" and o.exit[2] == 8


def test_a_hang_up_schedules_no_dispatch() -> None:
    """docs/engine.md §5: a hang-up only takes its request out of the queue; no dispatch
    follows it (a dispatch could serve no one who was not servable before)."""
    _, _, trace = run("patience_at_free_up")
    at_8 = rows(trace[trace.time == 8])
    assert [row[3] for row in at_8] == ["patience"]


def test_golden_hang_up_and_redial() -> None:
    _, o, _ = check_golden("hang_up_and_redial")
    assert o.attempts[1] == 2 and o.abandoned_attempts[1] == 1
    assert o.answered_attempt_start[1] == 7 and o.answer[1] == 30


def test_golden_shift_change_at_the_minute_of_an_arrival() -> None:
    _, o, _ = check_golden("shift_change_at_an_arrival")
    assert o.answer.tolist() == [50, 60, 65]


def test_golden_walk_in_consult_with_travel() -> None:
    _, o, _ = check_golden("walk_in_consult_with_travel")
    assert o.post_arrival.tolist() == [17, 19] and o.consult_start.tolist() == [17, 27]
    assert o.travel_to_post.tolist() == [7, 7]


def test_golden_ambulance_ride() -> None:
    _, o, _ = check_golden("ambulance_ride")
    assert o.ambulance_dispatch[0] == 12 and o.response_travel[0] == 4
    assert o.ambulance_at_seh[0] == 39 and o.seh_start[0] == 39
    assert o.handover_start[0] == 42 and o.handover_end[0] == 52
    assert o.seh_doctor[0] == 52 and o.seh_end[0] == 99 and EXITS[o.exit_via[0]] == "seh"


def test_golden_ambulance_redispatched_while_returning() -> None:
    case, o, trace = check_golden("ambulance_redispatched_while_returning")
    assert o.ambulance_dispatch[1] == 40 and o.response_travel[1] == 2
    assert case.r + 6 not in set(trace.seq)  # the cancelled vehicle_home at 44


def test_golden_home_visits_with_the_car_returning() -> None:
    _, o, _ = check_golden("home_visits")
    assert o.visit_start.tolist() == [12, 38] and o.visit_end.tolist() == [22, 48]
    assert o.exit.tolist() == [22, 48]  # the patient leaves at visit_end, not car_home


def test_golden_supervision_alongside_and_a_call_back() -> None:
    _, o, _ = check_golden("supervision_and_call_back")
    assert o.supervision_start[0] == 5 and o.supervision_end[0] == 6
    assert o.callback_start[1] == 10 and o.callback_end[1] == 15
    assert o.consult_start[0] == 12


# --------------------------------------------------------------------------- the baseline


@pytest.fixture(scope="module")
def baseline():
    s = load_scenario(
        ROOT / "scenarios" / "baseline.yaml", ["run.horizon_weeks=1", "run.warmup_weeks=0"]
    )
    d = DemandSampler(s).sample(0)
    o, trace = simulate(s, d, trace=True)
    return s, d, o, trace


def test_baseline_trace_invariants(baseline) -> None:
    s, _, o, trace = baseline
    check_invariants(trace)
    # The first numbers are the roster events, in pool, group, time order (§1.2).
    expected = roster_events(s)
    roster = trace[trace.kind == "roster"].sort_values("seq")
    assert roster.seq.tolist() == list(range(len(expected)))  # all before the stop
    assert list(zip(roster.time, roster.pool, roster.group, strict=True)) == expected
    assert (trace[trace.kind != "roster"].seq >= len(expected)).all()
    # The pools are those of docs §1.1, in that order.
    names = [(c, r) for c in s.sites.triage_centres for r in ("triagist", "gp_supervisor")]
    names += [(p, r) for p in s.sites.gp_posts for r in ("gp_consult", "gp_visit")]
    names += [(h, r) for h in s.sites.sehs for r in ("treatment_place", "seh_doctor")]
    assert o.queues == (*names, ("all_stations", "ambulance"))


def test_baseline_arrivals_redials_and_patience(baseline) -> None:
    s, d, o, trace = baseline
    entered = d.order[d.arrival_minutes[d.order] < s.run.horizon_minutes]
    arrivals = trace[trace.kind == "arrival"]
    assert arrivals.patient.tolist() == entered.tolist()  # Demand.order, one at a time
    assert (arrivals.time.to_numpy() == o.call[arrivals.patient.to_numpy()]).all()
    n = len(d)
    redials = np.bincount(trace.patient[trace.kind == "redial"], minlength=n)
    patience = np.bincount(trace.patient[trace.kind == "patience"], minlength=n)
    attempts = np.where(o.attempts > 0, o.attempts - 1, 0)
    assert (redials == attempts).all()
    # A patience row only for a timer that was not cancelled: a hang-up (or call-back).
    assert (patience == o.abandoned_attempts + o.called_back).all()
    assert patience.sum() > 0 and redials.sum() > 0


def _events(trace: Any) -> set[tuple[str, int, float]]:
    ev = trace[trace.kind != "grant"]
    return set(zip(ev.kind, ev.patient, ev.time, strict=True))


def _grants(trace: Any) -> set[tuple[int, int, float]]:
    gr = trace[trace.kind == "grant"]
    return set(zip(gr.pool, gr.patient, gr.time, strict=True))


def test_baseline_every_end_timestamp_has_its_row(baseline) -> None:
    s, d, o, trace = baseline
    events = _events(trace)

    def check(field: str, kinds: tuple[str, ...], where: Any = None) -> int:
        values = getattr(o, field)
        mask = np.isfinite(values) if where is None else np.isfinite(values) & where
        missing = [
            (int(i), float(values[i]))
            for i in np.flatnonzero(mask)
            if not any((k, int(i), float(values[i])) in events for k in kinds)
        ]
        assert not missing, (field, missing[:5])
        return int(mask.sum())

    assert check("triage_end", ("triage_end",)) > 0
    assert check("supervision_end", ("supervision_end",)) > 0
    assert check("callback_end", ("callback_end",)) > 0
    assert check("consult_end", ("consult_end",)) > 0
    assert check("visit_end", ("visit_end",)) > 0
    assert check("handover_end", ("handover_end",)) > 0
    assert check("ambulance_depart_scene", ("scene_end",)) > 0
    # Travel ENDs exist when the leg took time (no event for 0 minutes).
    assert check("post_arrival", ("at_post",), (o.travel_to_post > 0) & ~o.redirected) > 0
    assert check("visit_start", ("visit_arrival",), o.response_travel > 0) > 0
    assert check("ambulance_arrival", ("on_scene",), o.response_travel > 0) > 0
    assert check("ambulance_at_seh", ("at_seh",), o.transport_travel > 0) > 0
    assert check("seh_arrival", ("at_seh",), (o.travel_to_seh > 0) | (o.transport_travel > 0))
    assert check("abandon", ("patience",)) > 0
    assert check("answered_attempt_start", ("arrival", "redial")) > 0
    # dispatch_decided = incident + dispatch delay (the same float sum as the model's).
    decided = o.incident + d.dispatch_delay_minutes
    ok = np.isfinite(o.incident)
    assert ok.any()
    for i in np.flatnonzero(ok):
        assert ("dispatch_decided", int(i), float(decided[i])) in events
    # seh_end is an END at leave_at = seh_start + stay when that is later than the end of
    # the handover (and assessment); else the place is released at once then.
    assert not any(s.rosters.get(h, {}).get("seh_doctor") for h in s.sites.sehs)
    ended = np.isfinite(o.seh_end)
    leave_at = o.seh_start + d.seh_stay_minutes
    after = np.where(np.isfinite(o.handover_end), o.handover_end, o.seh_start)
    row = np.array([("seh_end", i, float(o.seh_end[i])) in events for i in range(len(d))])
    assert (row[ended] == (leave_at > after)[ended]).all()
    assert (o.seh_end[ended & row] == leave_at[ended & row]).all()
    assert (o.seh_end[ended & ~row] == after[ended & ~row]).all()
    assert row.sum() > 0


def test_baseline_grants_are_the_requests_served(baseline) -> None:
    s, d, o, trace = baseline
    assert s.triage.callback_by == "gp_supervisor" and len(s.sites.triage_centres) == 1
    grants = _grants(trace)
    gr = trace[trace.kind == "grant"]
    per_pool = np.bincount(gr.pool, minlength=len(o.queues))
    pool = {q: k for k, q in enumerate(o.queues)}
    (centre,) = s.sites.triage_centres
    served = np.zeros(len(o.queues), dtype=np.int64)

    def grant_at(field: str, pools: np.ndarray, mask: np.ndarray | None = None) -> None:
        values = getattr(o, field)
        m = np.isfinite(values) if mask is None else np.isfinite(values) & mask
        for i in np.flatnonzero(m):
            assert (int(pools[i]), int(i), float(values[i])) in grants, (field, i)
            served[pools[i]] += 1

    n = len(d)
    full = np.full(n, 0, dtype=np.int64)
    grant_at("answer", full + pool[(centre, "triagist")])
    grant_at("supervision_start", full + pool[(centre, "gp_supervisor")])
    grant_at("callback_start", full + pool[(centre, "gp_supervisor")])
    posts, sehs = list(s.sites.gp_posts), list(s.sites.sehs)
    consult_pool = np.array([pool[(posts[p], "gp_consult")] if p >= 0 else -1 for p in o.post])
    grant_at("consult_start", consult_pool)
    places_pool = np.array([pool[(sehs[h], "treatment_place")] if h >= 0 else -1 for h in o.seh])
    grant_at("seh_start", places_pool)
    grant_at("ambulance_dispatch", full + pool[("all_stations", "ambulance")])
    # Car grants: the patients whose visit GP came (no Outcomes timestamp of the grant).
    for p, post in enumerate(posts):
        served[pool[(post, "gp_visit")]] = int(
            ((o.visit_post == p) & np.isfinite(o.visit_start)).sum()
        )
    assert (per_pool == served).all(), (per_pool, served)
    # Groups: consults by GP (0) or NP (1), vehicles by station (-2: neighbour region).
    consult = gr[gr.pool.isin(consult_pool[consult_pool >= 0])]
    assert (consult.group.to_numpy() == o.consult_by[consult.patient.to_numpy()]).all()
    amb = gr[gr.pool == pool[("all_stations", "ambulance")]]
    assert (amb.group.to_numpy() == o.station[amb.patient.to_numpy()]).all()
    assert np.all(o.exits == 1) and not np.any(o.exit_via == EXITS.index("unserved"))


def test_baseline_trace_does_not_change_outcomes(baseline) -> None:
    s, d, o, _ = baseline
    plain = simulate(s, d)
    assert plain.patients.keys() == o.patients.keys()
    for name, values in o.patients.items():
        np.testing.assert_array_equal(plain.patients[name], values, err_msg=name)
    for attr in ("name", "role", "site"):
        assert getattr(plain.resources, attr) == getattr(o.resources, attr)
    for attr in ("times", "busy", "capacity", "overtime"):
        for a, b in zip(getattr(plain.resources, attr), getattr(o.resources, attr), strict=True):
            np.testing.assert_array_equal(a, b, err_msg=attr)
    assert (plain.queues, plain.stopped_at, plain.horizon) == (o.queues, o.stopped_at, o.horizon)


# --------------------------------------------------------------------------- the doc's table


def documented_classes() -> dict[str, tuple[int, list[str]]]:
    """The table of docs/engine.md §3: class name -> (value, kinds)."""
    text = ENGINE_MD.read_text(encoding="utf-8")
    section = text.split("\n## 3.", 1)[1].split("\n## ", 1)[0]
    table = {}
    for line in section.splitlines():
        m = re.match(r"^\|\s*([A-Z]+)\s*\|\s*(\d+)\s*\|(.*)\|\s*$", line)
        if m:
            table[m.group(1)] = (int(m.group(2)), re.findall(r"`([a-z_]+)`", m.group(3)))
    return table


def documented_kinds() -> dict[str, int]:
    out: dict[str, int] = {}
    for value, kinds in documented_classes().values():
        for kind in kinds:
            assert kind not in out, f"{kind} listed twice"
            out[kind] = value
    return out


def test_the_doc_table_has_the_classes_of_the_clock() -> None:
    table = documented_classes()
    assert {name: value for name, (value, _) in table.items()} == {
        name.upper(): value for value, name in CLASS_NAMES.items()
    }
    for name, (value, _) in table.items():
        assert getattr(clock_module, name) == value


def test_every_traced_kind_is_in_the_doc_table_with_its_class(baseline) -> None:
    kinds = documented_kinds()
    traces = [baseline[3]] + [run(name)[2] for name in CASES]
    for trace in traces:
        ev = trace[trace.kind != "grant"]
        assert set(ev.kind) <= set(kinds), set(ev.kind) - set(kinds)
        assert (ev.cls.to_numpy() == ev.kind.map(kinds).to_numpy()).all()
        assert (trace[trace.kind == "grant"].cls == DISPATCH).all()
    # `grant` is no event (it is a row of its dispatch): documented in §5 and §7.
    text = ENGINE_MD.read_text(encoding="utf-8")
    for n in ("5", "7"):
        assert "`grant`" in text.split(f"\n## {n}.", 1)[1].split("\n## ", 1)[0]


def test_every_kind_of_the_doc_table_is_exercised(baseline) -> None:
    seen = set(baseline[3].kind)
    for name in CASES:
        seen |= set(run(name)[2].kind)
    missing = set(documented_kinds()) - seen
    assert not missing, f"documented but never traced: {sorted(missing)}"
