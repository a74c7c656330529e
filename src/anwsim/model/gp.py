"""GP posts: consults at the post and home visits by car.

Consult: the patient travels from home to the post chosen by `Routing.post_for` (if it
has closed when they arrive, they travel on by the same rule), then waits in the post's
consult queue: non-preemptive priority by urgency, then by arrival at the post. A nurse
practitioner on duty takes the patients in their scope (pre-drawn ``np_eligible``)
first; GPs take anyone. After the consult, a pre-drawn share is referred to the SEH and
travels there by own means.

Home visit: the request goes to the visit cars of the nearest post that has a visit GP
on duty (or, with none on duty anywhere, of the nearest post that ever rosters one),
queued by urgency then time. The car drives from its post to the patient, the GP
visits, and the car drives back to its post; it is busy for the whole round trip. The
GP's arrival is the patient's first doctor contact.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from anwsim.model.clock import END
from anwsim.model.pools import ServicePool
from anwsim.sampling.demand import LEGS

if TYPE_CHECKING:
    from anwsim.model.chain import Chain

TO_SITE, RESPONSE, TRANSPORT, RETURN = (LEGS.index(x) for x in LEGS)
GP_GROUP, NP_GROUP = 0, 1


class GpPost:
    """One post: its consult room (GPs and nurse practitioners) and its visit cars."""

    def __init__(self, chain: Chain, post: str) -> None:
        self.chain = chain
        self.post = post
        self.room = chain.register(
            ServicePool(
                chain.clock,
                f"{post}/consult",
                [chain.group(post, "gp_consult"), chain.group(post, "nurse_practitioner")],
            )
        )
        self.cars = chain.register(
            ServicePool(chain.clock, f"{post}/visits", [chain.group(post, "gp_visit")])
        )
        self.has_cars = self.cars.groups[0].has_staff


def consult_at_post(chain: Chain, i: int, p: int) -> Generator[Any, Any, None]:
    """Patient ``i`` is at post ``p``: wait, consult, then leave or go on to the SEH."""
    from anwsim.model.seh import seh_visit

    d, clock, rec = chain.demand, chain.clock, chain.rec
    post = chain.posts[p]
    rec.i["post"][i] = p
    rec.time("post_arrival", i, clock.now)
    groups = (NP_GROUP, GP_GROUP) if d.np_eligible[i] else (GP_GROUP,)
    req = post.room.request((int(d.urgency[i]), clock.now), groups, patient=i)
    group = yield req
    now = clock.now
    rec.time("consult_start", i, now)
    rec.first_contact(i, now)
    rec.i["consult_by"][i] = group
    minutes = d.np_consult_minutes[i] if group == NP_GROUP else d.consult_minutes[i]
    yield clock.after(float(minutes), END, kind="consult_end", patient=i)
    post.room.release(req)
    rec.time("consult_end", i, clock.now)
    if d.seh_referral[i]:
        rec.b["referred_to_seh"][i] = True
        yield from seh_visit(chain, i, int(chain.routing.post_place[p]), self_referral=False)
    else:
        rec.leave(i, clock.now, "consult")


def consult(chain: Chain, i: int, origin: int) -> Generator[Any, Any, None]:
    """Patient ``i`` travels from place ``origin`` to a post (or where routing sends them)."""
    from anwsim.model.seh import seh_visit

    d, clock, routing = chain.demand, chain.clock, chain.routing
    noise = float(d.travel_noise[i, TO_SITE])
    place, travelled = origin, 0.0
    while True:
        kind, target = routing.post_for(place, clock.now)
        if kind == "seh":
            chain.rec.t["travel_to_post"][i] = travelled if travelled else float("nan")
            yield from seh_visit(chain, i, place, self_referral=False)
            return
        destination = int(routing.post_place[target])
        minutes = routing.minutes(place, destination) * noise
        if minutes > 0:
            yield clock.after(minutes, END, kind="at_post", patient=i)
        travelled += minutes
        place = destination
        if routing.post_open[target].is_open(clock.now):
            chain.rec.t["travel_to_post"][i] = travelled
            yield from consult_at_post(chain, i, target)
            return


def _visit_post(chain: Chain, place: int) -> int:
    routing = chain.routing
    order = routing._posts_by_distance[place]
    for p in order:
        if chain.posts[p].cars.groups[0].capacity > 0:
            return int(p)
    for p in order:
        if chain.posts[p].has_cars:
            return int(p)
    return int(order[0])


def home_visit(chain: Chain, i: int) -> Generator[Any, Any, None]:
    """A visit GP drives to patient ``i``, visits, and drives back to the post."""
    from anwsim.model.seh import seh_visit

    d, clock, rec, routing = chain.demand, chain.clock, chain.rec, chain.routing
    home = chain.area_place(i)
    p = _visit_post(chain, home)
    post = chain.posts[p]
    rec.i["visit_post"][i] = p
    rec.time("visit_request", i, clock.now)
    req = post.cars.request((int(d.urgency[i]), clock.now), patient=i)
    yield req
    base = int(routing.post_place[p])
    there = routing.minutes(base, home) * float(d.travel_noise[i, RESPONSE])
    rec.t["response_travel"][i] = there
    if there > 0:
        yield clock.after(there, END, kind="visit_arrival", patient=i)
    now = clock.now
    rec.time("visit_start", i, now)
    rec.first_contact(i, now)
    yield clock.after(float(d.visit_minutes[i]), END, kind="visit_end", patient=i)
    rec.time("visit_end", i, clock.now)
    back = routing.minutes(home, base) * float(d.travel_noise[i, RETURN])
    clock.call_at(
        clock.now + back,
        END,
        lambda: post.cars.release(req),
        kind="car_home",
        patient=i,
        pool=post.cars.index,
    )
    if d.seh_referral[i]:
        rec.b["referred_to_seh"][i] = True
        yield from seh_visit(chain, i, home, self_referral=False)
    else:
        rec.leave(i, clock.now, "home_visit")
