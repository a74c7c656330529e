"""``run.horizon_days``, the drain after the horizon, and patients left ``unserved``.

Arrivals stop at the horizon; the run goes on until every patient has left, but at
most ``run.drain_days`` past it. Whoever is still in the chain then leaves as
``unserved`` at ``Outcomes.stopped_at`` = horizon + drain, with ``unserved_queue`` the
index into ``Outcomes.queues`` of the queue they waited in (-1: in service, or between
two steps such as a redial delay). The hand-placed cases are computed by hand.
"""

from __future__ import annotations

import numpy as np
import pytest

from anwsim.model import EXITS
from anwsim.sampling import DemandSampler
from anwsim.scenario import ScenarioError, load_scenario

from .handmade import demand, scenario
from .reference import simulate

DAY = 1440.0
THREE_DAYS = ["run.horizon_weeks=null", "run.horizon_days=3", "run.warmup_weeks=0"]
"""The baseline file sets ``horizon_weeks: 52``; ``null`` removes it (else: both given)."""


def run(**fields: object) -> dict[str, object]:
    return {"warmup_weeks": 0, "replications": 1, **fields}


# --------------------------------------------------------------------------- horizon_days


def test_horizon_in_days_on_the_baseline(baseline_path) -> None:
    s = load_scenario(baseline_path, THREE_DAYS)
    assert s.run.n_days == 3 and s.run.horizon_minutes == 3 * DAY
    d = DemandSampler(s).sample(0)
    assert np.all(d.arrival_minutes < 3 * DAY)
    assert d.arrival_minutes.max() > 2.9 * DAY  # arrivals go on until the horizon
    o = simulate(s, d)
    assert o.horizon == 3 * DAY
    assert np.all(o.exits == 1)
    assert EXITS.index("unserved") not in o.exit_via  # everyone leaves within the drain
    assert np.any(o.exit > 3 * DAY)  # the run drained past the horizon
    assert o.stopped_at == o.exit.max() < 3 * DAY + s.run.drain_minutes


def test_both_horizons_is_an_error_naming_run(baseline_path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(baseline_path, ["run.horizon_days=3", "run.warmup_weeks=0"])
    assert info.value.path == ("run",)
    assert "horizon_weeks or horizon_days, not both" in str(info.value)
    with pytest.raises(ScenarioError) as info:
        scenario(**{"run": run(horizon_weeks=1, horizon_days=7)})
    assert info.value.path == ("run",)


@pytest.mark.parametrize(("days", "warmup_weeks"), [(3, 3 / 7), (7, 1.0), (5, 1.0), (1, 0.5)])
def test_warmup_must_be_shorter_than_horizon_days(days: int, warmup_weeks: float) -> None:
    with pytest.raises(ScenarioError) as info:
        scenario(**{"run": run(horizon_days=days, warmup_weeks=warmup_weeks)})
    assert info.value.path == ("run", "warmup_weeks")
    assert f"shorter than horizon_days ({days} days)" in str(info.value)


def test_warmup_a_little_shorter_than_horizon_days_is_fine() -> None:
    s = scenario(**{"run": run(horizon_days=8, warmup_weeks=1.0)})
    assert s.run.warmup_minutes == 7 * DAY < s.run.horizon_minutes == 8 * DAY


def test_hand_placed_arrival_at_the_horizon_never_starts() -> None:
    """Arrivals stop at the horizon: a Demand row at exactly the horizon is not fed
    (the sampler never draws one; this pins the boundary)."""
    s = scenario(**{"run": run(horizon_days=1)})
    d = demand(s, [{"t": DAY - 1, "channel": "call"}, {"t": DAY, "channel": "call"}])
    o = simulate(s, d)
    assert o.exits.tolist() == [1, 0]
    assert o.exit[0] == DAY - 1 + 5 and np.isnan(o.call[1])


# --------------------------------------------------------------------------- unserved


def two_centres(**run_fields: object):
    """Area ``town`` calls ``line`` (one triagist); area ``village`` calls ``dark``, a
    centre that rosters no triagist at all (validation lets it through)."""
    town = {"name": "Town", "population": 10000, "latitude": 52.0, "longitude": 5.0}
    return scenario(
        **{
            "region.areas": {"town": town, "village": {**town, "name": "Village"}},
            "sites.triage_centres": {
                "line": {"name": "Line", "areas": ["town"]},
                "dark": {"name": "Dark", "areas": ["village"]},
            },
            "run": run(**run_fields),
        }
    )


def test_callers_of_a_centre_without_triagists_leave_unserved() -> None:
    """Horizon 2 days, drain 1 day: the run stops at 4320. Village callers still on hold
    then are ``unserved`` in the queue ``("dark", "triagist")``; one waiting out a
    redial delay is unserved with queue -1; one who hung up for good left ``abandoned``;
    the town's callers, even one just before the horizon, are served as usual."""
    s = two_centres(horizon_days=2, drain_days=1)
    stop = 2 * DAY + 1 * DAY
    patients = [
        {"t": 10, "channel": "call"},  # town: answered at 10, advice at 15
        {"t": 20, "channel": "call", "area": 1},  # village: holds until the stop
        {"t": 30, "channel": "call", "area": 1, "patience_minutes": 60.0},  # hangs up at 90
        {  # hangs up at 140; the redial (at 5140) falls after the stop: between steps
            "t": 40,
            "channel": "call",
            "area": 1,
            "patience_minutes": [100.0, 1e6, 1e6, 1e6],
            "redials": [True, False, False],
            "redial_delay_minutes": [5000.0, 1.0, 1.0],
        },
        {"t": 2000, "channel": "call", "area": 1},  # village: holds until the stop
        {"t": 2 * DAY - 1, "channel": "call"},  # town, just before the horizon
    ]
    o = simulate(s, demand(s, patients))
    dark = o.queues.index(("dark", "triagist"))
    assert o.queues.index(("line", "triagist")) != dark
    assert [EXITS[v] for v in o.exit_via] == [
        "advice",
        "unserved",
        "abandoned",
        "unserved",
        "unserved",
        "advice",
    ]
    assert o.unserved_queue.tolist() == [-1, dark, -1, -1, dark, -1]
    assert o.stopped_at == stop == o.horizon + s.run.drain_minutes
    assert o.exit.tolist() == [15, stop, 90, stop, stop, 2 * DAY - 1 + 5]
    assert o.exits.tolist() == [1] * len(patients)
    assert o.attempts.tolist() == [1, 1, 1, 1, 1, 1]  # the redial never happened
    assert np.isnan(o.answer[[1, 2, 3, 4]]).all()
    assert o.abandon[[2, 3]].tolist() == [90, 140]


def test_drain_shorter_than_a_long_consult() -> None:
    """Horizon 1 day, drain half a day: the run stops at 2160. The walk-in at 100 is in
    a 3000-minute consult (in service: queue -1), the one at 200 waits behind it in the
    post's consult queue; both leave unserved at 2160. The call at 300 leaves normally."""
    s = scenario(**{"run": run(horizon_days=1, drain_days=0.5)})
    stop = DAY + 0.5 * DAY
    d = demand(
        s,
        [
            {"t": 100, "channel": "walk_in", "consult_minutes": 3000.0},
            {"t": 200, "channel": "walk_in"},
            {"t": 300, "channel": "call"},
        ],
    )
    o = simulate(s, d)
    consult = o.queues.index(("post", "gp_consult"))
    assert [EXITS[v] for v in o.exit_via] == ["unserved", "unserved", "advice"]
    assert o.unserved_queue.tolist() == [-1, consult, -1]
    assert o.exit.tolist() == [stop, stop, 305]
    assert o.stopped_at == stop
    assert o.consult_start[0] == 100 and np.isnan(o.consult_end[0])
    assert o.post_arrival[1] == 200 and np.isnan(o.consult_start[1])
    assert o.exits.tolist() == [1, 1, 1]
    # With a drain long enough, both are seen: the second at 3100, out at 3110.
    s = scenario(**{"run": run(horizon_days=1, drain_days=3)})
    o = simulate(s, d)
    assert [EXITS[v] for v in o.exit_via] == ["consult", "consult", "advice"]
    assert o.exit.tolist() == [3100, 3110, 305]
    assert o.stopped_at == 3110 and np.all(o.unserved_queue == -1)


def test_unserved_in_the_ambulance_dispatch_queue() -> None:
    """The only vehicle is rostered on Mondays 00:00-01:00 (time 0 is a Monday). A 112
    call at 30 gets it (dispatch delay 2, on scene 20, conveyed to the SEH next door);
    a call at 70 (after its shift) waits in the dispatch queue; the stop comes at
    horizon 1 day + drain 0.25 day = 1800, long before next Monday: ``unserved`` in the
    queue ``("all_stations", "ambulance")``, with its incident recorded."""
    s = scenario(
        **{
            "run": run(horizon_days=1, drain_days=0.25),
            "rosters.station.ambulance": [{"days": ["mon"], "hours": "00:00-01:00", "staff": 1}],
        }
    )
    d = demand(
        s,
        [
            {"t": 30, "channel": "emergency", "urgency": "U1"},
            {"t": 70, "channel": "emergency", "urgency": "U1"},
        ],
    )
    o = simulate(s, d)
    fleet = o.queues.index(("all_stations", "ambulance"))
    assert o.queues[fleet] == ("all_stations", "ambulance")
    assert [EXITS[v] for v in o.exit_via] == ["seh", "unserved"]
    assert o.unserved_queue.tolist() == [-1, fleet]
    assert o.ambulance_dispatch[0] == 32 and o.exit[0] == 32 + 20 + 60
    assert o.incident[1] == 70 and np.isnan(o.ambulance_dispatch[1])
    assert o.exit[1] == o.stopped_at == DAY + 0.25 * DAY
    assert o.exits.tolist() == [1, 1]


# --------------------------------------------------------------------------- no new fields


def test_default_drain_changes_nothing_when_everyone_leaves(baseline_path) -> None:
    """A scenario without the new fields (the baseline, one week): the default drain
    (7 days) gives the same Outcomes as a drain of 60 days. The resource logs agree
    up to horizon + 7 days, where the shorter run stops (the longer one logs the shifts
    that follow)."""
    week = ["run.horizon_weeks=1", "run.warmup_weeks=0"]
    short = load_scenario(baseline_path, week)
    long = load_scenario(baseline_path, [*week, "run.drain_days=60"])
    assert short.run.drain_days == 7
    a = simulate(short, DemandSampler(short).sample(0))
    b = simulate(long, DemandSampler(long).sample(0))
    assert a.patients.keys() == b.patients.keys()
    for name, column in a.patients.items():
        assert column.dtype == b.patients[name].dtype, name
        assert column.tobytes() == b.patients[name].tobytes(), name
    assert np.all(a.exits == 1) and EXITS.index("unserved") not in a.exit_via
    assert a.stopped_at == b.stopped_at == np.max(a.exit)
    assert a.queues == b.queues and (a.horizon, a.seed) == (b.horizon, b.seed)
    limit = a.horizon + short.run.drain_minutes
    ra, rb = a.resources, b.resources
    assert ra.name == rb.name
    longer = 0
    for g in range(len(ra)):
        assert np.all(ra.times[g] < limit)
        n = ra.times[g].size
        assert np.all(rb.times[g][n:] >= limit)
        longer += rb.times[g].size - n
        for field in ("times", "busy", "capacity", "overtime"):
            assert np.array_equal(getattr(ra, field)[g], getattr(rb, field)[g][:n]), field
    assert longer > 0
