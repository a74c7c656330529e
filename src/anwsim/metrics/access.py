"""Access KPIs: pure functions of the per-patient outcomes after the warm-up.

What each share divides is written in `anwsim.metrics.definitions` (and docs/kpis.md);
the code below follows it. Shares are per patient. Patients still waiting in a queue
when the run stopped (``exit_via == "unserved"``) count in the denominator of every
access share they would have been measured by, and never in its numerator.

The passes over the patients are compiled loops (`anwsim.metrics._value_kernels`), one
per part of the chain (phone, call to doctor, GP posts, ambulance, SEH), that choose
their patients themselves instead of a mask per share: the values of a mean or
percentile come grouped (urgencies, SEHs; each group in patient order: the values, and
their order, of the masks), the 90th percentile selects near its rank instead of
partitioning all values (`percentile`, `np.percentile`'s value). The same values and
counts as the masks. The volume rows of `anwsim.metrics.table` are counted on the same
passes (`Volumes`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np

from anwsim.metrics._value_kernels import (
    ambulance_values,
    grouped_gaps,
    percentile,
    phone_counts,
    seh_gaps,
    volume_counts,
)
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


def _percent(hits: int, n: int) -> tuple[float, int]:
    """100 × hits / n (NaN if n is 0), and n."""
    return (100.0 * hits / n if n else float("nan")), n


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else float("nan")


def _p90(values: np.ndarray) -> float:
    return percentile(values, 90) if values.size else float("nan")


def _flags(n: int, of: Sequence[int]) -> np.ndarray:
    """A flag per code 0 … n − 1: whether it is one of ``of`` (the kernels' `np.isin`)."""
    flags = np.zeros(n, dtype=np.bool_)
    flags[list(of)] = True
    return flags


def _split(values: np.ndarray, offsets: np.ndarray) -> list[np.ndarray]:
    """The groups of grouped values (one after the other, group g from ``offsets[g]``)."""
    return [values[offsets[g] : offsets[g + 1]] for g in range(offsets.size - 1)]


class Volumes(NamedTuple):
    """What the volume rows (`anwsim.metrics.table`) count, counted on the passes over
    the patients the access rows make."""

    per_channel: list[int]
    telephone: int
    """GP contacts by telephone: phone patients triaged, not sent to a consult or a
    home visit."""
    consult: int
    home_visit: int
    gp_contacts: int
    """Consults by a GP, home visits and call-backs: the contacts per GP hour."""
    seh_visits: list[int]
    """Patients seen at each SEH (a finite ``seh_start``)."""
    rides: list[int]
    """Patients dispatched an ambulance, per ambulance urgency."""


def access_rows(
    scenario: Scenario, outcomes: Outcomes, entry: np.ndarray, urgency: np.ndarray, keep: np.ndarray
) -> tuple[list[Row], Volumes]:
    """Rows of access KPIs for the patients in ``keep`` (those after the warm-up), and
    the volumes counted on the way."""
    o = outcomes
    unserved = keep & (o.exit_via == EXITS.index("unserved"))
    per_channel, gp_counts, travel = volume_counts(
        keep,
        o.channel,
        len(scenario.demand.channels),
        entry,
        ENTRIES.index("phone"),
        o.triage_end,
        o.disposition,
        (DISPOSITIONS.index("consult"), DISPOSITIONS.index("home_visit")),
        o.consult_start,
        o.consult_by,
        o.visit_start,
        o.callback_start,
        o.travel_to_post,
    )
    rows = [
        *_phone_rows(scenario, o, entry, urgency, keep),
        *_nts_rows(scenario, o, urgency, keep, unserved),
        *_travel_rows(scenario, travel),
    ]
    ambulance, rides = _ambulance_rows(scenario, o, keep, unserved)
    seh, seh_visits = _seh_rows(scenario, o, keep)
    rows += [*ambulance, *seh, *_unserved_rows(o, unserved)]
    telephone, consult, home_visit, gp_contacts = (int(c) for c in gp_counts)
    volumes = Volumes(
        per_channel.tolist(), telephone, consult, home_visit, gp_contacts, seh_visits, rides
    )
    return rows, volumes


def _travel_rows(scenario: Scenario, travel: np.ndarray) -> Iterator[Row]:
    """Travel to the post (``travel``: the finite travel times, in patient order)."""
    norms = scenario.norms
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


def _seh_rows(scenario: Scenario, o: Outcomes, keep: np.ndarray) -> tuple[list[Row], list[int]]:
    """Handoff delay and door to doctor per SEH; the patients seen at each."""
    handoffs, handoff_offsets, doors, door_offsets, seen = seh_gaps(
        keep,
        o.seh,
        len(scenario.sites.sehs),
        o.handover_start,
        o.ambulance_at_seh,
        o.seh_doctor,
        o.seh_arrival,
        o.seh_start,
    )
    rows: list[Row] = []
    for name, handoff, door in zip(
        scenario.sites.sehs,
        _split(handoffs, handoff_offsets),
        _split(doors, door_offsets),
        strict=True,
    ):
        rows.append(("handoff_delay_mean", name, _mean(handoff), None, None, int(handoff.size)))
        rows.append(("handoff_delay_p90", name, _p90(handoff), None, None, int(handoff.size)))
        rows.append(("door_to_doctor_mean", name, _mean(door), None, None, int(door.size)))
    return rows, seen.tolist()


def _phone_rows(
    scenario: Scenario, o: Outcomes, entry: np.ndarray, urgency: np.ndarray, keep: np.ndarray
) -> Iterator[Row]:
    """Per caller: every caller who reached the line is in the denominator. Callers
    answered live: a finite answer, not called back; their wait is that of the attempt
    that got through. What is counted over the callers, `phone_counts` counts."""
    norms = scenario.norms
    emergency = _flags(
        len(URGENCIES), [URGENCIES.index(u) for u in scenario.triage.emergency_line_urgencies]
    )
    limit = norms.urgent_answer_seconds / 60.0
    waits, back_wait, counts = phone_counts(
        keep,
        entry,
        ENTRIES.index("phone"),
        urgency,
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
    """Call to first doctor or crew contact per urgency, and the share within the norm.
    Its denominator also counts the patients of the urgency still waiting when the run
    stopped for a contact they would have had (no contact yet, not advice only)."""
    waiting = unserved & (o.disposition != DISPOSITIONS.index("advice"))
    to_doctor, offsets, still_waiting = grouped_gaps(
        o.doctor_contact, o.call, urgency, keep, waiting, len(URGENCIES)
    )
    for code, (name, values) in enumerate(zip(URGENCIES, _split(to_doctor, offsets), strict=True)):
        norm = scenario.norms.nts_minutes.get(name)  # type: ignore[call-overload]
        yield ("call_to_doctor_mean", name, _mean(values), norm, None, int(values.size))
        yield ("call_to_doctor_p90", name, _p90(values), norm, None, int(values.size))
        if norm is not None:  # of this urgency, seen or still waiting (disjoint)
            n = values.size + int(still_waiting[code])
            value, n = _percent(_count(values <= norm), n)
            yield ("within_nts_norm", name, value, norm, None, n)


def _ambulance_rows(
    scenario: Scenario, o: Outcomes, keep: np.ndarray, unserved: np.ndarray
) -> tuple[list[Row], list[int]]:
    """Response per ambulance urgency (the share's denominator also counts the rides
    not yet on scene when the run stopped), rides by a neighbouring region, and the
    urgent rides at the SEH within the norm (also counting those stuck before it); the
    patients dispatched per ambulance urgency."""
    norms = scenario.norms
    urgent = _flags(len(AMBULANCE_URGENCIES), [AMBULANCE_URGENCIES.index(u) for u in ("A1", "A2")])
    responses, offsets, not_on_scene, counts, rides = ambulance_values(
        keep,
        unserved,
        o.ambulance_urgency,
        urgent,
        o.incident,
        o.ambulance_arrival,
        o.ambulance_at_seh,
        o.ambulance_depart_scene,
        o.conveyed,
        o.ambulance_dispatch,
        o.station,
        float(norms.call_to_seh_minutes),
    )
    rows: list[Row] = []
    for code, (name, values) in enumerate(
        zip(AMBULANCE_URGENCIES, _split(responses, offsets), strict=True)
    ):
        rows.append(("ambulance_response_mean", name, _mean(values), None, None, int(values.size)))
        norm = norms.ambulance_response_minutes.get(name)  # type: ignore[call-overload]
        if norm is not None:
            n = values.size + int(not_on_scene[code])
            value, n = _percent(_count(values <= norm), n)
            rows.append(
                (
                    "ambulance_response_within_norm",
                    name,
                    value,
                    norm,
                    norms.ambulance_response_percent,
                    n,
                )
            )
    to_seh, urgent_rides, dispatched, neighbour = (int(c) for c in counts)
    value, n = _percent(neighbour, dispatched)
    rows.append(("ambulance_by_neighbour", "all", value, None, None, n))
    value, n = _percent(to_seh, urgent_rides)
    rows.append(("call_to_seh_within_norm", "A1+A2", value, norms.call_to_seh_minutes, None, n))
    return rows, rides.tolist()


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
