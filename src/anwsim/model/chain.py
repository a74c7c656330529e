"""The acute care chain: builds the sites and pools, feeds in the Demand, runs SimPy.

`simulate(scenario, demand)` is the third stage of the pipeline. It draws no random
numbers: every duration, patience and decision comes from the `Demand`. Patients enter
at their arrival times in `Demand.order`; each follows the path of its channel's entry:

=================  ==============================================================
entry              path
=================  ==============================================================
``phone``          phone queue → triage → disposition (`anwsim.model.phone`)
``emergency_112``  ambulance dispatch (`anwsim.model.ambulance`), or advice
``walk_in_gp``     nearest open GP post for a consult (`anwsim.model.gp`)
``walk_in_seh``    nearest open SEH; front desk of an integrated post (`anwsim.model.seh`)
``referral_seh``   to the SEH by own means, or by ambulance
=================  ==============================================================

Event order at equal times is that of `anwsim.model.clock`.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any, Literal, overload

import numpy as np

from anwsim.engines import DEFAULT_ENGINE, ENGINES, Engine
from anwsim.model.ambulance import Fleet, incident
from anwsim.model.clock import ARRIVAL, Clock
from anwsim.model.gp import GpPost, consult, home_visit
from anwsim.model.outcomes import Outcomes, Recorder, ResourceTable
from anwsim.model.phone import PhoneLine, phone_call
from anwsim.model.pools import Crews, ServerGroup, ServicePool
from anwsim.model.seh import Seh, seh_visit
from anwsim.sampling.demand import Demand
from anwsim.scenario.calendar import Calendar
from anwsim.scenario.intensity import scenario_calendar
from anwsim.scenario.routing import Routing
from anwsim.scenario.schema import (
    AMBULANCE_URGENCIES,
    DISPOSITIONS,
    ENTRIES,
    URGENCIES,
    Scenario,
)

if TYPE_CHECKING:
    import pandas as pd

ADVICE, CALLBACK, CONSULT, HOME_VISIT, AMBULANCE, SEH = range(len(DISPOSITIONS))


class Chain:
    """Everything one replication's processes share: clock, sites, demand, recorder."""

    def __init__(self, scenario: Scenario, demand: Demand, *, trace: bool = False) -> None:
        self.scenario = scenario
        self.demand = demand
        self.clock = Clock(trace=trace)
        self.calendar = scenario_calendar(scenario)
        # Rosters run past the horizon for the whole drain limit, so that patients who
        # arrived before it meet the shifts that follow.
        self.stop_at = self.calendar.horizon + scenario.run.drain_minutes
        self.roster_calendar = Calendar(
            scenario.run.start_date,
            self.calendar.n_days + max(7, math.ceil(scenario.run.drain_days)),
            scenario.public_holidays,
        )
        self.routing = Routing(scenario, self.calendar)
        self.rec = Recorder(len(demand))
        self.pools: list[ServicePool] = self.clock.pools
        self.lines = {cid: PhoneLine(self, cid) for cid in scenario.sites.triage_centres}
        self.line_of_area = np.zeros(len(self.routing.area_ids), dtype=np.int64)
        line_ids = list(self.lines)
        for cid, centre in scenario.sites.triage_centres.items():
            areas = self.routing.area_ids if centre.areas == "all" else centre.areas
            for area in areas:
                self.line_of_area[self.routing.area_ids.index(area)] = line_ids.index(cid)
        self.line_list = [self.lines[c] for c in line_ids]
        self.posts = [GpPost(self, p) for p in self.routing.post_ids]
        self.sehs = [Seh(self, s) for s in self.routing.seh_ids]
        self.fleet = Fleet(self)
        self.emergency_codes = {
            URGENCIES.index(u) for u in scenario.triage.emergency_line_urgencies
        }
        amb = scenario.ambulance
        self.ambulance_urgency = np.array(
            [AMBULANCE_URGENCIES.index(amb.urgency_map[u]) for u in URGENCIES]  # type: ignore[index]
        )

    def group(self, site: str, role: str) -> ServerGroup:
        """The server group of ``role`` at ``site``, following its roster."""
        blocks = self.scenario.rosters.get(site, {}).get(role, [])  # type: ignore[call-overload]
        cal = self.roster_calendar
        roster = cal.step_function(blocks)
        crews = None
        if self.scenario.staffing.rule_for(role) == "replace":
            crews = Crews(*cal.crews(blocks), horizon=cal.horizon)
        return ServerGroup(self.clock, f"{site}/{role}", role, site, roster, crews)

    def register(self, pool: ServicePool) -> ServicePool:
        """A pool of the chain (pools list themselves on the clock when built)."""
        return pool

    # ------------------------------------------------------------------ patients

    def area_place(self, i: int) -> int:
        return int(self.routing.area_place[self.demand.area[i]])

    def dispose(self, i: int) -> Generator[Any, Any, None]:
        """After triage (or a 112 call): follow the patient's disposition."""
        d, now = self.demand, self.clock.now
        disposition = int(d.disposition[i])
        if disposition == ADVICE:
            self.rec.leave(i, now, "advice")
        elif disposition == CALLBACK:
            yield from self.line_list[self.line_of_area[d.area[i]]].callback(i)
        elif disposition == CONSULT:
            yield from consult(self, i, self.area_place(i))
        elif disposition == HOME_VISIT:
            yield from home_visit(self, i)
        elif disposition == AMBULANCE:
            yield from incident(self, i)
        elif disposition == SEH:
            yield from seh_visit(self, i, self.area_place(i), self_referral=False)
        else:  # pragma: no cover
            raise RuntimeError(f"unknown disposition {disposition}")

    def journey(self, i: int) -> Generator[Any, Any, None]:
        """The whole path of patient ``i`` from their first contact."""
        d = self.demand
        self.rec.time("call", i, self.clock.now)
        entry = ENTRIES[int(d.entry[i])]
        if entry == "phone":
            answered = yield from phone_call(self, i)
            if answered:
                yield from self.dispose(i)
        elif entry == "walk_in_seh":
            yield from seh_visit(self, i, self.area_place(i), self_referral=True)
        else:  # emergency_112, walk_in_gp, referral_seh: no phone triage
            yield from self.dispose(i)

    def _feed(self, order: np.ndarray) -> None:
        """Start patients one by one at their arrival times (``ARRIVAL`` class)."""
        arrivals = self.demand.arrival_minutes
        env = self.clock.env

        def start(k: int) -> None:
            i = int(order[k])
            env.process(self.journey(i))
            if k + 1 < order.size:
                nxt = int(order[k + 1])
                self.clock.call_at(
                    float(arrivals[nxt]), ARRIVAL, lambda: start(k + 1), kind="arrival", patient=nxt
                )

        if order.size:
            first = int(order[0])
            self.clock.call_at(
                float(arrivals[first]), ARRIVAL, lambda: start(0), kind="arrival", patient=first
            )

    # ------------------------------------------------------------------ run

    def run(self) -> Outcomes:
        """Feed the patients, run to the horizon plus the drain limit, pack `Outcomes`."""
        horizon = self.calendar.horizon
        order = self.demand.order[self.demand.arrival_minutes[self.demand.order] < horizon]
        self._feed(order)
        self.clock.env.run(until=self.stop_at)
        stopped_at = self._record_unserved(order)
        table = ResourceTable()
        for pool in self.pools:
            for group in pool.groups:
                times, busy, capacity, overtime, ended = group.log.arrays()
                table.name.append(group.name)
                table.role.append(group.role)
                table.site.append(group.site)
                table.times.append(times)
                table.busy.append(busy)
                table.capacity.append(capacity)
                table.overtime.append(overtime)
                table.ended.append(ended)
        patients = self.rec.columns()
        for column in ("channel", "entry", "area", "urgency", "disposition"):
            patients[column] = getattr(self.demand, column).copy()
        return Outcomes(
            patients=patients,
            resources=table,
            horizon=horizon,
            replication=self.demand.replication,
            seed=self.demand.seed,
            queues=tuple((pool.site, pool.role) for pool in self.pools),
            stopped_at=stopped_at,
        )

    def _record_unserved(self, order: np.ndarray) -> float:
        """Patients still in the chain at the stop leave as ``unserved``, with the queue
        they were waiting in (-1: in service or on their way). Returns the stop time."""
        rec = self.rec
        exits = rec.i["exits"]
        stuck = order[exits[order] == 0]
        if stuck.size == 0:
            finite = rec.t["exit"][np.isfinite(rec.t["exit"])]
            return float(finite.max()) if finite.size else 0.0
        for pool in self.pools:
            for req in pool.waiting_requests():
                p = req.patient
                if p >= 0 and not req.side and exits[p] == 0 and rec.i["unserved_queue"][p] < 0:
                    rec.i["unserved_queue"][p] = pool.index
        for p in stuck:
            rec.leave(int(p), self.stop_at, "unserved")
        return self.stop_at


@overload
def simulate(scenario: Scenario, demand: Demand, *, engine: Engine = ...) -> Outcomes: ...
@overload
def simulate(
    scenario: Scenario, demand: Demand, *, trace: Literal[False], engine: Engine = ...
) -> Outcomes: ...
@overload
def simulate(
    scenario: Scenario, demand: Demand, *, trace: Literal[True], engine: Engine = ...
) -> tuple[Outcomes, pd.DataFrame]: ...


def simulate(
    scenario: Scenario, demand: Demand, *, trace: bool = False, engine: Engine = DEFAULT_ENGINE
) -> Outcomes | tuple[Outcomes, pd.DataFrame]:
    """Run one replication: move every patient of ``demand`` through the chain.

    Arrivals stop at the horizon; the run goes on until every patient who arrived has
    left, but at most ``run.drain_days`` past the horizon (rosters go on; staff on duty
    finish the work in hand). Patients still in the chain then leave as ``unserved``.
    Returns `Outcomes`, or ``(Outcomes, trace table)`` with ``trace=True`` (every
    processed event, see `anwsim.model.clock`). ``engine="fast"`` (the default) runs the
    rules on the compiled engine (`anwsim.engine`), ``engine="simpy"`` on the SimPy model
    of this package, the readable reference; both return the same.
    """
    if engine == "fast":
        from anwsim.engine import simulate as simulate_fast

        return simulate_fast(scenario, demand, trace=trace)  # type: ignore[call-overload, no-any-return]
    if engine != "simpy":
        raise ValueError(f"unknown engine {engine!r}; allowed: {', '.join(ENGINES)}")
    chain = Chain(scenario, demand, trace=trace)
    outcomes = chain.run()
    if trace:
        assert chain.clock.trace is not None
        return outcomes, chain.clock.trace.to_frame()
    return outcomes
