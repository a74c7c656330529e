"""Straightforward reference readings of the KPIs, for tests of the vectorised code.

* `step_minutes`: the integral of a resource log read as a step function, by a plain
  Python loop over its pieces (optionally per hour of the week);
* `kpi_table`: the KPI table as first written, one boolean mask over all patients per
  share and `np.union1d` / pandas ``groupby`` for the workload KPIs.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

from anwsim.metrics.definitions import KPIS
from anwsim.metrics.table import COLUMNS
from anwsim.model.outcomes import EXITS, Outcomes
from anwsim.scenario.schema import (
    AMBULANCE_URGENCIES,
    DISPOSITIONS,
    ENTRIES,
    MINUTES_PER_YEAR,
    URGENCIES,
    Scenario,
)

GP_ROLES = ("gp_consult", "gp_visit", "gp_supervisor")
Row = tuple[str, str, float, float | None, float | None, int]


# ------------------------------------------------------------------ step functions


def step_minutes(
    times: Sequence[float], values: Sequence[float], start: float, end: float, hourly: bool
) -> list[float]:
    """∫ value dt over [start, end): one total, or 168 sums per hour of the week.

    The value at x is that of the last entry at or before x (of several at one time, the
    last), before the first entry that of the first. Pieces are cut at every entry and,
    with ``hourly``, every full hour; a piece counts in the hour floor(t / 60) of its
    start t."""
    times = [float(x) for x in times]
    if not times:
        return [0.0] * (168 if hourly else 1)
    points = {float(start)} | {x for x in times if start < x < end}
    if hourly:
        h = math.floor(start / 60.0)
        while h * 60.0 < end:
            if h * 60.0 > start:
                points.add(h * 60.0)
            h += 1
    pieces = sorted(points)
    out = [0.0] * (168 if hourly else 1)
    for a, b in zip(pieces, [*pieces[1:], end], strict=True):
        i = max(bisect.bisect_right(times, a) - 1, 0)
        out[math.floor(a / 60.0) % 168 if hourly else 0] += (b - a) * float(values[i])
    return out


# ------------------------------------------------------------------ the KPI table as first written


def _share(numerator: np.ndarray, denominator: np.ndarray) -> tuple[float, int]:
    n = int(denominator.sum())
    hits = int((numerator & denominator).sum())
    return (100.0 * hits / n if n else float("nan")), n


def _mean(values: np.ndarray) -> float:
    return float(values.mean()) if values.size else float("nan")


def _p90(values: np.ndarray) -> float:
    return float(np.percentile(values, 90)) if values.size else float("nan")


def _access_rows(s: Scenario, o: Outcomes, keep: np.ndarray) -> Iterator[Row]:
    norms, entry, urgency = s.norms, o.entry, o.urgency
    unserved = keep & (o.exit_via == EXITS.index("unserved"))
    # phone
    callers = keep & (entry == ENTRIES.index("phone")) & (o.attempts >= 1)
    live = callers & np.isfinite(o.answer) & ~o.called_back
    wait = o.answer - o.answered_attempt_start
    waits = wait[live]
    yield ("answer_time_mean", "all", _mean(waits), None, None, int(waits.size))
    emergency = np.isin(urgency, [URGENCIES.index(u) for u in s.triage.emergency_line_urgencies])
    limit = norms.urgent_answer_seconds / 60.0
    value, n = _share(live & (wait <= limit), callers & emergency)
    yield (
        "answered_within_urgent_norm",
        "emergency line",
        value,
        limit,
        norms.urgent_answer_percent,
        n,
    )
    other = callers & ~emergency
    value, n = _share(live & (wait <= norms.answer_minutes), other)
    yield (
        "answered_within_norm",
        "other lines",
        value,
        norms.answer_minutes,
        norms.answer_percent,
        n,
    )
    value, n = _share(live & (wait <= norms.answer_max_minutes), other)
    yield (
        "answered_within_max",
        "other lines",
        value,
        norms.answer_max_minutes,
        norms.answer_max_percent,
        n,
    )
    value, n = _share(o.called_back, callers)
    yield ("called_back", "all", value, None, None, n)
    back = (o.answer - o.call_back_requested)[callers & o.called_back & np.isfinite(o.answer)]
    yield ("call_back_wait_mean", "all", _mean(back), None, None, int(back.size))
    value, n = _share(o.exit_via == EXITS.index("abandoned"), callers)
    yield ("abandoned_callers", "all", value, None, None, n)
    value, n = _share(o.exit_via == EXITS.index("blocked"), callers)
    yield ("blocked_callers", "all", value, None, None, n)
    attempts = int(o.attempts[callers].sum())
    for kpi, column in (
        ("abandoned_attempts", o.abandoned_attempts),
        ("blocked_attempts", o.blocked_attempts),
    ):
        count = int(column[callers].sum())
        yield (
            kpi,
            "all",
            100.0 * count / attempts if attempts else float("nan"),
            None,
            None,
            attempts,
        )
    # call to doctor
    contact = np.isfinite(o.doctor_contact)
    to_doctor = o.doctor_contact - o.call
    waiting = unserved & ~contact & (o.disposition != DISPOSITIONS.index("advice"))
    for code, name in enumerate(URGENCIES):
        of = keep & (urgency == code)
        values = to_doctor[of & contact]
        norm = s.norms.nts_minutes.get(name)
        yield ("call_to_doctor_mean", name, _mean(values), norm, None, int(values.size))
        yield ("call_to_doctor_p90", name, _p90(values), norm, None, int(values.size))
        if norm is not None:
            value, n = _share(contact & (to_doctor <= norm), of & (contact | waiting))
            yield ("within_nts_norm", name, value, norm, None, n)
    # travel to the post
    travel = o.travel_to_post[keep & np.isfinite(o.travel_to_post)]
    travelled = keep & np.isfinite(o.travel_to_post)
    yield ("travel_to_post_mean", "all", _mean(travel), None, None, int(travel.size))
    value, n = _share(o.travel_to_post <= norms.post_travel_minutes, travelled)
    yield (
        "travel_to_post_within_norm",
        "all",
        value,
        norms.post_travel_minutes,
        norms.post_travel_percent,
        n,
    )
    # ambulance
    response = o.ambulance_arrival - o.incident
    on_scene = np.isfinite(response)
    for code, name in enumerate(AMBULANCE_URGENCIES):
        rides = keep & (o.ambulance_urgency == code)
        values = response[rides & on_scene]
        yield ("ambulance_response_mean", name, _mean(values), None, None, int(values.size))
        norm = norms.ambulance_response_minutes.get(name)
        if norm is not None:
            value, n = _share(response <= norm, rides & (on_scene | unserved))
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
    urgent = (keep & (o.ambulance_urgency == AMBULANCE_URGENCIES.index("A1"))) | (
        keep & (o.ambulance_urgency == AMBULANCE_URGENCIES.index("A2"))
    )
    at_seh = np.isfinite(o.ambulance_at_seh)
    stuck = unserved & ~at_seh & (o.conveyed | ~np.isfinite(o.ambulance_depart_scene))
    to_seh = o.ambulance_at_seh - o.incident
    value, n = _share(at_seh & (to_seh <= norms.call_to_seh_minutes), urgent & (at_seh | stuck))
    yield ("call_to_seh_within_norm", "A1+A2", value, norms.call_to_seh_minutes, None, n)
    # SEH
    handoff = o.handover_start - o.ambulance_at_seh
    door = o.seh_doctor - o.seh_arrival
    for code, name in enumerate(s.sites.sehs):
        rows = keep & (o.seh == code)
        values = handoff[rows & np.isfinite(handoff)]
        yield ("handoff_delay_mean", name, _mean(values), None, None, int(values.size))
        yield ("handoff_delay_p90", name, _p90(values), None, None, int(values.size))
        values = door[rows & np.isfinite(door)]
        yield ("door_to_doctor_mean", name, _mean(values), None, None, int(values.size))
    # unserved
    labels = [f"{site}/{role}" for site, role in o.queues]
    for label in dict.fromkeys(labels):
        queues = [q for q, other in enumerate(labels) if other == label]
        n = int((unserved & np.isin(o.unserved_queue, queues)).sum())
        yield ("unserved_patients", label, float(n), None, None, n)
    n = int(unserved.sum())
    yield ("unserved_patients", "all", float(n), None, None, n)


def group_integrals(o: Outcomes, start: float, end: float) -> pd.DataFrame:
    """Per group, with pieces from `np.union1d` (every log must have an entry)."""
    res = o.resources
    rows = []
    for g in range(len(res)):
        t, b, c = res.times[g], res.busy[g], res.capacity[g]
        if len(res.overtime) > g and len(res.ended) > g:
            ot, ended = res.overtime[g], res.ended[g]
        else:
            ot, ended = np.maximum(b - c, 0), np.maximum(-np.diff(c, prepend=c[:1]), 0)
        points = np.union1d(t[(t > start) & (t < end)], [start])
        lengths = np.diff(np.append(points, end))
        idx = np.maximum(np.searchsorted(t, points, side="right") - 1, 0)
        rows.append(
            {
                "group": res.name[g],
                "role": res.role[g],
                "site": res.site[g],
                "staffed_minutes": float(np.sum(lengths * c[idx])),
                "busy_minutes": float(np.sum(lengths * (b[idx] - ot[idx]))),
                "overtime_minutes": float(np.sum(lengths * ot[idx])),
                "shift_ends": int(ended[(t > start) & (t < end)].sum()),
            }
        )
    columns = ["group", "role", "site", "staffed_minutes", "busy_minutes", "overtime_minutes"]
    return pd.DataFrame(rows, columns=[*columns, "shift_ends"])


def _workload_rows(o: Outcomes, gp_contacts: int, start: float, end: float) -> Iterator[Row]:
    groups = group_integrals(o, start, end)
    weeks = (end - start) / (7 * 24 * 60.0)
    columns = ["staffed_minutes", "busy_minutes", "overtime_minutes", "shift_ends"]
    by_role = groups.groupby("role")[columns].sum()
    for _, g in groups.iterrows():
        if g.staffed_minutes > 0:
            value = 100.0 * g.busy_minutes / g.staffed_minutes
            yield ("utilisation", str(g.group), float(value), None, None, 0)
    for role, g in by_role.iterrows():
        if g.staffed_minutes > 0:
            value = 100.0 * g.busy_minutes / g.staffed_minutes
            yield ("utilisation", f"role:{role}", float(value), None, None, 0)
            per_shift = g.overtime_minutes / g.shift_ends if g.shift_ends else float("nan")
            yield (
                "overtime_minutes_per_shift",
                f"role:{role}",
                float(per_shift),
                None,
                None,
                int(g.shift_ends),
            )
            yield (
                "overtime_hours_per_week",
                f"role:{role}",
                float(g.overtime_minutes / 60.0 / weeks),
                None,
                None,
                0,
            )
    gp_hours = by_role.reindex(list(GP_ROLES))["staffed_minutes"].fillna(0).sum() / 60.0
    value = gp_contacts / gp_hours if gp_hours else float("nan")
    yield ("contacts_per_gp_hour", "all", float(value), None, None, int(gp_contacts))
    places = groups[groups.role == "treatment_place"]
    by_seh = places.groupby("site", sort=False)[["staffed_minutes", "busy_minutes"]].sum()
    for site, g in by_seh.iterrows():
        if g.staffed_minutes > 0:
            value = 100.0 * g.busy_minutes / g.staffed_minutes
            yield ("seh_occupancy", str(site), float(value), None, None, 0)


def _volume_rows(s: Scenario, o: Outcomes, keep: np.ndarray, years: float) -> Iterator[Row]:
    for code, name in enumerate(s.demand.channels):
        n = int(np.sum(keep & (o.channel == code)))
        yield ("patients_per_year", name, n / years, None, None, n)
    phone = keep & (o.entry == ENTRIES.index("phone"))
    triaged = phone & np.isfinite(o.triage_end)
    telephone = triaged & ~np.isin(
        o.disposition, [DISPOSITIONS.index("consult"), DISPOSITIONS.index("home_visit")]
    )
    counts = {
        "telephone": int(telephone.sum()),
        "consult": int((keep & np.isfinite(o.consult_start)).sum()),
        "home_visit": int((keep & np.isfinite(o.visit_start)).sum()),
    }
    total = sum(counts.values())
    per_1000 = total / years / s.region.population * 1000.0
    yield ("gp_contacts_per_1000", "all", per_1000, None, None, total)
    for name, n in counts.items():
        share = 100.0 * n / total if total else float("nan")
        yield ("gp_contact_share", name, share, None, None, n)
    for code, name in enumerate(s.sites.sehs):
        n = int(np.sum(keep & (o.seh == code) & np.isfinite(o.seh_start)))
        yield ("seh_visits_per_year", name, n / years, None, None, n)
    for code, name in enumerate(AMBULANCE_URGENCIES):
        n = int(np.sum(keep & (o.ambulance_urgency == code) & np.isfinite(o.ambulance_dispatch)))
        yield ("ambulance_rides_per_year", name, n / years, None, None, n)


def kpi_table(s: Scenario, o: Outcomes) -> pd.DataFrame:
    start, end = s.run.warmup_minutes, o.horizon
    keep = (o.call >= start) & (o.call < end)
    years = (end - start) / MINUTES_PER_YEAR
    gp_contacts = int(
        np.sum(keep & np.isfinite(o.consult_start) & (o.consult_by == 0))
        + np.sum(keep & np.isfinite(o.visit_start))
        + np.sum(keep & np.isfinite(o.callback_start))
    )
    rows = [
        *_access_rows(s, o, keep),
        *_workload_rows(o, gp_contacts, start, end),
        *_volume_rows(s, o, keep, years),
    ]
    frame = pd.DataFrame(rows, columns=["kpi", "group", "value", "norm", "target", "n"])
    frame.insert(3, "unit", [KPIS[k].unit for k in frame["kpi"]])
    frame["replication"] = o.replication
    frame["seed"] = o.seed
    return frame[COLUMNS]
