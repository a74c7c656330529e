"""Compiled loops over the resource logs (Numba), for `anwsim.metrics.workload`.

A log is read as a step function on [start, end) (see `anwsim.metrics.workload`).
`log_totals` integrates it: the staffed, on-shift busy and overtime minutes are sums
over its pieces, added up as `np.sum` of the array of the pieces adds them (NumPy's
pairwise summation, here block by block without the array). `log_hourly` splits the
pieces at every full hour and adds them up per hour of the week: per hour in entry order,
then the hours in order, as the `np.bincount` of the NumPy code this replaced did. So
the tables are the same bit for bit, and each log is read once.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numba import njit

HOURS_PER_WEEK = 168

# Loops that allocate nothing and call helpers with arrays are compiled without Numba's
# reference counting: with it, every array passed to a helper costs an atomic increment
# and decrement, more than the rest of the helper (as in `anwsim.engine.kernel`).
LOOP: dict[str, Any] = {"cache": True, "_nrt": False}
INLINE: dict[str, Any] = {**LOOP, "inline": "always"}


@njit(cache=True)
def log_totals(
    times: np.ndarray,
    capacity: np.ndarray,
    busy: np.ndarray,
    overtime: np.ndarray,
    ended: np.ndarray,
    lo: int,
    hi: int,
    start: float,
    end: float,
) -> tuple[float, float, float, int]:
    """Staffed, on-shift busy and overtime minutes of a log over [start, end), and its
    shift ends there; entries ``lo:hi`` fall strictly inside. The minutes are sums over
    the pieces (`_piece`) as `np.sum` of their array adds them (`pairwise_sum`);
    overtime 0 if no piece has any."""
    m = hi - lo
    pieces = (times, capacity, busy, overtime, lo, m, start, end)
    frames, sums, r = np.empty((64, 3), dtype=np.int64), np.empty((64, 3)), np.empty((3, 128))
    staffed, on_shift, over, with_overtime = _piece_sums(pieces, m + 1, frames, sums, r)
    ends = 0
    for x in ended[lo:hi]:
        ends += x
    return 0.0 + staffed, 0.0 + on_shift, 0.0 + over if with_overtime else 0.0, ends


Pieces = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int, int, float, float]
"""A log's (times, capacity, busy, overtime), the first entry inside the window and
how many are, and the window (start, end)."""


@njit(**INLINE)
def _piece(pieces: Pieces, j: int) -> tuple[float, float, float, bool]:
    """Piece j of a log over [start, end): from start to the first entry inside
    (holding entry ``max(lo - 1, 0)``), or from the j-th entry inside to the next (or
    to end). Its length times capacity, times on-shift busy (busy - overtime), times
    overtime (0 without), and whether it has overtime."""
    times, capacity, busy, overtime, lo, m, start, end = pieces
    if j == 0:
        held = max(lo - 1, 0)
        length = (times[lo] if m else end) - start
    else:
        held = lo + j - 1
        length = (times[held + 1] if j < m else end) - times[held]
    over = overtime[held]
    minutes = length * over if over != 0 else 0.0
    return length * capacity[held], length * (busy[held] - over), minutes, over != 0


@njit(**LOOP)
def _piece_sums(
    pieces: Pieces, n: int, frames: np.ndarray, sums: np.ndarray, r: np.ndarray
) -> tuple[float, float, float, bool]:
    """NumPy's pairwise summation (``pairwise_sum`` in numpy/_core/src/umath/
    loops_utils.h.src) of the first n pieces, for the three products of `_piece` at once,
    and whether any piece has overtime. Blocks of up to 128 values are summed by
    `_block_sums`; a longer run is the sum of its two halves (the first a multiple of 8),
    here without recursion (which Numba cannot cache): ``frames`` (j, n, step) and
    ``sums`` (of the halves done) are stacks, 64 deep; ``r`` is room for `_block_sums`.
    `np.sum` of an array is 0.0 plus this sum (tests/metrics/test_kernels.py)."""
    depth, done = 0, 0
    frames[0, 0], frames[0, 1], frames[0, 2] = 0, n, 0
    any_over = False
    while depth >= 0:
        j, n, step = frames[depth, 0], frames[depth, 1], frames[depth, 2]
        half = n // 2 - n // 2 % 8
        if n <= 128:  # a block: its sums on the stack
            sums[done, 0], sums[done, 1], sums[done, 2], over = _block_sums(pieces, j, n, r)
            any_over = any_over or over
            done += 1
            depth -= 1
        elif step < 2:  # the first half, then the second
            frames[depth, 2] = step + 1
            depth += 1
            frames[depth, 0] = j if step == 0 else j + half
            frames[depth, 1] = half if step == 0 else n - half
            frames[depth, 2] = 0
        else:  # both halves summed: their sum
            done -= 1
            for x in range(3):
                sums[done - 1, x] += sums[done, x]
            depth -= 1
    return sums[0, 0], sums[0, 1], sums[0, 2], any_over


@njit(**INLINE)
def _block_sums(pieces: Pieces, j: int, n: int, r: np.ndarray) -> tuple[float, float, float, bool]:
    """Pieces j … j + n - 1 (n <= 128), written into ``r``, summed by `block_sum`."""
    times, capacity, busy, overtime, lo, m, _, _ = pieces
    any_over = False
    inner_from, inner_to = max(j, 1), min(j + n, m)  # from one entry inside to the next
    for i in (j, j + n - 1):  # the piece from start, the piece to end
        if i == 0 or i == m:
            r[0, i - j], r[1, i - j], r[2, i - j], over = _piece(pieces, i)
            any_over = any_over or over
    if inner_from < inner_to:
        # views indexed from 0 by the loop: no negative-index checks, so it vectorises
        at = lo + inner_from - 1  # the entry that piece inner_from holds
        t, c, b, o = times[at:], capacity[at:], busy[at:], overtime[at:]
        r0, r1, r2 = r[0, inner_from - j :], r[1, inner_from - j :], r[2, inner_from - j :]
        for k in range(inner_to - inner_from):
            length = t[k + 1] - t[k]
            r0[k] = length * c[k]
            r1[k] = length * (b[k] - o[k])
            r2[k] = length * o[k] if o[k] != 0 else 0.0
            any_over |= o[k] != 0
    return block_sum(r[0], n), block_sum(r[1], n), block_sum(r[2], n), any_over


@njit(**INLINE)
def block_sum(values: np.ndarray, n: int) -> float:
    """The first n (<= 128) of ``values`` summed as NumPy's ``pairwise_sum`` sums a
    block: under 8 a plain sum from -0.0, else 8 interleaved partial sums, added
    pairwise, then the rest."""
    if n < 8:
        total = -0.0
        for i in range(n):
            total += values[i]
        return total
    r0, r1, r2, r3 = values[0], values[1], values[2], values[3]
    r4, r5, r6, r7 = values[4], values[5], values[6], values[7]
    i = 8
    while i < n - n % 8:
        r0, r1, r2, r3 = r0 + values[i], r1 + values[i + 1], r2 + values[i + 2], r3 + values[i + 3]
        r4, r5, r6, r7 = (
            r4 + values[i + 4],
            r5 + values[i + 5],
            r6 + values[i + 6],
            r7 + values[i + 7],
        )
        i += 8
    total = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    for k in range(i, n):
        total += values[k]
    return total


@njit(**INLINE)
def _hour(t: float) -> int:
    """The hour h with 60 h <= t < 60 (h + 1) (``floor(t / 60)``, corrected if the
    division rounds across a full hour)."""
    h = math.floor(t / 60.0)
    if 60.0 * h > t:
        h -= 1
    elif 60.0 * (h + 1) <= t:
        h += 1
    return h


@njit(cache=True)
def log_hourly(
    times: np.ndarray,
    capacity: np.ndarray,
    busy: np.ndarray,
    overtime: np.ndarray,
    lo: int,
    hi: int,
    start: float,
    end: float,
    staffed: np.ndarray,
    on_shift: np.ndarray,
) -> None:
    """Adds the staffed and on-shift busy minutes of a log over [start, end) per hour of
    the week to ``staffed`` and ``on_shift`` (168 each); entries ``lo:hi`` fall strictly
    inside. A piece counts in the hour ``floor(t / 60)`` of its start t: per hour (in
    order) the pieces from its entries, then its lead piece: from start in the first
    hour (holding entry ``max(lo - 1, 0)``), else from the full hour to its first
    entry or the next full hour (holding the last entry before it). A run of hours
    without entries before the last hour is added in a loop of its own: each of them
    is one piece of 60 minutes, held by the entry before the run."""
    first = int(np.floor(start / 60.0))
    last = int(np.floor(end / 60.0))  # the last full hour strictly inside (start, end)
    if 60.0 * last >= end:
        last -= 1
    # an entry t is in hour h exactly when 60 h <= t < 60 (h + 1): t / 60 is correctly
    # rounded and 60 h is a double, so floor(t / 60) = h just then (no division here)
    m = hi - lo
    t, c, busy_, over = times[lo:hi], capacity[lo:hi], busy[lo:hi], overtime[lo:hi]
    e = 0  # the next entry
    week = first % HOURS_PER_WEEK
    hour, top = first, max(last, first)
    while hour <= top:
        below = e  # entries in the hours before this one
        cut = 60.0 * (hour + 1)
        bound = cut if hour < last else end  # where the pieces of this hour end
        s = b = 0.0
        while e < m and t[e] < cut:
            length = min(t[e + 1] if e + 1 < m else end, bound) - t[e]
            s += length * c[e]
            b += length * (busy_[e] - over[e])
            e += 1
        if hour == first:
            upto = times[lo] if hi > lo else math.inf
            length = min(upto, 60.0 * (first + 1) if last > first else end) - start
            held = max(lo - 1, 0)
        else:
            upto = t[below] if below < m else end
            length = min(bound, upto) - 60.0 * hour
            held = lo + below - 1 if lo else max(below - 1, 0)
        s += length * capacity[held]
        b += length * (busy[held] - overtime[held])
        staffed[week] += s
        on_shift[week] += b
        week = week + 1 if week + 1 < HOURS_PER_WEEK else 0
        hour += 1
        if hour < last and not (e < m and t[e] < 60.0 * (hour + 1)):
            # hours without entries up to the next entry's hour (or the last hour)
            run = min(_hour(t[e]) if e < m else last, last) - hour
            held = lo + e - 1 if lo else max(e - 1, 0)
            s = 0.0 + 60.0 * capacity[held]  # as above: 0.0 plus the lead piece
            b = 0.0 + 60.0 * (busy[held] - overtime[held])
            for _ in range(run):
                staffed[week] += s
                on_shift[week] += b
                week = week + 1 if week + 1 < HOURS_PER_WEEK else 0
            hour += max(run, 0)
