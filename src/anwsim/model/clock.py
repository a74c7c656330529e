"""The event calendar and the order of events that happen at the same minute.

The model runs on SimPy. Every event that changes the state of the chain is scheduled
through `Clock` with an explicit *class*, so that events at the same time happen in an
order written down here, not in whatever order SimPy happened to create them. A second
engine reproduces the model exactly by following the same rule.

Order at equal times (lower first):

1. ``END``      a task, trip or wait ends (service completion, arrival at a site after
                travel, end of an offload delay): the staff member or vehicle is released.
2. ``ROSTER``   capacity changes: shift starts and ends, sites opening and closing.
3. ``DISPATCH`` pools serve their queues (staff take the next patient, the dispatch
                centre sends a vehicle), with the capacity just set.
4. ``PATIENCE`` callers whose patience runs out hang up.
5. ``ARRIVAL``  new patients and redials arrive.

Within a class, events run in the order they were scheduled (a global sequence number).
Hence: a caller whose patience ends at the very minute a triagist frees up is answered;
a shift that ends at the minute a consult ends does not hand that GP a new patient; a
patient arriving at the minute a shift starts finds the new capacity.

What happens *inside* an event runs to completion before the next event. When a pool
grants a request, the waiting patient continues at once, before the next scheduled
event (SimPy's immediate continuation of a triggered event); continuations run in the
order the grants were made.
"""

from __future__ import annotations

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


class Clock:
    """A SimPy environment with class-ordered scheduling at absolute times."""

    def __init__(self, env: simpy.Environment | None = None) -> None:
        self.env = env or simpy.Environment()
        self._seq = count()

    @property
    def now(self) -> float:
        return float(self.env.now)

    def priority(self, cls: int) -> int:
        return cls * _CLASS_SHIFT + next(self._seq)

    def at(self, time: float, cls: int, value: Any = None) -> simpy.Event:
        """An event that fires at absolute ``time`` (not before now) with class ``cls``."""
        if time < self.env.now:
            raise ValueError(f"cannot schedule at {time} before now ({self.env.now})")
        event = simpy.Event(self.env)
        event._ok = True
        event._value = value
        # SimPy's schedule() only takes a delay; adding and subtracting now would round.
        # The heap entry has SimPy's own layout: (time, priority, event id, event).
        queue: list[Any] = self.env._queue  # type: ignore[attr-defined]
        heappush(
            queue,
            (time, self.priority(cls), next(self.env._eid), event),  # type: ignore[attr-defined]
        )
        return event

    def after(self, delay: float, cls: int, value: Any = None) -> simpy.Event:
        """An event ``delay`` minutes from now (``now + delay``) with class ``cls``."""
        return self.at(self.env.now + delay, cls, value)

    def call_at(self, time: float, cls: int, callback: Any) -> simpy.Event:
        """Run ``callback()`` at ``time`` with class ``cls``."""
        event = self.at(time, cls)
        event.callbacks.append(lambda _event: callback())
        return event
