"""Which rows a scenario's KPI table will have, known before any replication runs, and
the check of ``--target KPI:GROUP`` against them.

`kpi_groups` reads the groups off the scenario and the compiled engine's layout of it
(`anwsim.engine.build.build_scenario`: server groups, rosters, queues), the same layout
the KPI table is measured on; a test holds it to the tables of real replications of
every shipped scenario. A server group or role that is rostered but never staffed in
the measured window has no row; the runner's own check after replication 0 catches
that rare case.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence

from anwsim.metrics.definitions import KPIS
from anwsim.scenario import ScenarioError
from anwsim.scenario.schema import AMBULANCE_URGENCIES, URGENCIES, Scenario

GP_CONTACT_TYPES = ("telephone", "consult", "home_visit")
"""The groups of ``gp_contact_share``."""

TARGET_USAGE = "give KPI:GROUP, e.g. within_nts_norm:U2 (`anwsim kpis FILE` lists them)"


def kpi_groups(scenario: Scenario) -> dict[str, list[str]]:
    """Every KPI of ``scenario``'s table with its groups, in table order."""
    from anwsim.engine.build import build_scenario

    layout = build_scenario(scenario)
    staffed = [
        (name, role, site)
        for name, role, site, has in zip(
            layout.group_names,
            layout.group_roles,
            layout.group_sites,
            layout.group_has_staff,
            strict=True,
        )
        if has
    ]
    roles = [f"role:{r}" for r in sorted({role for _, role, _ in staffed})]
    queues = [f"{s}/{r}" for s, r in zip(layout.pool_sites, layout.pool_roles, strict=True)]
    norms = scenario.norms
    nts = [u for u in URGENCIES if norms.nts_minutes.get(u) is not None]  # type: ignore[call-overload]
    response = [
        u
        for u in AMBULANCE_URGENCIES
        if norms.ambulance_response_minutes.get(u) is not None  # type: ignore[call-overload]
    ]
    sehs = list(scenario.sites.sehs)
    places = [site for _, role, site in staffed if role == "treatment_place"]
    groups: dict[str, list[str]] = {
        "answer_time_mean": ["all"],
        "answered_within_urgent_norm": ["emergency line"],
        "answered_within_norm": ["other lines"],
        "answered_within_max": ["other lines"],
        "called_back": ["all"],
        "call_back_wait_mean": ["all"],
        "abandoned_callers": ["all"],
        "blocked_callers": ["all"],
        "abandoned_attempts": ["all"],
        "blocked_attempts": ["all"],
        "call_to_doctor_mean": list(URGENCIES),
        "call_to_doctor_p90": list(URGENCIES),
        "within_nts_norm": nts,
        "travel_to_post_mean": ["all"],
        "travel_to_post_within_norm": ["all"],
        "ambulance_response_mean": list(AMBULANCE_URGENCIES),
        "ambulance_response_within_norm": response,
        "ambulance_by_neighbour": ["all"],
        "call_to_seh_within_norm": ["A1+A2"],
        "handoff_delay_mean": sehs,
        "handoff_delay_p90": sehs,
        "door_to_doctor_mean": sehs,
        "unserved_patients": [*dict.fromkeys(queues), "all"],
        "utilisation": [name for name, _, _ in staffed] + roles,
        "overtime_minutes_per_shift": roles,
        "overtime_hours_per_week": roles,
        "contacts_per_gp_hour": ["all"],
        "seh_occupancy": list(dict.fromkeys(places)),
        "patients_per_year": list(scenario.demand.channels),
        "gp_contacts_per_1000": ["all"],
        "gp_contact_share": list(GP_CONTACT_TYPES),
        "seh_visits_per_year": sehs,
        "ambulance_rides_per_year": list(AMBULANCE_URGENCIES),
    }
    return {name: groups[name] for name in KPIS}


def _suggest(word: str, choices: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest choice (case first, then difflib)."""
    folded = [c for c in choices if c.casefold() == word.casefold()]
    close = folded or difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def check_targets(
    targets: Sequence[str], scenarios: Mapping[str, Scenario]
) -> list[tuple[str, str]]:
    """``--target KPI:GROUP`` texts as (kpi, group) pairs, each checked to be a row of
    every scenario's KPI table; a `ScenarioError` naming the option, with a did-you-mean,
    for the first that is not."""
    catalogues = {label: kpi_groups(s) for label, s in scenarios.items()}
    parsed = []
    for text in targets:
        source = f"--target {text}"
        kpi, sep, group = text.partition(":")
        if not sep or not kpi or not group:
            raise ScenarioError(TARGET_USAGE, file=source)
        if kpi not in KPIS:
            raise ScenarioError(
                f"unknown KPI '{kpi}'{_suggest(kpi, list(KPIS))}; {TARGET_USAGE}", file=source
            )
        for label, catalogue in catalogues.items():
            known = catalogue[kpi]
            if group not in known:
                raise ScenarioError(
                    f"{kpi} has no group '{group}' in {label}{_suggest(group, known)}; "
                    f"its groups: {', '.join(known) or 'none'}",
                    file=source,
                )
        parsed.append((kpi, group))
    return parsed
