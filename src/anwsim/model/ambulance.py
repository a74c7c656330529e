"""Ambulances: dispatch, response, on-scene time, transport and handover at the SEH.

An incident (a 112 call, or a triage disposition) reaches the dispatch centre, which
needs the pre-drawn dispatch delay to decide. The incident then waits in the dispatch
queue (A1 before A2 before B, then by incident time) for a vehicle. The dispatch centre
sends the vehicle that can be there first: one waiting at its station, or, if
``dispatch_while_returning``, one driving back to its station (its position is taken
as part-way along its trip: car minutes interpolated between where it left and its
station). Ties go to a vehicle at a station, then to the station listed first.

Response = dispatch delay + waiting for a vehicle + travel (÷ ``urgent_speed_factor``
for A1/A2). After the on-scene time the pre-drawn share is conveyed to the SEH that
`Routing.seh_for` names; there the crew waits for a treatment place (offload delay),
plus the SEH's exogenous offload delay for the pre-drawn share, then hands over, and
drives back to its station. Vehicles follow their station's roster with the same
end-of-shift rule as staff: a vehicle on a ride finishes it.

With ``no_vehicle_free: neighbour_region`` an incident that finds no free vehicle at
the moment of dispatch does not wait: a neighbouring region's vehicle (station code
`NEIGHBOUR`) arrives after ``neighbour_response_minutes`` and does not load this fleet
(a loss system: the share so handled is Erlang B's blocking probability).
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from anwsim.model.clock import END
from anwsim.model.pools import OVERTIME, Request, ServicePool
from anwsim.sampling.demand import LEGS

if TYPE_CHECKING:
    from anwsim.model.chain import Chain

RESPONSE, TRANSPORT, RETURN = LEGS.index("response"), LEGS.index("transport"), LEGS.index("return")
B_RIDE = 2
NEIGHBOUR = -2
"""Station code of a vehicle from a neighbouring region (burenhulp)."""


@dataclass
class Returning:
    """A vehicle driving back to its station (``crew``: who drives it, for the
    end-of-shift rule)."""

    group: int
    crew: int
    origin: int
    depart: float
    arrive: float
    active: bool = True
    home: Any = None  # the event of its arrival at the station (cancelled if re-dispatched)


class Fleet(ServicePool):
    """All ambulance stations of the region with one dispatch queue."""

    def __init__(self, chain: Chain) -> None:
        self.chain = chain
        routing = chain.routing
        groups = [chain.group(s, "ambulance") for s in routing.station_ids]
        super().__init__(chain.clock, "ambulance", groups, site="all_stations", role="ambulance")
        chain.register(self)
        self.returning: list[Returning] = []
        self.while_returning = chain.scenario.ambulance.dispatch_while_returning
        self.neighbour = chain.scenario.ambulance.no_vehicle_free == "neighbour_region"
        self.neighbour_minutes = chain.scenario.ambulance.neighbour_response_minutes

    def call(self, key: tuple[Any, ...], place: int, patient: int) -> Request:
        req = self.request(key, tuple(range(len(self.groups))), patient=patient)
        req.place = place  # type: ignore[attr-defined]
        return req

    def send_home(self, ride: Request, origin: int, noise: float) -> None:
        """The vehicle of ``ride`` drives from ``origin`` back to its station; it is free
        for dispatch from this moment (on its way, with ``dispatch_while_returning``)."""
        routing, now = self.chain.routing, self.clock.now
        g = int(ride.group)  # type: ignore[arg-type]
        minutes = routing.minutes(origin, int(routing.station_place[g])) * noise
        trip = Returning(g, ride.crew, origin, now, now + minutes)
        self.returning.append(trip)
        trip.home = self.clock.call_at(
            trip.arrive,
            END,
            lambda: self._home(trip),
            kind="vehicle_home",
            patient=ride.patient,
            pool=self.index,
            group=g,
        )
        self._want_dispatch()

    def _home(self, trip: Returning) -> None:
        if trip.active:
            trip.active = False
            self.returning.remove(trip)
            self.groups[trip.group].give_back(trip.crew)
            self._want_dispatch()

    def _travel_from_trip(self, trip: Returning, place: int) -> float:
        routing = self.chain.routing
        span = trip.arrive - trip.depart
        f = 1.0 if span <= 0 else min(1.0, (self.clock.now - trip.depart) / span)
        station = int(routing.station_place[trip.group])
        return (1.0 - f) * routing.minutes(trip.origin, place) + f * routing.minutes(station, place)

    def _may_take(self, trip: Returning) -> bool:
        """Whether a returning vehicle may be sent: its crew is on duty, and it is on its
        way with ``dispatch_while_returning`` or has only just become free."""
        group = self.groups[trip.group]
        if group.crews is None:
            if group.busy > group.capacity:
                return False  # in overtime: this vehicle goes home
        elif trip.crew == OVERTIME or group.crew_ended[trip.crew]:
            return False
        return self.while_returning or self.clock.now == trip.depart

    def _dispatch(self) -> None:
        """In key order, each incident gets the vehicle that is there first; when no
        vehicle is free for one incident, none is for the next: the rest wait."""
        routing = self.chain.routing
        while (found := self._next(servable=False)) is not None:
            entry, heap = found
            req = entry[2]
            place = req.place  # type: ignore[attr-defined]
            best: tuple[float, int, int, Returning | None] | None = None
            for g, group in enumerate(self.groups):
                if group.free():
                    minutes = routing.minutes(int(routing.station_place[g]), place)
                    candidate: tuple[float, int, int, Returning | None] = (minutes, 0, g, None)
                    if best is None or candidate[:3] < best[:3]:
                        best = candidate
            for trip in self.returning:
                if self._may_take(trip):
                    candidate = (self._travel_from_trip(trip, place), 1, trip.group, trip)
                    if best is None or candidate[:3] < best[:3]:
                        best = candidate
            if best is None:
                if not self.neighbour:
                    break
                self._grant(entry, heap, NEIGHBOUR, OVERTIME, (NEIGHBOUR, self.neighbour_minutes))
                continue
            minutes, _, g, chosen = best
            if chosen is None:
                crew = self.groups[g].take()
            else:
                chosen.active = False
                self.clock.cancel(chosen.home)
                self.returning.remove(chosen)
                crew = chosen.crew
            self._grant(entry, heap, g, crew, (g, minutes))
        self._update_hold()


def incident(chain: Chain, i: int) -> Generator[Any, Any, None]:
    """The ambulance service handles patient ``i`` from the call to the handover."""
    from anwsim.model.seh import travel_to_seh, treat

    d, clock, rec, fleet = chain.demand, chain.clock, chain.rec, chain.fleet
    start = clock.now
    rec.time("incident", i, start)
    a = int(chain.ambulance_urgency[d.urgency[i]])
    rec.i["ambulance_urgency"][i] = a
    speed = 1.0 if a == B_RIDE else chain.scenario.ambulance.urgent_speed_factor
    yield clock.after(float(d.dispatch_delay_minutes[i]), END, kind="dispatch_decided", patient=i)
    place = chain.area_place(i)
    ride = fleet.call((a, start), place, i)
    g, minutes = yield ride
    rec.time("ambulance_dispatch", i, clock.now)
    rec.i["station"][i] = g
    # A neighbour's response time is as the scenario gives it: no noise, no speed factor.
    noise = 1.0 if g == NEIGHBOUR else float(d.travel_noise[i, RESPONSE]) / speed
    response = minutes * noise
    rec.t["response_travel"][i] = response
    if response > 0:
        yield clock.after(response, END, kind="on_scene", patient=i)
    rec.time("ambulance_arrival", i, clock.now)
    rec.first_contact(i, clock.now)
    yield clock.after(float(d.on_scene_minutes[i]), END, kind="scene_end", patient=i)
    rec.time("ambulance_depart_scene", i, clock.now)
    if not d.conveyed[i]:
        if g != NEIGHBOUR:
            fleet.send_home(ride, place, float(d.travel_noise[i, RETURN]))
        rec.leave(i, clock.now, "ambulance_no_transport")
        return
    rec.b["conveyed"][i] = True
    factor = float(d.travel_noise[i, TRANSPORT]) / speed
    s, transport = yield from travel_to_seh(chain, place, factor, by_ambulance=True, patient=i)
    rec.t["transport_travel"][i] = transport
    rec.time("ambulance_at_seh", i, clock.now)
    yield from treat(chain, i, s, handover=_handover(chain, i, s, ride))


def _handover(chain: Chain, i: int, s: int, ride: Request) -> Generator[Any, Any, None]:
    """Offload (exogenous delay for the pre-drawn share) and handover; the crew leaves."""
    d, clock, rec = chain.demand, chain.clock, chain.rec
    if d.offload_u[i] < chain.sehs[s].offload:
        extra = float(d.offload_minutes[i, s])
        if extra > 0:
            yield clock.after(extra, END, kind="offload_end", patient=i)
    rec.time("handover_start", i, clock.now)
    yield clock.after(float(d.handover_minutes[i]), END, kind="handover_end", patient=i)
    rec.time("handover_end", i, clock.now)
    if ride.group != NEIGHBOUR:
        chain.fleet.send_home(
            ride, int(chain.routing.seh_place[s]), float(d.travel_noise[i, RETURN])
        )
