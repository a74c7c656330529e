"""Exact arrivals of a non-homogeneous Poisson process with piecewise-constant rate.

The intensity is given as the *expected number of arrivals* in each of a run of
consecutive intervals of equal length (normally hours: the hour-of-week profile tiled over
the horizon and scaled by the population). Interval ``i`` covers
``[i * interval_minutes, (i + 1) * interval_minutes)``.

The method is exact, not an approximation (no thinning, no time steps): given a
piecewise-constant rate, the number of arrivals in interval ``i`` is Poisson with mean
``expected[i]``, independent across intervals, and given that number the arrival times
are independent uniforms on the interval. So we draw all counts first (one Poisson draw
per interval, in order), then the uniforms (interval by interval, in order), and sort
within each interval; the result is sorted overall. An arrival therefore always falls in
an interval whose own rate produced it.

:func:`sample_arrivals` is the compiled kernel; :func:`sample_arrivals_numpy` a vectorised
pure-NumPy counterpart for benchmarks (same law, other numbers).
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "MAX_EXPECTED_ARRIVALS",
    "count_per_interval",
    "sample_arrivals",
    "sample_arrivals_numpy",
]

MAX_EXPECTED_ARRIVALS = 2.0**53
"""Most arrivals the expected counts of one call may sum to (about 9.0e15): the counts
the kernels draw then fit in int64 with room to spare, and every expected count is an
exactly representable float. A scenario never comes near (validation bounds its demand
to 1e8 patients a year); this guards the kernels against data built around validation
(``Scenario.model_construct``, a hand-made array)."""


def _check(expected_per_interval: np.ndarray, interval_minutes: float) -> np.ndarray:
    """The expected counts as a contiguous float64 array, once checked to be 1-d, finite,
    non-negative and of a plausible total (`MAX_EXPECTED_ARRIVALS`); ValueError if not."""
    expected = np.ascontiguousarray(expected_per_interval, dtype=np.float64)
    if expected.ndim != 1:
        raise ValueError(
            f"expected_per_interval must be 1-d (one entry per interval), got shape "
            f"{expected.shape}"
        )
    bad = ~np.isfinite(expected) | (expected < 0)
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"expected_per_interval must be finite and non-negative; entry {i} is {expected[i]!r}"
        )
    with np.errstate(over="ignore"):
        total = float(expected.sum())
    if not total <= MAX_EXPECTED_ARRIVALS:
        raise ValueError(
            f"expected_per_interval sums to {total:.3g} arrivals; at most 2**53 "
            f"({MAX_EXPECTED_ARRIVALS:.3g}), so that the counts fit in int64"
        )
    if not (math.isfinite(interval_minutes) and interval_minutes > 0):
        raise ValueError(f"interval_minutes must be finite and positive, got {interval_minutes!r}")
    return expected


@numba.njit(cache=True)
def _arrivals_kernel(gen: np.random.Generator, expected: np.ndarray, interval: float) -> np.ndarray:
    n_int = expected.shape[0]
    # Pass 1: counts per interval.
    counts = np.zeros(n_int, dtype=np.int64)
    total = 0
    for i in range(n_int):
        if expected[i] > 0.0:
            counts[i] = gen.poisson(expected[i])
            total += counts[i]
    # Pass 2: uniform times within each interval, sorted per interval.
    out = np.empty(total, dtype=np.float64)
    pos = 0
    for i in range(n_int):
        k = counts[i]
        if k == 0:
            continue
        start = i * interval
        end = (i + 1) * interval
        last = np.nextafter(end, start)  # largest float below the interval's end
        for j in range(k):
            t = start + gen.random() * interval
            if t > last:  # rounding could reach the end of the interval
                t = last
            out[pos + j] = t
        if k <= 32:  # insertion sort: cheaper than a sort call for the usual few per hour
            for j in range(pos + 1, pos + k):
                v = out[j]
                m = j - 1
                while m >= pos and out[m] > v:
                    out[m + 1] = out[m]
                    m -= 1
                out[m + 1] = v
        else:
            out[pos : pos + k].sort()
        pos += k
    return out


def sample_arrivals(
    gen: np.random.Generator,
    expected_per_interval: np.ndarray,
    interval_minutes: float = 60.0,
) -> np.ndarray:
    """Sorted arrival times (float64 minutes) for the given expected count per interval.

    Draws from ``gen`` in a fixed order (all interval counts, then the times), so the
    same generator state always gives the same arrivals. Raises ``ValueError`` for a
    negative or non-finite expected count or a non-positive interval.
    """
    expected = _check(expected_per_interval, float(interval_minutes))
    return _arrivals_kernel(gen, expected, float(interval_minutes))


def sample_arrivals_numpy(
    gen: np.random.Generator,
    expected_per_interval: np.ndarray,
    interval_minutes: float = 60.0,
) -> np.ndarray:
    """Vectorised pure-NumPy counterpart of :func:`sample_arrivals` (same law)."""
    interval = float(interval_minutes)
    expected = _check(expected_per_interval, interval)
    counts = gen.poisson(expected)
    idx = np.repeat(np.arange(expected.size, dtype=np.int64), counts)
    starts = idx * interval
    times = starts + gen.random(idx.size) * interval
    last = np.nextafter((idx + 1) * interval, starts)
    np.minimum(times, last, out=times)
    times.sort()
    return times


def count_per_interval(
    times: np.ndarray, n_intervals: int, interval_minutes: float = 60.0
) -> np.ndarray:
    """Number of ``times`` in each interval ``[i * w, (i + 1) * w)``, ``i < n_intervals``.

    ``times`` need not be sorted (unsorted input is sorted on a copy); times outside
    ``[0, n_intervals * w)`` are not counted. Uses the same interval edges as the sampler,
    so counts agree exactly at the boundaries.
    """
    if n_intervals < 0:
        raise ValueError(f"n_intervals must be non-negative, got {n_intervals}")
    t = np.asarray(times, dtype=np.float64).ravel()
    if t.size > 1 and np.any(t[1:] < t[:-1]):
        t = np.sort(t)
    edges = np.arange(n_intervals + 1, dtype=np.int64) * float(interval_minutes)
    return np.diff(np.searchsorted(t, edges, side="left")).astype(np.int64)
