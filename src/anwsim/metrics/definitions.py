"""Every KPI, defined once: its name, unit, what it measures and the norm it is held to.

A KPI table (see `anwsim.metrics.table`) has one row per KPI and *group* (an urgency, a
site, a role), with the value, the unit and, where one exists, the norm and the share
the norm asks for. Keep names stable: results, comparisons and charts key on them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Kpi:
    name: str
    unit: str
    description: str
    kind: str  # "access" or "workload" or "volume"
    better: str | None = None  # "higher", "lower", or None where neither is better


KPIS: dict[str, Kpi] = {
    k.name: k
    for k in (
        # access
        Kpi(
            "answer_time_mean",
            "min",
            "mean wait of answered calls (per attempt)",
            "access",
            "lower",
        ),
        Kpi(
            "answered_within_urgent_norm",
            "%",
            "emergency-line calls answered within the urgent norm",
            "access",
        ),
        Kpi(
            "answered_within_norm",
            "%",
            "other calls answered within the answer norm",
            "access",
            "higher",
        ),
        Kpi(
            "answered_within_max",
            "%",
            "other calls answered within the maximum answer time",
            "access",
        ),
        Kpi("abandoned_callers", "%", "callers who hung up and never got through", "access"),
        Kpi(
            "called_back", "%", "callers offered a call-back when their patience ran out", "access"
        ),
        Kpi(
            "call_back_wait_mean",
            "min",
            "call-back request to the triagist's call",
            "access",
            "lower",
        ),
        Kpi("abandoned_attempts", "%", "call attempts that ended in a hang-up", "access"),
        Kpi(
            "call_to_doctor_mean",
            "min",
            "call to first contact with a doctor or ambulance crew, by urgency",
            "access",
        ),
        Kpi(
            "call_to_doctor_p90", "min", "90th percentile of call to first doctor contact", "access"
        ),
        Kpi(
            "within_nts_norm",
            "%",
            "patients seen by a doctor or ambulance crew within their NTS norm",
            "access",
        ),
        Kpi("travel_to_post_mean", "min", "travel from home to the GP post", "access"),
        Kpi(
            "travel_to_post_within_norm",
            "%",
            "consult patients within the travel norm of the post",
            "access",
        ),
        Kpi(
            "ambulance_response_mean", "min", "incident to ambulance on scene, by A1/A2/B", "access"
        ),
        Kpi(
            "ambulance_response_within_norm",
            "%",
            "rides on scene within the response norm",
            "access",
        ),
        Kpi(
            "call_to_seh_within_norm",
            "%",
            "conveyed A1/A2 rides at the SEH within the 45-minute norm",
            "access",
        ),
        Kpi(
            "handoff_delay_mean",
            "min",
            "ambulance at the SEH to start of handover, by SEH",
            "access",
        ),
        Kpi(
            "handoff_delay_p90",
            "min",
            "90th percentile of the handoff delay, by SEH",
            "access",
            "lower",
        ),
        Kpi(
            "door_to_doctor_mean",
            "min",
            "SEH arrival to first doctor contact, by SEH",
            "access",
            "lower",
        ),
        Kpi(
            "ambulance_by_neighbour",
            "%",
            "rides taken by a neighbouring region's vehicle",
            "access",
        ),
        # workload
        Kpi(
            "utilisation",
            "%",
            "busy share of staffed time (up to capacity), by role and site",
            "workload",
        ),
        Kpi(
            "contacts_per_gp_hour",
            "1/h",
            "GP contacts (consults, visits, call-backs) per staffed GP hour",
            "workload",
        ),
        Kpi(
            "overtime_minutes_per_shift",
            "min",
            "minutes worked past shift end per shift that ended",
            "workload",
        ),
        Kpi("overtime_hours_per_week", "h", "overtime hours per week, by role", "workload"),
        Kpi("seh_occupancy", "%", "occupied share of staffed treatment places, by SEH", "workload"),
        # volumes (per year, scaled from the measured period)
        Kpi("patients_per_year", "1/yr", "patients per year, by channel", "volume"),
        Kpi(
            "gp_contacts_per_1000",
            "1/1000/yr",
            "GP-post contacts per 1,000 inhabitants per year",
            "volume",
        ),
        Kpi(
            "gp_contact_share",
            "%",
            "GP-post contacts by type: telephone, consult, home visit",
            "volume",
        ),
        Kpi("seh_visits_per_year", "1/yr", "SEH visits per year, by SEH", "volume"),
        Kpi("ambulance_rides_per_year", "1/yr", "ambulance rides per year, by A1/A2/B", "volume"),
    )
}


_HIGHER = {
    "answered_within_urgent_norm",
    "answered_within_norm",
    "answered_within_max",
    "within_nts_norm",
    "travel_to_post_within_norm",
    "ambulance_response_within_norm",
    "call_to_seh_within_norm",
}
_LOWER = {
    "answer_time_mean",
    "abandoned_callers",
    "abandoned_attempts",
    "call_back_wait_mean",
    "call_to_doctor_mean",
    "call_to_doctor_p90",
    "travel_to_post_mean",
    "ambulance_response_mean",
    "ambulance_by_neighbour",
    "handoff_delay_mean",
    "handoff_delay_p90",
    "door_to_doctor_mean",
    "overtime_minutes_per_shift",
    "overtime_hours_per_week",
}
KPIS = {
    name: replace(k, better="higher" if name in _HIGHER else "lower" if name in _LOWER else None)
    for name, k in KPIS.items()
}
"""Every KPI by name, with the direction in which it is better (for rankings)."""
