"""The patients the compiled engine lets arrive: those before the horizon, in arrival
order (a prefix of the Demand's order, found by bisection)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from anwsim.engine.run import _arrivals_before


def demand_of(times: list[float]) -> Any:
    arrival = np.asarray(times, dtype=np.float64)
    order = np.argsort(arrival, kind="stable")
    return cast(Any, SimpleNamespace(arrival_minutes=arrival, order=order))


@settings(max_examples=200, deadline=None)
@given(
    times=st.lists(st.sampled_from([0.0, 0.5, 1.0, 59.9, 60.0, 60.0, 61.0, 1e4]), max_size=40),
    horizon=st.sampled_from([0.0, 0.5, 1.0, 60.0, 60.5, 1e4, 1e5]),
)
def test_the_prefix_is_every_arrival_before_the_horizon(times: list[float], horizon: float) -> None:
    demand = demand_of(times)
    expected = demand.order[demand.arrival_minutes[demand.order] < horizon]
    got = _arrivals_before(demand, horizon)
    assert got.dtype == np.int64
    assert np.array_equal(got, expected)


def test_no_patients() -> None:
    assert _arrivals_before(demand_of([]), 100.0).shape == (0,)
