"""Ambulances without a queue (neighbour-region mode) form a loss system: Erlang B."""

from __future__ import annotations

import numpy as np
import pytest

from anwsim.sampling import DemandSampler
from anwsim.scenario.schema import MINUTES_PER_YEAR

from .handmade import scenario
from .reference import simulate

ARRIVALS_PER_MINUTE = 0.1
MEAN_HOLDING = 20.0  # minutes on scene; travel is zero and nobody is conveyed
VEHICLES = 3
REPLICATIONS = 8


def erlang_b(servers: int, load: float) -> float:
    """Blocking probability B(c, a) by the stable recursion B(k) = aB(k-1)/(k + aB(k-1))."""
    b = 1.0
    for k in range(1, servers + 1):
        b = load * b / (k + load * b)
    return b


@pytest.fixture(scope="module")
def blocked_shares() -> np.ndarray:
    population = 10000
    rate = ARRIVALS_PER_MINUTE * MINUTES_PER_YEAR * 1000 / population
    s = scenario(
        **{
            "demand.channels": {
                "emergency": {
                    "entry": "emergency_112",
                    "rate_per_1000_per_year": rate,
                    "profile": "flat",
                    "urgency_mix": {"U1": 100},
                    "disposition_mix": {"default": {"ambulance": 100}},
                }
            },
            "rosters.station.ambulance": [
                {"days": ["all"], "hours": "00:00-24:00", "staff": VEHICLES}
            ],
            "ambulance.on_scene_minutes": {"kind": "exponential", "mean_minutes": MEAN_HOLDING},
            "ambulance.dispatch_delay_minutes": {"kind": "constant", "minutes": 0},
            "ambulance.conveyance_percent": {"A1": 0, "A2": 0, "B": 0},
            "ambulance.no_vehicle_free": "neighbour_region",
            "run.horizon_weeks": 5,
            "run.warmup_weeks": 1,
        }
    )
    sampler = DemandSampler(s)
    shares = []
    for r in range(REPLICATIONS):
        o = simulate(s, sampler.sample(r))
        keep = o.call >= s.run.warmup_minutes
        shares.append(float(np.mean(o.station[keep] == -2)))
        assert np.all(o.exits == 1)
    return np.array(shares)


def test_blocking_matches_erlang_b(blocked_shares: np.ndarray) -> None:
    theory = erlang_b(VEHICLES, ARRIVALS_PER_MINUTE * MEAN_HOLDING)
    assert theory == pytest.approx(4 / 19)  # B(3, 2) by hand: (8/6) / (1 + 2 + 2 + 8/6)
    mean = blocked_shares.mean()
    se = blocked_shares.std(ddof=1) / np.sqrt(blocked_shares.size)
    assert se < 0.1 * theory
    assert abs(mean - theory) < 4 * se


def test_wrong_server_count_is_rejected(blocked_shares: np.ndarray) -> None:
    """Negative control: the same data reject B(2, 2) and B(4, 2)."""
    mean = blocked_shares.mean()
    se = blocked_shares.std(ddof=1) / np.sqrt(blocked_shares.size)
    for servers in (VEHICLES - 1, VEHICLES + 1):
        assert abs(mean - erlang_b(servers, ARRIVALS_PER_MINUTE * MEAN_HOLDING)) > 4 * se
