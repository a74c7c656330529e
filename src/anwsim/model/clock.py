"""The event calendar, the order of events that happen at the same minute, the trace.

The model runs on SimPy. Every event that changes the state of the chain is scheduled
through `Clock` with an explicit *class*, so that events at the same time happen in an
order written down here (and in ``docs/engine.md``), not in whatever order SimPy
happened to create them. A second engine reproduces the model exactly by following
the same rule.

Order at equal times (lower first):

1. ``END``      a task, trip or wait ends (service completion, arrival at a site after
                travel, end of an offload delay): the staff member or vehicle is released.
2. ``ROSTER``   capacity changes: shift starts and ends, sites opening and closing.
3. ``DISPATCH`` pools serve their queues (staff take the next patient, the dispatch
                centre sends a vehicle), with the capacity just set.
4. ``PATIENCE`` callers whose patience runs out hang up.
5. ``ARRIVAL``  new patients and redials arrive.

Within a class, events run in the order they were scheduled (a global sequence number,
taken when the event is scheduled). Classes are heap priorities, not phases: an event
scheduled *while* the events of a minute are processed, for that same minute, takes its
place by class among the events still waiting (a ``DISPATCH`` scheduled by an arrival
runs before the next ``ARRIVAL`` of that minute). Hence: a caller whose patience ends at
the very minute a triagist frees up is answered; a shift that ends at the minute a
consult ends does not hand that GP a new patient; a patient arriving at the minute a
shift starts finds the new capacity.

What happens *inside* an event runs to completion before the next event. When a pool
grants a request, the waiting patient continues at once, before the next scheduled
event (SimPy's immediate continuation of a triggered event, at SimPy's own priority 1,
below every class here); continuations run in the order the grants were made.

A scheduled event can be cancelled (an answered caller's patience timer): it stays in
SimPy's heap but does nothing when its time comes and is not traced (lazy deletion).

With ``trace=True`` every processed event is recorded as one row ``(time, class,
sequence, kind, patient, pool, group)``; a pool's dispatch adds one ``grant`` row per
request it serves (same time, class and sequence as the dispatch).

SimPy offers no public way to schedule at an *absolute* time with a priority of our
own (``schedule`` takes a delay, and ``now + (t - now)`` need not equal ``t`` in
floating point), so `Clock.at` pushes onto SimPy's heap directly, in SimPy's own entry
layout ``(time, priority, event id, event)``. That is the one private access of the
model, and the reason ``simpy`` is pinned below its next major version.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from heapq import heappush
from itertools import count
from typing import Any

import simpy

END = 1
ROSTER = 2
DISPATCH = 3
PATIENCE = 4
ARRIVAL = 5

CLASS_NAMES = {
    END: "end",
    ROSTER: "roster",
    DISPATCH: "dispatch",
    PATIENCE: "patience",
    ARRIVAL: "arrival",
}

_CLASS_SHIFT = 1 << 48
"""Priorities are ``class << 48 | sequence``: always above SimPy's own 0 and 1, so SimPy's
immediate continuations run first, and ordered by class then by sequence."""

TRACE_COLUMNS = ("time", "cls", "seq", "kind", "patient", "pool", "group")


@dataclass
class Trace:
    """The processed events of one run, in processing order (columns as lists)."""

    time: list[float] = field(default_factory=list)
    cls: list[int] = field(default_factory=list)
    seq: list[int] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    patient: list[int] = field(default_factory=list)
    pool: list[int] = field(default_factory=list)
    group: list[int] = field(default_factory=list)

    def add(
        self, time: float, cls: int, seq: int, kind: str, patient: int, pool: int, group: int
    ) -> None:
        self.time.append(time)
        self.cls.append(cls)
        self.seq.append(seq)
        self.kind.append(kind)
        self.patient.append(patient)
        self.pool.append(pool)
        self.group.append(group)

    def __len__(self) -> int:
        return len(self.time)

    def to_frame(self) -> Any:
        """The trace as a pandas DataFrame with the columns of `TRACE_COLUMNS`."""
        import pandas as pd

        return pd.DataFrame({name: getattr(self, name) for name in TRACE_COLUMNS})


class Clock:
    """A SimPy environment with class-ordered scheduling at absolute times."""

    def __init__(self, env: simpy.Environment | None = None, *, trace: bool = False) -> None:
        self.env = env or simpy.Environment()
        self._seq = count()
        self.trace: Trace | None = Trace() if trace else None
        self.pools: list[Any] = []
        """Every `ServicePool` of the run, in construction order (its index in traces)."""

    @property
    def now(self) -> float:
        return float(self.env.now)

    def at(
        self,
        time: float,
        cls: int,
        value: Any = None,
        *,
        kind: str = "",
        patient: int = -1,
        pool: int = -1,
        group: int = -1,
    ) -> simpy.Event:
        """An event that fires at absolute ``time`` (not before now) with class ``cls``.

        ``kind``, ``patient``, ``pool`` and ``group`` describe the event in the trace.
        """
        if time < self.env.now:
            raise ValueError(f"cannot schedule at {time} before now ({self.env.now})")
        seq = next(self._seq)
        event = simpy.Event(self.env)
        event._ok = True
        event._value = value
        event.seq = seq  # type: ignore[attr-defined]
        event.cancelled = False  # type: ignore[attr-defined]
        if self.trace is not None:
            trace = self.trace
            event.callbacks.append(
                lambda ev: (
                    None
                    if ev.cancelled
                    else trace.add(float(ev.env.now), cls, seq, kind, patient, pool, group)
                )
            )
        queue: list[Any] = self.env._queue  # type: ignore[attr-defined]
        heappush(
            queue,
            (time, cls * _CLASS_SHIFT + seq, next(self.env._eid), event),  # type: ignore[attr-defined]
        )
        return event

    def after(self, delay: float, cls: int, value: Any = None, **describe: Any) -> simpy.Event:
        """An event ``delay`` minutes from now (``now + delay``) with class ``cls``."""
        return self.at(self.env.now + delay, cls, value, **describe)

    def call_at(self, time: float, cls: int, callback: Callable[[], None], **describe: Any) -> Any:
        """Run ``callback()`` at ``time`` with class ``cls`` (unless cancelled)."""
        event = self.at(time, cls, **describe)
        event.callbacks.append(lambda ev: None if ev.cancelled else callback())
        return event

    @staticmethod
    def cancel(event: Any) -> None:
        """The event will do nothing when its time comes (and is not traced)."""
        event.cancelled = True

    def grant(self, seq: int, patient: int, pool: int, group: int) -> None:
        """Trace a grant made by the dispatch event with sequence ``seq``."""
        if self.trace is not None:
            self.trace.add(self.now, DISPATCH, seq, "grant", patient, pool, group)
