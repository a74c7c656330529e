"""The telephone line: queue, abandonment and redial, triage, supervision, call-backs.

A caller joins the line of the triage centre that serves their area, on the emergency
line (answered first) if their urgency is listed in ``triage.emergency_line_urgencies``.
Within a line, callers are answered in order of the start of their current attempt.
If their patience for that attempt runs out before a triagist answers, they hang up;
with the pre-drawn chance they redial after the pre-drawn delay (a new attempt of the
same patient, at the back of the queue), up to ``max_redials`` times. With
``call_back_instead_of_abandon`` they are offered a call-back instead: they keep their
place in the queue and the triagist calls them when it is their turn (``answer`` is then
the call-back).

Triage takes the patient's triage time. A share of triages is checked live by the
supervising GP (regiearts): that check is a task in the supervisor's queue that runs
alongside the patient's further path (it takes GP time; it does not hold the patient).
A GP call-back is a task for ``triage.callback_by``: the line's supervising GP, or the
consult GPs of the patient's nearest open post.

With ``triage.max_waiting: N`` the line has a waiting room of N: a caller (first call or
redial) who finds N callers on hold and no triagist free gets a busy signal (with N = 0:
whoever finds every triagist busy, Erlang's loss system), counted as a blocked attempt,
and redials under the same rules (chance and delay of that attempt) as after a hang-up,
or is lost (``blocked``). Callers waiting for a call-back are not on hold. With
``patience_minutes: none`` callers never hang up and no patience timer is scheduled; an
answered caller's patience timer is cancelled.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from anwsim.model.clock import ARRIVAL, END, PATIENCE
from anwsim.model.pools import Request, ServicePool

if TYPE_CHECKING:
    from anwsim.model.chain import Chain


class PhoneLine:
    """One triage centre: its triagists and its supervising GPs."""

    def __init__(self, chain: Chain, centre: str) -> None:
        self.chain = chain
        self.centre = centre
        self.triagists = chain.register(
            ServicePool(chain.clock, f"{centre}/triage", [chain.group(centre, "triagist")])
        )
        self.awaiting_call_back = 0  # callers in the queue who hung up for a call-back
        self.supervisors = chain.register(
            ServicePool(
                chain.clock, f"{centre}/supervision", [chain.group(centre, "gp_supervisor")]
            )
        )

    def on_hold(self) -> int:
        """Callers waiting on hold for a triagist (not those awaiting a call-back)."""
        return self.triagists.waiting() - self.awaiting_call_back

    def supervise(self, i: int) -> Generator[Any, Any, None]:
        """The supervising GP checks patient ``i``'s triage (runs alongside the patient)."""
        chain, d = self.chain, self.chain.demand
        req = self.supervisors.request((int(d.urgency[i]), chain.clock.now), patient=i)
        req.side = True
        yield req
        chain.rec.time("supervision_start", i, chain.clock.now)
        yield chain.clock.after(
            float(d.supervision_minutes[i]), END, kind="supervision_end", patient=i
        )
        self.supervisors.release(req)
        chain.rec.time("supervision_end", i, chain.clock.now)

    def callback(self, i: int) -> Generator[Any, Any, None]:
        """A GP calls the patient back; the patient leaves after the call."""
        chain, d = self.chain, self.chain.demand
        pool, group = self.supervisors, 0
        if chain.scenario.triage.callback_by == "gp_consult":
            p = chain.routing.nearest_open_post(chain.area_place(i), chain.clock.now)
            if p is not None:
                pool, group = chain.posts[p].room, 0
        req = pool.request((int(d.urgency[i]), chain.clock.now), (group,), patient=i)
        yield req
        now = chain.clock.now
        chain.rec.time("callback_start", i, now)
        chain.rec.first_contact(i, now)
        yield chain.clock.after(float(d.callback_minutes[i]), END, kind="callback_end", patient=i)
        pool.release(req)
        chain.rec.time("callback_end", i, chain.clock.now)
        chain.rec.leave(i, chain.clock.now, "callback")


def phone_call(chain: Chain, i: int) -> Generator[Any, Any, bool]:
    """Patient ``i`` calls until answered and triaged (True) or gives up (False)."""
    d, clock, rec = chain.demand, chain.clock, chain.rec
    triage = chain.scenario.triage
    line = chain.line_list[chain.line_of_area[d.area[i]]]
    pool = line.triagists
    emergency = 0 if int(d.urgency[i]) in chain.emergency_codes else 1
    max_redials = d.redials.shape[1]
    attempt = 0
    while True:
        start = clock.now
        rec.i["attempts"][i] += 1
        if (
            triage.max_waiting is not None
            and line.on_hold() >= triage.max_waiting
            and not pool.groups[0].free()
        ):
            rec.i["blocked_attempts"][i] += 1  # busy signal
            exit_via = "blocked"
        else:
            req = pool.request((emergency, start), patient=i)
            patience = None
            if triage.patience_minutes != "none":
                patience = clock.after(
                    float(d.patience_minutes[i, attempt]),
                    PATIENCE,
                    kind="patience",
                    patient=i,
                    pool=pool.index,
                )
                if triage.call_back_instead_of_abandon:
                    patience.callbacks.append(_call_back_later(chain, line, i, req))
                else:
                    patience.callbacks.append(_hang_up(pool, req))
            served = yield req
            if served is not None:
                if patience is not None:
                    clock.cancel(patience)
                if rec.b["called_back"][i]:
                    line.awaiting_call_back -= 1
                rec.time("answer", i, clock.now)
                rec.time("answered_attempt_start", i, start)
                break
            rec.i["abandoned_attempts"][i] += 1
            rec.time("abandon", i, clock.now)
            exit_via = "abandoned"
        if attempt < max_redials and d.redials[i, attempt]:
            yield clock.after(
                float(d.redial_delay_minutes[i, attempt]), ARRIVAL, kind="redial", patient=i
            )
            attempt += 1
            continue
        rec.leave(i, clock.now, exit_via)
        return False
    rec.t["abandon"][i] = float("nan")
    yield clock.after(float(d.triage_minutes[i]), END, kind="triage_end", patient=i)
    pool.release(req)
    rec.time("triage_end", i, clock.now)
    if d.supervised[i]:
        clock.env.process(line.supervise(i))
    return True


def _call_back_later(chain: Chain, line: PhoneLine, i: int, req: Request) -> Any:
    """The caller hangs up but keeps their place: the triagist will call them back."""

    def callback(event: Any) -> None:
        if not event.cancelled and req.group is None and not req.cancelled:
            chain.rec.b["called_back"][i] = True
            line.awaiting_call_back += 1
            chain.rec.time("call_back_requested", i, chain.clock.now)

    return callback


def _hang_up(pool: ServicePool, req: Request) -> Any:
    def callback(event: Any) -> None:
        if not event.cancelled and pool.cancel(req):
            req.succeed(None)

    return callback
