"""An independent reference model of ONE phone line: a FIFO queue of callers served by
triagists who come in crews, written from the words of the end-of-shift rules (not from
`anwsim.model.pools`), on plain SimPy.

The rules, as this model reads them
-----------------------------------
A roster is a list of `Block` s (minute of day, length, staff) that start every day. Each
occurrence of a block is a *crew* of ``staff`` triagists on duty on ``[start, end)``
(an occurrence that started the day before time 0 counts from 0).

``replace``  Each crew member is a `Server` object of its own. A new caller goes to a
             free member of the on-duty crew whose block ends latest (ties: the crew
             that started first, then the block listed first). When a crew's block ends
             its members leave duty: an idle member goes home, a busy member finishes
             the call in hand (overtime: the minutes past the crew's end) and then goes
             home. A starting crew is on duty at its full number.
``finish``   A head count: triagists are anonymous, the rostered capacity at time t is
             the sum of ``staff`` of the crews on duty, and a call may start only while
             busy < capacity. Overtime = integral of max(0, busy - capacity).

Closing rule (both rules): when the capacity drops from > 0 to 0 at a minute while
callers wait, those callers are *held*: the triagists present at that moment (as many
as the capacity just before) stay on in overtime until every held caller has been
answered; callers arriving later wait for the next shift. A new shift (the capacity
rising above 0) ends the hold and serves whoever still waits.
``finish``: a held caller may start while busy < that number (a head count).
``replace``: the held callers are served by the members of the crews that ended at the
closing minute: each takes the next held caller once free (``hold="closing_crews"``, the
rule's words). ``hold="head_count"`` counts instead every triagist in overtime (also
members of crews that ended earlier) against that number, as a head count would.

Order of events at one minute (that of `anwsim.model.clock`)
--------------------------------------------------------------
The reference runs on a refined clock: phase ``p`` of minute ``t`` happens at SimPy time
``t + p/8`` (exact in binary floating point), so the order of classes at equal minutes
is the order of SimPy times, never a tie-break:

* ``t + 1/8``  calls end (servers become free or go home),
* ``t + 2/8``  crews change (all changes of the minute at once; closing rule),
* ``t + 3/8``  the queue is served (FIFO, as many as can start),
* ``t + 4/8``  callers arrive, in the order given; each arrival is followed at once by
  serving the queue (anwsim's dispatch scheduled by an arrival runs before the next
  arrival of the minute).

Serving is idempotent (after a pass no waiting caller can start), so the model simply
serves at phase 3 of every minute where a call ended or a crew changed.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import simpy

MINUTES_PER_DAY = 1440
END_PHASE, ROSTER_PHASE, DISPATCH_PHASE, ARRIVAL_PHASE = 1 / 8, 2 / 8, 3 / 8, 4 / 8


@dataclass(frozen=True)
class Block:
    """A roster line: ``staff`` people from minute ``start`` of every day, for ``length``
    minutes (1 to 1440)."""

    start: int
    length: int
    staff: int

    def hours(self) -> str:
        """The block as anwsim writes it: ``HH:MM-HH:MM`` (equal times: 24 hours)."""
        end = (self.start + self.length) % MINUTES_PER_DAY
        return f"{self.start // 60:02d}:{self.start % 60:02d}-{end // 60:02d}:{end % 60:02d}"

    def as_roster_line(self) -> dict:
        return {"days": ["all"], "hours": self.hours(), "staff": self.staff}


@dataclass(frozen=True)
class Crew:
    start: int
    end: int
    staff: int
    order: int  # the block's place in the roster

    def preference(self) -> tuple[int, int, int]:
        """Lower is preferred: latest end, then earliest start, then block order."""
        return (-self.end, self.start, self.order)


def crews_of(blocks: list[Block], days: int) -> list[Crew]:
    """Every occurrence of the blocks from the day before time 0 for ``days`` days."""
    out = []
    for order, b in enumerate(blocks):
        if b.staff == 0:
            continue
        for day in range(-1, days):
            s = day * MINUTES_PER_DAY + b.start
            e = s + b.length
            if e > 0:
                out.append(Crew(max(s, 0), e, b.staff, order))
    return out


@dataclass
class Server:
    crew: Crew | None
    busy: bool = False
    on_duty: bool = True  # a member of a crew on duty
    held: bool = False  # kept on after a closing to see the held callers


@dataclass
class Caller:
    index: int
    arrival: int
    service: int
    held: bool = False
    answer: int | None = None
    end: int | None = None
    overtime: float = 0.0


@dataclass
class Result:
    answer: list[int]
    end: list[int]
    overtime_minutes: float
    """replace: minutes members work past their crew's end (held calls: all of them);
    finish: the integral of max(0, busy - capacity)."""
    hold_ambiguous: bool = False
    """replace: a closing happened while members of crews that had ended *earlier* were
    still in overtime (where ``closing_crews`` and ``head_count`` may differ)."""


class LineReference:
    """One line, one rule; `run` returns the answer and end minute of every caller."""

    def __init__(
        self,
        blocks: list[Block],
        rule: str,
        *,
        days: int = 14,
        hold: str = "closing_crews",
    ) -> None:
        assert rule in ("finish", "replace") and hold in ("closing_crews", "head_count")
        self.rule, self.hold_mode = rule, hold
        self.env = simpy.Environment()
        self.crews = crews_of(blocks, days)
        self.queue: deque[Caller] = deque()
        self.servers: list[Server] = []  # replace: everyone at work or on duty
        self.busy = 0  # finish: head count of busy triagists
        self.hold = 0  # finish: the number kept on after a closing (0: no hold)
        self.holding = False
        self.ambiguous = False
        self.busy_changes: list[tuple[float, int]] = []  # finish: (minute, +-1)

    # ------------------------------------------------------------- roster

    def capacity_at(self, t: int) -> int:
        return sum(c.staff for c in self.crews if c.start <= t < c.end)

    def _roster(self):
        if self.rule == "replace":  # the crews on duty at time 0
            self.servers.extend(
                Server(c) for c in self.crews if c.start == 0 for _ in range(c.staff)
            )
        times = sorted({c.start for c in self.crews if c.start > 0} | {c.end for c in self.crews})
        for t in times:
            yield self.env.timeout(t + ROSTER_PHASE - self.env.now)
            # all boundaries are whole minutes: the capacity just before t is that of [t-1, t)
            before, after = self.capacity_at(t - 1), self.capacity_at(t)
            closing = before > 0 and after == 0 and bool(self.queue)
            if closing:
                for caller in self.queue:
                    caller.held = True
                self.holding = True
            if self.rule == "replace":
                self._crew_change(t, closing)
            elif closing:
                self.hold = before
            if after > 0:
                self._end_hold()
            self._serve_later(t)

    def _crew_change(self, t: int, closing: bool) -> None:
        ending = [s for s in self.servers if s.on_duty and s.crew.end == t]
        if closing and any(
            not s.on_duty and s.busy and not s.held and (s.crew is None or s.crew.end < t)
            for s in self.servers
        ):
            self.ambiguous = True
        for s in ending:
            s.on_duty = False
            if closing and self.hold_mode == "closing_crews":
                s.held = True
            elif not s.busy:
                self.servers.remove(s)
        if closing and self.hold_mode == "head_count":
            self.hold = len(ending)
        for c in self.crews:
            if c.start == t:
                self.servers.extend(Server(c) for _ in range(c.staff))

    def _end_hold(self) -> None:
        """The hold ends: those kept on go home (the busy ones after the call in hand)."""
        self.holding = False
        self.hold = 0
        for s in list(self.servers):
            if s.held:
                s.held = False
                if not s.busy:
                    self.servers.remove(s)

    # ------------------------------------------------------------- serving

    def _serve_later(self, t: int) -> None:
        def at_dispatch():
            yield self.env.timeout(t + DISPATCH_PHASE - self.env.now)
            self._serve()

        self.env.process(at_dispatch())

    def _may_start(self, caller: Caller) -> bool:
        """finish: whether a triagist may start on ``caller`` (a head count)."""
        if self.busy < self.capacity_at(self._minute()):
            return True
        return caller.held and self.holding and self.busy < self.hold

    def _server_for(self, caller: Caller) -> Server | None:
        """replace: the server that takes ``caller`` (None: nobody may)."""
        free = [s for s in self.servers if s.on_duty and not s.busy]
        if free:
            return min(free, key=lambda s: s.crew.preference())
        if caller.held and self.holding:
            if self.hold_mode == "closing_crews":
                kept = [s for s in self.servers if s.held and not s.busy]
                return kept[0] if kept else None
            in_overtime = sum(1 for s in self.servers if not s.on_duty and s.busy)
            if in_overtime < self.hold:
                extra = Server(None, on_duty=False)  # one of those kept on
                self.servers.append(extra)
                return extra
        return None

    def _minute(self) -> int:
        return int(self.env.now)

    def _serve(self) -> None:
        """Serve the queue in FIFO order while the caller at its head can start (held
        callers are always at the head: everyone waiting at a closing is held)."""
        while self.queue:
            caller = self.queue[0]
            now = self._minute()
            server = None
            if self.rule == "finish":
                if not self._may_start(caller):
                    break
                self.busy += 1
                self.busy_changes.append((now, +1))
            else:
                server = self._server_for(caller)
                if server is None:
                    break
                server.busy = True
                duty_end = server.crew.end if server.on_duty else now
                caller.overtime = max(0, now + caller.service - max(now, duty_end))
            self.queue.popleft()
            caller.answer, caller.end = now, now + caller.service
            self.env.process(self._call(caller, server))
        if self.holding and not any(c.held for c in self.queue):
            self._end_hold()  # every held caller answered: those kept on go home when free

    def _call(self, caller: Caller, server: Server | None):
        yield self.env.timeout(caller.end + END_PHASE - self.env.now)
        if self.rule == "finish":
            self.busy -= 1
            self.busy_changes.append((caller.end, -1))
        else:
            server.busy = False
            if not server.on_duty and not (server.held and self.holding):
                server.held = False
                self.servers.remove(server)
        self._serve_later(caller.end)

    def _arrivals(self, callers: list[Caller]):
        for caller in callers:
            yield self.env.timeout(caller.arrival + ARRIVAL_PHASE - self.env.now)
            self.queue.append(caller)
            self._serve()

    # ------------------------------------------------------------- run

    def run(self, arrivals: list[int], services: list[int]) -> Result:
        callers = [Caller(i, a, s) for i, (a, s) in enumerate(zip(arrivals, services, strict=True))]
        # arrivals in time order, ties in the order given (a stable sort)
        ordered = sorted(callers, key=lambda c: c.arrival)
        self.env.process(self._roster())
        self.env.process(self._arrivals(ordered))
        self.env.run()
        if self.rule == "finish":
            overtime = self._finish_overtime()
        else:
            overtime = float(sum(c.overtime for c in callers))
        return Result(
            answer=[c.answer for c in callers],
            end=[c.end for c in callers],
            overtime_minutes=overtime,
            hold_ambiguous=self.ambiguous,
        )

    def _finish_overtime(self) -> float:
        """Integral of max(0, busy - capacity) over the run (minute by minute)."""
        last = max((t for t, _ in self.busy_changes), default=0)
        delta = [0] * (last + 2)
        for t, d in self.busy_changes:
            delta[t] += d
        total, busy = 0.0, 0
        for t in range(last + 1):
            busy += delta[t]
            total += max(0, busy - self.capacity_at(t))
        return total
