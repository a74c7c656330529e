"""Access KPIs: pure functions of the per-patient outcomes after the warm-up."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from anwsim.model.outcomes import EXITS, Outcomes
from anwsim.scenario.schema import AMBULANCE_URGENCIES, ENTRIES, URGENCIES, Scenario

Row = tuple[str, str, float, float | None, float | None, int]
"""(kpi, group, value, norm, target share %, count)"""


def _share(mask: np.ndarray) -> float:
    return float(100.0 * mask.mean()) if mask.size else float("nan")


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else float("nan")


def _p90(values: np.ndarray) -> float:
    return float(np.percentile(values, 90)) if values.size else float("nan")


def access_rows(
    scenario: Scenario, outcomes: Outcomes, entry: np.ndarray, urgency: np.ndarray, keep: np.ndarray
) -> Iterator[Row]:
    """Rows of access KPIs for the patients in ``keep`` (those after the warm-up)."""
    o, norms = outcomes, scenario.norms
    phone = keep & (entry == ENTRIES.index("phone"))
    called_back = phone & o.called_back
    answered = phone & np.isfinite(o.answer) & ~o.called_back  # live answers
    wait = (o.answer - o.answered_attempt_start)[answered]
    yield ("answer_time_mean", "all", _mean(wait), None, None, int(wait.size))
    emergency = np.isin(
        urgency, [URGENCIES.index(u) for u in scenario.triage.emergency_line_urgencies]
    )
    urgent_wait = (o.answer - o.answered_attempt_start)[answered & emergency]
    other_wait = (o.answer - o.answered_attempt_start)[answered & ~emergency]
    limit = norms.urgent_answer_seconds / 60.0
    yield (
        "answered_within_urgent_norm",
        "emergency line",
        _share(urgent_wait <= limit),
        limit,
        norms.urgent_answer_percent,
        int(urgent_wait.size),
    )
    yield (
        "answered_within_norm",
        "other lines",
        _share(other_wait <= norms.answer_minutes),
        norms.answer_minutes,
        norms.answer_percent,
        int(other_wait.size),
    )
    yield (
        "answered_within_max",
        "other lines",
        _share(other_wait <= norms.answer_max_minutes),
        norms.answer_max_minutes,
        norms.answer_max_percent,
        int(other_wait.size),
    )
    yield ("called_back", "all", _share(o.called_back[phone]), None, None, int(phone.sum()))
    back = (o.answer - o.call_back_requested)[called_back & np.isfinite(o.answer)]
    yield ("call_back_wait_mean", "all", _mean(back), None, None, int(back.size))
    abandoned = o.exit_via[phone] == EXITS.index("abandoned")
    yield ("abandoned_callers", "all", _share(abandoned), None, None, int(phone.sum()))
    attempts = o.attempts[phone].sum()
    share = 100.0 * o.abandoned_attempts[phone].sum() / attempts if attempts else float("nan")
    yield ("abandoned_attempts", "all", float(share), None, None, int(attempts))

    to_doctor = o.doctor_contact - o.call
    for code, name in enumerate(URGENCIES):
        rows = keep & (urgency == code) & np.isfinite(to_doctor)
        values = to_doctor[rows]
        norm = norms.nts_minutes.get(name)  # type: ignore[call-overload]
        yield ("call_to_doctor_mean", name, _mean(values), norm, None, int(values.size))
        yield ("call_to_doctor_p90", name, _p90(values), norm, None, int(values.size))
        if norm is not None:
            yield ("within_nts_norm", name, _share(values <= norm), norm, None, int(values.size))

    travel = o.travel_to_post[keep & np.isfinite(o.travel_to_post)]
    yield ("travel_to_post_mean", "all", _mean(travel), None, None, int(travel.size))
    yield (
        "travel_to_post_within_norm",
        "all",
        _share(travel <= norms.post_travel_minutes),
        norms.post_travel_minutes,
        norms.post_travel_percent,
        int(travel.size),
    )

    response = o.ambulance_arrival - o.incident
    for code, name in enumerate(AMBULANCE_URGENCIES):
        rows = keep & (o.ambulance_urgency == code) & np.isfinite(response)
        values = response[rows]
        yield ("ambulance_response_mean", name, _mean(values), None, None, int(values.size))
        norm = norms.ambulance_response_minutes.get(name)  # type: ignore[call-overload]
        if norm is not None:
            yield (
                "ambulance_response_within_norm",
                name,
                _share(values <= norm),
                norm,
                norms.ambulance_response_percent,
                int(values.size),
            )
    rides = keep & np.isfinite(o.ambulance_dispatch)
    neighbour = o.station[rides] == -2
    yield ("ambulance_by_neighbour", "all", _share(neighbour), None, None, int(rides.sum()))
    urgent = (
        keep
        & (o.ambulance_urgency >= 0)
        & (o.ambulance_urgency < 2)
        & np.isfinite(o.ambulance_at_seh)
    )
    to_seh = (o.ambulance_at_seh - o.incident)[urgent]
    yield (
        "call_to_seh_within_norm",
        "A1+A2",
        _share(to_seh <= norms.call_to_seh_minutes),
        norms.call_to_seh_minutes,
        None,
        int(to_seh.size),
    )
    handoff = o.handover_start - o.ambulance_at_seh
    door = o.seh_doctor - o.seh_arrival
    for code, name in enumerate(scenario.sites.sehs):
        rows = keep & (o.seh == code)
        values = handoff[rows & np.isfinite(handoff)]
        yield ("handoff_delay_mean", name, _mean(values), None, None, int(values.size))
        yield ("handoff_delay_p90", name, _p90(values), None, None, int(values.size))
        values = door[rows & np.isfinite(door)]
        yield ("door_to_doctor_mean", name, _mean(values), None, None, int(values.size))
