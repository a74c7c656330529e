"""Minimal, degenerate scenarios for checking the model against queueing theory.

Each builder returns a plain dict for `anwsim.scenario.validate_data`: one area, one
triage centre, and only the sites, rosters and channels that the queue under test needs.
Everything else (GP, SEH and ambulance sections) holds placeholder values that the
scenario never uses. Arrival rates are given per minute and converted to the planners'
unit (contacts per 1,000 inhabitants per year) here, the one place that knows how.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from anwsim.scenario import Scenario, validate_data
from anwsim.scenario.schema import MINUTES_PER_YEAR

POPULATION = 100_000
LATITUDE, LONGITUDE = 51.5, 3.9
"""Where the area and every site lie: all travel times are zero."""

ALWAYS = [{"days": ["all"], "hours": "00:00-24:00"}]
FLAT = [1.0] * 168


def rate_per_1000_per_year(per_minute: float, population: int = POPULATION) -> float:
    """The scenario rate giving ``per_minute`` arrivals per minute in a flat week."""
    return per_minute * MINUTES_PER_YEAR * 1000.0 / population


def exponential(mean: float) -> dict[str, Any]:
    return {"kind": "exponential", "mean_minutes": mean}


def constant(minutes: float) -> dict[str, Any]:
    return {"kind": "constant", "minutes": minutes}


def staff_always(n: int) -> list[dict[str, Any]]:
    """A roster of ``n`` people (or places) round the clock, every day."""
    return [{"days": ["all"], "hours": "00:00-24:00", "staff": n}]


def base(
    *,
    horizon_weeks: int = 4,
    warmup_weeks: float = 1.0,
    seed: int = 20240601,
) -> dict[str, Any]:
    """A valid skeleton with no channels, sites beyond the triage centre, or rosters."""
    return {
        "name": "degenerate",
        "description": "a single queue for an analytic check",
        "region": {
            "name": "one area",
            "areas": {
                "town": {
                    "name": "Town",
                    "population": POPULATION,
                    "latitude": LATITUDE,
                    "longitude": LONGITUDE,
                }
            },
        },
        "sites": {"triage_centres": {"line": {"name": "Line", "areas": "all"}}},
        "rosters": {},
        "public_holidays": [],
        "demand": {"profiles": {"flat": {"hour_of_week": FLAT}}, "channels": {}},
        "triage": {
            "duration_minutes": {"default": exponential(5.0)},
            "patience_minutes": constant(1.0e9),
            "redial_percent": 0,
            "redial_delay_minutes": constant(1.0),
            "max_redials": 0,
            "supervision_percent": 0,
            "supervision_minutes": constant(1.0),
            "callback_minutes": {"default": constant(1.0)},
        },
        "gp": {
            "consult_minutes": {"default": exponential(10.0)},
            "visit_minutes": {"default": constant(10.0)},
            "seh_referral_after_consult_percent": 0,
            "seh_referral_after_visit_percent": 0,
        },
        "seh": {"length_of_stay_minutes": {"default": constant(60.0)}},
        "ambulance": {
            "dispatch_delay_minutes": constant(1.0),
            "on_scene_minutes": constant(10.0),
            "conveyance_percent": {"A1": 100, "A2": 100, "B": 0},
            "handover_minutes": constant(5.0),
        },
        "travel": {"noise_cv": 0.0},
        "run": {
            "horizon_weeks": horizon_weeks,
            "warmup_weeks": warmup_weeks,
            "replications": 10,
            "seed": seed,
        },
    }


def channel(
    entry: str,
    per_minute: float,
    urgency_mix: Mapping[str, float],
    disposition: str,
    profile: str = "flat",
) -> dict[str, Any]:
    return {
        "entry": entry,
        "rate_per_1000_per_year": rate_per_1000_per_year(per_minute),
        "profile": profile,
        "urgency_mix": dict(urgency_mix),
        "disposition_mix": {"default": {disposition: 100}},
    }


def phone_queue(
    *,
    arrival_rate: float,
    triagists: int,
    mean_triage: float,
    patience: dict[str, Any] | None = None,
    roster: list[dict[str, Any]] | None = None,
    **run: Any,
) -> dict[str, Any]:
    """M/M/c (or M/M/c+M with exponential ``patience``): calls, triage, advice, leave.

    ``roster`` replaces the constant ``triagists`` by explicit staff blocks.
    """
    data = base(**run)
    data["demand"]["channels"]["calls"] = channel("phone", arrival_rate, {"U3": 100}, "advice")
    data["rosters"]["line"] = {"triagist": roster or staff_always(triagists)}
    data["triage"]["duration_minutes"] = {"default": exponential(mean_triage)}
    if patience is not None:
        data["triage"]["patience_minutes"] = patience
    return data


def gp_post_queue(
    *,
    arrival_rate: float,
    urgency_mix: Mapping[str, float],
    mean_consult: Mapping[str, float],
    gps: int = 1,
    **run: Any,
) -> dict[str, Any]:
    """Walk-ins at one GP post open 24/7 with ``gps`` GPs: a priority M/M/c queue."""
    data = base(**run)
    data["sites"]["gp_posts"] = {
        "post": {
            "name": "Post",
            "latitude": LATITUDE,
            "longitude": LONGITUDE,
            "opening": copy.deepcopy(ALWAYS),
        }
    }
    data["rosters"]["post"] = {"gp_consult": staff_always(gps)}
    data["demand"]["channels"]["walk_ins"] = channel(
        "walk_in_gp", arrival_rate, urgency_mix, "consult"
    )
    data["gp"]["consult_minutes"] = {
        "default": exponential(10.0),
        **{u: exponential(m) for u, m in mean_consult.items()},
    }
    return data


def seh_queue(
    *,
    arrival_rate: float,
    hour_of_week: Sequence[float],
    length_of_stay: dict[str, Any],
    places: int,
    **run: Any,
) -> dict[str, Any]:
    """Self-referrals at one SEH with ``places`` treatment places (M(t)/G/c)."""
    data = base(**run)
    data["sites"]["sehs"] = {
        "seh": {"name": "SEH", "latitude": LATITUDE, "longitude": LONGITUDE},
    }
    data["rosters"]["seh"] = {"treatment_place": staff_always(places)}
    data["demand"]["profiles"]["varying"] = {"hour_of_week": list(hour_of_week)}
    data["demand"]["channels"]["self_referrals"] = channel(
        "walk_in_seh", arrival_rate, {"U3": 100}, "seh", profile="varying"
    )
    data["seh"]["length_of_stay_minutes"] = {"default": length_of_stay}
    return data


def build(data: dict[str, Any]) -> Scenario:
    """Validate a builder's dict into a `Scenario`."""
    return validate_data(data)
