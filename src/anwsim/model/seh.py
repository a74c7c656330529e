"""SEHs (emergency departments) and the front desk of integrated emergency posts.

A patient heading for an SEH goes to the one `Routing.seh_for` names and travels there
by own means (ambulance patients arrive through `anwsim.model.ambulance`); if it has
closed when they arrive, they travel on to the SEH routing names from there. A
self-referral at the SEH of an integrated post meets the shared front desk: while the
post's GP post is open, the pre-drawn share (``front_desk_u`` below the post's redirect
share) is sent to the GP consult queue there instead.

At the SEH the patient waits for a treatment place (priority by urgency, then arrival).
When the SEH rosters doctors, the patient then waits for a doctor's first assessment;
otherwise getting a place counts as the first doctor contact (door-to-doctor time). The
place is held for the pre-drawn length of stay, or until the assessment has ended if
that is later.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from anwsim.model.clock import END
from anwsim.model.pools import ServicePool
from anwsim.sampling.demand import LEGS

if TYPE_CHECKING:
    from anwsim.model.chain import Chain

TO_SITE = LEGS.index("to_site")


class Seh:
    """One SEH: its treatment places, its doctors, and its integrated GP post if any."""

    def __init__(self, chain: Chain, seh: str) -> None:
        self.chain = chain
        self.seh = seh
        self.places = chain.register(
            ServicePool(chain.clock, f"{seh}/places", [chain.group(seh, "treatment_place")])
        )
        doctors = chain.group(seh, "seh_doctor")
        self.has_doctors = doctors.has_staff
        self.doctors = chain.register(ServicePool(chain.clock, f"{seh}/doctors", [doctors]))
        self.front_desk: tuple[int, float] | None = None
        for post in chain.scenario.sites.integrated_posts.values():
            if post.seh == seh:
                p = chain.routing.post_ids.index(post.gp_post)
                self.front_desk = (p, post.front_desk_redirect_percent / 100.0)
        site = chain.scenario.sites.sehs[seh]
        self.offload = site.offload_delay.percent / 100.0 if site.offload_delay else 0.0


def seh_visit(
    chain: Chain, i: int, origin: int, *, self_referral: bool
) -> Generator[Any, Any, None]:
    """Patient ``i`` goes from place ``origin`` to an SEH by own means and is treated."""
    from anwsim.model.gp import consult_at_post

    d, rec, routing = chain.demand, chain.rec, chain.routing
    s, minutes = yield from travel_to_seh(
        chain, origin, float(d.travel_noise[i, TO_SITE]), patient=i
    )
    rec.t["travel_to_seh"][i] = minutes
    seh = chain.sehs[s]
    if self_referral and seh.front_desk is not None:
        p, share = seh.front_desk
        if d.front_desk_u[i] < share and routing.post_open[p].is_open(chain.clock.now):
            rec.b["redirected"][i] = True
            yield from consult_at_post(chain, i, p)
            return
    yield from treat(chain, i, s)


def travel_to_seh(
    chain: Chain, origin: int, factor: float, *, by_ambulance: bool = False, patient: int = -1
) -> Generator[Any, Any, tuple[int, float]]:
    """Travel from place ``origin`` to the SEH routing names; if it has closed by the
    time of arrival, travel on by the same rule. Returns the SEH and the minutes driven.
    ``factor`` multiplies car minutes (trip noise, ÷ urgent speed)."""
    clock, routing = chain.clock, chain.routing
    place, total = origin, 0.0
    while True:
        s = routing.seh_for(place, clock.now, by_ambulance=by_ambulance)
        destination = int(routing.seh_place[s])
        minutes = routing.minutes(place, destination) * factor
        if minutes > 0:
            yield clock.after(minutes, END, kind="at_seh", patient=patient)
        total += minutes
        if routing.seh_open[s].is_open(clock.now) or destination == place:
            return s, total
        place = destination


def treat(chain: Chain, i: int, s: int, *, handover: Any = None) -> Generator[Any, Any, None]:
    """Patient ``i`` at SEH ``s``: place, doctor, stay, leave.

    ``handover``, for ambulance patients, is a generator run once the patient has a place
    (the crew's offload and handover); the stay starts with the place.
    """
    d, clock, rec = chain.demand, chain.clock, chain.rec
    seh = chain.sehs[s]
    rec.i["seh"][i] = s
    rec.time("seh_arrival", i, clock.now)
    place = seh.places.request((int(d.urgency[i]), clock.now), patient=i)
    yield place
    start = clock.now
    rec.time("seh_start", i, start)
    leave_at = start + float(d.seh_stay_minutes[i])
    if handover is not None:
        yield from handover
    if seh.has_doctors:
        doctor = seh.doctors.request((int(d.urgency[i]), rec.t["seh_arrival"][i]), patient=i)
        yield doctor
        now = clock.now
        rec.time("seh_doctor", i, now)
        rec.first_contact(i, now)
        yield clock.after(float(d.seh_doctor_minutes[i]), END, kind="assessment_end", patient=i)
        seh.doctors.release(doctor)
    else:
        rec.time("seh_doctor", i, start)
        rec.first_contact(i, start)
    if leave_at > clock.now:
        yield clock.at(leave_at, END, kind="seh_end", patient=i)
    seh.places.release(place)
    rec.time("seh_end", i, clock.now)
    rec.leave(i, clock.now, "seh")
