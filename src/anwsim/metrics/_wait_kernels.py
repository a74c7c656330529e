"""Compiled loops over the waits of the queues (Numba), for `anwsim.metrics.queues`.

`gather_waits` lists the waits of one part of `queue_waits` (the patients with a finite
grant, in patient order); `tally_gathered` and `tally_waits` add the same waits, in the
same order, to a `Tally` per queue and hour without listing them, and `waits_per_hour`
folds it onto the week. The sums run in the order of the NumPy code this replaced (per
hour in wait order, then the hours in order, as its `np.bincount` and folding did), so
the table is the same bit for bit. `finite_rows`, `exit_rows` and `any_outside` are the
passes over all patients that `anwsim.metrics.queues` made with NumPy masks (the rows
of the few waits listed one by one, the check of the areas).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from anwsim.metrics._log_kernels import HOURS_PER_WEEK, INLINE, LOOP

CHUNK = 1024
"""Patients per chunk of the loops that first pick the patients they take (`_picked`)."""


@njit(**INLINE)
def _picked(when: np.ndarray, c0: int, rows: np.ndarray) -> int:
    """Writes into ``rows`` the patients i of the chunk from ``c0`` with a finite
    ``when[i]``, in order; returns how many. Without a branch per patient: a test that
    goes either way at random costs more than the rest of the loop."""
    k = 0
    for i in range(c0, min(c0 + CHUNK, when.size)):
        rows[k] = i
        k += np.isfinite(when[i])
    return k


@njit(**LOOP)
def count_finite(values: np.ndarray) -> int:
    """How many of ``values`` are finite."""
    n = 0
    for x in values:
        n += np.isfinite(x)
    return n


@njit(cache=True)
def finite_rows(values: np.ndarray) -> np.ndarray:
    """The rows i with a finite ``values[i]``, in order (``np.flatnonzero(np.isfinite(
    values))``)."""
    rows = np.empty(values.size, dtype=np.int64)
    k = 0
    for i in range(values.size):
        rows[k] = i
        k += np.isfinite(values[i])
    return rows[:k]


@njit(cache=True)
def exit_rows(
    exit_via: np.ndarray,
    abandoned: int,
    attempts: np.ndarray,
    unserved: int,
    unserved_queue: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """In one pass, in order: the rows that left by ``abandoned`` after one attempt, and
    those that left by ``unserved`` from a queue (``unserved_queue >= 0``). (Both are
    rare: the tests are branches foreseen.)"""
    n = exit_via.size
    hung_up, waiting = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
    k = m = 0
    for i in range(n):
        if exit_via[i] == abandoned and attempts[i] == 1:
            hung_up[k] = i
            k += 1
        elif exit_via[i] == unserved and unserved_queue[i] >= 0:
            waiting[m] = i
            m += 1
    return hung_up[:k], waiting[:m]


@njit(cache=True)
def any_outside(values: np.ndarray, low: int, high: int) -> bool:
    """Whether a value is below ``low`` or at or above ``high``."""
    outside = False
    for x in values:
        outside |= (x < low) | (x >= high)
    return outside


@njit(**LOOP)
def gather_waits(
    when: np.ndarray,
    site: np.ndarray | None,
    table: np.ndarray,
    begin: np.ndarray,
    end: np.ndarray,
    lag: np.ndarray | None,
    waits: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    at: int,
    rows: np.ndarray,
) -> None:
    """Writes into ``waits`` (queue, begin, end, patient), from index ``at``, the wait
    of every patient i with a finite ``when[i]``, in patient order: queue
    ``table[site[i]]`` (``table[0]`` without ``site``), from ``begin[i]`` to ``end[i]``
    (less ``lag[i]``); ``rows`` is room for a chunk of patients. A site indexes
    ``table`` as in NumPy (negative from the end; out of range: IndexError)."""
    queue_out, begin_out, end_out, patient_out = waits
    for c0 in range(0, when.size, CHUNK):
        for j in range(_picked(when, c0, rows)):
            i = rows[j]
            queue_out[at] = _queue(table, 0 if site is None else site[i])
            begin_out[at] = begin[i]
            end_out[at] = end[i] if lag is None else end[i] - lag[i]
            patient_out[at] = i
            at += 1


@njit(**INLINE)
def _queue(table: np.ndarray, site: int) -> int:
    if site < 0:
        site += table.size
    if site < 0 or site >= table.size:
        raise IndexError("a site index is out of range")
    return table[site]


Tally = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""Waits per queue and hour of [start, stop), from `new_tally`: first parts, last parts,
full hours (+1 where they begin, -1 after), the hour of the week of each hour, and per
hour of the week the waits begun and their length."""


def new_tally(n_queues: int, start: float, stop: float) -> Tally:
    """An empty `Tally` for the waits over [start, stop) (hours from that of start)."""
    first_hour = int(np.floor(start / 60.0))
    n_hours = int(np.floor(stop / 60.0)) - first_hour + 2
    return (
        np.zeros((n_queues, n_hours)),
        np.zeros((n_queues, n_hours)),
        np.zeros((n_queues, n_hours), dtype=np.int64),
        (first_hour + np.arange(n_hours)) % HOURS_PER_WEEK,
        np.zeros((n_queues, HOURS_PER_WEEK), dtype=np.int64),
        np.zeros((n_queues, HOURS_PER_WEEK)),
    )


@njit(**INLINE)
def _tally(tally: Tally, q: int, b: float, e: float, start: float, stop: float) -> None:
    """Adds the wait from b to e in queue q to ``tally`` (see `waits_per_hour`): if it
    begins in [start, stop) to the waits begun in its hour; clipped to the window, its
    part of its first hour, of its last hour, and the full hours between."""
    first, last, full, week_of, started, length = tally
    began = start <= b < stop
    bc, ec = min(max(b, start), stop), min(max(e, start), stop)
    if began or ec > bc:  # (not with NaN)
        h0 = int(np.floor(start / 60.0))
        hb = int(np.floor(bc / 60.0))  # the hour of b, if it began inside
        if began:
            started[q, week_of[hb - h0]] += 1
            length[q, week_of[hb - h0]] += e - b
        if ec > bc:
            he = int(np.floor(ec / 60.0))
            # selects, not branches (the two cases alternate unpredictably); a wait
            # inside one hour adds 0 to its last part and no full hours
            across = hb != he
            first[q, hb - h0] += (hb + 1) * 60.0 - bc if across else ec - bc
            last[q, he - h0] += ec - he * 60.0 if across else 0.0
            full[q, hb + 1 - h0] += across
            full[q, he - h0] -= across


@njit(**LOOP)
def tally_gathered(
    when: np.ndarray,
    site: np.ndarray | None,
    table: np.ndarray,
    begin: np.ndarray,
    end: np.ndarray,
    lag: np.ndarray | None,
    tally: Tally,
    start: float,
    stop: float,
    rows: np.ndarray,
) -> None:
    """Adds the waits `gather_waits` would write to ``tally``, in the same order."""
    for c0 in range(0, when.size, CHUNK):
        for j in range(_picked(when, c0, rows)):
            i = rows[j]
            e = end[i] if lag is None else end[i] - lag[i]
            _tally(tally, _queue(table, 0 if site is None else site[i]), begin[i], e, start, stop)


@njit(**LOOP)
def tally_waits(
    queue: np.ndarray, begin: np.ndarray, end: np.ndarray, tally: Tally, start: float, stop: float
) -> None:
    """Adds the waits (queue, begin, end) to ``tally``, in order."""
    for k in range(queue.size):
        _tally(tally, queue[k], begin[k], end[k], start, stop)


@njit(cache=True)
def waits_per_hour(tally: Tally) -> np.ndarray:
    """The patient-minutes waiting per queue and hour of the week, of a `Tally` of the
    waits over [start, stop): each wait, clipped to the window, has its part of its
    first hour, of its last hour, and 60 minutes of every hour in between; per hour the
    first parts, plus the last parts (each summed in wait order), plus the full hours,
    folded onto the week in hour order."""
    first, last, full, week_of, _, _ = tally
    n_queues, n_hours = first.shape
    waiting = np.zeros((n_queues, HOURS_PER_WEEK))
    for q in range(n_queues):
        hours = 0
        for j in range(n_hours):
            hours += full[q, j]
            waiting[q, week_of[j]] += (first[q, j] + last[q, j]) + 60.0 * hours
    return waiting
