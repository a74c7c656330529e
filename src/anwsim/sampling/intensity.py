"""Re-export of `anwsim.scenario.intensity` (the deterministic demand intensity lives
with the scenario, so that the report can use it without importing the sampling
stage); kept because `anwsim.engine.build` and tests import it from here."""

from anwsim.scenario.intensity import (
    HOURS_PER_WEEK,
    expected_per_hour,
    hourly_weights,
    regular_week_weights,
    scenario_calendar,
)

__all__ = [
    "HOURS_PER_WEEK",
    "expected_per_hour",
    "hourly_weights",
    "regular_week_weights",
    "scenario_calendar",
]
