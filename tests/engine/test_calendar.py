"""The compiled engine's event calendar (`kernel.ev_pop`, `kernel.schedule`): events come
off in (time, class << 48 | sequence) order, as from one heap, whatever their spread:
in the current slot, in the next lap's buckets, in the overflow list beyond it, at the
same time, at infinity, and with the calendar running empty in between."""

from __future__ import annotations

import heapq
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numba import njit

from anwsim.engine import kernel
from anwsim.engine.kernel import CAL_BUCKETS, CAL_WIDTH, SHIFT

SPAN = CAL_BUCKETS * CAL_WIDTH  # minutes in one lap of the calendar


@njit  # not cached: a cache would not see a change of the kernel functions it inlines
def _run(ops, delays, classes, cap):
    """Push (op 0: an event ``delays[k]`` after the last popped time, of class
    ``classes[k]``) and pop (op 1, when any is pending); returns the popped times and
    keys, in order, then the rest popped."""
    clk = (np.zeros(1), np.zeros(1, dtype=np.int64))
    ev = kernel.event_state(cap, 16, 1, 1)
    now = 0.0
    out_t = np.empty(ops.shape[0])
    out_k = np.empty(ops.shape[0], dtype=np.int64)
    m = 0
    pending = 0
    for k in range(ops.shape[0] + cap):
        if k < ops.shape[0] and ops[k] == 0:
            kernel.schedule(ev, clk, now + delays[k], classes[k], 0, 0, 0, 0, 0)
            pending += 1
        elif pending > 0 and (k >= ops.shape[0] or ops[k] == 1):
            time, key = ev[8][0], ev[9][0]
            slot = kernel.ev_pop(ev)
            if ev[1][slot] != time or ev[0][slot, 0] != key:
                return out_t[:0], out_k[:0], -1  # the top read was not the event taken
            kernel.ev_release(ev, slot)
            pending -= 1
            now = time
            if m == out_t.shape[0]:
                break
            out_t[m], out_k[m] = time, key
            m += 1
    return out_t[:m], out_k[:m], clk[1][0]


def _reference(ops, delays, classes):
    """The same operations on Python's heapq."""
    heap: list[tuple[float, int]] = []
    now, seq, popped = 0.0, 0, []
    for op, delay, cls in zip(ops, delays, classes, strict=True):
        if op == 0:
            heapq.heappush(heap, (now + delay, int(cls) * SHIFT + seq))
            seq += 1
        elif heap:
            now, key = heapq.heappop(heap)
            popped.append((now, key))
    while heap and len(popped) < len(ops):
        popped.append(heapq.heappop(heap))
    return popped


def _check(ops, delays, classes) -> None:
    ops = np.asarray(ops, dtype=np.int64)
    delays = np.asarray(delays, dtype=np.float64)
    classes = np.asarray(classes, dtype=np.int64)
    times, keys, status = _run(ops, delays, classes, max(len(ops), 1))
    assert status == kernel.OK
    expected = _reference(ops, delays, classes)
    assert list(zip(times.tolist(), keys.tolist(), strict=True)) == expected


DELAYS = st.one_of(
    st.just(0.0),
    st.floats(0.0, CAL_WIDTH),  # the current slot and the next
    st.floats(0.0, SPAN),  # the buckets of this lap
    st.floats(SPAN - CAL_WIDTH, 5 * SPAN),  # the overflow list, laps ahead
    st.sampled_from([CAL_WIDTH, SPAN, SPAN - CAL_WIDTH, 2 * SPAN, math.inf]),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from([0, 0, 1]), DELAYS, st.integers(1, 5)),
        min_size=1,
        max_size=120,
    )
)
def test_events_come_off_in_heap_order(items: list[tuple[int, float, int]]) -> None:
    ops, delays, classes = zip(*items, strict=True)
    _check(ops, delays, classes)


def test_a_long_run_through_many_laps_and_gaps() -> None:
    """Thousands of events, as in a replication: mostly short delays, some hours, a few
    a lap or more ahead, with the calendar running empty between bursts."""
    rng = np.random.default_rng(7)
    n = 20_000
    ops = (rng.random(n) < 0.45).astype(np.int64)  # more pops than pushes: it drains
    delays = rng.exponential(15.0, n)
    delays[rng.random(n) < 0.1] *= 20.0
    far = rng.random(n) < 0.01
    delays[far] = rng.uniform(SPAN, 3 * SPAN, int(far.sum()))
    delays[::997] = math.inf
    classes = rng.integers(1, 6, n)
    _check(ops, delays, classes)


def test_equal_times_come_off_by_class_then_sequence() -> None:
    ops = [0] * 6 + [1] * 6
    delays = [SPAN, 2 * SPAN, SPAN, 0.0, SPAN, 2 * SPAN] + [0.0] * 6
    classes = [3, 1, 1, 5, 2, 1] + [1] * 6
    _check(ops, delays, classes)
