"""Staff pools that follow a roster: a priority queue served by one or more groups.

A `ServicePool` is a queue of requests and one or more `ServerGroup`s (GPs, nurse
practitioners, triagists, treatment places…) whose capacity follows a roster. A request
names which groups may serve it, in preference order. Serving is non-preemptive:
requests wait in order of their key (priority, then time, then the order they joined),
and a started task is never interrupted.

End-of-shift rules (``staffing.end_of_shift``, per role with ``end_of_shift_by_role``):

``finish``  a head count. When capacity drops below the number of busy servers, those
            servers finish the task in hand; the minutes they are busy beyond capacity
            are overtime (the integral of ``max(0, busy - capacity)``). No new task
            starts while busy >= capacity, so staff still busy at a shift change count
            against the next block's number.
``replace`` crews. Every occurrence of a roster block is a crew of its ``staff``. At a
            block boundary the next block's crew starts at its full number; the members
            of a crew whose block ends finish the task in hand in overtime beside them.
            A new task goes to the crew on duty, with a free member, whose block ends
            latest (ties: the crew that started first, then the block listed first).
            All crew changes of one group at one minute are one roster event.

Closing rule: when a pool's whole capacity drops to zero (a post closes, a shift gap)
while patients wait, the servers present at that moment (each group's capacity just
before it fell to zero, within that minute) stay on, in overtime, until the patients
who were waiting at that moment have been seen. Patients arriving later wait for the
next shift (posts do not receive them: routing sends them elsewhere). When a new shift
starts, the hold ends and the new shift serves whoever still waits.

All state changes go through the `Clock` with the classes of `anwsim.model.clock`:
roster changes at ``ROSTER``, serving the queue at ``DISPATCH``. Every change of busy,
capacity or overtime servers is logged (`ResourceLog`).

The queue is one heap per (group list, held) combination, so joining, leaving and
serving cost O(log n) whatever the queue's length: serving in key order across all
requests is the same as repeatedly taking the smallest head among the heaps whose
requests a free server may take, because a request that no free server may take stays
so for the rest of that dispatch (serving only makes servers busy).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import numpy as np
import simpy

from anwsim.model.clock import DISPATCH, ROSTER, Clock
from anwsim.scenario.calendar import StepFunction

OVERTIME = -1
"""Crew of a task that is worked in overtime (finish rule, or on hold after a closing)."""


@dataclass
class ResourceLog:
    """Every change of a server group's busy count, capacity and overtime servers."""

    name: str
    role: str
    site: str
    times: list[float] = field(default_factory=list)
    busy: list[int] = field(default_factory=list)
    capacity: list[int] = field(default_factory=list)
    overtime: list[int] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)
    """Servers whose shift ended at this change point (a head-count drop, or the staff
    of the crews that went off duty)."""

    def record(self, time: float, busy: int, capacity: int, overtime: int, ended: int) -> None:
        if self.times and self.times[-1] == time:
            self.busy[-1], self.capacity[-1], self.overtime[-1] = busy, capacity, overtime
            self.ended[-1] += ended
        else:
            self.times.append(time)
            self.busy.append(busy)
            self.capacity.append(capacity)
            self.overtime.append(overtime)
            self.ended.append(ended)

    def arrays(self) -> tuple[np.ndarray, ...]:
        """times, busy, capacity, overtime, ended."""
        return (
            np.asarray(self.times, dtype=np.float64),
            np.asarray(self.busy, dtype=np.int64),
            np.asarray(self.capacity, dtype=np.int64),
            np.asarray(self.overtime, dtype=np.int64),
            np.asarray(self.ended, dtype=np.int64),
        )


@dataclass(frozen=True)
class Crews:
    """The crews of a ``replace`` group: one per occurrence of a roster block.

    ``start``, ``end`` and ``staff`` per crew, sorted by start then block order.
    """

    start: np.ndarray
    end: np.ndarray
    staff: np.ndarray
    horizon: float
    """The end of the roster calendar: crews cut off there do not change there."""

    def changes(self) -> list[tuple[float, list[int], list[int]]]:
        """``(time, crews ending, crews starting)`` for every time in (0, horizon) with a
        change."""
        at: dict[float, tuple[list[int], list[int]]] = {}
        for c in range(len(self.staff)):
            s, e = float(self.start[c]), float(self.end[c])
            if s > 0:
                at.setdefault(s, ([], []))[1].append(c)
            if e < self.horizon:
                at.setdefault(e, ([], []))[0].append(c)
        return [(t, ends, starts) for t, (ends, starts) in sorted(at.items())]


class ServerGroup:
    """Servers of one role at one site, with a rostered capacity."""

    def __init__(
        self,
        clock: Clock,
        name: str,
        role: str,
        site: str,
        roster: StepFunction,
        crews: Crews | None = None,
    ) -> None:
        self.clock = clock
        self.name = name
        self.role = role
        self.site = site
        self.crews = crews  # None: the finish rule
        self.capacity = int(roster.values[0]) if len(roster.values) else 0
        self.busy = 0  # servers at work, on shift or in overtime
        self.overtime = 0  # replace rule: servers at work past the end of their crew
        self.hold = 0  # servers kept on after the pool closed with patients waiting
        self.dropped_at: tuple[float, int] | None = None  # (time, capacity before) of a drop to 0
        self.log = ResourceLog(name, role, site)
        self._ended = 0  # servers whose shift ended at this minute, for the next record
        self._roster = roster
        if crews is not None:
            self.crew_busy = np.zeros(len(crews.staff), dtype=np.int64)
            self.crew_on = (crews.start <= 0) & (crews.end > 0)
            self.crew_ended = crews.end <= 0
        self.log.record(0.0, 0, self.capacity, 0, 0)

    @property
    def has_staff(self) -> bool:
        """Whether the roster ever puts anyone on duty."""
        return bool(self._roster.values.max(initial=0) > 0)

    def on_shift_busy(self) -> int:
        return self.busy - self.overtime if self.crews is not None else self.busy

    def free(self, held: bool = False) -> bool:
        """Whether a server can start a task (for a request waiting since the closing:
        ``held``)."""
        if self.crews is None:
            return self.busy < self.capacity or (held and self.busy < self.hold)
        return self.busy - self.overtime < self.capacity or (held and self.overtime < self.hold)

    def take(self) -> int:
        """A free server starts a task; returns its crew (`OVERTIME` if none)."""
        self.busy += 1
        if self.crews is None:
            self.record()
            return OVERTIME
        if self.busy - 1 - self.overtime < self.capacity:
            best = -1
            for c in np.flatnonzero(self.crew_on):
                if self.crew_busy[c] < self.crews.staff[c] and (
                    best < 0 or self.crews.end[c] > self.crews.end[best]
                ):
                    best = int(c)
            self.crew_busy[best] += 1
            self.record()
            return best
        self.overtime += 1  # a held request, served in overtime after a closing
        self.record()
        return OVERTIME

    def give_back(self, crew: int) -> None:
        """A server of ``crew`` finishes its task."""
        self.busy -= 1
        if self.crews is not None:
            if crew == OVERTIME or self.crew_ended[crew]:
                self.overtime -= 1
            else:
                self.crew_busy[crew] -= 1
        if self.busy < 0 or self.overtime < 0:  # pragma: no cover - a model bug
            raise RuntimeError(f"{self.name}: released more servers than were busy")
        self.record()

    def change_crews(self, ends: Sequence[int], starts: Sequence[int]) -> None:
        """Crews ``ends`` go off duty (their busy members into overtime), ``starts`` on."""
        assert self.crews is not None
        for c in ends:
            if self.crew_on[c]:
                self.crew_on[c] = False
                self.capacity -= int(self.crews.staff[c])
                self._ended += int(self.crews.staff[c])
                self.overtime += int(self.crew_busy[c])
            self.crew_ended[c] = True
        for c in starts:
            self.crew_on[c] = True
            self.capacity += int(self.crews.staff[c])

    def record(self) -> None:
        if self.crews is None:
            overtime = max(0, self.busy - self.capacity)
        else:
            overtime = self.overtime + max(0, self.busy - self.overtime - self.capacity)
        self.log.record(self.clock.now, self.busy, self.capacity, overtime, self._ended)
        self._ended = 0


class Request(simpy.Event):
    """A patient (or task) waiting in a pool; succeeds with the group that serves it.

    Once served, ``group`` and ``crew`` say who serves it: hand the request back to
    `ServicePool.release` when the task ends.
    """

    def __init__(
        self, pool: ServicePool, key: tuple[Any, ...], groups: Sequence[int], patient: int
    ) -> None:
        super().__init__(pool.clock.env)
        self.pool = pool
        self.key = key
        self.groups = tuple(groups)
        self.patient = patient
        self.cancelled = False
        self.held = False  # waiting when the pool closed: the staff on hold see it
        self.group: int | None = None
        self.crew = OVERTIME
        self.side = False  # a task beside the patient's path (supervision): not where they wait


Entry = tuple[tuple[Any, ...], int, Request]


class ServicePool:
    """One queue served by one or more server groups (see the module docstring)."""

    def __init__(
        self,
        clock: Clock,
        name: str,
        groups: Sequence[ServerGroup],
        *,
        site: str | None = None,
        role: str | None = None,
    ) -> None:
        self.clock = clock
        self.name = name
        self.groups = list(groups)
        self.site = site if site is not None else self.groups[0].site
        self.role = role if role is not None else self.groups[0].role
        self.index = len(clock.pools)
        clock.pools.append(self)
        self._heaps: dict[tuple[tuple[int, ...], bool], list[Entry]] = {}
        self._seq = count()
        self._live = 0  # requests waiting (not served, not cancelled)
        self._held = 0  # of which waiting since the pool closed
        self._dispatch_pending = False
        self._dispatch_seq = -1
        for g, group in enumerate(self.groups):
            if group.crews is None:
                roster = group._roster
                for time, value in zip(roster.times[1:], roster.values[1:], strict=True):
                    clock.call_at(
                        float(time),
                        ROSTER,
                        self._capacity_change(g, int(value)),
                        kind="roster",
                        pool=self.index,
                        group=g,
                    )
            else:
                for time, ends, starts in group.crews.changes():
                    clock.call_at(
                        time,
                        ROSTER,
                        self._crew_change(g, ends, starts),
                        kind="roster",
                        pool=self.index,
                        group=g,
                    )

    # ------------------------------------------------------------------ requests

    def request(
        self, key: tuple[Any, ...], groups: Sequence[int] = (0,), patient: int = -1
    ) -> Request:
        """Join the queue with ``key`` (lower first); the event fires when served."""
        req = Request(self, key, groups, patient)
        heapq.heappush(self._heaps.setdefault((req.groups, False), []), (key, next(self._seq), req))
        self._live += 1
        self._want_dispatch()
        return req

    def cancel(self, req: Request) -> bool:
        """Leave the queue (a caller hangs up). False if already served."""
        if req.group is not None or req.cancelled:
            return False
        req.cancelled = True  # the heap entry is skipped when it comes to the top
        self._live -= 1
        if req.held:
            self._held -= 1
            self._update_hold()
        return True

    def release(self, req: Request) -> None:
        """The server that took ``req`` finishes its task."""
        assert req.group is not None
        self.groups[req.group].give_back(req.crew)
        self._want_dispatch()

    def waiting(self) -> int:
        """Requests in the queue (not yet served)."""
        return self._live

    def waiting_requests(self) -> Iterator[Request]:
        """The requests still waiting, in no particular order."""
        for heap in self._heaps.values():
            for _, _, req in heap:
                if not req.cancelled and req.group is None:
                    yield req

    # ------------------------------------------------------------------ internals

    def _capacity_change(self, g: int, value: int) -> Any:
        def apply() -> None:
            group = self.groups[g]
            group._ended += max(0, group.capacity - value)
            self._set_capacity(group, value)
            group.record()
            self._want_dispatch()

        return apply

    def _crew_change(self, g: int, ends: list[int], starts: list[int]) -> Any:
        def apply() -> None:
            group = self.groups[g]
            before = group.capacity
            group.change_crews(ends, starts)
            after, group.capacity = group.capacity, before
            self._set_capacity(group, after)
            group.record()
            self._want_dispatch()

        return apply

    def _set_capacity(self, group: ServerGroup, value: int) -> None:
        now = self.clock.now
        if value == 0 and group.capacity > 0:
            group.dropped_at = (now, group.capacity)
        group.capacity = value
        if value > 0:
            for x in self.groups:
                x.hold = 0  # a new shift takes over
        elif sum(x.capacity for x in self.groups) == 0 and self._live:
            for x in self.groups:  # the whole pool closes with patients waiting
                if x.dropped_at is not None and x.dropped_at[0] == now:
                    x.hold = x.dropped_at[1]
            self._hold_all()

    def _hold_all(self) -> None:
        """Every waiting request becomes one the staff on hold will see."""
        for (groups, held), heap in list(self._heaps.items()):
            if held:
                continue
            target = self._heaps.setdefault((groups, True), [])
            for entry in heap:
                req = entry[2]
                if not req.cancelled and req.group is None:
                    req.held = True
                    self._held += 1
                    heapq.heappush(target, entry)
            heap.clear()

    def _update_hold(self) -> None:
        if self._held == 0:
            for group in self.groups:
                group.hold = 0

    def _want_dispatch(self) -> None:
        if not self._dispatch_pending:
            self._dispatch_pending = True
            event = self.clock.call_at(
                self.clock.now, DISPATCH, self._run_dispatch, kind="dispatch", pool=self.index
            )
            self._dispatch_seq = int(event.seq)

    def _run_dispatch(self) -> None:
        self._dispatch_pending = False
        self._dispatch()

    def _head(self, heap: list[Entry]) -> Entry | None:
        while heap and (heap[0][2].cancelled or heap[0][2].group is not None):
            heapq.heappop(heap)
        return heap[0] if heap else None

    def _next(self, servable: bool = True) -> tuple[Entry, list[Entry]] | None:
        """The smallest waiting request (among those a free server may take)."""
        best: tuple[Entry, list[Entry]] | None = None
        for (groups, held), heap in self._heaps.items():
            entry = self._head(heap)
            if entry is None:
                continue
            if servable and not any(self.groups[g].free(held) for g in groups):
                continue
            if best is None or entry[:2] < best[0][:2]:
                best = (entry, heap)
        return best

    def _grant(self, entry: Entry, heap: list[Entry], g: int, crew: int, value: Any) -> None:
        heapq.heappop(heap)
        req = entry[2]
        self._live -= 1
        if req.held:
            self._held -= 1
        req.group = g
        req.crew = crew
        self.clock.grant(self._dispatch_seq, req.patient, self.index, g)
        req.succeed(value)

    def _dispatch(self) -> None:
        """Serve the queue: in key order, each request goes to the first group in its
        list with a free server; requests no free group may serve keep waiting."""
        while (found := self._next()) is not None:
            entry, heap = found
            req = entry[2]
            for g in req.groups:
                group = self.groups[g]
                if group.free(req.held):
                    self._grant(entry, heap, g, group.take(), g)
                    break
        self._update_hold()
