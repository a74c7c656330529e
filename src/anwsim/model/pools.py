"""Staff pools that follow a roster: a priority queue served by one or more groups.

A `ServicePool` is a queue of requests and one or more `ServerGroup`s (GPs, nurse
practitioners, triagists, treatment places…) whose capacity follows a roster step
function. A request names which groups may serve it. Serving is non-preemptive:
requests wait in order of their key (priority, then time), and a started task is
never interrupted.

End-of-shift rule (``finish``): when capacity drops below the number of busy servers,
those servers finish the task in hand; the minutes they are busy beyond capacity are
overtime (the integral of ``max(0, busy - capacity)``). No new task starts while busy >=
capacity, so the rostered capacity is never exceeded by new work.

Closing rule: when a pool's whole capacity drops to zero (a post closes, a shift gap)
while patients wait, the servers present at that moment (each group's capacity just
before it fell to zero, within that minute) stay on, in overtime, until the patients
who were waiting at that moment have been seen. Patients arriving later wait for the
next shift (posts do not receive them: routing sends them elsewhere). When a new shift
starts, the hold ends and the new shift serves whoever still waits.

All state changes go through the `Clock` with the classes of `anwsim.model.clock`:
roster changes at ``ROSTER``, serving the queue at ``DISPATCH``.
"""

from __future__ import annotations

from bisect import insort
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import numpy as np
import simpy

from anwsim.model.clock import DISPATCH, ROSTER, Clock
from anwsim.scenario.calendar import StepFunction


@dataclass
class ResourceLog:
    """Every change of a server group's busy count and capacity, for utilisation."""

    name: str
    role: str
    site: str
    times: list[float] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)
    capacity: list[int] = field(default_factory=list)

    def record(self, time: float, busy: int, capacity: int) -> None:
        if self.times and self.times[-1] == time:
            self.busy[-1], self.capacity[-1] = busy, capacity
        else:
            self.times.append(time)
            self.busy.append(busy)
            self.capacity.append(capacity)

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            np.asarray(self.times, dtype=np.float64),
            np.asarray(self.busy, dtype=np.int64),
            np.asarray(self.capacity, dtype=np.int64),
        )


class ServerGroup:
    """Servers of one role at one site, with a rostered capacity."""

    def __init__(self, clock: Clock, name: str, role: str, site: str, roster: StepFunction):
        self.clock = clock
        self.name = name
        self.role = role
        self.site = site
        self.capacity = int(roster.values[0]) if len(roster.values) else 0
        self.busy = 0
        self.hold = 0  # servers kept on after the pool closed with patients waiting
        self.dropped_at: tuple[float, int] | None = None  # (time, capacity before) of a drop to 0
        self.log = ResourceLog(name, role, site)
        self.log.record(0.0, 0, self.capacity)
        self._roster = roster

    def free(self, held: bool = False) -> bool:
        """Whether a server can start a task (for a request waiting since the closing:
        ``held``)."""
        return self.busy < self.capacity or (held and self.busy < self.hold)

    def record(self) -> None:
        self.log.record(self.clock.now, self.busy, self.capacity)


class Request(simpy.Event):
    """A patient (or task) waiting in a pool; succeeds with the group that serves it."""

    def __init__(self, pool: ServicePool, key: tuple[Any, ...], groups: Sequence[int]) -> None:
        super().__init__(pool.clock.env)
        self.pool = pool
        self.key = key
        self.groups = tuple(groups)
        self.cancelled = False
        self.held = False  # waiting when the pool closed: the staff on hold see it
        self.group: int | None = None


class ServicePool:
    """One queue served by one or more server groups (see the module docstring)."""

    def __init__(self, clock: Clock, name: str, groups: Sequence[ServerGroup]) -> None:
        self.clock = clock
        self.name = name
        self.groups = list(groups)
        self._queue: list[tuple[tuple[Any, ...], int, Request]] = []
        self._seq = count()
        self._dispatch_pending = False
        for g, group in enumerate(self.groups):
            roster = group._roster
            for time, value in zip(roster.times[1:], roster.values[1:], strict=True):
                clock.call_at(float(time), ROSTER, self._capacity_change(g, int(value)))

    # ------------------------------------------------------------------ requests

    def request(self, key: tuple[Any, ...], groups: Sequence[int] = (0,)) -> Request:
        """Join the queue with ``key`` (lower first); the event fires when served."""
        req = Request(self, key, groups)
        insort(self._queue, (key, next(self._seq), req))
        self._want_dispatch()
        return req

    def cancel(self, req: Request) -> bool:
        """Leave the queue (a caller hangs up). False if already served."""
        if req.group is not None or req.cancelled:
            return False
        req.cancelled = True
        self._queue = [item for item in self._queue if item[2] is not req]
        self._update_hold()
        return True

    def release(self, group: int) -> None:
        """A server of ``group`` finishes its task."""
        g = self.groups[group]
        g.busy -= 1
        if g.busy < 0:  # pragma: no cover - a model bug, never a user error
            raise RuntimeError(f"{g.name}: released more servers than were busy")
        g.record()
        self._want_dispatch()

    def waiting(self) -> int:
        return len(self._queue)

    # ------------------------------------------------------------------ internals

    def _capacity_change(self, g: int, value: int) -> Any:
        def apply() -> None:
            group, now = self.groups[g], self.clock.now
            if value == 0 and group.capacity > 0:
                group.dropped_at = (now, group.capacity)
            group.capacity = value
            if value > 0:
                for x in self.groups:
                    x.hold = 0  # a new shift takes over
            elif sum(x.capacity for x in self.groups) == 0 and self._queue:
                for x in self.groups:  # the whole pool closes with patients waiting
                    if x.dropped_at is not None and x.dropped_at[0] == now:
                        x.hold = x.dropped_at[1]
                for _, _, req in self._queue:
                    req.held = True
            group.record()
            self._want_dispatch()

        return apply

    def _update_hold(self) -> None:
        if not any(req.held for _, _, req in self._queue):
            for group in self.groups:
                group.hold = 0

    def _want_dispatch(self) -> None:
        if not self._dispatch_pending:
            self._dispatch_pending = True
            self.clock.call_at(self.clock.now, DISPATCH, self._dispatch)

    def _dispatch(self) -> None:
        """Serve the queue: in key order, each request goes to the first group in its
        list with a free server; requests no free group may serve keep waiting."""
        self._dispatch_pending = False
        if not self._queue:
            return
        remaining = []
        for index, item in enumerate(self._queue):
            if not any(group.free(held=True) for group in self.groups):
                remaining.extend(self._queue[index:])
                break
            req = item[2]
            for g in req.groups:
                group = self.groups[g]
                if group.free(req.held):
                    group.busy += 1
                    group.record()
                    req.group = g
                    req.succeed(g)
                    break
            else:
                remaining.append(item)
        self._queue = remaining
        self._update_hold()
