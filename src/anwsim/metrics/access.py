"""Access KPIs: pure functions of the per-patient outcomes after the warm-up.

What each share divides is written in `anwsim.metrics.definitions` (and docs/kpis.md);
the code below follows it. Shares are per patient. Patients still waiting in a queue
when the run stopped (``exit_via == "unserved"``) count in the denominator of every
access share they would have been measured by, and never in its numerator.

Shares count with `np.count_nonzero` on masks of all patients (the ambulance KPIs on
the columns of the rides); a mean or percentile takes its values by the indices of its
mask (`np.flatnonzero`), in patient order: the values, and their order, of the mask.
The KPIs per urgency, SEH or ambulance urgency take the values of all groups in one
pass (`group_values`, each group in patient order), the 90th percentile selects near
its rank instead of partitioning all values (`percentile`, `np.percentile`'s value),
and the phone KPIs count over the callers in one pass (`phone_counts`): the same
values and counts, in `anwsim.metrics._value_kernels`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np

from anwsim.metrics._value_kernels import group_values, percentile, phone_counts
from anwsim.model.outcomes import EXITS, Outcomes
from anwsim.scenario.schema import (
    AMBULANCE_URGENCIES,
    DISPOSITIONS,
    ENTRIES,
    URGENCIES,
    Scenario,
)

Row = tuple[str, str, float, float | None, float | None, int]
"""(kpi, group, value, norm, target share %, count)"""


def _count(mask: np.ndarray) -> int:
    return int(np.count_nonzero(mask))


def _share(numerator: np.ndarray, denominator: np.ndarray) -> tuple[float, int]:
    """100 × |numerator ∧ denominator| / |denominator| (NaN if empty), and |denominator|."""
    return _percent(_count(numerator & denominator), _count(denominator))


def _percent(hits: int, n: int) -> tuple[float, int]:
    """100 × hits / n (NaN if n is 0), and n."""
    return (100.0 * hits / n if n else float("nan")), n


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else float("nan")


def _p90(values: np.ndarray) -> float:
    return percentile(values, 90) if values.size else float("nan")


def _among(codes: np.ndarray, of: Sequence[int]) -> np.ndarray:
    """``codes`` in ``of`` (`np.isin` for a few small codes)."""
    out = np.zeros(codes.shape, dtype=bool)
    for code in of:
        out |= codes == code
    return out


def _values(column: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``column[mask]``, by index (faster than a boolean mask for scattered patients)."""
    return column[np.flatnonzero(mask)]


def _grouped(column: np.ndarray, codes: np.ndarray, mask: np.ndarray, n: int) -> list[np.ndarray]:
    """``_values(column, mask & (codes == code))`` for each code 0 … n − 1."""
    values, offsets = group_values(column, codes, np.flatnonzero(mask), n)
    return [values[offsets[code] : offsets[code + 1]] for code in range(n)]


def access_rows(
    scenario: Scenario, outcomes: Outcomes, entry: np.ndarray, urgency: np.ndarray, keep: np.ndarray
) -> Iterator[Row]:
    """Rows of access KPIs for the patients in ``keep`` (those after the warm-up)."""
    o, norms = outcomes, scenario.norms
    unserved = keep & (o.exit_via == EXITS.index("unserved"))
    yield from _phone_rows(scenario, o, entry, urgency, keep)
    yield from _nts_rows(scenario, o, urgency, keep, unserved)

    travelled = keep & np.isfinite(o.travel_to_post)
    travel = _values(o.travel_to_post, travelled)
    yield ("travel_to_post_mean", "all", _mean(travel), None, None, int(travel.size))
    value, n = _percent(_count(travel <= norms.post_travel_minutes), travel.size)
    yield (
        "travel_to_post_within_norm",
        "all",
        value,
        norms.post_travel_minutes,
        norms.post_travel_percent,
        n,
    )

    yield from _ambulance_rows(scenario, o, keep, unserved)
    handoff = o.handover_start - o.ambulance_at_seh
    door = o.seh_doctor - o.seh_arrival
    sehs = len(scenario.sites.sehs)
    handoffs = _grouped(handoff, o.seh, keep & np.isfinite(handoff), sehs)
    doors = _grouped(door, o.seh, keep & np.isfinite(door), sehs)
    for code, name in enumerate(scenario.sites.sehs):
        values = handoffs[code]
        yield ("handoff_delay_mean", name, _mean(values), None, None, int(values.size))
        yield ("handoff_delay_p90", name, _p90(values), None, None, int(values.size))
        values = doors[code]
        yield ("door_to_doctor_mean", name, _mean(values), None, None, int(values.size))
    yield from _unserved_rows(o, unserved)


def _phone_rows(
    scenario: Scenario, o: Outcomes, entry: np.ndarray, urgency: np.ndarray, keep: np.ndarray
) -> Iterator[Row]:
    """Per caller: every caller who reached the line is in the denominator. Callers
    answered live: a finite answer, not called back; their wait is that of the attempt
    that got through. What is counted over the callers, `phone_counts` counts."""
    norms = scenario.norms
    callers = keep & (entry == ENTRIES.index("phone")) & (o.attempts >= 1)
    emergency = _among(
        urgency, [URGENCIES.index(u) for u in scenario.triage.emergency_line_urgencies]
    )
    limit = norms.urgent_answer_seconds / 60.0
    waits, back_wait, counts = phone_counts(
        callers,
        emergency,
        o.answer,
        o.answered_attempt_start,
        o.called_back,
        o.call_back_requested,
        o.exit_via,
        (o.attempts, o.abandoned_attempts, o.blocked_attempts),
        (EXITS.index("abandoned"), EXITS.index("blocked")),
        (float(limit), float(norms.answer_minutes), float(norms.answer_max_minutes)),
    )
    emergency_callers, urgent_in_time, other, in_time, in_max, n_callers, called_back = (
        int(c) for c in counts[:7]
    )
    abandoned, blocked, attempts, abandoned_attempts, blocked_attempts = (
        int(c) for c in counts[7:]
    )
    yield ("answer_time_mean", "all", _mean(waits), None, None, int(waits.size))
    value, n = _percent(urgent_in_time, emergency_callers)
    yield (
        "answered_within_urgent_norm",
        "emergency line",
        value,
        limit,
        norms.urgent_answer_percent,
        n,
    )
    value, n = _percent(in_time, other)
    yield (
        "answered_within_norm",
        "other lines",
        value,
        norms.answer_minutes,
        norms.answer_percent,
        n,
    )
    value, n = _percent(in_max, other)
    yield (
        "answered_within_max",
        "other lines",
        value,
        norms.answer_max_minutes,
        norms.answer_max_percent,
        n,
    )
    value, n = _percent(called_back, n_callers)
    yield ("called_back", "all", value, None, None, n)
    yield ("call_back_wait_mean", "all", _mean(back_wait), None, None, int(back_wait.size))
    value, n = _percent(abandoned, n_callers)
    yield ("abandoned_callers", "all", value, None, None, n)
    value, n = _percent(blocked, n_callers)
    yield ("blocked_callers", "all", value, None, None, n)
    for kpi, count in (
        ("abandoned_attempts", abandoned_attempts),
        ("blocked_attempts", blocked_attempts),
    ):
        share = 100.0 * count / attempts if attempts else float("nan")
        yield (kpi, "all", share, None, None, attempts)


def _nts_rows(
    scenario: Scenario, o: Outcomes, urgency: np.ndarray, keep: np.ndarray, unserved: np.ndarray
) -> Iterator[Row]:
    """Call to first doctor or crew contact per urgency, and the share within the norm."""
    contact = np.isfinite(o.doctor_contact)
    to_doctor = o.doctor_contact - o.call
    seen = keep & contact
    # still waiting when the run stopped, for a contact they would have had
    waiting = unserved & ~contact & (o.disposition != DISPOSITIONS.index("advice"))
    waiting_urgency = urgency[np.flatnonzero(waiting)]
    for code, (name, values) in enumerate(
        zip(URGENCIES, _grouped(to_doctor, urgency, seen, len(URGENCIES)), strict=True)
    ):
        norm = scenario.norms.nts_minutes.get(name)  # type: ignore[call-overload]
        yield ("call_to_doctor_mean", name, _mean(values), norm, None, int(values.size))
        yield ("call_to_doctor_p90", name, _p90(values), norm, None, int(values.size))
        if norm is not None:  # of this urgency, seen or still waiting (disjoint)
            n = values.size + _count(waiting_urgency == code)
            value, n = _percent(_count(values <= norm), n)
            yield ("within_nts_norm", name, value, norm, None, n)


def _ambulance_rows(
    scenario: Scenario, o: Outcomes, keep: np.ndarray, unserved: np.ndarray
) -> Iterator[Row]:
    norms = scenario.norms
    rides = np.flatnonzero(keep & (o.ambulance_urgency >= 0))
    ride_urgency = o.ambulance_urgency[rides]
    incident = o.incident[rides]
    ride_unserved = unserved[rides]
    response = o.ambulance_arrival[rides] - incident
    on_scene = np.isfinite(response)
    responses = _grouped(response, ride_urgency, on_scene, len(AMBULANCE_URGENCIES))
    for code, name in enumerate(AMBULANCE_URGENCIES):
        of = ride_urgency == code
        values = responses[code]
        yield ("ambulance_response_mean", name, _mean(values), None, None, int(values.size))
        norm = norms.ambulance_response_minutes.get(name)  # type: ignore[call-overload]
        if norm is not None:
            value, n = _share(response <= norm, of & (on_scene | ride_unserved))
            yield (
                "ambulance_response_within_norm",
                name,
                value,
                norm,
                norms.ambulance_response_percent,
                n,
            )
    dispatched = keep & np.isfinite(o.ambulance_dispatch)
    value, n = _share(o.station == -2, dispatched)
    yield ("ambulance_by_neighbour", "all", value, None, None, n)
    urgent = _among(ride_urgency, [AMBULANCE_URGENCIES.index(u) for u in ("A1", "A2")])
    at_seh_time = o.ambulance_at_seh[rides]
    at_seh = np.isfinite(at_seh_time)
    # stuck before the SEH: conveying, or not yet on scene (conveyance not yet known)
    stuck = (
        ride_unserved
        & ~at_seh
        & (o.conveyed[rides] | ~np.isfinite(o.ambulance_depart_scene[rides]))
    )
    to_seh = at_seh_time - incident
    value, n = _share(at_seh & (to_seh <= norms.call_to_seh_minutes), urgent & (at_seh | stuck))
    yield ("call_to_seh_within_norm", "A1+A2", value, norms.call_to_seh_minutes, None, n)


def _unserved_rows(o: Outcomes, unserved: np.ndarray) -> Iterator[Row]:
    """Patients still waiting when the run stopped: one row per queue (zeros included,
    so that tables align across replications and scenarios), then all."""
    labels = [f"{site}/{role}" for site, role in o.queues]
    queue = o.unserved_queue[np.flatnonzero(unserved)]
    queue = queue[(queue >= 0) & (queue < len(labels))]
    per_queue = np.bincount(queue, minlength=len(labels))
    for label in dict.fromkeys(labels):
        n = int(sum(per_queue[q] for q, other in enumerate(labels) if other == label))
        yield ("unserved_patients", label, float(n), None, None, n)
    n = _count(unserved)
    yield ("unserved_patients", "all", float(n), None, None, n)
