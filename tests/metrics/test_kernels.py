"""The compiled loops of the metrics against the plain NumPy they replaced: the same
values bit for bit (NumPy's pairwise sums, `np.bincount`'s order, `np.percentile`), on
edge cases (empty inputs, one group, changes and waits exactly on full hours, NaN,
codes out of range) and on random inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from anwsim.metrics import utilisation_by_hour_of_week
from anwsim.metrics._columns import frame, repeated_text_columns, text_columns
from anwsim.metrics._log_kernels import block_sum, log_hourly, log_totals
from anwsim.metrics._value_kernels import (
    NEIGHBOUR_STATION,
    ambulance_values,
    group_stably,
    grouped_gaps,
    percentile,
    phone_counts,
    seh_gaps,
    volume_counts,
)
from anwsim.metrics._wait_kernels import (
    CHUNK,
    any_outside,
    exit_rows,
    finite_rows,
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


def hour_by_hour(t, c, b, ot, lo, hi, start, end) -> tuple[np.ndarray, np.ndarray]:
    """Minutes per hour of the week as the loop over every hour adds them: per hour its
    entries' pieces in order, then its lead piece, added to the hour of the week."""
    first, last = math.floor(start / 60.0), math.floor(end / 60.0)
    if 60.0 * last >= end:
        last -= 1
    staffed, busy = np.zeros(168), np.zeros(168)
    inside = list(range(lo, hi))
    e = 0
    for hour in range(first, max(last, first) + 1):
        below, cut = e, 60.0 * (hour + 1)
        bound = cut if hour < last else end
        s = o = 0.0
        while e < len(inside) and t[inside[e]] < cut:
            k = inside[e]
            upto = t[inside[e + 1]] if e + 1 < len(inside) else end
            s += (min(upto, bound) - t[k]) * float(c[k])
            o += (min(upto, bound) - t[k]) * float(b[k] - ot[k])
            e += 1
        if hour == first:
            upto = t[lo] if hi > lo else math.inf
            length = min(upto, 60.0 * (first + 1) if last > first else end) - start
            held = max(lo - 1, 0)
        else:
            upto = t[inside[below]] if below < len(inside) else end
            length = min(bound, upto) - 60.0 * hour
            held = lo + below - 1 if lo else max(below - 1, 0)
        s += length * float(c[held])
        o += length * float(b[held] - ot[held])
        staffed[hour % 168] += s
        busy[hour % 168] += o
    return staffed, busy


@pytest.mark.parametrize("n", [1, 2, 40, 700, 20_000])
def test_log_hourly_adds_up_hour_by_hour(n: int) -> None:
    """Bit for bit the sums of the loop over every hour, also on times off any grid and
    on sparse logs (runs of hours without a change, added in a loop of their own)."""
    rng = np.random.default_rng(100 + n)
    t, c, b, ot, _ = random_log(rng, n, 3 * WEEK)
    if n == 40:
        t = np.concatenate([t[:20], t[20:] + 2 * WEEK])  # a long run without changes
    for start, end in ((0.0, 3 * WEEK), (77.7, 5 * WEEK + 0.3), (t[0], t[-1]), (-61.0, 600.0)):
        lo = int(np.searchsorted(t, start, side="right"))
        hi = max(lo, int(np.searchsorted(t, end, side="left")))
        staffed, busy = np.zeros(168), np.zeros(168)
        log_hourly(t, c, b, ot, lo, hi, start, end, staffed, busy)
        want_staffed, want_busy = hour_by_hour(t, c, b, ot, lo, hi, start, end)
        assert staffed.tobytes() == want_staffed.tobytes()
        assert busy.tobytes() == want_busy.tobytes()


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


def masked_groups(values: np.ndarray, codes: np.ndarray, mask: np.ndarray, n: int) -> list:
    """``values[mask & (codes == code)]`` for each code 0 … n − 1."""
    return [values[mask & (codes == code)] for code in range(n)]


def split(values: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    return [values[offsets[g] : offsets[g + 1]] for g in range(offsets.size - 1)]


def assert_groups(got: list[np.ndarray], want: list[np.ndarray]) -> None:
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert a.dtype == b.dtype and a.tobytes() == b.tobytes()


def random_times(rng: np.random.Generator, n: int, share: float) -> np.ndarray:
    values = rng.normal(100.0, 30.0, n)
    values[rng.random(n) > share] = np.nan
    values[rng.random(n) < 0.01] = np.inf
    return values


@pytest.mark.parametrize(("n", "groups"), [(0, 3), (1, 1), (7, 2), (1000, 1), (5000, 6)])
def test_grouped_gaps_are_the_masks_values_in_patient_order(n: int, groups: int) -> None:
    rng = np.random.default_rng(6 + n)
    later, earlier = random_times(rng, n, 0.8), random_times(rng, n, 0.95)
    codes = rng.integers(-1, groups + 2, n).astype(np.int8)  # some out of range
    keep, pending = rng.random(n) < 0.9, rng.random(n) < 0.2
    values, offsets, waiting = grouped_gaps(later, earlier, codes, keep, pending, groups)
    taken = keep & np.isfinite(later)
    with np.errstate(invalid="ignore"):  # inf - inf
        gaps = later - earlier
    assert_groups(split(values, offsets), masked_groups(gaps, codes, taken, groups))
    want = [
        int(np.count_nonzero(keep & ~np.isfinite(later) & pending & (codes == g)))
        for g in range(groups)
    ]
    assert list(waiting) == want


@pytest.mark.parametrize("m", [0, 1, 3, 4, 5, 1001])
def test_group_stably_is_a_stable_sort_by_group(m: int) -> None:
    rng = np.random.default_rng(m)
    values, group = rng.normal(size=m + 3), rng.integers(0, 4, m + 3).astype(np.int32)
    grouped, offsets = group_stably(values, group, m, 4)
    order = np.argsort(group[:m], kind="stable")
    assert grouped.tobytes() == values[:m][order].tobytes()
    assert list(offsets) == [0, *np.cumsum(np.bincount(group[:m], minlength=4))]


def test_seh_gaps_are_the_masks_values() -> None:
    rng = np.random.default_rng(9)
    n, sehs = 4000, 3
    keep, seh = rng.random(n) < 0.9, rng.integers(-1, sehs + 1, n)
    columns = [random_times(rng, n, share) for share in (0.3, 0.4, 0.5, 0.6, 0.7)]
    handover, at_seh, doctor, arrival, start = columns
    handoffs, handoff_offsets, doors, door_offsets, seen = seh_gaps(
        keep, seh, sehs, handover, at_seh, doctor, arrival, start
    )
    with np.errstate(invalid="ignore"):  # inf - inf
        handoff, door = handover - at_seh, doctor - arrival
    want = masked_groups(handoff, seh, keep & np.isfinite(handoff), sehs)
    assert_groups(split(handoffs, handoff_offsets), want)
    assert_groups(
        split(doors, door_offsets), masked_groups(door, seh, keep & np.isfinite(door), sehs)
    )
    assert list(seen) == [
        int(np.count_nonzero(keep & np.isfinite(start) & (seh == s))) for s in range(sehs)
    ]


def test_ambulance_values_are_the_mask_counts() -> None:
    rng = np.random.default_rng(10)
    n = 6000
    keep, unserved = rng.random(n) < 0.9, rng.random(n) < 0.1
    urgency = rng.integers(-1, 5, n)  # 3 and 4: rides of no known urgency
    urgent = np.array([True, True, False])
    incident, arrival, at_seh, depart, dispatch = (
        random_times(rng, n, share) for share in (0.9, 0.6, 0.4, 0.5, 0.7)
    )
    conveyed, station = rng.random(n) < 0.5, rng.integers(-2, 3, n)
    responses, offsets, not_on_scene, counts, rides = ambulance_values(
        keep, unserved, urgency, urgent, incident, arrival, at_seh, depart, conveyed, dispatch,
        station, 25.0,
    )  # fmt: skip
    with np.errstate(invalid="ignore"):  # inf - inf
        response, to_seh = arrival - incident, at_seh - incident
    ride = keep & (urgency >= 0)
    on_scene = np.isfinite(response)
    assert_groups(split(responses, offsets), masked_groups(response, urgency, ride & on_scene, 3))
    want = [int(np.count_nonzero(ride & unserved & ~on_scene & (urgency == u))) for u in range(3)]
    assert list(not_on_scene) == want
    ride_urgent = ride & ((urgency == 0) | (urgency == 1))
    there = np.isfinite(at_seh)
    stuck = unserved & ~there & (conveyed | ~np.isfinite(depart))
    sent = keep & np.isfinite(dispatch)
    assert list(counts) == [
        np.count_nonzero(ride_urgent & there & (to_seh <= 25.0)),
        np.count_nonzero(ride_urgent & (there | stuck)),
        np.count_nonzero(sent),
        np.count_nonzero(sent & (station == NEIGHBOUR_STATION)),
    ]
    assert list(rides) == [int(np.count_nonzero(sent & (urgency == u))) for u in range(3)]


def test_volume_counts_are_the_mask_counts() -> None:
    rng = np.random.default_rng(11)
    n, channels = 5000, 4
    keep = rng.random(n) < 0.9
    channel = rng.integers(-1, channels + 1, n).astype(np.int16)
    entry = rng.integers(0, 3, n).astype(np.int8)
    disposition = rng.integers(0, 6, n).astype(np.int8)
    triage_end, consult, visit, callback, travel = (random_times(rng, n, 0.4) for _ in range(5))
    consult_by = rng.integers(-1, 2, n)
    per_channel, counts, travels = volume_counts(
        keep, channel, channels, entry, 1, triage_end, disposition, (2, 4), consult,
        consult_by, visit, callback, travel,
    )  # fmt: skip
    want = [int(np.count_nonzero(keep & (channel == c))) for c in range(channels)]
    assert list(per_channel) == want
    telephone = keep & (entry == 1) & np.isfinite(triage_end)
    telephone &= (disposition != 2) & (disposition != 4)
    consults, visits = keep & np.isfinite(consult), keep & np.isfinite(visit)
    by_gp = np.count_nonzero(consults & (consult_by == 0))
    callbacks = np.count_nonzero(keep & np.isfinite(callback))
    assert list(counts) == [
        np.count_nonzero(telephone),
        np.count_nonzero(consults),
        np.count_nonzero(visits),
        by_gp + np.count_nonzero(visits) + callbacks,
    ]
    assert travels.tobytes() == travel[keep & np.isfinite(travel)].tobytes()


def test_rows_are_numpys_flatnonzero() -> None:
    rng = np.random.default_rng(12)
    values, exit_via = random_times(rng, 3000, 0.3), rng.integers(0, 9, 3000)
    attempts, queue = rng.integers(0, 3, 3000), rng.integers(-1, 4, 3000)
    assert list(finite_rows(values)) == list(np.flatnonzero(np.isfinite(values)))
    hung_up, waiting = exit_rows(exit_via, 0, attempts, 8, queue)
    assert list(hung_up) == list(np.flatnonzero((exit_via == 0) & (attempts == 1)))
    assert list(waiting) == list(np.flatnonzero((exit_via == 8) & (queue >= 0)))
    area = rng.integers(-3, 5, 100)
    assert not any_outside(area, -3, 5) and any_outside(area, -3, 4) and any_outside(area, -2, 5)
    assert not any_outside(area[:0], 0, 0)


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
    keep, entry = rng.random(n) < 0.9, rng.integers(0, 3, n).astype(np.int8)
    urgency = rng.integers(-1, 7, n).astype(np.int8)  # some out of range
    emergency = np.array([True, True, False, False, True, False])
    answer = np.where(rng.random(n) < 0.8, rng.uniform(1.0, 100.0, n), np.nan)
    start = answer - rng.exponential(2.0, n)
    start[rng.random(n) < 0.05] = np.nan
    called_back, requested = rng.random(n) < 0.1, answer - rng.exponential(30.0, n)
    exit_via = rng.integers(0, 6, n)
    attempts = tuple(rng.integers(0, 4, n) for _ in range(3))
    limits = (0.5, 2.0, 10.0)
    waits, back, counts = phone_counts(
        keep, entry, 1, urgency, emergency, answer, start, called_back, requested, exit_via,
        attempts, (2, 3), limits,
    )  # fmt: skip
    callers = keep & (entry == 1) & (attempts[0] >= 1)
    on_line = np.isin(urgency, np.flatnonzero(emergency))
    live = callers & np.isfinite(answer) & ~called_back
    wait = answer - start
    np.testing.assert_array_equal(waits, wait[live])
    np.testing.assert_array_equal(
        back, (answer - requested)[callers & called_back & np.isfinite(answer)]
    )
    other = callers & ~on_line
    want = [
        (callers & on_line).sum(),
        (live & on_line & (wait <= limits[0])).sum(),
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


def test_repeated_text_columns_are_text_columns_and_not_changed_by_a_table() -> None:
    names, roles = ("a", "b", "c"), ("x", "y", "x")
    got = repeated_text_columns(4, names, roles)
    want = text_columns(np.repeat(np.arange(3), 4), names, roles)
    for a, b in zip(got, want, strict=True):
        pd.testing.assert_series_equal(pd.Series(a), pd.Series(b))
    frame = pd.DataFrame({"name": got[0], "role": got[1]})
    frame.loc[0, "name"] = "changed"
    assert repeated_text_columns(4, names, roles) is got and got[0][0] == "a"


def test_repeated_text_columns_of_other_values_are_not_mixed_up() -> None:
    """``1 == 1.0 == True``: a cache on the values alone would hand one for the other."""
    ints = repeated_text_columns(2, (1, 2))
    floats = repeated_text_columns(2, (1.0, 2.0))
    assert list(ints[0]) == [1, 1, 2, 2] and list(floats[0]) == [1.0, 1.0, 2.0, 2.0]
    assert type(floats[0][0]) is float and type(ints[0][0]) is int


def test_frame_is_the_dict_constructors_table() -> None:
    names, roles = repeated_text_columns(2, ("a", "b"), ("x", "y"))
    columns = {
        "name": names,
        "role": roles,
        "hour": np.arange(4),
        "minutes": np.array([1.5, np.nan, 0.0, -0.0]),
        "n": np.full(4, 7),
    }
    got, want = frame(dict(columns)), pd.DataFrame(dict(columns))
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert got.columns.dtype == want.columns.dtype and isinstance(got.index, pd.RangeIndex)
    got.columns.name = "changed"  # its own column index
    got.loc[0, "name"] = "changed"  # and its own text
    assert frame(dict(columns)).columns.name is None and names[0] == "a"
    assert frame({}).empty
