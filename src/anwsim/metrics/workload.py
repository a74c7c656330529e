"""Workload KPIs: integrals of the resource logs (busy servers, capacity) over time.

The model logs, per server group, busy servers, capacity and *overtime* servers (those
finishing a task after their shift ended: under ``finish`` max(0, busy − capacity), under
``replace`` the members of crews that went off duty). On-shift busy = busy − overtime
(never above capacity). So utilisation = ∫(busy − overtime) / ∫capacity and overtime
minutes = ∫overtime; a shift end is a server whose shift ended (the log's ``ended``).
A resource table without those columns (one made by hand) falls back to the ``finish``
reading: overtime = max(0, busy − capacity), shift ends = capacity drops.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd

from anwsim.model.outcomes import Outcomes

HOURS_PER_WEEK = 168
GP_ROLES = ("gp_consult", "gp_visit", "gp_supervisor")


def _pieces(
    times: np.ndarray, values: np.ndarray, start: float, end: float, cuts: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Piece starts, lengths and indices into ``values`` of a step function on [start, end)."""
    points = np.union1d(times[(times > start) & (times < end)], [start])
    if cuts is not None:
        points = np.union1d(points, cuts[(cuts > start) & (cuts < end)])
    lengths = np.diff(np.append(points, end))
    index = np.searchsorted(times, points, side="right") - 1
    return points, lengths, np.maximum(index, 0)


def _overtime_and_ends(res: Any, g: int) -> tuple[np.ndarray, np.ndarray]:
    """Overtime servers and shift ends at each change point of group ``g``."""
    b, c = res.busy[g], res.capacity[g]
    if len(res.overtime) > g and len(res.ended) > g:
        return res.overtime[g], res.ended[g]
    drops = np.maximum(-np.diff(c, prepend=c[:1]), 0)
    return np.maximum(b - c, 0), drops


def group_integrals(outcomes: Outcomes, start: float, end: float) -> pd.DataFrame:
    """Per server group: staffed, busy (capped) and overtime minutes, and shift ends."""
    res = outcomes.resources
    rows = []
    for g in range(len(res)):
        t, b, c = res.times[g], res.busy[g], res.capacity[g]
        ot, ended = _overtime_and_ends(res, g)
        _, lengths, idx = _pieces(t, b, start, end)
        window = (t > start) & (t < end)
        rows.append(
            {
                "group": res.name[g],
                "role": res.role[g],
                "site": res.site[g],
                "staffed_minutes": float(np.sum(lengths * c[idx])),
                "busy_minutes": float(np.sum(lengths * (b[idx] - ot[idx]))),
                "overtime_minutes": float(np.sum(lengths * ot[idx])),
                "shift_ends": int(ended[window].sum()),
            }
        )
    columns = ["group", "role", "site", "staffed_minutes", "busy_minutes", "overtime_minutes"]
    return pd.DataFrame(rows, columns=[*columns, "shift_ends"])


def utilisation_by_hour_of_week(outcomes: Outcomes, start: float, end: float) -> pd.DataFrame:
    """Busy and staffed minutes per server group and hour of the week, and utilisation."""
    res = outcomes.resources
    cuts = np.arange(np.floor(start / 60.0) * 60.0, end + 60.0, 60.0)
    frames = []
    for g in range(len(res)):
        t, b, c = res.times[g], res.busy[g], res.capacity[g]
        ot, _ = _overtime_and_ends(res, g)
        points, lengths, idx = _pieces(t, b, start, end, cuts)
        hour = (np.floor(points / 60.0).astype(np.int64)) % HOURS_PER_WEEK
        staffed = np.bincount(hour, weights=lengths * c[idx], minlength=HOURS_PER_WEEK)
        busy = np.bincount(hour, weights=lengths * (b[idx] - ot[idx]), minlength=HOURS_PER_WEEK)
        frames.append(
            pd.DataFrame(
                {
                    "group": res.name[g],
                    "role": res.role[g],
                    "site": res.site[g],
                    "hour_of_week": np.arange(HOURS_PER_WEEK),
                    "staffed_minutes": staffed,
                    "busy_minutes": busy,
                }
            )
        )
    out = pd.concat(frames, ignore_index=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["utilisation"] = out["busy_minutes"] / out["staffed_minutes"]
    return out


Row = tuple[str, str, float, float | None, float | None, int]


def workload_rows(outcomes: Outcomes, gp_contacts: int, start: float, end: float) -> Iterator[Row]:
    """Rows of workload KPIs over [start, end)."""
    groups = group_integrals(outcomes, start, end)
    weeks = (end - start) / (7 * 24 * 60.0)
    by_role = groups.groupby("role")[
        ["staffed_minutes", "busy_minutes", "overtime_minutes", "shift_ends"]
    ].sum()
    for _, g in groups.iterrows():
        if g.staffed_minutes > 0:
            value = 100.0 * g.busy_minutes / g.staffed_minutes
            yield ("utilisation", str(g.group), float(value), None, None, 0)
    for role, g in by_role.iterrows():
        if g.staffed_minutes > 0:
            yield (
                "utilisation",
                f"role:{role}",
                float(100.0 * g.busy_minutes / g.staffed_minutes),
                None,
                None,
                0,
            )
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
