"""Compiled loops for the access KPIs (Numba), for `anwsim.metrics.access`.

`group_values` takes the values of several groups (urgencies, SEHs) in one pass, each
in patient order; `percentile` is `np.percentile` (its default, "linear") by selecting
near the rank instead of partitioning all values; `phone_counts` counts the phone
service levels in one pass over the callers instead of a mask per share. Means stay
with NumPy (`np.mean` of the values in the same order), so the values are the same bit
for bit.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit


@njit(cache=True)
def group_values(
    values: np.ndarray, codes: np.ndarray, rows: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """``values[rows]`` grouped by ``codes[rows]`` (groups 0 … n_groups - 1; codes out
    of range are in none), each group in the order of ``rows``: the values of one group
    after the other, and where each group begins (``n_groups + 1`` offsets)."""
    offsets = np.zeros(n_groups + 1, dtype=np.int64)
    for i in rows:
        if 0 <= codes[i] < n_groups:
            offsets[codes[i] + 1] += 1
    for g in range(n_groups):
        offsets[g + 1] += offsets[g]
    grouped = np.empty(offsets[n_groups])
    at = offsets[:-1].copy()
    for i in rows:
        code = codes[i]
        if 0 <= code < n_groups:
            grouped[at[code]] = values[i]
            at[code] += 1
    return grouped, offsets


def percentile(values: np.ndarray, q: float) -> float:
    """``np.percentile(values, q)`` (its default method, "linear"; NaN if there are no
    values or a NaN among them): the two order statistics around rank (n - 1) q / 100,
    interpolated as `np.percentile` does. Found by partitioning only the values near
    the rank: a sorted sample brackets it, `_bracket` counts the values below the
    bracket and keeps those in it."""
    n = values.size
    if n == 0:
        return math.nan
    virtual = (n - 1) * (q / 100)
    if virtual >= n - 1:  # NumPy takes the last value for both, with weight virtual + 1
        k, gamma = n - 1, virtual + 1
    else:
        k = math.floor(virtual)
        gamma = virtual - k
    k2 = min(k + 1, n - 1)
    lower, upper = _order_statistics(values, k, k2)
    if math.isnan(lower) or math.isnan(upper):
        return math.nan
    diff = upper - lower
    return float(upper - diff * (1 - gamma) if gamma >= 0.5 else lower + diff * gamma)


def _order_statistics(values: np.ndarray, k: int, k2: int) -> tuple[float, float]:
    """The k-th and k2-th smallest of ``values`` (from 0; k <= k2 <= k + 1), NaN if
    there is a NaN among them."""
    n = values.size
    if n > 4096:
        sample = np.sort(values[:: n // 1024])
        m = sample.size
        p = k / (n - 1)
        at, margin = round(p * (m - 1)), 4 * math.ceil(math.sqrt(p * (1 - p) * m)) + 4
        lo, hi = sample[max(at - margin, 0)], sample[min(at + margin, m - 1)]
        kept = np.empty(n)
        under, n_kept, nan = _bracket(values, lo, hi, kept)
        if nan:
            return math.nan, math.nan
        if under <= k and k2 < under + n_kept:
            inside = np.partition(kept[:n_kept], [k - under, k2 - under])
            return inside[k - under], inside[k2 - under]
    # few values, or the sample missed the rank
    ordered = np.partition(values, [k, k2, n - 1])  # NaN last
    return (math.nan, math.nan) if math.isnan(ordered[-1]) else (ordered[k], ordered[k2])


@njit(cache=True)
def _bracket(values: np.ndarray, lo: float, hi: float, kept: np.ndarray) -> tuple[int, int, bool]:
    """How many ``values`` are below ``lo``; those in [lo, hi], written into ``kept``
    (how many); whether there is a NaN (lo and hi are not)."""
    under = n_kept = 0
    nan = False
    for x in values:
        if x < lo:
            under += 1
        elif x <= hi:
            kept[n_kept] = x
            n_kept += 1
        else:
            nan |= x != x
    return under, n_kept, nan


@njit(cache=True)
def phone_counts(
    callers: np.ndarray,
    emergency: np.ndarray,
    answer: np.ndarray,
    answered_attempt_start: np.ndarray,
    called_back: np.ndarray,
    call_back_requested: np.ndarray,
    exit_via: np.ndarray,
    attempts: tuple[np.ndarray, np.ndarray, np.ndarray],
    exits: tuple[int, int],
    limits: tuple[float, float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the phone KPIs of `anwsim.metrics.access` count, in one pass over the
    callers (``callers`` and ``emergency``: masks of all patients). The waits of the
    callers answered live (a finite answer, not called back: ``answer -
    answered_attempt_start``) and of the callers called back with a finite answer
    (``answer - call_back_requested``), each in patient order, and the counts:
    emergency callers and those answered live within ``limits[0]``; other callers and
    those answered live within ``limits[1]``, within ``limits[2]``; callers, those
    called back, those who left by ``exits[0]``, by ``exits[1]``; and the sums of the
    three ``attempts`` columns over the callers."""
    n = callers.size
    live_waits, back_waits = np.empty(n), np.empty(n)
    all_attempts, abandoned_attempts, blocked_attempts = attempts
    (abandoned_exit, blocked_exit), (urgent_limit, limit, max_limit) = exits, limits
    # counts in locals, not an array: they stay in registers
    n_live = n_back = emergency_callers = urgent_in_time = other = in_time = in_max = 0
    n_callers = called = abandoned = blocked = tried = tried_abandoned = tried_blocked = 0
    for i in range(n):
        if not callers[i]:
            continue
        answered = np.isfinite(answer[i])
        live = answered and not called_back[i]
        wait = answer[i] - answered_attempt_start[i]
        if live:
            live_waits[n_live] = wait
            n_live += 1
        if called_back[i] and answered:
            back_waits[n_back] = answer[i] - call_back_requested[i]
            n_back += 1
        if emergency[i]:
            emergency_callers += 1
            urgent_in_time += live and wait <= urgent_limit
        else:
            other += 1
            in_time += live and wait <= limit
            in_max += live and wait <= max_limit
        n_callers += 1
        called += called_back[i]
        abandoned += exit_via[i] == abandoned_exit
        blocked += exit_via[i] == blocked_exit
        tried += all_attempts[i]
        tried_abandoned += abandoned_attempts[i]
        tried_blocked += blocked_attempts[i]
    counts = np.array(
        [
            emergency_callers,
            urgent_in_time,
            other,
            in_time,
            in_max,
            n_callers,
            called,
            abandoned,
            blocked,
            tried,
            tried_abandoned,
            tried_blocked,
        ],
        dtype=np.int64,
    )
    return live_waits[:n_live], back_waits[:n_back], counts
