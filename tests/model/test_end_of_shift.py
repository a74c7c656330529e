"""The end-of-shift rules ``finish`` (a head count) and ``replace`` (crews).

1. Hand computations: hand-placed patients, constant durations, every timestamp derived
   in a comment (the event order of `anwsim.model.clock`: end < roster < dispatch <
   patience < arrival).
2. An independent SimPy reference of one phone line with crews (`crew_reference`),
   compared exactly with anwsim on random rosters and arrivals.
3. A statistical check that the two rules differ by the right sign.

Overtime is read from the ``overtime`` column of `ResourceTable` (`overtime_minutes`
below); `test_group_integrals_under_replace` checks that the workload KPIs read it too.
"""

from __future__ import annotations

import math
import random

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from anwsim.metrics import group_integrals
from anwsim.model import EXITS
from anwsim.scenario import ScenarioError
from anwsim.scenario.travel import haversine_km

from .crew_reference import Block, LineReference
from .handmade import const, demand, scenario
from .reference import simulate
from .test_deterministic import staff

WEEK = 7 * 24 * 60.0


def rule(name: str, **by_role: str) -> dict:
    return {"staffing": {"end_of_shift": name, "end_of_shift_by_role": by_role}}


def log(o, name: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    res = o.resources
    g = res.name.index(name)
    return res.times[g], res.busy[g], res.capacity[g], res.overtime[g]


def overtime_minutes(o, name: str) -> float:
    """∫ overtime servers dt from the ResourceTable (the log ends with nobody at work)."""
    times, busy, _, overtime = log(o, name)
    assert busy[-1] == 0 and overtime[-1] == 0
    return float(np.sum(np.diff(times) * overtime[:-1]))


def calls(*rows: tuple[float, float]) -> list[dict]:
    """Phone callers ``(arrival, triage minutes)``: advice after triage, no supervision."""
    return [{"t": t, "channel": "call", "triage_minutes": m} for t, m in rows]


# ============================================================================ 1. by hand
# --------------------------------------------------------------------------- crew swap

SWAP = {"rosters.line.triagist": staff(("00:00-01:00", 2), ("01:00-24:00", 2))}
SWAP_CALLS = calls((40, 30), (45, 40), (50, 5), (55, 5), (58, 5))


def test_contiguous_swap_finish_is_a_head_count() -> None:
    """Triagists 2 -> 2 at 01:00 under finish: the head count stays 2 at 60 (the step
    function does not even change), so callers waiting at 60 wait for a busy triagist.

    P0 40-70, P1 45-85 (both triagists busy). P2 (50) waits to 70: 70-75. P3 (55) waits
    to 75 (P2's triagist): 75-80. P4 (58) to 80: 80-85. Nobody is busy beyond capacity:
    overtime 0."""
    s = scenario(**SWAP, **rule("finish"))
    o = simulate(s, demand(s, SWAP_CALLS))
    assert o.answer.tolist() == [40, 45, 70, 75, 80]
    assert o.triage_end.tolist() == [70, 85, 75, 80, 85]
    _, busy, capacity, _ = log(o, "line/triagist")
    assert set(capacity.tolist()) == {2} and busy.max() == 2
    assert overtime_minutes(o, "line/triagist") == 0
    g = group_integrals(o, 0.0, WEEK).set_index("group").loc["line/triagist"]
    assert g.overtime_minutes == 0 and g.busy_minutes == 30 + 40 + 5 + 5 + 5


def test_contiguous_swap_replace_new_crew_takes_the_waiting_callers() -> None:
    """Triagists 2 -> 2 at 01:00 under replace: crew A [0, 60) takes P0 40-70 and
    P1 45-85. At 60 (roster before dispatch) crew B [60, 1440) starts at its full 2 and
    takes P2 and P3 at 60 (60-65 each); A's two members finish in overtime.
    P4 (58) waits for B: free at 65, 65-70.

    Overtime = Σ(task end − 60) over the leaving crew = (70−60) + (85−60) = 35:
    the overtime column is 2 on [60, 70) and 1 on [70, 85)."""
    s = scenario(**SWAP, **rule("replace"))
    o = simulate(s, demand(s, SWAP_CALLS))
    assert o.answer.tolist() == [40, 45, 60, 60, 65]
    assert o.triage_end.tolist() == [70, 85, 65, 65, 70]
    times, busy, capacity, overtime = log(o, "line/triagist")
    pieces = [
        (t, b, c, v) for t, b, c, v in zip(times, busy, capacity, overtime, strict=True) if t < 100
    ]
    assert pieces == [
        (0, 0, 2, 0),
        (40, 1, 2, 0),
        (45, 2, 2, 0),
        (60, 4, 2, 2),  # A's two in overtime, B's two on P2, P3
        (65, 3, 2, 2),  # P2, P3 end; B takes P4
        (70, 1, 2, 1),  # P0 and P4 end
        (85, 0, 2, 0),
    ]
    assert overtime_minutes(o, "line/triagist") == 35


def test_group_integrals_under_replace() -> None:
    """`group_integrals` reads the ``overtime`` and ``ended`` columns of the log:

    overtime 35 (above). On-shift busy = busy − overtime: 35 on [0, 60) (P0 40-70 and P1
    45-85 until 60: 20 + 15), then crew B: 2·5 on P2, P3 and 1·5 on P4 → 50 (not the
    min(busy, capacity) = 70 of a head count). Shift ends: each day crew 00-01 (2) ends
    at 01:00 and crew 01-24 (2) at 24:00; in [0, one week): 7·2 + 6·2 = 26 (the end at
    exactly one week lies outside)."""
    s = scenario(**SWAP, **rule("replace"))
    o = simulate(s, demand(s, SWAP_CALLS))
    g = group_integrals(o, 0.0, WEEK).set_index("group").loc["line/triagist"]
    assert g.overtime_minutes == 35
    assert g.busy_minutes == 50
    assert g.shift_ends == 26


# --------------------------------------------------------------------------- 3 -> 1


DROP = {"rosters.line.triagist": staff(("00:00-01:00", 3), ("01:00-24:00", 1))}


@pytest.mark.parametrize("name", ["finish", "replace"])
def test_drop_three_to_one_rules_agree_when_the_leaving_crew_ends_on_time(name: str) -> None:
    """3 -> 1 at 01:00; the three calls in hand end exactly at 60 (P0 30-60, P1 35-60,
    P2 40-60). End before roster: at 60 all three are free before the capacity drops,
    and nobody is busy past 60, so both rules give the same: the single triagist of the
    next block takes P3 (45) at 60 (60-65) and P4 (50) at 65 (65-70). No overtime."""
    s = scenario(**DROP, **rule(name))
    o = simulate(s, demand(s, calls((30, 30), (35, 25), (40, 20), (45, 5), (50, 5))))
    assert o.answer.tolist() == [30, 35, 40, 60, 65]
    assert o.triage_end.tolist() == [60, 60, 60, 65, 70]
    assert overtime_minutes(o, "line/triagist") == 0


@pytest.mark.parametrize(
    ("name", "answers", "overtime"),
    [
        # finish: busy 3 >= capacity 1 from 60; P0 ends 70 (busy 2), P1 75 (busy 1),
        # P2 80 (busy 0): P3 answered 80-85, P4 85-90. Overtime ∫max(0, busy − 1):
        # [60, 70) 2, [70, 75) 1 → 25.
        ("finish", [30, 35, 40, 80, 85], 25),
        # replace: the new crew of 1 takes P3 at 60 (60-65), P4 at 65 (65-70); the
        # leaving crew works (70−60) + (75−60) + (80−60) = 45 minutes overtime.
        ("replace", [30, 35, 40, 60, 65], 45),
    ],
)
def test_drop_three_to_one_with_the_leaving_crew_busy(name, answers, overtime) -> None:
    s = scenario(**DROP, **rule(name))
    o = simulate(s, demand(s, calls((30, 40), (35, 40), (40, 40), (45, 5), (50, 5))))
    assert o.answer.tolist() == answers
    assert overtime_minutes(o, "line/triagist") == overtime


# --------------------------------------------------------------------------- overlapping


def test_overlapping_blocks_the_task_goes_to_the_crew_that_ends_latest() -> None:
    """Blocks B [0, 60) staff 1 (listed first) and A [0, 180) staff 1; after 60 only A.

    replace: P0 (10, 100 min) goes to the on-duty crew that ends latest, A: 10-110.
    P1 (20, 60 min) to B, the only free one: 20-80. At 60 B ends: P1's member works
    60-80 in overtime (20 min). P2 (30, 10 min) waits for A (capacity 1 after 60,
    A busy): 110-120. Had P0 gone to B (block order, or the crew ending first), B's
    member would work 60-110 in overtime and A would take P2 at 80.
    finish: capacity 2 then 1; P0 10-110, P1 20-80, busy 2 > 1 on [60, 80): 20 min
    overtime; P2 at 110 — here the two rules agree."""
    roster = {"rosters.line.triagist": staff(("00:00-01:00", 1), ("00:00-03:00", 1))}
    patients = calls((10, 100), (20, 60), (30, 10))
    for name in ("replace", "finish"):
        s = scenario(**roster, **rule(name))
        o = simulate(s, demand(s, patients))
        assert o.answer.tolist() == [10, 20, 110], name
        assert o.triage_end.tolist() == [110, 80, 120], name
        assert overtime_minutes(o, "line/triagist") == 20, name


def test_overlapping_blocks_a_crew_stays_while_another_is_replaced() -> None:
    """Blocks B [0, 60), A [0, 180), D [60, 180), staff 1 each: 2 on duty throughout
    (under finish no roster change at 60 at all).

    replace: P0 (10, 100) → A (ends 180 > 60): 10-110. P1 (20, 60) → B: 20-80.
    P2 (30, 10) waits; at 60 B ends (its member on P1 in overtime 60-80: 20 min) and
    D starts: P2 60-70. P3 (65, 10) waits for D: 70-80. Overtime 20 (with P0 on B it
    would be 110 − 60 = 50).
    finish: head count 2: P0 10-110, P1 20-80; P2 waits to 80: 80-90; P3 to 90: 90-100.
    No overtime."""
    roster = {
        "rosters.line.triagist": staff(("00:00-01:00", 1), ("00:00-03:00", 1), ("01:00-03:00", 1))
    }
    patients = calls((10, 100), (20, 60), (30, 10), (65, 10))
    s = scenario(**roster, **rule("replace"))
    o = simulate(s, demand(s, patients))
    assert o.answer.tolist() == [10, 20, 60, 70]
    assert overtime_minutes(o, "line/triagist") == 20
    s = scenario(**roster, **rule("finish"))
    o = simulate(s, demand(s, patients))
    assert o.answer.tolist() == [10, 20, 80, 90]
    assert overtime_minutes(o, "line/triagist") == 0


# --------------------------------------------------------------------------- per-role map


def test_rules_are_validated() -> None:
    assert scenario().staffing.rule_for("triagist") == "finish"  # the default
    with pytest.raises(ScenarioError, match="end_of_shift"):
        scenario(**rule("overtime"))
    with pytest.raises(ScenarioError, match=r"end_of_shift_by_role\.triagist"):
        scenario(**rule("finish", triagist="swap"))


POST_SWAP = {
    **SWAP,
    "rosters.post.gp_consult": staff(("00:00-01:00", 2), ("01:00-24:00", 2)),
}
WALK_INS = [
    {"t": t, "channel": "walk_in", "consult_minutes": m}
    for t, m in [(40, 30), (45, 40), (50, 5), (55, 5), (58, 5)]
]


def test_per_role_map_changes_only_that_role() -> None:
    """Default finish, ``end_of_shift_by_role: {triagist: replace}``; the same 2 -> 2 swap
    at 01:00 for triagists and consult GPs, and the same five patients on each (the
    walk-ins live at the post: no travel). The triagist line follows replace (answers
    40, 45, 60, 60, 65), the consults follow finish (40, 45, 70, 75, 80), as derived in
    the two swap tests above."""
    s = scenario(**POST_SWAP, **rule("finish", triagist="replace"))
    assert s.staffing.rule_for("triagist") == "replace"
    assert s.staffing.rule_for("gp_consult") == "finish"
    o = simulate(s, demand(s, SWAP_CALLS + WALK_INS))
    assert o.answer[:5].tolist() == [40, 45, 60, 60, 65]
    assert o.consult_start[5:].tolist() == [40, 45, 70, 75, 80]
    assert overtime_minutes(o, "line/triagist") == 35
    assert overtime_minutes(o, "post/gp_consult") == 0
    # and the other way round
    s = scenario(**POST_SWAP, **rule("replace", triagist="finish"))
    o = simulate(s, demand(s, SWAP_CALLS + WALK_INS))
    assert o.answer[:5].tolist() == [40, 45, 70, 75, 80]
    assert o.consult_start[5:].tolist() == [40, 45, 60, 60, 65]
    assert overtime_minutes(o, "line/triagist") == 0
    assert overtime_minutes(o, "post/gp_consult") == 35


# --------------------------------------------------------------------------- GP and NP

NP_POST = {
    "rosters.post.gp_consult": staff(("00:00-01:00", 1), ("01:00-24:00", 1)),
    "rosters.post.nurse_practitioner": staff(("00:00-24:00", 1)),
    "gp.nurse_practitioner_consult_minutes": const(10),
}
NP_PATIENTS = [
    {"t": 40, "channel": "walk_in", "consult_minutes": 30},
    {"t": 45, "channel": "walk_in", "np_eligible": True, "np_consult_minutes": 30},
    {"t": 50, "channel": "walk_in", "consult_minutes": 10},
    {"t": 55, "channel": "walk_in", "np_eligible": True, "consult_minutes": 20,
     "np_consult_minutes": 10},
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "start", "end", "by", "gp_overtime"),
    [
        # finish (GP head count 1 throughout): P0 GP 40-70, P1 NP 45-75. At 70 the GP
        # takes P2 (GP only; key 50 before P3's 55): 70-80. P3 (NP first, then GP)
        # waits for the NP, free at 75: NP 75-85 (NP consult minutes 10).
        ("finish", [40, 45, 70, 75], [70, 75, 80, 85], [0, 1, 0, 1], 0),
        # replace: GP crew A takes P0 40-70; at 60 GP crew B starts: P2 (key 50 before
        # 55) 60-70 on B; P3 finds NP (P1 to 75) and B busy: waits. At 70 P0 ends
        # (A's member in overtime 60-70: 10 min, goes home) and P2 ends: B takes P3
        # 70-90 (GP consult minutes 20). The NP, free at 75, is too late.
        ("replace", [40, 45, 60, 70], [70, 75, 70, 90], [0, 1, 0, 0], 10),
    ],
)
def test_consult_pool_with_a_nurse_practitioner(name, start, end, by, gp_overtime) -> None:
    s = scenario(**NP_POST, **rule(name))
    o = simulate(s, demand(s, NP_PATIENTS))
    assert o.consult_start.tolist() == start
    assert o.consult_end.tolist() == end
    assert o.consult_by.tolist() == by  # 0 GP, 1 nurse practitioner
    assert overtime_minutes(o, "post/gp_consult") == gp_overtime
    assert overtime_minutes(o, "post/nurse_practitioner") == 0


# --------------------------------------------------------------------------- closing rule

CLOSING = {
    "sites.gp_posts.post.opening": [{"days": ["all"], "hours": "00:00-02:00"}],
    "rosters.post.gp_consult": staff(("00:00-01:30", 1), ("01:30-02:00", 1)),
    "rosters.post.gp_visit": staff(("00:00-02:00", 1)),
    "rosters.seh.treatment_place": staff(("00:00-24:00", 5)),
}
CLOSING_PATIENTS = [
    {"t": 80, "channel": "walk_in", "consult_minutes": 30},
    {"t": 85, "channel": "walk_in", "consult_minutes": 20},
    {"t": 100, "channel": "walk_in", "consult_minutes": 30},
    {"t": 112, "channel": "walk_in", "consult_minutes": 10},
    {"t": 125, "channel": "walk_in", "seh_stay_minutes": 40},
]


@pytest.mark.parametrize(
    ("name", "start", "end"),
    [
        # finish (head count 1 on [0, 120)): P0 80-110, P1 110-130, P2 waits; at 120 the
        # post closes with P2, P3 waiting: the one GP present stays on: P2 130-160,
        # P3 160-170. Overtime ∫max(0, busy − 0) from 120: 10 + 30 + 10 = 50.
        ("finish", [80, 110, 130, 160], [110, 130, 160, 170]),
        # replace: crew A [0, 90) takes P0 80-110; at 90 crew B [90, 120) starts and
        # takes P1 (waiting since 85) 90-110; A's member in overtime 90-110 (20 min).
        # P2 (100) waits for B: 110-140. P3 (112) waits; at 120 B ends and the post
        # closes with P3 waiting: hold 1 (B's member, busy on P2 in overtime 120-140),
        # who then sees P3 140-150. Overtime 20 + 20 + 10 = 50.
        ("replace", [80, 90, 110, 140], [110, 110, 140, 150]),
    ],
)
def test_post_closing_with_patients_waiting(name, start, end) -> None:
    """P4 (125) finds the post closed (both rules): routed to the SEH, 125-165."""
    s = scenario(**CLOSING, **rule(name))
    o = simulate(s, demand(s, CLOSING_PATIENTS))
    assert o.consult_start[:4].tolist() == start
    assert o.consult_end[:4].tolist() == end
    assert math.isnan(o.consult_start[4])
    assert o.seh_start[4] == 125 and o.exit[4] == 165 and EXITS[o.exit_via[4]] == "seh"
    assert overtime_minutes(o, "post/gp_consult") == 50


def test_closing_after_an_earlier_crew_ended_finish() -> None:
    """Triagist crews A [0, 50) and B [0, 60), staff 1 each, then nobody until the next
    day; P0 (0, 100 min), P1 (1, 100 min), P2 (10, 5 min).

    finish: head count 2, then 1 from 50 (busy 2: overtime), 0 from 60: the line
    closes with P2 waiting, hold 1 (the capacity just before 60): P2 may start once
    busy < 1, at 101 (P0 done at 100, P1 at 101): 101-106."""
    roster = {"rosters.line.triagist": staff(("00:00-00:50", 1), ("00:00-01:00", 1))}
    patients = calls((0, 100), (1, 100), (10, 5))
    s = scenario(**roster, **rule("finish"))
    o = simulate(s, demand(s, patients))
    assert o.answer.tolist() == [0, 1, 101]


def test_closing_after_an_earlier_crew_ended_replace_hold_counts_all_overtime() -> None:
    """As above under replace. P0 goes to B (the crew that ends latest): 0-100; P1 to
    A: 1-101. At 50 A ends: its member works on P1 to 101 in overtime. At 60 B ends and
    the line closes with P2 waiting: hold 1 (the capacity just before 60).

    The written rule (pools.py, docs/engine.md §4): under replace a held request may be
    served while ``overtime < hold``, counting every server in overtime, A's member
    included, against the hold; so B's member goes home at 100 (overtime 2 → 1 = hold)
    and P2 is seen when A's member is done: 101-106. (A reading where only the closing
    crew's members are the hold would give 100; the rule counts heads, like finish.)"""
    roster = {"rosters.line.triagist": staff(("00:00-00:50", 1), ("00:00-01:00", 1))}
    patients = calls((0, 100), (1, 100), (10, 5))
    s = scenario(**roster, **rule("replace"))
    o = simulate(s, demand(s, patients))
    assert o.answer.tolist() == [0, 1, 101]


# --------------------------------------------------------------------------- ambulances

AMBULANCE_SWAP = {
    "region.areas.town.latitude": 52.1,  # the town is T minutes from station and SEH
    "rosters.station.ambulance": staff(("00:00-08:00", 1), ("08:00-24:00", 1)),
}
T = 1.3 * haversine_km(52.1, 5.0, 52.0, 5.0)  # km = minutes at 60 km/h


@pytest.mark.parametrize("while_returning", [True, False])
@pytest.mark.parametrize("name", ["finish", "replace"])
def test_ambulance_crew_change_with_a_vehicle_on_its_way_back(name, while_returning) -> None:
    """One station, crews [0, 480) and [480, 1440) of one vehicle. Incident 0 (440, not
    conveyed): decided 442, the vehicle drives T ≈ 14.46 out, on scene 442+T, leaves at
    462+T ≈ 476.46 and is back at 462+2T ≈ 490.91. Incident 1 (478) is decided at 480,
    after the crew change at 480 (roster before dispatch).

    replace: the returning vehicle's crew has ended: it goes home (overtime 480 to
    462+2T = 2T − 18 ≈ 10.91 min); the new crew's vehicle leaves the station at 480
    and arrives at 480+T, with or without dispatch while returning.
    finish (head count 1, busy 1: not in overtime): with dispatch while returning the
    returning vehicle is sent from part-way, f = (480 − (462+T))/T of its trip done:
    travel f·T = 18 − T, on scene at 498 − T ≈ 483.54. Without, it must be home first:
    dispatched at 462+2T, on scene at 462+3T."""
    s = scenario(
        **AMBULANCE_SWAP,
        **rule(name),
        **{"ambulance.dispatch_while_returning": while_returning},
    )
    d = demand(
        s,
        [
            {"t": 440, "channel": "emergency", "urgency": "U1", "conveyed": False},
            {"t": 478, "channel": "emergency", "urgency": "U1", "conveyed": False},
        ],
    )
    o = simulate(s, d)
    assert o.ambulance_dispatch[0] == 442
    assert o.ambulance_depart_scene[0] == pytest.approx(462 + T)
    if name == "replace":
        dispatched, arrival = 480, 480 + T
        overtime = 2 * T - 18
    elif while_returning:
        dispatched, arrival, overtime = 480, 498 - T, 0.0
    else:
        dispatched, arrival, overtime = 462 + 2 * T, 462 + 3 * T, 0.0
    assert o.ambulance_dispatch[1] == pytest.approx(dispatched)
    assert o.ambulance_arrival[1] == pytest.approx(arrival)
    assert overtime_minutes(o, "station/ambulance") == pytest.approx(overtime)


# ============================================================================ 2. reference


def anwsim_line(blocks: list[Block], name: str, arrivals: list[int], services: list[int]):
    """One phone line with ``blocks`` as its triagist roster, advice after triage."""
    s = scenario(**{"rosters.line.triagist": [b.as_roster_line() for b in blocks]}, **rule(name))
    o = simulate(s, demand(s, calls(*zip(arrivals, services, strict=True))))
    return o.answer.tolist(), o.triage_end.tolist(), overtime_minutes(o, "line/triagist")


def check_against_reference(blocks, arrivals, services) -> dict[str, int]:
    """Both rules: every answer and triage end, and the overtime minutes, exactly.

    Where the reference reports a closing while members of an earlier crew were still
    in overtime (replace), anwsim counts those against the hold (see
    `test_closing_after_an_earlier_crew_ended_replace_hold_is_the_closing_crew`): there
    it must equal the reference with ``hold="head_count"``. Returns counts of what the
    case exercised."""
    seen = {"rules_differ": 0, "hold_ambiguous": 0, "hold_differs": 0}
    answers = {}
    for name in ("finish", "replace"):
        answer, end, overtime = anwsim_line(blocks, name, arrivals, services)
        ref = LineReference(blocks, name).run(arrivals, services)
        got = (answer, end, overtime)
        expected = (ref.answer, ref.end, ref.overtime_minutes)
        if ref.hold_ambiguous:
            seen["hold_ambiguous"] += 1
            if got != expected:
                seen["hold_differs"] += 1
                alt = LineReference(blocks, name, hold="head_count").run(arrivals, services)
                expected = (alt.answer, alt.end, alt.overtime_minutes)
        assert got == expected, (name, blocks, arrivals, services)
        answers[name] = answer
    seen["rules_differ"] = int(answers["finish"] != answers["replace"])
    return seen


BOUNDARY_MINUTES = [0, 30, 60, 90, 120, 180, 240]
LENGTHS = [30, 60, 90, 120, 1440]


def boundaries(blocks: list[Block]) -> list[int]:
    return sorted({b.start for b in blocks} | {(b.start + b.length) % 1440 for b in blocks})


@st.composite
def line_cases(draw):
    """Blocks on whole minutes: often contiguous with the block before (a crew swap at
    its end), starts often on a few shared boundaries, lengths often equal, 24-hour
    blocks that swap with themselves, staff 0 to 3 (at least one > 0). Arrivals: many on
    a block boundary or just before one; integer service times."""
    blocks: list[Block] = []
    for _ in range(draw(st.integers(1, 4))):
        if blocks and draw(st.booleans()):
            start = (blocks[-1].start + blocks[-1].length) % 1440
        else:
            start = draw(st.one_of(st.sampled_from(BOUNDARY_MINUTES), st.integers(0, 1439)))
        length = draw(st.one_of(st.sampled_from(LENGTHS), st.integers(1, 1440)))
        blocks.append(Block(start, length, draw(st.integers(0, 3))))
    if all(b.staff == 0 for b in blocks):
        blocks[0] = Block(blocks[0].start, blocks[0].length, draw(st.integers(1, 3)))
    near = [max(0, t - k) for t in boundaries(blocks) for k in (0, 0, 1, 5)]
    n = draw(st.integers(1, 25))
    arrivals = draw(
        st.lists(st.one_of(st.sampled_from(near), st.integers(0, 300)), min_size=n, max_size=n)
    )
    services = draw(st.lists(st.integers(1, 60), min_size=n, max_size=n))
    return blocks, arrivals, services


def seeded_case(rng: random.Random) -> tuple[list[Block], list[int], list[int]]:
    """A case of the same shape as `line_cases`, from a seeded generator."""
    blocks: list[Block] = []
    for _ in range(rng.randint(1, 4)):
        if blocks and rng.random() < 0.5:
            start = (blocks[-1].start + blocks[-1].length) % 1440
        else:
            start = rng.choice([*BOUNDARY_MINUTES, rng.randrange(1440)])
        length = rng.choice([*LENGTHS, rng.randint(1, 1440)])
        blocks.append(Block(start, length, rng.randint(0, 3)))
    if all(b.staff == 0 for b in blocks):
        blocks[0] = Block(blocks[0].start, blocks[0].length, 1)
    near = [max(0, t - k) for t in boundaries(blocks) for k in (0, 0, 1, 5)]
    n = rng.randint(1, 25)
    arrivals = [rng.choice(near) if rng.random() < 0.4 else rng.randint(0, 300) for _ in range(n)]
    return blocks, arrivals, [rng.randint(1, 60) for _ in range(n)]


@settings(
    max_examples=40,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(line_cases())
def test_line_against_the_reference_random_rosters(case) -> None:
    check_against_reference(*case)


def test_line_against_the_reference_seeded_loop() -> None:
    """150 more random cases from a seeded generator; in a fair share of them the two
    rules give different answer times (so the comparison is not only of head counts)."""
    rng = random.Random(20240611)
    seen = {"rules_differ": 0, "hold_ambiguous": 0, "hold_differs": 0}
    for _ in range(150):
        for key, value in check_against_reference(*seeded_case(rng)).items():
            seen[key] += value
    assert seen["rules_differ"] >= 30, seen
    assert seen["hold_differs"] <= seen["hold_ambiguous"] <= 10, seen


def test_reference_reproduces_the_hand_computations() -> None:
    """The reference itself gives the hand-derived numbers of the swap and the drop."""
    swap = [Block(0, 60, 2), Block(60, 1380, 2)]
    arrivals, services = [40, 45, 50, 55, 58], [30, 40, 5, 5, 5]
    assert LineReference(swap, "finish").run(arrivals, services).answer == [40, 45, 70, 75, 80]
    ref = LineReference(swap, "replace").run(arrivals, services)
    assert ref.answer == [40, 45, 60, 60, 65] and ref.overtime_minutes == 35
    drop = [Block(0, 60, 3), Block(60, 1380, 1)]
    arrivals, services = [30, 35, 40, 45, 50], [40, 40, 40, 5, 5]
    ref = LineReference(drop, "finish").run(arrivals, services)
    assert ref.answer == [30, 35, 40, 80, 85] and ref.overtime_minutes == 25
    ref = LineReference(drop, "replace").run(arrivals, services)
    assert ref.answer == [30, 35, 40, 60, 65] and ref.overtime_minutes == 45
    early = [Block(0, 50, 1), Block(0, 60, 1)]
    arrivals, services = [0, 1, 10], [100, 100, 5]
    assert LineReference(early, "replace").run(arrivals, services).answer == [0, 1, 100]
    ref = LineReference(early, "replace", hold="head_count").run(arrivals, services)
    assert ref.answer == [0, 1, 101] and ref.hold_ambiguous


# ============================================================================ 3. statistics


def test_replace_waits_less_and_works_more_overtime_than_finish() -> None:
    """A heavily loaded line (ρ ≈ 0.9) with a crew change every hour, alternating 3 and
    4 triagists, over two days; exponential arrivals and triage times rounded to whole
    minutes. Paired on the same Demand: the mean wait is shorter under replace (the new
    crew starts at full number) and the overtime longer (every hour a whole crew's busy
    members work on), in each of 4 seeds; the reference agrees exactly on every run."""
    blocks = [Block(60 * h, 60, 3 + h % 2) for h in range(24)]
    lines = [b.as_roster_line() for b in blocks]
    diffs = []
    for seed in range(4):
        rng = np.random.default_rng(seed)
        services = np.maximum(1, np.rint(rng.exponential(10.0, 1000))).astype(int)
        gaps = rng.exponential(10.0 / (3.5 * 0.9), 1000)
        arrivals = np.floor(np.cumsum(gaps)).astype(int)
        keep = arrivals < 2 * 1440
        arrivals, services = arrivals[keep].tolist(), services[keep].tolist()
        waits, overtime = {}, {}
        for name in ("finish", "replace"):
            s = scenario(**{"rosters.line.triagist": lines}, **rule(name))
            o = simulate(s, demand(s, calls(*zip(arrivals, services, strict=True))))
            waits[name] = float(np.mean(o.answer - o.call))
            overtime[name] = overtime_minutes(o, "line/triagist")
            ref = LineReference(blocks, name).run(arrivals, services)
            assert o.answer.tolist() == ref.answer
            assert overtime[name] == ref.overtime_minutes
        assert waits["replace"] < waits["finish"], (seed, waits)
        assert overtime["replace"] > overtime["finish"] > 0, (seed, overtime)
        diffs.append(waits["finish"] - waits["replace"])
    assert np.mean(diffs) > 3 * np.std(diffs, ddof=1) / np.sqrt(len(diffs))
