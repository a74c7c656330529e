"""Workload KPIs: integrals of the resource logs (busy servers, capacity) over time.

The model logs, per server group, busy servers, capacity and *overtime* servers (those
finishing a task after their shift ended: under ``finish`` max(0, busy − capacity), under
``replace`` the members of crews that went off duty). On-shift busy = busy − overtime
(never above capacity). So utilisation = ∫(busy − overtime) / ∫capacity and overtime
minutes = ∫overtime; a shift end is a server whose shift ended (the log's ``ended``).
A resource table without those columns (one made by hand) falls back to the ``finish``
reading: overtime = max(0, busy − capacity), shift ends = capacity drops.

How a log reads as a step function on [start, end): each entry holds from its time to
the next entry's (of several entries at one time the last holds; the others hold for no
time); before the first entry the first entry's values hold; an empty log is zero. The
integrals are sums over *pieces*: from start to the first entry strictly inside (start,
end), from each such entry to the next (or to end), and for the hourly table cut at
every full hour (a piece counts in the hour floor(t / 60) of its start t). Logs are
sorted by time (non-decreasing; the models write one entry per time), so the entries
inside follow from `np.searchsorted` and the pieces from one pass over them, in the
compiled loops of `anwsim.metrics._log_kernels`: nothing is sorted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from anwsim.metrics._columns import frame, repeated_text_columns
from anwsim.metrics._log_kernels import HOURS_PER_WEEK, log_hourly, log_totals
from anwsim.model.outcomes import Outcomes

GP_ROLES = ("gp_consult", "gp_visit", "gp_supervisor")


def _overtime_and_ends(res: Any, g: int) -> tuple[np.ndarray, np.ndarray]:
    """Overtime servers and shift ends at each change point of group ``g``."""
    if len(res.overtime) > g and len(res.ended) > g:
        return np.asarray(res.overtime[g]), np.asarray(res.ended[g])
    b, c = np.asarray(res.busy[g]), np.asarray(res.capacity[g])
    drops = np.maximum(-np.diff(c, prepend=c[:1]), 0)
    return np.maximum(b - c, 0), drops


class _Log(NamedTuple):
    """The log of one server group, read for [start, end): entries ``lo:hi`` fall
    strictly inside; the piece from ``start`` holds entry ``max(lo - 1, 0)``."""

    times: np.ndarray
    capacity: np.ndarray
    busy: np.ndarray
    overtime: np.ndarray
    ended: np.ndarray
    lo: int
    hi: int


def _log(res: Any, g: int, start: float, end: float) -> _Log | None:
    """The log of group ``g`` (None if it is empty)."""
    t = np.asarray(res.times[g], dtype=np.float64)
    if t.size == 0:
        return None
    ot, ended = _overtime_and_ends(res, g)
    lo = int(np.searchsorted(t, start, side="right"))
    hi = max(lo, int(np.searchsorted(t, end, side="left")))
    return _Log(t, np.asarray(res.capacity[g]), np.asarray(res.busy[g]), ot, ended, lo, hi)


def _group_totals(outcomes: Outcomes, start: float, end: float) -> tuple[list, ...]:
    """Per server group: staffed, busy (capped) and overtime minutes, and shift ends."""
    res = outcomes.resources
    start, end = float(start), float(end)
    staffed, busy, overtime, ends = [], [], [], []
    for g in range(len(res)):
        log = _log(res, g, start, end)
        totals = (0.0, 0.0, 0.0, 0) if log is None else log_totals(*log, start, end)
        staffed.append(totals[0])
        busy.append(totals[1])
        overtime.append(totals[2])
        ends.append(int(totals[3]))
    return staffed, busy, overtime, ends


def group_integrals(outcomes: Outcomes, start: float, end: float) -> pd.DataFrame:
    """Per server group: staffed, busy (capped) and overtime minutes, and shift ends."""
    res = outcomes.resources
    staffed, busy, overtime, ends = _group_totals(outcomes, start, end)
    columns = ["group", "role", "site", "staffed_minutes", "busy_minutes", "overtime_minutes"]
    if not len(res):
        return pd.DataFrame([], columns=[*columns, "shift_ends"])
    return pd.DataFrame(
        {
            "group": list(res.name),
            "role": list(res.role),
            "site": list(res.site),
            "staffed_minutes": np.array(staffed, dtype=np.float64),
            "busy_minutes": np.array(busy, dtype=np.float64),
            "overtime_minutes": np.array(overtime, dtype=np.float64),
            "shift_ends": np.array(ends, dtype=np.int64),
        }
    )


def utilisation_by_hour_of_week(outcomes: Outcomes, start: float, end: float) -> pd.DataFrame:
    """Busy and staffed minutes per server group and hour of the week, and utilisation."""
    res = outcomes.resources
    n = len(res)
    start, end = float(start), float(end)
    staffed = np.zeros((n, HOURS_PER_WEEK))
    busy = np.zeros((n, HOURS_PER_WEEK))
    for g in range(n):
        log = _log(res, g, start, end)
        if log is not None:
            t, c, b, ot, _, lo, hi = log
            log_hourly(t, c, b, ot, lo, hi, start, end, staffed[g], busy[g])
    with np.errstate(invalid="ignore", divide="ignore"):
        utilisation = busy / staffed
    name, role, site = repeated_text_columns(
        HOURS_PER_WEEK, tuple(res.name), tuple(res.role), tuple(res.site)
    )
    return frame(
        {
            "group": name,
            "role": role,
            "site": site,
            "hour_of_week": np.tile(np.arange(HOURS_PER_WEEK), n),
            "staffed_minutes": staffed.ravel(),
            "busy_minutes": busy.ravel(),
            "utilisation": utilisation.ravel(),
        }
    )


Row = tuple[str, str, float, float | None, float | None, int]


def _sum(values: Iterable[float]) -> float:
    """Compensated (Kahan) sum, in order: what pandas' ``groupby(...).sum()`` computes, so
    that per-role totals stay what they were when this was a groupby."""
    total = compensation = 0.0
    for value in values:
        if value != value:  # NaN: skipped, as groupby does
            continue
        y = value - compensation
        t = total + y
        compensation = t - total - y
        if not math.isfinite(compensation):
            compensation = 0.0
        total = t
    return total


def workload_rows(outcomes: Outcomes, gp_contacts: int, start: float, end: float) -> Iterator[Row]:
    """Rows of workload KPIs over [start, end)."""
    res = outcomes.resources
    staffed, busy, overtime, ends = _group_totals(outcomes, start, end)
    weeks = (end - start) / (7 * 24 * 60.0)
    for g in range(len(res)):
        if staffed[g] > 0:
            value = 100.0 * busy[g] / staffed[g]
            yield ("utilisation", str(res.name[g]), float(value), None, None, 0)
    role_staffed: dict[str, float] = {}
    for role in sorted(set(res.role)):
        of = [g for g in range(len(res)) if res.role[g] == role]
        role_staffed[role] = total = _sum(staffed[g] for g in of)
        if total > 0:
            role_busy = _sum(busy[g] for g in of)
            role_overtime = _sum(overtime[g] for g in of)
            role_ends = sum(ends[g] for g in of)
            yield (
                "utilisation",
                f"role:{role}",
                float(100.0 * role_busy / total),
                None,
                None,
                0,
            )
            per_shift = role_overtime / role_ends if role_ends else float("nan")
            yield (
                "overtime_minutes_per_shift",
                f"role:{role}",
                float(per_shift),
                None,
                None,
                int(role_ends),
            )
            yield (
                "overtime_hours_per_week",
                f"role:{role}",
                float(role_overtime / 60.0 / weeks),
                None,
                None,
                0,
            )
    gp_staffed = np.array([role_staffed.get(role, 0.0) for role in GP_ROLES], dtype=np.float64)
    gp_hours = gp_staffed.sum() / 60.0
    value = gp_contacts / gp_hours if gp_hours else float("nan")
    yield ("contacts_per_gp_hour", "all", float(value), None, None, int(gp_contacts))
    places = [g for g in range(len(res)) if res.role[g] == "treatment_place"]
    for site in dict.fromkeys(res.site[g] for g in places):
        of = [g for g in places if res.site[g] == site]
        total = _sum(staffed[g] for g in of)
        if total > 0:
            value = 100.0 * _sum(busy[g] for g in of) / total
            yield ("seh_occupancy", str(site), float(value), None, None, 0)
