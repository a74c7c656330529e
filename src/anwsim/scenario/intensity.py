"""Expected arrivals per hour of the horizon, per channel: the input of the arrival kernel.

It lives with the scenario (not in `anwsim.sampling`) because the report uses it too
(offered load per hour), and the report must not import the sampling stage.

A pure, deterministic function of the scenario (no randomness): the channel's annual rate
× population × growth, spread over the week by its profile (with multipliers), replaced
by the holiday weights on public holidays, and scaled by the month's seasonal factor.

Normalisation: a regular week (no holidays, seasonal factor 1) receives exactly
``rate × population / 1000 × 7 days / 365.25 days`` expected arrivals, distributed in
proportion to the profile's weights. Holidays change a day's shape (and so, slightly,
its volume); seasonal factors average to one over the months.
"""

from __future__ import annotations

import numpy as np

from anwsim.scenario.calendar import Calendar
from anwsim.scenario.schema import MINUTES_PER_YEAR, Channel, Profile, Scenario
from anwsim.scenario.timeblocks import MINUTES_PER_WEEK, FactorBlock

HOURS_PER_WEEK = 168


def _hour_factors(calendar: Calendar, multipliers: list[FactorBlock]) -> np.ndarray:
    """Multiplier per hour of the calendar (partial coverage of an hour counts pro rata)."""
    n_hours = calendar.n_days * 24
    factors = np.ones(n_hours)
    for block in multipliers:
        covered = np.zeros(n_hours)
        for start, end in calendar.block_intervals(block):
            for h in range(int(start // 60), int(np.ceil(end / 60))):
                overlap = min(end, (h + 1) * 60.0) - max(start, h * 60.0)
                covered[h] += max(overlap, 0.0) / 60.0
        factors *= 1.0 + (block.factor - 1.0) * np.minimum(covered, 1.0)
    return factors


def regular_week_weights(profile: Profile, start_date: object = None) -> np.ndarray:
    """168 weights of a regular week (Monday 00:00 first), multipliers applied."""
    import datetime as dt

    week = Calendar(dt.date(2024, 1, 1), 7, ())
    return np.asarray(profile.week_weights(), dtype=np.float64) * _hour_factors(
        week, profile.multipliers
    )


def hourly_weights(profile: Profile, calendar: Calendar) -> np.ndarray:
    """Relative weight of every hour of the calendar, holidays and multipliers applied."""
    n_days = calendar.n_days
    base = np.tile(np.asarray(profile.week_weights(), dtype=np.float64), n_days // 7 + 1)
    weights = base[: n_days * 24].copy()
    holiday_day = profile.holiday_hours or profile.week_weights()[6 * 24 : 7 * 24]
    for day in np.flatnonzero(calendar.holiday_flags()):
        weights[day * 24 : day * 24 + 24] = holiday_day
    return weights * _hour_factors(calendar, profile.multipliers)


def expected_per_hour(scenario: Scenario, channel: Channel, calendar: Calendar) -> np.ndarray:
    """Expected arrivals of one channel in every hour of the calendar."""
    profile = scenario.demand.profiles[channel.profile]
    per_week = (
        channel.rate_per_1000_per_year
        * scenario.region.population
        / 1000.0
        * scenario.demand.growth_factor
        * MINUTES_PER_WEEK
        / MINUTES_PER_YEAR
    )
    week_total = float(regular_week_weights(profile).sum())
    weights = hourly_weights(profile, calendar)
    seasonal = np.asarray(scenario.demand.monthly_factors())[calendar.month_index()]
    return weights / week_total * per_week * np.repeat(seasonal, 24)


def scenario_calendar(scenario: Scenario) -> Calendar:
    """The calendar of a scenario's run (start date, horizon, public holidays)."""
    return Calendar(scenario.run.start_date, scenario.run.n_days, scenario.public_holidays)
