"""The compiled loops of the metrics against the plain NumPy they replaced: the same
values bit for bit (NumPy's pairwise sums, `np.bincount`'s order, `np.percentile`), on
edge cases (empty inputs, one group, changes and waits exactly on full hours, NaN,
codes out of range) and on random inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from anwsim.metrics import utilisation_by_hour_of_week
from anwsim.metrics._columns import text_columns
from anwsim.metrics._log_kernels import block_sum, log_hourly, log_totals
from anwsim.metrics._value_kernels import group_values, percentile, phone_counts
from anwsim.metrics._wait_kernels import (
    CHUNK,
    gather_waits,
    new_tally,
    tally_waits,
    waits_per_hour,
)

from .test_fast_metrics import log, outcomes, resources

WEEK = 168 * 60.0


# ------------------------------------------------------------------ resource logs


def numpy_totals(t, c, b, ot, lo, hi, start, end) -> tuple[float, float, float]:
    """The pieces of a log over [start, end) and their sums, as the NumPy code did."""
    inside = t[lo:hi]
    lengths = np.empty(inside.size + 1)
    if inside.size:
        lengths[0] = inside[0] - start
        lengths[1:-1] = inside[1:] - inside[:-1]
        lengths[-1] = end - inside[-1]
    else:
        lengths[0] = end - start
    if lo:
        cap, busy, over = (v[lo - 1 : hi] for v in (c, b, ot))
    else:
        cap, busy, over = (np.concatenate((v[:1], v[:hi])) for v in (c, b, ot))
    overtime = np.where(over != 0, lengths * over, 0.0)
    return (
        float(np.sum(lengths * cap)),
        float(np.sum(lengths * (busy - over))),
        float(np.sum(overtime)) if over.any() else 0.0,
    )


def random_log(rng: np.random.Generator, n: int, span: float, grid: float = 0.0) -> tuple:
    times = np.sort(rng.uniform(0.0, span, n))
    if grid:
        times = np.round(times / grid) * grid
    busy = rng.integers(0, 9, n)
    overtime = np.where(rng.random(n) < 0.1, np.minimum(busy, rng.integers(0, 3, n)), 0)
    return times, rng.integers(0, 7, n), busy, overtime, rng.integers(0, 2, n)


@pytest.mark.parametrize("n", [0, 1, 5, 7, 8, 9, 127, 128, 129, 130, 256, 1000, 4099, 70000])
def test_block_sum_and_log_totals_are_numpys_pairwise_sums(n: int) -> None:
    rng = np.random.default_rng(n)
    values = rng.normal(0.0, 1.0, 128) * 10.0 ** rng.integers(-8, 8, 128)
    for k in range(129):
        assert 0.0 + block_sum(values, k) == np.sum(values[:k])
    t, c, b, ot, ended = random_log(rng, max(n, 1), 10_000.0)
    for start, end in ((-5.0, 11_000.0), (t[0], t[-1]), (t[0] + 0.1, t[-1] - 0.1), (3.0, 3.0)):
        lo = int(np.searchsorted(t, start, side="right"))
        hi = max(lo, int(np.searchsorted(t, end, side="left")))
        staffed, on_shift, over, ends = log_totals(t, c, b, ot, ended, lo, hi, start, end)
        assert (staffed, on_shift, over) == numpy_totals(t, c, b, ot, lo, hi, start, end)
        assert ends == ended[lo:hi].sum()


def stepwise_hourly(t, c, b, start: float, end: float) -> tuple[np.ndarray, np.ndarray]:
    """Minutes per hour of the week by the definition: the value held on every piece
    between consecutive breakpoints (entries, full hours, start, end), in the hour of
    its start. Exact on a grid of quarter minutes, whatever the order of the sums."""
    cuts = np.arange(np.floor(start / 60.0) + 1, np.ceil(end / 60.0)) * 60.0
    points = np.union1d(np.concatenate(([start, end], cuts, t)), [])
    points = points[(points >= start) & (points <= end)]
    a, z = points[:-1], points[1:]
    held = np.maximum(np.searchsorted(t, a, side="right") - 1, 0)
    week = np.floor(a / 60.0).astype(np.int64) % 168
    return tuple(  # type: ignore[return-value]
        np.bincount(week, weights=(z - a) * v[held], minlength=168) for v in (c, b)
    )


def test_log_hourly_on_a_change_exactly_at_a_full_hour() -> None:
    res = resources(
        [("g", "gp_consult", "hap_a", log([0.0, 60.0, 90.0], [1, 2, 3], [1, 1, 2], [0, 0, 1]))]
    )
    hourly = utilisation_by_hour_of_week(outcomes(res), 0.0, 180.0)
    assert list(hourly.staffed_minutes[:4]) == [60.0, 150.0, 180.0, 0.0]
    assert list(hourly.busy_minutes[:4]) == [60.0, 60.0, 60.0, 0.0]
    assert hourly.staffed_minutes[4:].sum() == 0.0


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (0.0, 2 * WEEK + 150.0),  # from the first change, over two weeks
        (61.25, WEEK),  # from inside an hour to the end of a week
        (-30.5, 3000.0),  # from before time 0
        (95.0, 100.0),  # inside one hour
        (120.0, 180.0),  # one full hour
        (3000.0, 3000.0),  # empty
    ],
)
@pytest.mark.parametrize("n", [0, 1, 3, 50, 5000])
def test_log_hourly_is_the_stepwise_reading(start: float, end: float, n: int) -> None:
    rng = np.random.default_rng(n)
    t, c, b, _, _ = random_log(rng, max(n, 1), 2 * WEEK + 300.0, grid=0.25)
    if n == 3:
        t = np.array([60.0, 60.0, 120.0])  # repeated, on full hours
    ot = np.zeros_like(b)
    lo = int(np.searchsorted(t, start, side="right"))
    hi = max(lo, int(np.searchsorted(t, end, side="left")))
    staffed, busy = np.zeros(168), np.zeros(168)
    log_hourly(t, c, b, ot, lo, hi, start, end, staffed, busy)
    want_staffed, want_busy = stepwise_hourly(t, c, b, start, end)
    np.testing.assert_array_equal(staffed, want_staffed)
    np.testing.assert_array_equal(busy, want_busy)


# ------------------------------------------------------------------ waits


def numpy_waiting(queue, begin, end, n_queues: int, start: float, stop: float) -> tuple:
    """Waiting minutes per queue and hour of the week, waits begun and their length,
    as the NumPy code did (bincounts, a difference array, a fold over the weeks)."""
    h0 = int(np.floor(start / 60.0))
    n_hours = int(np.floor(stop / 60.0)) - h0 + 2
    b, e = np.clip(begin, start, stop), np.clip(end, start, stop)
    inside = e > b
    q, b, e = queue[inside], b[inside], e[inside]
    hb, he = np.floor(b / 60.0).astype(np.int64), np.floor(e / 60.0).astype(np.int64)
    same = hb == he
    first = np.where(same, e - b, (hb + 1) * 60.0 - b)
    last = np.where(same, 0.0, e - he * 60.0)
    between = np.where(same, 0.0, 60.0)
    row, size = q * n_hours - h0, n_queues * n_hours
    partial = np.bincount(row + hb, weights=first, minlength=size)
    partial += np.bincount(row + he, weights=last, minlength=size)
    steps = np.bincount(row + hb + 1, weights=between, minlength=size)
    steps -= np.bincount(row + he, weights=between, minlength=size)
    per_hour = partial.reshape(n_queues, n_hours) + np.cumsum(steps.reshape(n_queues, -1), 1)
    lead = h0 % 168
    weeks = -(-(lead + n_hours) // 168)
    padded = np.zeros((n_queues, weeks * 168))
    padded[:, lead : lead + n_hours] = per_hour
    waiting = padded.reshape(n_queues, weeks, 168).sum(axis=1)
    began = (begin >= start) & (begin < stop)
    slot = queue[began] * 168 + np.floor(begin[began] / 60.0).astype(np.int64) % 168
    started = np.bincount(slot, minlength=n_queues * 168)
    length = np.bincount(slot, weights=end[began] - begin[began], minlength=n_queues * 168)
    return waiting, started.reshape(n_queues, 168), length.reshape(n_queues, 168)


@pytest.mark.parametrize(
    ("start", "stop"), [(10_080.0, 3 * WEEK + 90.0), (-500.0, 20_000.5), (61.0, 61.0)]
)
@pytest.mark.parametrize("n", [0, 1, 2000])
def test_waits_per_hour_is_the_numpy_reading(start: float, stop: float, n: int) -> None:
    rng = np.random.default_rng(n)
    queue = rng.integers(0, 3, n)
    begin = rng.uniform(-1000.0, 4 * WEEK, n)
    begin[:3] = [np.nan, 120.0, 10_080.0][: min(n, 3)]  # NaN, on full hours
    end = begin + rng.exponential(90.0, n) * (rng.random(n) < 0.95)
    end[rng.random(n) < 0.05] = np.nan
    tally = new_tally(3, start, stop)
    tally_waits(queue, begin, end, tally, start, stop)
    waiting, started, length = numpy_waiting(queue, begin, end, 3, start, stop)
    np.testing.assert_array_equal(waits_per_hour(tally), waiting)
    np.testing.assert_array_equal(tally[4], started)
    np.testing.assert_array_equal(tally[5], length)


def test_a_wait_across_hours_and_inside_one() -> None:
    tally = new_tally(1, 0.0, WEEK)
    tally_waits(
        np.array([0, 0]), np.array([30.0, 200.0]), np.array([150.0, 210.0]), tally, 0.0, WEEK
    )
    waiting = waits_per_hour(tally)[0]
    assert list(waiting[:4]) == [30.0, 60.0, 30.0, 10.0]
    assert list(tally[4][0, :4]) == [1, 0, 0, 1] and list(tally[5][0, :4]) == [
        120.0,
        0.0,
        0.0,
        10.0,
    ]


def test_gather_waits_in_patient_order_and_sites_as_numpy_indexes() -> None:
    n = 3 * CHUNK + 5  # several chunks
    rng = np.random.default_rng(5)
    when = np.where(rng.random(n) < 0.6, rng.uniform(0.0, 100.0, n), np.nan)
    site = rng.integers(-2, 2, n)  # negative: from the end, as NumPy
    table = np.array([7, 8])
    begin, lag = rng.uniform(0.0, 50.0, n), rng.uniform(0.0, 5.0, n)
    rows = np.flatnonzero(np.isfinite(when))
    waits = tuple(np.empty(rows.size + 2, dtype=d) for d in (np.int64, float, float, np.int64))
    gather_waits(when, site, table, begin, when, lag, waits, 2, np.empty(CHUNK, np.int64))
    np.testing.assert_array_equal(waits[0][2:], table[site[rows]])
    np.testing.assert_array_equal(waits[1][2:], begin[rows])
    np.testing.assert_array_equal(waits[2][2:], when[rows] - lag[rows])
    np.testing.assert_array_equal(waits[3][2:], rows)
    site[rows[-1]] = 2
    with pytest.raises(IndexError):
        gather_waits(when, site, table, begin, when, None, waits, 2, np.empty(CHUNK, np.int64))


# ------------------------------------------------------------------ access values


def test_group_values_are_the_masks_values_in_patient_order() -> None:
    rng = np.random.default_rng(6)
    for n, groups in ((0, 3), (1, 1), (1000, 1), (5000, 5)):
        values = rng.normal(size=n)
        codes = rng.integers(-1, groups + 2, n).astype(np.int8)  # some out of range
        mask = rng.random(n) < 0.7
        grouped, offsets = group_values(values, codes, np.flatnonzero(mask), groups)
        for g in range(groups):
            np.testing.assert_array_equal(
                grouped[offsets[g] : offsets[g + 1]], values[mask & (codes == g)]
            )
        assert offsets[-1] == grouped.size


@pytest.mark.parametrize("n", [1, 2, 10, 4096, 4097, 20_000, 150_000])
def test_percentile_is_numpys(n: int) -> None:
    rng = np.random.default_rng(n)
    cases = [
        rng.exponential(30.0, n),
        np.round(rng.exponential(30.0, n)),  # ties
        rng.integers(0, 3, n).astype(float),  # mostly ties
        np.sort(rng.normal(size=n)),  # sorted: the sample sees one end first
        np.sort(rng.normal(size=n))[::-1].copy(),
    ]
    with_nan = rng.normal(size=n)
    with_nan[rng.integers(0, n)] = np.nan
    cases.append(with_nan)
    for values in cases:
        for q in (0, 10, 50, 90, 99.9, 100):
            want = np.percentile(values, q)
            got = percentile(values, q)
            assert got == want or (np.isnan(got) and np.isnan(want)), (q, got, want)
    assert np.isnan(percentile(np.zeros(0), 90))


def test_phone_counts_are_the_mask_counts() -> None:
    rng = np.random.default_rng(7)
    n = 5000
    callers, emergency = rng.random(n) < 0.8, rng.random(n) < 0.2
    answer = np.where(rng.random(n) < 0.8, rng.uniform(1.0, 100.0, n), np.nan)
    start = answer - rng.exponential(2.0, n)
    start[rng.random(n) < 0.05] = np.nan
    called_back, requested = rng.random(n) < 0.1, answer - rng.exponential(30.0, n)
    exit_via = rng.integers(0, 6, n)
    attempts = tuple(rng.integers(0, 4, n) for _ in range(3))
    limits = (0.5, 2.0, 10.0)
    waits, back, counts = phone_counts(
        callers,
        emergency,
        answer,
        start,
        called_back,
        requested,
        exit_via,
        attempts,
        (2, 3),
        limits,
    )
    live = callers & np.isfinite(answer) & ~called_back
    wait = answer - start
    np.testing.assert_array_equal(waits, wait[live])
    np.testing.assert_array_equal(
        back, (answer - requested)[callers & called_back & np.isfinite(answer)]
    )
    other = callers & ~emergency
    want = [
        (callers & emergency).sum(),
        (live & emergency & (wait <= limits[0])).sum(),
        other.sum(),
        (live & other & (wait <= limits[1])).sum(),
        (live & other & (wait <= limits[2])).sum(),
        callers.sum(),
        (callers & called_back).sum(),
        (callers & (exit_via == 2)).sum(),
        (callers & (exit_via == 3)).sum(),
        *(a.sum(where=callers) for a in attempts),
    ]
    assert list(counts) == want


def test_text_columns_are_the_columns_pandas_infers() -> None:
    index = np.array([0, 0, 1, 2, 2, 2])
    for columns in (
        (["a", "b", "c"], ["x", "y", "z"]),  # all strings: one inference
        (["a", "b", "c"], [1, 2, 3]),  # not: one per column
        (["a", None, "c"], ["x", "y", "z"]),
        ([], []),
    ):
        take = index if columns[0] else index[:0]
        got = pd.DataFrame(dict(enumerate(text_columns(take, *columns))))
        want = pd.DataFrame(
            {k: np.array(column, dtype=object)[take] for k, column in enumerate(columns)}
        )
        pd.testing.assert_frame_equal(got, want)
