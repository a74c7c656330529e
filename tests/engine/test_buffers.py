"""The result arrays the compiled engine reuses: never while anything still refers to
them (an Outcomes, a column, a pandas or Arrow object on one), always once nothing
does; reuse changes no result."""

from __future__ import annotations

import gc
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from anwsim.engine.buffers import BufferPool
from anwsim.model import simulate
from anwsim.sampling import DemandSampler
from anwsim.scenario import load_scenario

SHORT = ["run.horizon_weeks=2", "run.warmup_weeks=0"]


def _address(array: np.ndarray) -> int:
    return int(array.__array_interface__["data"][0])


def test_a_pooled_array_is_handed_out_again_only_when_nothing_refers_to_it() -> None:
    pool = BufferPool(keep=2)
    holders = [
        lambda a: a,  # the array itself
        lambda a: a[1],  # a view of one row
        lambda a: pd.Series(a[0], copy=False),
        lambda a: pa.array(a[2]),  # zero-copy Arrow array
        lambda a: memoryview(a),
    ]
    for hold in holders:
        array = pool.take("x", (3, 10), np.float64)
        assert array.shape == (3, 10) and array.flags.c_contiguous
        address = _address(array)
        held = hold(array)
        del array
        other = pool.take("x", (3, 10), np.float64)
        assert _address(other) != address, hold  # still held: another one
        del other, held
        again = pool.take("x", (3, 10), np.float64)
        assert _address(again) == address  # nothing refers to it any more: reused
        del again


def test_a_pool_keeps_few_arrays_and_fits_other_shapes_and_types_apart() -> None:
    pool = BufferPool(keep=2)
    held = [pool.take("x", (100,), np.float64) for _ in range(3)]
    assert len(pool._held["x"]) == 2  # the oldest is no longer tracked, still alive
    assert held[0].shape == (100,)
    del held
    small = pool.take("x", (90,), np.float64)  # fits in a free one, as a view
    assert small.shape == (90,) and small.base is not None
    ints = pool.take("x", (90,), np.int64)  # the other is free but float: a new one
    assert ints.dtype == np.int64
    assert not np.shares_memory(small, ints)
    big = pool.take("y", (1000,), np.bool_)
    assert big.dtype == np.bool_ and big.shape == (1000,)


def _poison(outcomes: object) -> None:
    """Overwrite every result array of ``outcomes`` with values no replication writes."""
    for column in outcomes.patients.values():  # type: ignore[attr-defined]
        column[...] = 7 if column.dtype != np.bool_ else True
    table = outcomes.resources  # type: ignore[attr-defined]
    for series in (table.times, table.busy, table.capacity, table.overtime, table.ended):
        for values in series:
            values[...] = 7


def test_outcomes_kept_are_never_overwritten_and_reuse_changes_no_result(
    baseline_path: Path,
) -> None:
    scenario = load_scenario(baseline_path, SHORT)
    sampler = DemandSampler(scenario)
    a, b = sampler.sample(0), sampler.sample(1)
    kept = simulate(scenario, b)
    copies = {name: column.copy() for name, column in kept.patients.items()}
    times = [t.copy() for t in kept.resources.times]
    other = simulate(scenario, a)  # while `kept` lives: other arrays
    assert not np.shares_memory(kept.patients["call"], other.patients["call"])
    for name, column in kept.patients.items():
        assert np.array_equal(column, copies[name], equal_nan=True), name
    assert all(np.array_equal(x, y) for x, y in zip(kept.resources.times, times, strict=True))

    # replication b on the arrays replication a used, garbage in them: as b on its own
    address = _address(other.patients["call"])
    _poison(other)
    del other
    gc.collect()
    again = simulate(scenario, b)
    assert _address(again.patients["call"]) == address  # reused
    for name, column in kept.patients.items():
        assert np.array_equal(column, again.patients[name], equal_nan=True), name
    for field in ("times", "busy", "capacity", "overtime", "ended"):
        pairs = zip(getattr(kept.resources, field), getattr(again.resources, field), strict=True)
        assert all(np.array_equal(x, y) for x, y in pairs), field
