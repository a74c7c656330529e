"""Waiting per queue and hour of the week (`anwsim.metrics.queues`) on hand-placed
patients whose waits are known exactly, and Little's law on many of them."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from anwsim.metrics.queues import COLUMNS, HOURS_PER_WEEK, queue_waits, queues_by_hour_of_week
from anwsim.model import simulate
from anwsim.model.outcomes import EXITS, Outcomes, ResourceTable
from anwsim.sampling import DemandSampler
from anwsim.scenario import DISPOSITIONS, Scenario, validate_data
from anwsim.scenario.intensity import scenario_calendar
from anwsim.scenario.routing import Routing

from .handplaced import outcomes, scenario

QUEUES = (
    ("hds", "triagist"),
    ("hds", "gp_supervisor"),
    ("hap_a", "gp_consult"),
    ("hap_a", "gp_visit"),
    ("seh_1", "treatment_place"),
    ("seh_1", "seh_doctor"),
    ("all_stations", "ambulance"),
)
TRIAGE, SUPERVISION, CONSULT, VISIT, PLACES, DOCTORS, FLEET = range(len(QUEUES))
WEEK = HOURS_PER_WEEK * 60.0


@pytest.fixture(scope="module")
def base() -> Scenario:
    return scenario()


def make(s: Scenario, patients: list[dict[str, Any]], **kwargs: Any) -> Outcomes:
    return outcomes(s, patients, queues=QUEUES, **kwargs)


def table(
    o: Outcomes, start: float = 0.0, end: float = 2 * WEEK, s: Scenario | None = None
) -> pd.DataFrame:
    return queues_by_hour_of_week(o, start, end, scenario=s)


def cell(frame: pd.DataFrame, queue: int, hour: int, column: str) -> float:
    site, role = QUEUES[queue]
    rows = frame[(frame.site == site) & (frame.role == role) & (frame.hour_of_week == hour)]
    assert len(rows) == 1
    return float(rows[column].iloc[0])


def consult(arrival: float, start: float) -> dict[str, Any]:
    return {
        "entry": "walk_in_gp",
        "call": arrival,
        "post": 0,
        "post_arrival": arrival,
        "consult_start": start,
        "exit_via": "consult",
    }


def test_columns_and_a_wait_inside_one_hour(base: Scenario) -> None:
    frame = table(make(base, [consult(70.0, 100.0)]), s=base)
    assert list(frame.columns) == list(COLUMNS)
    assert len(frame) == len(QUEUES) * HOURS_PER_WEEK
    assert cell(frame, CONSULT, 1, "waiting_minutes") == 30.0
    assert cell(frame, CONSULT, 1, "waits_started") == 1
    assert cell(frame, CONSULT, 1, "wait_minutes") == 30.0
    assert cell(frame, CONSULT, 1, "observed_minutes") == 120.0  # two weeks
    others = frame[~((frame.role == "gp_consult") & (frame.hour_of_week == 1))]
    assert others[["waiting_minutes", "waits_started", "wait_minutes"]].to_numpy().sum() == 0


def test_a_wait_across_hours_is_split(base: Scenario) -> None:
    # visit requested at 1:40, the car leaves at 4:10 (arrives 4:20 after 10 min)
    visit = {
        "disposition": "home_visit",
        "entry": "emergency_112",
        "visit_post": 0,
        "visit_request": 100.0,
        "visit_start": 260.0,
        "response_travel": 10.0,
        "exit_via": "home_visit",
    }
    frame = table(make(base, [visit]), s=base)
    waiting = [cell(frame, VISIT, h, "waiting_minutes") for h in range(6)]
    assert waiting == [0.0, 20.0, 60.0, 60.0, 10.0, 0.0]
    assert cell(frame, VISIT, 1, "waits_started") == 1
    assert cell(frame, VISIT, 1, "wait_minutes") == 150.0


def test_week_boundary_and_two_weeks_add_up(base: Scenario) -> None:
    # Sunday 23:50 to Monday 00:10, and the same hour of the next week
    patients = [consult(WEEK - 10, WEEK + 10), consult(2 * WEEK - 5, 2 * WEEK - 1)]
    frame = table(make(base, patients), s=base)
    assert cell(frame, CONSULT, 167, "waiting_minutes") == 14.0
    assert cell(frame, CONSULT, 0, "waiting_minutes") == 10.0
    assert cell(frame, CONSULT, 167, "waits_started") == 2
    assert cell(frame, CONSULT, 167, "wait_minutes") == 24.0


def test_window_clips_waiting_but_waits_count_where_they_begin(base: Scenario) -> None:
    # window from 0:30 to 2:00 of week 1 only; a wait 0:10-0:50, one 1:50-2:30
    patients = [consult(10.0, 50.0), consult(110.0, 150.0)]
    frame = table(make(base, patients), start=30.0, end=120.0, s=base)
    assert cell(frame, CONSULT, 0, "observed_minutes") == 30.0
    assert cell(frame, CONSULT, 1, "observed_minutes") == 60.0
    assert cell(frame, CONSULT, 2, "observed_minutes") == 0.0
    assert cell(frame, CONSULT, 0, "waiting_minutes") == 20.0
    assert cell(frame, CONSULT, 1, "waiting_minutes") == 10.0
    # the first began before the window: not counted; the second counts whole (40 min)
    assert cell(frame, CONSULT, 0, "waits_started") == 0
    assert cell(frame, CONSULT, 1, "waits_started") == 1
    assert cell(frame, CONSULT, 1, "wait_minutes") == 40.0


def test_unserved_patients_wait_until_the_stop(base: Scenario) -> None:
    still = {
        "entry": "walk_in_gp",
        "call": 200.0,
        "post": 0,
        "post_arrival": 200.0,
        "exit_via": "unserved",
        "unserved_queue": CONSULT,
        "exit": 300.0,
    }
    o = make(base, [still])
    o.stopped_at = 300.0
    frame = table(o, s=base)
    assert [cell(frame, CONSULT, h, "waiting_minutes") for h in (3, 4, 5)] == [40.0, 60.0, 0.0]
    assert cell(frame, CONSULT, 3, "wait_minutes") == 100.0
    # a caller on hold at the stop, first attempt
    caller = {"call": 250.0, "attempts": 1, "exit_via": "unserved", "unserved_queue": TRIAGE}
    o = make(base, [caller])
    o.stopped_at = 300.0
    assert cell(table(o, s=base), TRIAGE, 4, "waiting_minutes") == 50.0


def test_triage_line_what_is_known(base: Scenario) -> None:
    patients = [
        # answered on the second attempt, which began at 1:05: 4 minutes on hold
        {"attempts": 2, "answered_attempt_start": 65.0, "answer": 69.0, "triage_end": 75.0},
        # hung up on the only attempt after 3 minutes
        {"call": 70.0, "attempts": 1, "abandon": 73.0, "exit_via": "abandoned"},
        # hung up on the second attempt: its start is not known, left out
        {
            "call": 70.0,
            "attempts": 2,
            "abandoned_attempts": 2,
            "abandon": 90.0,
            "exit_via": "abandoned",
        },
        # busy signal: no wait
        {"call": 70.0, "attempts": 1, "blocked_attempts": 1, "exit_via": "blocked"},
        # accepted a call-back after 1 min, called back 20 min after calling
        {
            "call": 80.0,
            "attempts": 1,
            "called_back": True,
            "call_back_requested": 81.0,
            "answered_attempt_start": 80.0,
            "answer": 100.0,
            "triage_end": 105.0,
            "disposition": "advice",
        },
    ]
    frame = table(make(base, patients), s=base)
    assert cell(frame, TRIAGE, 1, "waits_started") == 3
    assert cell(frame, TRIAGE, 1, "wait_minutes") == 4.0 + 3.0 + 20.0
    assert cell(frame, TRIAGE, 1, "waiting_minutes") == 27.0


def test_supervision_and_call_backs(base: Scenario) -> None:
    assert base.triage.callback_by == "gp_supervisor"
    patients = [
        {"answered_attempt_start": 60.0, "answer": 60.0, "triage_end": 70.0,
         "supervision_start": 75.0, "supervision_end": 77.0, "disposition": "advice"},
        {"answered_attempt_start": 60.0, "answer": 60.0, "triage_end": 70.0,
         "disposition": "gp_callback", "callback_start": 130.0, "callback_end": 140.0},
    ]  # fmt: skip
    o = make(base, patients)
    frame = table(o, s=base)
    assert cell(frame, SUPERVISION, 1, "waits_started") == 2
    assert cell(frame, SUPERVISION, 1, "wait_minutes") == 5.0 + 60.0
    assert cell(frame, SUPERVISION, 1, "waiting_minutes") == 5.0 + 50.0
    assert cell(frame, SUPERVISION, 2, "waiting_minutes") == 10.0
    # without the scenario, call-backs (whose queue is a scenario setting) are left out
    frame = table(o)
    assert cell(frame, SUPERVISION, 1, "wait_minutes") == 5.0


def test_seh_places_doctors_and_ambulance(base: Scenario) -> None:
    ride = {
        "entry": "emergency_112",
        "disposition": "ambulance",
        "incident": 60.0,
        "ambulance_dispatch": 65.0,
        "ambulance_at_seh": 100.0,
        "seh": 0,
        "seh_arrival": 100.0,
        "seh_start": 112.0,
        "handover_start": 112.0,
        "handover_end": 120.0,
        "seh_doctor": 125.0,
        "exit_via": "seh",
    }
    walk_in = {"entry": "walk_in_seh", "seh": 0, "seh_arrival": 60.0, "seh_start": 60.0,
               "seh_doctor": 90.0, "exit_via": "seh"}  # fmt: skip
    resources = ResourceTable()
    resources.name.append("seh_1/seh_doctor")
    resources.role.append("seh_doctor")
    resources.site.append("seh_1")
    resources.times.append(np.array([0.0]))
    resources.busy.append(np.array([0]))
    resources.capacity.append(np.array([1]))
    frame = table(make(base, [ride, walk_in], resources=resources), s=base)
    assert cell(frame, FLEET, 1, "wait_minutes") == 5.0  # incident to dispatch
    assert cell(frame, PLACES, 1, "wait_minutes") == 12.0 + 0.0
    assert cell(frame, PLACES, 1, "waits_started") == 2
    # doctor: the ambulance patient from the end of the handover, the walk-in from 1:00
    assert cell(frame, DOCTORS, 2, "wait_minutes") == 5.0
    assert cell(frame, DOCTORS, 1, "wait_minutes") == 30.0
    # an SEH that never has a doctor on duty has no doctor queue
    frame = table(make(base, [ride, walk_in]), s=base)
    assert frame[frame.role == "seh_doctor"]["waits_started"].sum() == 0


def test_empty_queue_and_no_patients(base: Scenario) -> None:
    frame = table(make(base, [consult(70.0, 100.0)]), s=base)
    empty = frame[frame.role == "gp_visit"]
    assert len(empty) == HOURS_PER_WEEK
    assert (empty[["waiting_minutes", "wait_minutes", "waits_started"]].to_numpy() == 0).all()
    assert (empty["observed_minutes"] == 120.0).all()
    frame = table(make(base, []), s=base)
    assert len(frame) == len(QUEUES) * HOURS_PER_WEEK
    assert frame["waiting_minutes"].sum() == 0
    none = queues_by_hour_of_week(outcomes(base, []), 0.0, WEEK)
    assert list(none.columns) == list(COLUMNS) and none.empty


def test_littles_law_on_many_waits(base: Scenario) -> None:
    rng = np.random.default_rng(15)
    arrivals = rng.uniform(0.0, 3 * WEEK, 500)
    waits = rng.exponential(90.0, 500)
    waits[::7] = 0.0
    patients = [consult(a, a + w) for a, w in zip(arrivals, waits, strict=True)]
    start, end = 0.4 * WEEK, 2.3 * WEEK
    frame = table(make(base, patients), start=start, end=end, s=base)
    clipped = np.clip(arrivals + waits, start, end) - np.clip(arrivals, start, end)
    assert frame["waiting_minutes"].sum() == pytest.approx(clipped.sum(), rel=1e-12)
    began = (arrivals >= start) & (arrivals < end)
    assert frame["waits_started"].sum() == began.sum()
    assert frame["wait_minutes"].sum() == pytest.approx(waits[began].sum(), rel=1e-12)
    # every hour of the week observed for the window's length in all
    assert frame[frame.role == "gp_consult"]["observed_minutes"].sum() == pytest.approx(end - start)
    w = queue_waits(make(base, patients), base)
    assert w.queue.size == 500 and (w.queue == CONSULT).all()


def test_call_backs_to_the_nearest_open_post(base: Scenario) -> None:
    """``callback_by: gp_consult``: the vectorised nearest open post is the model's."""
    routing = Routing(base, scenario_calendar(base))
    rng = np.random.default_rng(3)
    places = rng.choice(routing.area_place, 300)
    times = rng.uniform(0.0, 2 * WEEK, 300)
    got = routing.nearest_open_posts(places, times)
    want = [routing.nearest_open_post(int(p), float(t)) for p, t in zip(places, times, strict=True)]
    assert got.tolist() == [-1 if w is None else w for w in want]
    assert (got == -1).any() and (got >= 0).any()  # closed by day, open at night


# ------------------------------------------------------------------ against the model


def _variant() -> Scenario:
    """Two triage centres, call-backs by the consult GP of the nearest open post, call-backs
    instead of hang-ups, doctors at SEH 1, and a stop two hours after the horizon (so
    that some patients are still waiting)."""
    data = scenario().model_dump(mode="json")
    areas = list(data["region"]["areas"])
    centre = data["sites"]["triage_centres"]["hds"]
    data["sites"]["triage_centres"] = {
        "hds": {**centre, "areas": areas[:6]},
        "hds_b": {**centre, "name": "Second line", "areas": areas[6:]},
    }
    data["rosters"]["hds_b"] = data["rosters"]["hds"]
    data["rosters"]["seh_1"]["seh_doctor"] = [{"days": ["all"], "hours": "00:00-24:00", "staff": 1}]
    data["seh"]["doctor_assessment_minutes"] = {
        "kind": "gamma",
        "mean_minutes": 20,
        "sd_minutes": 10,
    }
    data["triage"]["callback_by"] = "gp_consult"
    data["triage"]["call_back_instead_of_abandon"] = True
    data["run"].update(horizon_weeks=1, drain_days=2 / 24)
    return validate_data(data)


@pytest.mark.parametrize("variant", ["baseline", "variant"])
def test_every_wait_ends_at_a_grant_of_its_pool(variant: str) -> None:
    """On the SimPy model's trace, every grant (patient, pool, time) is the end of one
    wait, in that queue; the waits that end otherwise are callers who hung up and
    patients still waiting at the stop."""
    s = scenario() if variant == "baseline" else _variant()
    o, trace = simulate(s, DemandSampler(s).sample(0), trace=True, engine="simpy")
    w = queue_waits(o, s)
    unserved = (o.exit_via[w.patient] == EXITS.index("unserved")) & (
        o.unserved_queue[w.patient] == w.queue
    )
    hung_up = o.exit_via[w.patient] == EXITS.index("abandoned")
    assert (w.end[unserved] == o.stopped_at).all()
    assert (w.end >= w.begin).all()
    granted = ~unserved & ~hung_up
    grants = trace[trace.kind == "grant"]
    ours = pd.DataFrame({"patient": w.patient, "pool": w.queue, "time": w.end})[granted]
    theirs = grants[["patient", "pool", "time"]]
    ours = ours.sort_values(["patient", "pool", "time"]).to_numpy()
    theirs = theirs.sort_values(["patient", "pool", "time"]).to_numpy()
    assert ours.shape == theirs.shape
    assert (ours[:, :2] == theirs[:, :2]).all()
    assert np.allclose(ours[:, 2], theirs[:, 2], rtol=0, atol=1e-6)
    if variant == "variant":
        roles = {o.queues[q] for q in np.unique(w.queue)}
        assert {("hds_b", "triagist"), ("seh_1", "seh_doctor")} <= roles
        assert unserved.any()
        callbacks = o.disposition[w.patient] == DISPOSITIONS.index("gp_callback")
        consult_roles = {o.queues[q][1] for q in w.queue[callbacks & ~unserved & ~hung_up]}
        assert "gp_consult" in consult_roles
