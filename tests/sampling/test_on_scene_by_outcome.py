"""``ambulance.on_scene_minutes`` by the ride's outcome: ``{conveyed: X, not_conveyed: Y}``.

Sampling (`anwsim.sampling.demand`): a single distribution draws every row from the
stream ``ambulance_on_scene`` (per channel), as before; by outcome, the conveyed rows
come from that same stream with X (so they equal the single-distribution draws of X
exactly), the not-conveyed rows from its substream 1 with Y. The model then holds the
vehicle of a ride that conveys nobody for the on-scene time plus the drive back.
"""

from __future__ import annotations

import copy
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from anwsim.model import EXITS, simulate
from anwsim.sampling import DemandSampler, sample_demand
from anwsim.sampling.demand import _Draw
from anwsim.sampling.streams import ReplicationStreams, stream_key
from anwsim.scenario import ScenarioError, load_scenario, validate_data
from anwsim.scenario.schema import MINUTES_PER_YEAR, OnSceneMinutes
from anwsim.scenario.travel import haversine_km

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
SHORT = ["run.horizon_weeks=3"]
X = "{kind: gamma, mean_minutes: 20, sd_minutes: 8}"  # the baseline's on-scene time
Y = "{kind: lognormal, mean_minutes: 12, sd_minutes: 5}"
BY_OUTCOME = f"ambulance.on_scene_minutes={{conveyed: {X}, not_conveyed: {Y}}}"


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


@pytest.fixture(scope="module")
def single():
    s = load_scenario(BASELINE, SHORT)
    return s, sample_demand(s, replication=0)


@pytest.fixture(scope="module")
def by_outcome():
    s = load_scenario(BASELINE, [*SHORT, BY_OUTCOME])
    return s, sample_demand(s, replication=0)


# --------------------------------------------------------------------------- schema


def test_schema_accepts_both_forms(single, by_outcome) -> None:
    s, _ = single
    assert not isinstance(s.ambulance.on_scene_minutes, OnSceneMinutes)
    assert s.ambulance.on_scene_minutes.mean() == pytest.approx(20)
    s, _ = by_outcome
    on_scene = s.ambulance.on_scene_minutes
    assert isinstance(on_scene, OnSceneMinutes)
    assert (on_scene.conveyed.mean(), on_scene.not_conveyed.mean()) == pytest.approx((20, 12))


@pytest.mark.parametrize(
    "value",
    [
        f"{{conveyed: {X}}}",
        f"{{not_conveyed: {Y}}}",
        f"{{conveyed: {X}, not_conveyed: {Y}, stretcher: {Y}}}",
    ],
)
def test_schema_rejects_an_incomplete_table(value: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, [*SHORT, f"ambulance.on_scene_minutes={value}"])
    assert info.value.path[:2] == ("ambulance", "on_scene_minutes")


def test_incomplete_table_error_names_the_missing_outcome() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASELINE, [*SHORT, f"ambulance.on_scene_minutes={{conveyed: {X}}}"])
    assert "not_conveyed" in str(info.value)


# --------------------------------------------------------------------------- sampling


def test_single_distribution_is_the_old_stream(single) -> None:
    """Per channel, the column is the first draws of the channel's substream of
    ``ambulance_on_scene`` (redrawn here with the same kernel); NaN where the entry
    needs no ambulance (SEH walk-ins)."""
    s, d = single
    streams = ReplicationStreams(s.run.seed, 0)
    draw = _Draw("numba")
    checked = 0
    for k, name in enumerate(s.demand.channels):
        rows = np.flatnonzero(d.channel == k)
        assert rows.size and np.all(np.diff(rows) == 1)  # one slice per channel
        column = d.on_scene_minutes[rows]
        if s.demand.channels[name].entry == "walk_in_seh":
            assert np.all(np.isnan(column))
            continue
        expected = np.empty(rows.size)
        gen = streams.substream("ambulance_on_scene", stream_key(name))
        draw.dist(gen, s.ambulance.on_scene_minutes, expected)
        assert _same(column, expected), name
        checked += rows.size
    assert checked > 1000


@pytest.mark.parametrize(
    "override",
    [
        "ambulance.conveyance_percent.A1=30",  # the outcome itself
        "ambulance.handover_minutes={kind: constant, minutes: 5}",
        "rosters.hap_a.gp_consult.0.staff=5",
    ],
)
def test_single_distribution_ignores_other_fields(single, override: str) -> None:
    _, d = single
    other = sample_demand(load_scenario(BASELINE, [*SHORT, override]), replication=0)
    assert _same(d.on_scene_minutes, other.on_scene_minutes)
    if "conveyance" in override:  # the outcomes did change
        assert not _same(d.conveyed, other.conveyed)


def test_conveyed_rows_share_the_single_stream(single, by_outcome) -> None:
    """By outcome: every other column is untouched; the conveyed rows hold exactly the
    single-distribution draws of X, the others come from a stream of their own."""
    (_, a), (s, b) = single, by_outcome
    for column in ("order", "arrival_minutes", "channel", "urgency", "conveyed", "travel_noise"):
        assert _same(getattr(a, column), getattr(b, column)), column
    needed = ~np.isnan(a.on_scene_minutes)
    conveyed, stays = needed & a.conveyed, needed & ~a.conveyed
    assert conveyed.sum() > 300 and stays.sum() > 300
    assert _same(a.on_scene_minutes[conveyed], b.on_scene_minutes[conveyed])
    assert not np.any(a.on_scene_minutes[stays] == b.on_scene_minutes[stays])
    assert np.array_equal(np.isnan(a.on_scene_minutes), np.isnan(b.on_scene_minutes))
    # The not-conveyed rows are substream 1 of the channel's ambulance_on_scene stream.
    streams, draw = ReplicationStreams(s.run.seed, 0), _Draw("numba")
    on_scene = s.ambulance.on_scene_minutes
    assert isinstance(on_scene, OnSceneMinutes)
    for k, name in enumerate(s.demand.channels):
        rows = np.flatnonzero((b.channel == k) & needed)
        if rows.size == 0:
            continue
        expected = np.empty(rows.size)
        draw.dist(
            streams.substream("ambulance_on_scene", stream_key(name), 1),
            on_scene.not_conveyed,
            expected,
        )
        mask = ~b.conveyed[rows]
        assert _same(b.on_scene_minutes[rows][mask], expected[mask]), name


def test_means_by_outcome(by_outcome) -> None:
    """Sample means per outcome within 4 SE (sample sd / √n) of the distributions'
    means (20 and 12 minutes), and each far from the other's."""
    _, d = by_outcome
    needed = ~np.isnan(d.on_scene_minutes)
    for rows, mean, other in ((d.conveyed, 20.0, 12.0), (~d.conveyed, 12.0, 20.0)):
        x = d.on_scene_minutes[needed & rows]
        se = float(np.std(x, ddof=1) / math.sqrt(x.size))
        print(f"on scene: {x.mean():.3f} ± {se:.3f} (n = {x.size}), theory {mean}")
        assert se < 0.02 * mean
        assert abs(x.mean() - mean) < 4 * se
        assert abs(x.mean() - other) > 4 * se


# --------------------------------------------------------------------------- model

TRIP = 1.3 * haversine_km(52.1, 5.0, 52.0, 5.0)
"""Car minutes (60 km/h) between the town and the station / SEH next to each other."""


def ride_scenario() -> Any:
    """112 calls from a town 0.1° north of one station and one SEH; one vehicle that
    does not take calls while driving back; on scene 30 min (conveyed) or 12 (not)."""
    always = [{"days": ["all"], "hours": "00:00-24:00", "staff": 1}]
    site = {"latitude": 52.0, "longitude": 5.0}
    const = {"kind": "constant", "minutes": 1.0}
    data: dict[str, Any] = {
        "name": "rides",
        "region": {
            "name": "r",
            "areas": {
                "town": {"name": "T", "population": 10000, "latitude": 52.1, "longitude": 5.0}
            },
        },
        "sites": {
            "triage_centres": {"line": {"name": "Line"}},
            "sehs": {"seh": {"name": "SEH", **site}},
            "ambulance_stations": {"station": {"name": "Station", **site}},
        },
        "rosters": {"seh": {"treatment_place": always}, "station": {"ambulance": always}},
        "demand": {
            "profiles": {"flat": {"hour_of_week": [1.0] * 168}},
            "channels": {
                "emergency": {
                    "entry": "emergency_112",
                    # one call every 2 hours on average
                    "rate_per_1000_per_year": MINUTES_PER_YEAR * 1000 / 10000 / 120,
                    "profile": "flat",
                    "urgency_mix": {"U1": 100},
                    "disposition_mix": {"default": {"ambulance": 100}},
                }
            },
        },
        "triage": {
            "duration_minutes": {"default": const},
            "patience_minutes": "none",
            "redial_percent": 0,
            "redial_delay_minutes": const,
            "supervision_percent": 0,
            "supervision_minutes": const,
            "callback_minutes": {"default": const},
        },
        "gp": {"consult_minutes": {"default": const}, "visit_minutes": {"default": const}},
        "seh": {"length_of_stay_minutes": {"default": {"kind": "constant", "minutes": 60}}},
        "ambulance": {
            "dispatch_delay_minutes": {"kind": "constant", "minutes": 2},
            "on_scene_minutes": {
                "conveyed": {"kind": "constant", "minutes": 30},
                "not_conveyed": {"kind": "constant", "minutes": 12},
            },
            "conveyance_percent": {"A1": 50, "A2": 50, "B": 0},
            "handover_minutes": {"kind": "constant", "minutes": 10},
            "dispatch_while_returning": False,
        },
        "travel": {"noise_cv": 0},
        "run": {"horizon_days": 4, "warmup_weeks": 0, "replications": 1, "seed": 11},
    }
    return validate_data(copy.deepcopy(data))


@pytest.fixture(scope="module")
def rides():
    s = ride_scenario()
    d = DemandSampler(s).sample(0)
    o, trace = simulate(s, d, trace=True)
    return d, o, trace


def test_on_scene_column_follows_the_outcome(rides) -> None:
    d, o, _ = rides
    assert np.all(d.on_scene_minutes[d.conveyed] == 30)
    assert np.all(d.on_scene_minutes[~d.conveyed] == 12)
    assert np.array_equal(o.conveyed, d.conveyed)
    on_scene = o.ambulance_depart_scene - o.ambulance_arrival
    assert np.array_equal(on_scene, d.on_scene_minutes)


def test_ride_without_conveyance_holds_the_vehicle_for_scene_and_return(rides) -> None:
    """Not conveyed: the patient leaves at the scene after 12 minutes; the vehicle drives
    back to its station (TRIP) and is free when it gets there, unless an incident in the
    same town is already waiting when it leaves the scene: then it goes there at once
    (response 0; ``dispatch_while_returning: false`` allows only that moment). Conveyed:
    30 minutes on scene, TRIP to the SEH, handover, and home at once (the station is
    next to the SEH). The vehicle's busy minutes are exactly the sum of these holds."""
    d, o, _ = rides
    assert np.all(o.exits == 1)
    dispatch, depart = o.ambulance_dispatch, o.ambulance_depart_scene
    stays = ~d.conveyed
    assert stays.sum() >= 10 and d.conveyed.sum() >= 10
    assert all(EXITS[v] == "ambulance_no_transport" for v in o.exit_via[stays])
    assert all(EXITS[v] == "seh" for v in o.exit_via[d.conveyed])
    assert np.array_equal(o.exit[stays], depart[stays])
    assert np.all(np.isnan(o.ambulance_at_seh[stays]))
    taken_over = stays & np.isin(depart, dispatch)
    response = o.ambulance_arrival - dispatch
    straight_on = np.isin(dispatch, depart[taken_over])
    assert 0 < taken_over.sum() < stays.sum()  # both cases occur
    assert np.all(response[straight_on] == 0)
    assert np.allclose(response[~straight_on], TRIP)
    home = np.where(taken_over, depart, depart + TRIP)
    release = np.where(d.conveyed, o.handover_end, home)
    # While it drives back, the vehicle takes no incident.
    for i in np.flatnonzero(stays & ~taken_over):
        assert not np.any((dispatch > depart[i]) & (dispatch < home[i]))
    res = o.resources
    g = res.name.index("station/ambulance")
    times, busy = res.times[g], res.busy[g]
    assert np.all(busy <= 1)
    work = float(np.sum(np.diff(times) * busy[:-1]))
    assert work == pytest.approx(float(np.sum(release - dispatch)), rel=1e-12)
    # A ride that neither went straight on nor came straight from another scene holds
    # the vehicle for response + on scene (not conveyed) + return = TRIP + 12 + TRIP.
    alone = stays & ~taken_over & ~straight_on
    assert alone.sum() >= 5
    assert np.allclose((release - dispatch)[alone], TRIP + 12 + TRIP)


def test_vehicle_home_events_of_rides_home(rides) -> None:
    """Every ride whose vehicle did drive back has its ``vehicle_home`` row at the
    minute it got home: depart + TRIP (not conveyed), the handover's end (conveyed)."""
    d, o, trace = rides
    home = trace[trace.kind == "vehicle_home"].set_index("patient").time
    taken_over = ~d.conveyed & np.isin(o.ambulance_depart_scene, o.ambulance_dispatch)
    stays = np.flatnonzero(~d.conveyed & ~taken_over)
    goes = np.flatnonzero(d.conveyed)
    assert np.allclose(home.loc[stays].to_numpy(), o.ambulance_depart_scene[stays] + TRIP)
    assert np.array_equal(home.loc[goes].to_numpy(), o.handover_end[goes])


def test_no_vehicle_home_row_for_a_vehicle_that_went_straight_on(rides) -> None:
    """A vehicle sent on from the scene never drives home: no ``vehicle_home`` row for
    that ride (the clock's rule: a cancelled event is not traced)."""
    d, o, trace = rides
    taken_over = np.flatnonzero(
        ~d.conveyed & np.isin(o.ambulance_depart_scene, o.ambulance_dispatch)
    )
    assert taken_over.size > 0
    rows = trace[(trace.kind == "vehicle_home") & trace.patient.isin(taken_over)]
    assert rows.empty, rows.to_string()
