"""Quantities the report derives from a resolved scenario rather than from results.

* `staffed_by_hour` — staff on duty per role and hour of a regular week, from the
  rosters (the calendar's step functions, averaged over each hour);
* `needed_by_hour` — the offered load per role and hour of a regular week: expected
  arrivals in that hour × mean service time (staff-equivalents, Erlang), from the demand
  channels, urgency and disposition mixes and the mean durations;
* `travel_to_post` — car minutes from every area to the GP post a patient would be sent
  to at a given moment (`anwsim.scenario.routing.Routing.post_for`), with its population;
* `representative_times` — a weekday evening and the night after it in a regular week
  of the run, for the day/night travel comparison;
* `role_utilisation` — per-hour utilisation per role from busy and staffed minutes.

A *regular week* has no public holidays and a seasonal factor of one.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from anwsim.scenario import DISPOSITIONS, ROLES, URGENCIES, Scenario
from anwsim.scenario.calendar import Calendar
from anwsim.scenario.intensity import expected_per_hour, scenario_calendar
from anwsim.scenario.routing import Routing
from anwsim.scenario.schema import for_urgency

HOURS_PER_WEEK = 168
REGULAR_MONDAY = dt.date(2024, 1, 1)
"""Any Monday will do: a regular week has no holidays; its month's seasonal factor is
divided out."""

CAPACITY_ROLES: tuple[str, ...] = ("triagist", "gp_supervisor", "gp_consult", "gp_visit")
"""Roles of the staffed-vs-needed chart (telephone triage and GP work)."""

CAPACITY_PANELS: dict[str, tuple[str, ...]] = {
    "triagist": ("triagist",),
    "gp_supervisor": ("gp_supervisor",),
    "gp_consult": ("gp_consult", "nurse_practitioner"),
    "gp_visit": ("gp_visit",),
}
"""Panels of that chart and the rostered roles whose staff they add up (nurse
practitioners take consults, so they count with the consult GPs)."""


def _regular_week() -> Calendar:
    return Calendar(REGULAR_MONDAY, 7, ())


def _hourly_mean(times: np.ndarray, values: np.ndarray, horizon: float) -> np.ndarray:
    """Mean of a step function over each hour of [0, horizon)."""
    hours = round(horizon / 60.0)
    cuts = np.arange(hours + 1) * 60.0
    points = np.union1d(times, cuts[:-1])
    lengths = np.diff(np.append(points, horizon))
    index = np.searchsorted(times, points, side="right") - 1
    hour = np.minimum((points // 60).astype(np.int64), hours - 1)
    return np.bincount(hour, weights=lengths * values[np.maximum(index, 0)], minlength=hours) / 60


def staffed_by_hour(scenario: Scenario) -> pd.DataFrame:
    """Mean staff on duty per role and hour of a regular week, summed over sites.

    Columns ``role``, ``hour_of_week`` (0 = Monday 00:00), ``staff``."""
    calendar = _regular_week()
    frames = []
    totals: dict[str, np.ndarray] = {}
    for roster in scenario.rosters.values():
        for role, blocks in roster.items():
            f = calendar.step_function(blocks)
            staff = _hourly_mean(f.times, f.values.astype(float), f.horizon)
            totals[role] = totals.get(role, np.zeros(HOURS_PER_WEEK)) + staff
    for name in ROLES:
        if name in totals:
            frames.append(
                pd.DataFrame(
                    {"role": name, "hour_of_week": np.arange(HOURS_PER_WEEK), "staff": totals[name]}
                )
            )
    if not frames:
        return pd.DataFrame(columns=["role", "hour_of_week", "staff"])
    return pd.concat(frames, ignore_index=True)


def mean_round_trip(scenario: Scenario) -> float:
    """Population-weighted car minutes from the nearest post with visit GPs and back."""
    routing = Routing(scenario, _regular_week())
    posts = [
        routing.post_place[k]
        for k, p in enumerate(routing.post_ids)
        if scenario.rosters.get(p, {}).get("gp_visit")  # type: ignore[call-overload]
    ]
    if not posts:
        return 0.0
    minutes = routing.travel.minutes
    population = np.array([a.population for a in scenario.region.areas.values()], dtype=float)
    nearest = np.array([minutes[a, posts].min() for a in routing.area_place])
    return float(2.0 * np.sum(population * nearest) / population.sum())


def needed_by_hour(scenario: Scenario) -> pd.DataFrame:
    """Offered load per role and hour of a regular week, in staff-equivalents.

    Load = expected arrivals in the hour (by hour of first contact) × the mean time the
    role spends on each of them:

    * ``triagist``: every telephone patient × mean triage time (by urgency);
    * ``gp_supervisor``: live supervision (share × mean time) of every triage, plus the
      GP call-backs when ``triage.callback_by`` is the supervisor;
    * ``gp_consult``: consult dispositions (telephone and walk-in) × mean consult time,
      plus call-backs when ``callback_by`` is the consult GP;
    * ``gp_visit``: home visits × (mean time at the patient + the population-weighted
      round trip from the nearest post with a visit GP).

    Not included: redials (they take no triage time until answered), nurse
    practitioners (their consults count as GP consult work), front-desk redirects from
    an SEH and patients referred on after a consult. Columns ``role``, ``hour_of_week``,
    ``load``."""
    calendar = _regular_week()
    month = calendar.month_index()[0]
    seasonal = scenario.demand.monthly_factors()[month]
    load = {role: np.zeros(HOURS_PER_WEEK) for role in CAPACITY_ROLES}
    triage, gp = scenario.triage, scenario.gp
    round_trip = mean_round_trip(scenario)
    supervision = triage.supervision_percent / 100.0 * triage.supervision_minutes.mean()
    consult_code, visit_code = DISPOSITIONS.index("consult"), DISPOSITIONS.index("home_visit")
    callback_code = DISPOSITIONS.index("gp_callback")
    for channel in scenario.demand.channels.values():
        arrivals = expected_per_hour(scenario, channel, calendar) / seasonal
        if channel.entry not in ("phone", "walk_in_gp"):
            continue
        per_patient = dict.fromkeys(CAPACITY_ROLES, 0.0)
        for urgency, share in zip(URGENCIES, channel.urgency_fractions(), strict=True):
            if share == 0:
                continue
            disposition = channel.disposition_fractions(urgency)
            if channel.entry == "phone":
                per_patient["triagist"] += (
                    share * for_urgency(triage.duration_minutes, urgency).mean()
                )
                per_patient["gp_supervisor"] += share * supervision
                callback = for_urgency(triage.callback_minutes, urgency).mean()
                per_patient[triage.callback_by] += share * disposition[callback_code] * callback
            per_patient["gp_consult"] += (
                share * disposition[consult_code] * for_urgency(gp.consult_minutes, urgency).mean()
            )
            per_patient["gp_visit"] += (
                share
                * disposition[visit_code]
                * (for_urgency(gp.visit_minutes, urgency).mean() + round_trip)
            )
        for role, minutes in per_patient.items():
            load[role] += arrivals * minutes / 60.0
    frames = [
        pd.DataFrame({"role": role, "hour_of_week": np.arange(HOURS_PER_WEEK), "load": values})
        for role, values in load.items()
    ]
    return pd.concat(frames, ignore_index=True)


def representative_times(scenario: Scenario) -> dict[str, float]:
    """Simulation minutes of a weekday evening (19:00) and the night after it (03:00),
    on the first Tuesday of the run with no holiday that day or the next."""
    calendar = scenario_calendar(scenario)
    for day in range(1, calendar.n_days - 1):
        if day % 7 == 1 and not calendar.is_holiday(day) and not calendar.is_holiday(day + 1):
            return {"evening": day * 1440.0 + 19 * 60, "night": (day + 1) * 1440.0 + 3 * 60}
    return {"evening": 1440.0 + 19 * 60, "night": 2 * 1440.0 + 3 * 60}


def travel_to_post(scenario: Scenario, t: float) -> pd.DataFrame:
    """Per area: population and car minutes (no trip noise) to the place a patient is
    sent for a GP consult at time ``t`` (the nearest post if open, else its
    ``when_closed`` rule: the nearest open post, a named post or an SEH).

    Columns ``area``, ``population``, ``minutes``, ``destination``."""
    routing = Routing(scenario, scenario_calendar(scenario))
    rows = []
    for k, area in enumerate(routing.area_ids):
        place = int(routing.area_place[k])
        kind, index = routing.post_for(place, t)
        if kind == "post":
            target, target_place = routing.post_ids[index], routing.post_place[index]
        else:
            target, target_place = routing.seh_ids[index], routing.seh_place[index]
        rows.append(
            {
                "area": area,
                "population": scenario.region.areas[area].population,
                "minutes": routing.minutes(place, int(target_place)),
                "destination": target,
            }
        )
    return pd.DataFrame(rows)


def population_curve(travel: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative population share (%) against minutes, as step points from 0."""
    ordered = travel.sort_values("minutes")
    minutes = ordered["minutes"].to_numpy(dtype=float)
    cumulative = np.cumsum(ordered["population"].to_numpy(dtype=float))
    share = 100.0 * cumulative / cumulative[-1] if cumulative.size else cumulative
    return np.concatenate([[0.0], minutes]), np.concatenate([[0.0], share])


def role_utilisation(hourly: pd.DataFrame) -> pd.DataFrame:
    """Utilisation (%) per role, replication and hour of the week: busy ÷ staffed
    minutes summed over the role's groups (NaN where no one was staffed)."""
    keys = ["replication", "role", "hour_of_week"]
    sums = hourly.groupby(keys)[["busy_minutes", "staffed_minutes"]].sum().reset_index()
    staffed = sums["staffed_minutes"].where(sums["staffed_minutes"] > 0)
    sums["utilisation"] = 100.0 * sums["busy_minutes"] / staffed
    return sums
