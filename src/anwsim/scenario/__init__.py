"""The scenario: a validated, immutable description of a region's acute care chain.

Load one with `load_scenario`; every mistake in the input raises `ScenarioError`.
"""

from anwsim.scenario.errors import ScenarioError
from anwsim.scenario.hashing import canonical_json, scenario_hash
from anwsim.scenario.loading import load_scenario, resolve_data, validate_data
from anwsim.scenario.schema import (
    AMBULANCE_URGENCIES,
    DISPOSITIONS,
    ENTRIES,
    ROLES,
    URGENCIES,
    Scenario,
)

__all__ = [
    "AMBULANCE_URGENCIES",
    "DISPOSITIONS",
    "ENTRIES",
    "ROLES",
    "URGENCIES",
    "Scenario",
    "ScenarioError",
    "canonical_json",
    "load_scenario",
    "resolve_data",
    "scenario_hash",
    "validate_data",
]
