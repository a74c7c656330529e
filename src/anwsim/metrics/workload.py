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
sorted by time (non-decreasing; the models write one entry per time), so the pieces
follow from `np.searchsorted` and differences on the log itself: nothing is sorted.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from anwsim.model.outcomes import Outcomes

HOURS_PER_WEEK = 168
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
    lo: int
    hi: int
    shift_ends: int
    """Shift ends at the entries inside."""


def _log(res: Any, g: int, start: float, end: float) -> _Log | None:
    """The log of group ``g`` (None if it is empty)."""
    t = np.asarray(res.times[g], dtype=np.float64)
    if t.size == 0:
        return None
    ot, ended = _overtime_and_ends(res, g)
    lo = int(np.searchsorted(t, start, side="right"))
    hi = max(lo, int(np.searchsorted(t, end, side="left")))
    return _Log(
        t,
        np.asarray(res.capacity[g]),
        np.asarray(res.busy[g]),
        ot,
        lo,
        hi,
        int(ended[lo:hi].sum()),
    )


def _on_shift(
    lengths: np.ndarray, busy: np.ndarray, overtime: np.ndarray, out: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """``lengths * (busy - overtime)`` (as ``lengths * busy``, corrected at the few
    entries with overtime), and those entries."""
    out = np.multiply(lengths, busy, out=out)
    over = np.flatnonzero(overtime)
    out[over] = lengths[over] * (busy[over] - overtime[over])
    return out, over


def _totals(log: _Log, start: float, end: float) -> tuple[float, float, float]:
    """Staffed, on-shift busy and overtime minutes over [start, end)."""
    t, lo, hi = log.times, log.lo, log.hi
    # pieces: from start to the first entry inside, from each entry inside to the next
    inside = t[lo:hi]
    lengths = np.empty(inside.size + 1)
    if inside.size:
        lengths[0] = inside[0] - start
        np.subtract(inside[1:], inside[:-1], out=lengths[1:-1])
        lengths[-1] = end - inside[-1]
    else:
        lengths[0] = end - start
    held = (log.capacity, log.busy, log.overtime)
    if lo:  # the piece from start holds the last entry at or before it
        capacity, busy, overtime = (values[lo - 1 : hi] for values in held)
    else:  # the log starts after start: its first entry holds before it
        capacity, busy, overtime = (np.concatenate((v[:1], v[:hi])) for v in held)
    staffed = float(np.sum(lengths * capacity))
    minutes, over = _on_shift(lengths, busy, overtime)
    on_shift = float(np.sum(minutes))
    if not over.size:
        return staffed, on_shift, 0.0
    minutes.fill(0.0)  # lengths * overtime, zero but where there is overtime
    minutes[over] = lengths[over] * overtime[over]
    return staffed, on_shift, float(np.sum(minutes))


class _Hours(NamedTuple):
    """The hours of [start, end), numbered from ``base`` (0, or a multiple of a week
    below a negative start): hour ``h`` is index ``h - base``."""

    start: float
    end: float
    base: int
    first: int
    """Index of the hour of ``start``."""
    cuts: np.ndarray
    """The full hours strictly inside (start, end) ..."""
    first_cut: int
    """... of which the first has this index (they are consecutive) ..."""
    next_cut: np.ndarray
    """... and each is followed by this one (the last by ``end``)."""
    week: np.ndarray
    """The hour of the week of every index."""
    span: np.ndarray
    """The minutes of [start, end) in every hour."""
    scratch: np.ndarray
    """Room for one value per log entry."""

    @classmethod
    def of(cls, start: float, end: float, entries: int) -> _Hours:
        first_hour = int(np.floor(start / 60.0))
        base = min(first_hour, 0) // HOURS_PER_WEEK * HOURS_PER_WEEK
        cuts = np.arange(np.floor(start / 60.0) * 60.0, end + 60.0, 60.0)
        cuts = cuts[(cuts > start) & (cuts < end)]
        first_cut = int(np.floor(cuts[0] / 60.0)) - base if cuts.size else 0
        n_hours = max(int(np.floor(end / 60.0)), first_hour) + 1 - base
        next_cut = np.append(cuts[1:], end)
        span = np.zeros(n_hours)
        span[first_hour - base] = min(cuts[0] if cuts.size else end, end) - start
        span[first_cut : first_cut + cuts.size] = next_cut - cuts
        return cls(
            start,
            end,
            base,
            first_hour - base,
            cuts,
            first_cut,
            next_cut,
            np.arange(n_hours) % HOURS_PER_WEEK,
            span,
            np.empty(entries),
        )


def _hourly(log: _Log, hours: _Hours) -> tuple[np.ndarray, np.ndarray]:
    """Staffed and on-shift busy minutes over [start, end) per hour of the week.

    A piece counts in the hour ``floor(t / 60)`` of its start t. The pieces of an hour
    are its lead piece (from ``start`` or from the cut to the first entry or the next
    cut; none if an entry falls on the cut) and the pieces from the entries in it, the
    last of which ends at the next cut. Sums per hour (`np.bincount` on the entries'
    hours), then per hour of the week.
    """
    start, end, cuts = hours.start, hours.end, hours.cuts
    lo, hi = log.lo, log.hi
    t = log.times[lo:hi]
    m, n_cuts, n_hours = t.size, cuts.size, hours.week.size
    cut_index = slice(hours.first_cut, hours.first_cut + n_cuts)
    if not m:  # no entry inside: what holds at start holds all along
        first = max(lo - 1, 0)
        return (
            _per_hour_of_week(hours, hours.span * log.capacity[first]),
            _per_hour_of_week(hours, hours.span * (log.busy[first] - log.overtime[first])),
        )
    hour = np.empty(m, dtype=np.intp)  # floor(t / 60), as an index
    if t[0] >= 0.0:  # the cast truncates: the floor of non-negative numbers
        np.divide(t, 60.0, out=hour, casting="unsafe")
    else:
        np.floor(np.divide(t, 60.0, out=hours.scratch[:m]), out=hour, casting="unsafe")
    if hours.base:
        hour -= hours.base
    # k: the first entry at or after each cut, after the entries in the hours below
    # it (t / 60 is correctly rounded, so floor(t / 60) < h exactly when t < 60 h)
    below = np.zeros(n_hours + 1, dtype=np.intp)
    np.cumsum(np.bincount(hour, minlength=n_hours), out=below[1:])
    k = below[cut_index]
    upto = t[np.minimum(k, m - 1)]  # that entry: where the lead piece ends
    upto[int(np.searchsorted(k, m)) :] = end  # no entry: at end
    # the piece from each entry: to the next entry, or to the first cut after it
    lengths = hours.scratch[:m]
    np.subtract(t[1:], t[:-1], out=lengths[:-1])
    lengths[-1] = end - t[-1]
    split = np.empty(n_cuts, dtype=bool)
    split[:1] = True
    np.not_equal(k[1:], k[:-1], out=split[1:])
    split &= k > 0
    before = k[split] - 1
    lengths[before] = cuts[split] - t[before]
    minutes = lengths * log.capacity[lo:hi]
    staffed = np.bincount(hour, weights=minutes, minlength=n_hours)
    _on_shift(lengths, log.busy[lo:hi], log.overtime[lo:hi], out=minutes)
    busy = np.bincount(hour, weights=minutes, minlength=n_hours)
    # lead pieces: from start (holding the last entry at or before it, else the first) ...
    first = max(lo - 1, 0)
    length = min(t[0], cuts[0] if n_cuts else end) - start
    staffed[hours.first] += length * log.capacity[first]
    busy[hours.first] += length * (log.busy[first] - log.overtime[first])
    # ... and from each cut not on an entry (holding the last entry before it)
    if n_cuts:
        lead = np.minimum(hours.next_cut, upto)
        lead -= cuts  # 0 if an entry falls on the cut
        held = k + (lo - 1)
        if not lo:
            np.maximum(held, 0, out=held)
        staffed[cut_index] += lead * log.capacity[held]
        busy[cut_index] += lead * (log.busy[held] - log.overtime[held])
    return _per_hour_of_week(hours, staffed), _per_hour_of_week(hours, busy)


def _per_hour_of_week(hours: _Hours, minutes: np.ndarray) -> np.ndarray:
    """Minutes per hour folded into the 168 hours of the week (weeks in order)."""
    return np.bincount(hours.week, weights=minutes, minlength=HOURS_PER_WEEK)


def _group_totals(outcomes: Outcomes, start: float, end: float) -> tuple[list, ...]:
    """Per server group: staffed, busy (capped) and overtime minutes, and shift ends."""
    res = outcomes.resources
    staffed, busy, overtime, ends = [], [], [], []
    for g in range(len(res)):
        log = _log(res, g, start, end)
        totals = (0.0, 0.0, 0.0) if log is None else _totals(log, start, end)
        staffed.append(totals[0])
        busy.append(totals[1])
        overtime.append(totals[2])
        ends.append(0 if log is None else log.shift_ends)
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
    hours = _Hours.of(start, end, max((len(t) for t in res.times), default=0))
    staffed = np.zeros((n, HOURS_PER_WEEK))
    busy = np.zeros((n, HOURS_PER_WEEK))
    for g in range(n):
        log = _log(res, g, start, end)
        if log is not None:
            staffed[g], busy[g] = _hourly(log, hours)
    with np.errstate(invalid="ignore", divide="ignore"):
        utilisation = busy / staffed
    return pd.DataFrame(
        {
            "group": np.repeat(np.array(res.name, dtype=object), HOURS_PER_WEEK),
            "role": np.repeat(np.array(res.role, dtype=object), HOURS_PER_WEEK),
            "site": np.repeat(np.array(res.site, dtype=object), HOURS_PER_WEEK),
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
