"""Hand-placed patients with fixed durations: every timestamp as computed by hand.

These pin down the equal-time order of `anwsim.model.clock` (end, roster, dispatch,
patience, arrival) and the end-of-shift and closing rules of `anwsim.model.pools`.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from anwsim.metrics import group_integrals
from anwsim.model import EXITS
from anwsim.scenario.travel import haversine_km

from .handmade import demand, scenario
from .reference import simulate


def staff(*blocks: tuple[str, int], days: tuple[str, ...] = ("all",)) -> list[dict]:
    return [{"days": list(days), "hours": hours, "staff": n} for hours, n in blocks]


def resources(outcomes, name: str):
    res = outcomes.resources
    g = res.name.index(name)
    return res.times[g], res.busy[g], res.capacity[g]


# --------------------------------------------------------------------------- phone line


def test_fifo_and_emergency_line_first() -> None:
    s = scenario()
    d = demand(
        s,
        [
            {"t": 10, "channel": "call"},  # answered 10, triage to 15
            {"t": 12, "channel": "call"},  # waits; the U1 caller overtakes
            {"t": 13, "channel": "call", "urgency": "U1"},  # emergency line
        ],
    )
    o = simulate(s, d)
    assert o.answer.tolist() == [10, 20, 15]
    assert o.triage_end.tolist() == [15, 25, 20]
    assert o.exit.tolist() == [15, 25, 20]
    assert [EXITS[v] for v in o.exit_via] == ["advice"] * 3


def test_capacity_drop_at_the_minute_of_an_arrival() -> None:
    """Roster before arrival: the caller at 60 meets the reduced capacity."""
    s = scenario(**{"rosters.line.triagist": staff(("00:00-01:00", 2), ("01:00-24:00", 1))})
    d = demand(
        s,
        [
            {"t": 50, "channel": "call", "triage_minutes": 20},  # busy 50-70
            {"t": 60, "channel": "call", "triage_minutes": 5},  # capacity is 1 at 60
        ],
    )
    o = simulate(s, d)
    assert o.answer.tolist() == [50, 70]


def test_capacity_rise_at_the_minute_of_an_arrival() -> None:
    s = scenario(**{"rosters.line.triagist": staff(("00:00-01:00", 1), ("01:00-24:00", 2))})
    d = demand(
        s,
        [
            {"t": 50, "channel": "call", "triage_minutes": 20},
            {"t": 55, "channel": "call", "triage_minutes": 5},  # waits for the new shift
            {"t": 60, "channel": "call", "triage_minutes": 5},  # arrives as it starts
        ],
    )
    o = simulate(s, d)
    assert o.answer.tolist() == [50, 60, 65]


def test_release_at_shift_end_does_not_take_a_new_patient() -> None:
    """End before roster before dispatch: the GP whose shift ends at 60 goes home."""
    s = scenario(**{"rosters.line.triagist": staff(("00:00-01:00", 2), ("01:00-24:00", 1))})
    d = demand(
        s,
        [
            {"t": 40, "channel": "call", "triage_minutes": 20},  # 40-60
            {"t": 45, "channel": "call", "triage_minutes": 30},  # 45-75
            {"t": 50, "channel": "call", "triage_minutes": 5},  # waits until 75
        ],
    )
    o = simulate(s, d)
    assert o.answer.tolist() == [40, 45, 75]
    _, busy, capacity = resources(o, "line/triagist")
    started = np.flatnonzero(np.diff(busy) > 0) + 1  # log points where a task started
    assert np.all(busy[started] <= capacity[started])


def test_patience_ends_at_the_minute_a_triagist_frees_up() -> None:
    """Dispatch before patience: the caller is answered, not lost."""
    s = scenario()
    d = demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {"t": 4, "channel": "call", "patience_minutes": 6},  # gives up at 10 = answer time
            {"t": 5, "channel": "call", "patience_minutes": 3},  # gives up at 8
        ],
    )
    o = simulate(s, d)
    assert o.answer[1] == 10
    assert math.isnan(o.answer[2]) and o.abandon[2] == 8
    assert EXITS[o.exit_via[2]] == "abandoned" and o.exit[2] == 8


def test_redial_is_the_same_patient_counted_once() -> None:
    s = scenario()
    d = demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 30},
            {
                "t": 1,
                "channel": "call",
                "patience_minutes": [2, 2, 100, 100],  # hangs up at 3 and at 3+4+2 = 9
                "redials": [True, True, False],
                "redial_delay_minutes": [4, 6, 1],  # redials at 7 and at 15
            },
        ],
    )
    o = simulate(s, d)
    assert o.attempts[1] == 3 and o.abandoned_attempts[1] == 2
    assert o.answered_attempt_start[1] == 15 and o.answer[1] == 30
    assert o.exits.tolist() == [1, 1]


# --------------------------------------------------------------------------- GP post


def test_post_closes_while_patients_wait() -> None:
    """Patients waiting at closing are still seen (overtime); later ones go elsewhere."""
    s = scenario(
        **{
            "sites.gp_posts.post.opening": [{"days": ["all"], "hours": "00:00-02:00"}],
            "rosters.post.gp_consult": staff(("00:00-02:00", 1)),
            "rosters.post.gp_visit": staff(("00:00-02:00", 1)),
            "rosters.seh.treatment_place": staff(("00:00-24:00", 5)),
        }
    )
    d = demand(
        s,
        [
            {"t": 100, "channel": "walk_in", "consult_minutes": 15},  # 100-115
            {"t": 110, "channel": "walk_in", "consult_minutes": 30},  # 115-145
            {"t": 118, "channel": "walk_in", "consult_minutes": 10},  # waits; 145-155
            {"t": 125, "channel": "walk_in", "seh_stay_minutes": 40},  # post closed: to the SEH
        ],
    )
    o = simulate(s, d)
    assert o.consult_start[:3].tolist() == [100, 115, 145]
    assert o.consult_end[:3].tolist() == [115, 145, 155]
    assert math.isnan(o.consult_start[3])
    assert o.seh_start[3] == 125 and o.exit[3] == 165 and EXITS[o.exit_via[3]] == "seh"
    g = group_integrals(o, 0.0, 7 * 24 * 60.0).set_index("group")
    assert g.loc["post/gp_consult", "overtime_minutes"] == pytest.approx(35.0)  # 120 to 155


def test_priority_by_urgency_then_arrival_at_the_post() -> None:
    s = scenario()
    d = demand(
        s,
        [
            {"t": 0, "channel": "walk_in", "urgency": "U4", "consult_minutes": 10},
            {"t": 1, "channel": "walk_in", "urgency": "U4"},
            {"t": 2, "channel": "walk_in", "urgency": "U2"},
            {"t": 3, "channel": "walk_in", "urgency": "U3"},
        ],
    )
    o = simulate(s, d)
    assert o.consult_start.tolist() == [0, 30, 10, 20]


def test_consult_includes_travel_to_the_post() -> None:
    """An area 0.1 degree of latitude north of the post: travel by the road model."""
    s = scenario(**{"region.areas.town.latitude": 52.1})
    km = 1.3 * haversine_km(52.1, 5.0, 52.0, 5.0)
    minutes = km / 60.0 * 60.0
    d = demand(s, [{"t": 10, "channel": "walk_in"}])
    o = simulate(s, d)
    assert o.travel_to_post[0] == pytest.approx(minutes, rel=1e-12)
    assert o.consult_start[0] == pytest.approx(10 + minutes, rel=1e-12)
    assert o.post_arrival[0] == o.consult_start[0]


# --------------------------------------------------------------------------- ambulance and SEH


def test_ambulance_ride_with_handover_at_a_full_seh() -> None:
    s = scenario(**{"region.areas.town.latitude": 52.1})
    trip = 1.3 * haversine_km(52.1, 5.0, 52.0, 5.0)  # km = minutes at 60 km/h
    d = demand(
        s,
        [
            {"t": 0, "channel": "walk_in", "disposition": "seh", "seh_stay_minutes": 100},
            {"t": 10, "channel": "emergency", "urgency": "U1"},
        ],
    )
    o = simulate(s, d)
    # Patient 0 travels to the SEH (trip minutes) and holds its only place for 100 min.
    assert o.seh_start[0] == pytest.approx(trip)
    place_free = trip + 100
    # Patient 1: dispatch delay 2, vehicle at the station next to the SEH drives out.
    assert o.ambulance_dispatch[1] == 12
    assert o.ambulance_arrival[1] == pytest.approx(12 + trip)
    assert o.ambulance_depart_scene[1] == pytest.approx(12 + trip + 20)
    assert o.ambulance_at_seh[1] == pytest.approx(12 + 2 * trip + 20)
    assert o.handover_start[1] == pytest.approx(place_free)  # waits for the place
    assert o.handover_end[1] == pytest.approx(place_free + 10)
    assert o.exit[1] == pytest.approx(place_free + 60)
    times, busy, _ = resources(o, "station/ambulance")
    back = place_free + 10  # the vehicle is at the SEH's site, next to its station
    assert times[-1] == pytest.approx(back) and busy[-1] == 0


def test_every_hand_placed_patient_leaves_once() -> None:
    s = scenario()
    d = demand(
        s,
        [
            {"t": float(t), "channel": c}
            for t, c in zip(range(0, 63, 3), ["call", "walk_in", "emergency"] * 7, strict=True)
        ],
    )
    o = simulate(s, d)
    assert o.exits.tolist() == [1] * len(d)
    assert set(o.exit_via.tolist()) <= set(range(len(EXITS)))


def test_call_back_instead_of_abandon_keeps_the_place_in_the_queue() -> None:
    s = scenario(**{"triage.call_back_instead_of_abandon": True})
    d = demand(
        s,
        [
            {"t": 0, "channel": "call", "triage_minutes": 10},
            {"t": 1, "channel": "call", "patience_minutes": 2},  # offered a call-back at 3
            {"t": 2, "channel": "call", "patience_minutes": 100},
        ],
    )
    o = simulate(s, d)
    assert o.called_back.tolist() == [False, True, False]
    assert o.call_back_requested[1] == 3
    assert o.answer.tolist() == [0, 10, 15]  # keeps its place: called back at 10
    assert [EXITS[v] for v in o.exit_via] == ["advice"] * 3
    assert o.abandoned_attempts.sum() == 0


def test_ambulances_skip_an_seh_without_ambulance_intake() -> None:
    far = {"name": "Far SEH", "latitude": 52.2, "longitude": 5.0}
    s = scenario(
        **{
            "sites.sehs": {
                "seh": {**BASE_SEH, "ambulance_intake": False},
                "far": far,
            },
            "rosters.far": {"treatment_place": staff(("00:00-24:00", 2))},
        }
    )
    d = demand(
        s,
        [
            {"t": 0, "channel": "emergency", "urgency": "U1"},
            {"t": 0, "channel": "walk_in", "disposition": "seh"},
        ],
    )
    o = simulate(s, d)
    trip = 1.3 * haversine_km(52.0, 5.0, 52.2, 5.0)  # minutes at 60 km/h
    assert o.seh.tolist() == [1, 0]  # the ride goes to the far SEH, the walk-in does not
    assert o.ambulance_at_seh[0] == pytest.approx(2 + 0 + 20 + trip)


BASE_SEH = {"name": "SEH", "latitude": 52.0, "longitude": 5.0}


def test_patient_arriving_at_a_closed_seh_travels_on() -> None:
    """SEH 'near' closes at 01:00; a patient who set off at 00:50 (trip ~14 min) finds it
    closed and goes on to 'far'."""
    s = scenario(
        **{
            "region.areas.town.latitude": 52.1,
            "sites.sehs": {
                "seh": {
                    **BASE_SEH,
                    "latitude": 52.0,
                    "opening": [{"days": ["all"], "hours": "00:00-01:00"}],
                },
                "far": {"name": "Far SEH", "latitude": 52.2, "longitude": 5.0},
            },
            "rosters.seh": {"treatment_place": staff(("00:00-01:00", 1))},
            "rosters.far": {"treatment_place": staff(("00:00-24:00", 1))},
        }
    )
    d = demand(s, [{"t": 50, "channel": "walk_in", "disposition": "seh"}])
    o = simulate(s, d)
    leg = 1.3 * haversine_km(52.1, 5.0, 52.0, 5.0)  # town -> near (which is nearer)
    on = 1.3 * haversine_km(52.0, 5.0, 52.2, 5.0)  # near -> far
    assert 50 + leg > 60  # it closes before the patient arrives
    assert o.seh[0] == 1
    assert o.seh_arrival[0] == pytest.approx(50 + leg + on)
    assert o.travel_to_seh[0] == pytest.approx(leg + on)
