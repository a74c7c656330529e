"""Waiting per queue and hour of the week: when does a roster fall short?

`queues_by_hour_of_week` turns the per-patient timestamps of `Outcomes` into, for every
queue of ``outcomes.queues`` and every hour of the week, the patient-minutes spent
waiting (so the mean number waiting) and the waits that began in that hour (so the
mean wait). `queue_waits` lists the waits themselves: the queue, and when each wait
began and ended.

A wait is the time a request spends in a pool's queue, from the moment it joins to its
grant (docs/engine.md §2). Per queue (role of ``outcomes.queues``):

* ``triagist`` (the triage line of a centre): the answered attempt, from
  ``answered_attempt_start`` to ``answer``; a caller who accepted a call-back keeps
  their place in this queue, so their wait runs on to the answer (the call-back).
  Callers who hung up: only a caller with one attempt (``attempts == 1``) who hung up
  (``exit_via == abandoned``) is known, ``call`` to ``abandon``. **Not in Outcomes, so
  left out:** every attempt a caller hung up on before a later attempt (``abandon``
  keeps only the last hang-up, and no attempt's start but the answered one is kept),
  the last attempt of a caller who redialled and then hung up, and a caller still
  waiting at the stop on a redial (their attempt's start is not kept). Busy signals
  (``blocked_attempts``) do not wait.
* ``gp_supervisor`` (the supervising GP of a centre): live supervision checks,
  ``triage_end`` to ``supervision_start``, and, with ``triage.callback_by:
  gp_supervisor``, GP call-backs, ``triage_end`` to ``callback_start``. A supervision
  check still waiting at the stop is not in Outcomes (whether a patient is supervised
  is a Demand column) and is left out.
* ``gp_consult`` (a post's consult queue, nurse practitioners included): ``post_arrival``
  to ``consult_start``, and with ``callback_by: gp_consult`` the call-backs sent to
  that post (the nearest post open at ``triage_end``; the supervising GP's queue if
  none is open).
* ``gp_visit`` (a post's visit cars): ``visit_request`` to the grant, which is
  ``visit_start − response_travel``.
* ``treatment_place`` (an SEH's places): ``seh_arrival`` to ``seh_start``; for
  ambulance patients this is the wait for a place behind the handoff delay (the SEH's
  exogenous offload delay after it is not a queue and is not counted).
* ``seh_doctor`` (an SEH's doctors, at SEHs whose doctor group ever has capacity in
  ``outcomes.resources``): from ``seh_start`` (ambulance patients: ``handover_end``) to
  ``seh_doctor``.
* ``ambulance`` (the dispatch queue, ``all_stations``): ``incident`` to
  ``ambulance_dispatch``. The end of the dispatch decision is not in Outcomes
  (``dispatch_delay_minutes`` is a Demand column), so this wait *includes the dispatch
  decision*; incidents still in the decision at the stop (``unserved_queue == -1``)
  are left out.

Patients still waiting when the run stopped (``exit_via == unserved`` with
``unserved_queue`` this queue) wait until ``stopped_at``. Which triage centre a caller
belongs to, and where call-backs go, are scenario settings: they need ``scenario``
(without it, only a single triage centre is allowed, and call-backs are left out but
for those still waiting at the stop, whose queue ``unserved_queue`` names).

Checked against the SimPy model's trace (tests/metrics/test_queues.py): every grant is
the end of one wait, in its pool.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from anwsim.metrics._columns import frame, repeated_text_columns
from anwsim.metrics._log_kernels import HOURS_PER_WEEK
from anwsim.metrics._wait_kernels import (
    CHUNK,
    any_outside,
    count_finite,
    exit_rows,
    finite_rows,
    gather_waits,
    new_tally,
    tally_gathered,
    tally_waits,
    waits_per_hour,
)
from anwsim.model.outcomes import EXITS, Outcomes
from anwsim.scenario.schema import DISPOSITIONS, Scenario

COLUMNS = (
    "site",
    "role",
    "hour_of_week",
    "observed_minutes",
    "waiting_minutes",
    "waits_started",
    "wait_minutes",
)
_UNSERVED = EXITS.index("unserved")
_ABANDONED = EXITS.index("abandoned")
_CALLBACK = DISPOSITIONS.index("gp_callback")


class Waits(NamedTuple):
    """One row per known wait: queue index (in ``outcomes.queues``), begin, end, and the
    patient (row of the Outcomes)."""

    queue: np.ndarray
    begin: np.ndarray
    end: np.ndarray
    patient: np.ndarray


def _sites(outcomes: Outcomes, role: str) -> np.ndarray:
    """Queue index of ``role`` at each site that has it, in site order (the order of
    ``outcomes.queues`` follows the scenario's site lists: docs/engine.md §1)."""
    return np.array([k for k, (_, r) in enumerate(outcomes.queues) if r == role], dtype=np.int64)


def _line_of_area(outcomes: Outcomes, scenario: Scenario | None, lines: int) -> np.ndarray | None:
    """Index of the triage centre of each area (None without ``scenario``: then every
    caller, from any area, is on the single centre's line)."""
    if scenario is None:
        if lines > 1:
            raise ValueError("queues of several triage centres need the scenario (scenario=)")
        return None
    area_ids = list(scenario.region.areas)
    line_of_area = np.zeros(len(area_ids), dtype=np.int64)
    for c, centre in enumerate(scenario.sites.triage_centres.values()):
        for a in area_ids if centre.areas == "all" else centre.areas:
            line_of_area[area_ids.index(a)] = c
    if any_outside(outcomes.area, -line_of_area.size, line_of_area.size):
        raise IndexError("an area of the outcomes is not in the scenario's region")
    return line_of_area


def _callback_posts(outcomes: Outcomes, scenario: Scenario, rows: np.ndarray) -> np.ndarray:
    """The post whose consult queue each call-back in ``rows`` joined (-1: none open)."""
    from anwsim.scenario.intensity import scenario_calendar
    from anwsim.scenario.routing import Routing

    routing = Routing(scenario, scenario_calendar(scenario))
    places = routing.area_place[outcomes.area[rows].astype(np.int64)]
    return routing.nearest_open_posts(places, outcomes.triage_end[rows])


class _Gather(NamedTuple):
    """The waits of the patients with a finite ``when``, in patient order: in queue
    ``table[site]`` (``table[0]`` without ``site``), from ``begin`` to ``end`` (less
    ``lag``); columns of all patients."""

    when: np.ndarray
    site: np.ndarray | None
    table: np.ndarray
    begin: np.ndarray
    end: np.ndarray
    lag: np.ndarray | None = None


Part = _Gather | tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]
"""A `_Gather`, or the waits of a few patients as (queue, begin, end, patient)."""


def _parts(o: Outcomes, scenario: Scenario | None) -> list[Part]:
    """Every wait Outcomes shows, as parts in the order of `queue_waits`."""
    parts: list[Part] = []
    hung_up, still_waiting = exit_rows(
        o.exit_via, _ABANDONED, o.attempts, _UNSERVED, o.unserved_queue
    )

    def site_of(area: np.ndarray | None, rows: np.ndarray) -> np.ndarray:
        """The sites of ``rows`` (without ``area``, a single site: the first)."""
        return np.zeros(rows.size, dtype=np.int64) if area is None else area[rows]

    triage, supervision = _sites(o, "triagist"), _sites(o, "gp_supervisor")
    if triage.size:
        line = _line_of_area(o, scenario, triage.size)
        area: np.ndarray | None = None  # a single line: every caller's site is its first
        if line is None:
            line = np.zeros(1, dtype=np.int64)
        else:  # a caller's site: their area
            area = o.area
        at_triage = triage[line]
        parts.append(_Gather(o.answer, area, at_triage, o.answered_attempt_start, o.answer))
        rows = hung_up  # a caller with one attempt who hung up
        parts.append((at_triage[site_of(area, rows)], o.call[rows], o.abandon[rows], rows))
        sup = supervision[line] if supervision.size else supervision
        if sup.size:
            parts.append(_Gather(o.supervision_start, area, sup, o.triage_end, o.supervision_start))
        else:  # no supervising GP: no checks (or an IndexError, as for any queue missing)
            rows = finite_rows(o.supervision_start)
            queue = sup[site_of(area, rows)]
            parts.append((queue, o.triage_end[rows], o.supervision_start[rows], rows))
        rows = finite_rows(o.callback_start)
        if scenario is not None and rows.size:
            queue = sup[site_of(area, rows)]
            consult = _sites(o, "gp_consult")
            if scenario.triage.callback_by == "gp_consult" and consult.size:
                post = _callback_posts(o, scenario, rows)
                queue = np.where(post >= 0, consult[np.maximum(post, 0)], queue)
            parts.append((queue, o.triage_end[rows], o.callback_start[rows], rows))
    for role, site, begin, grant in (
        ("gp_consult", o.post, o.post_arrival, o.consult_start),
        ("treatment_place", o.seh, o.seh_arrival, o.seh_start),
    ):
        queues = _sites(o, role)
        if queues.size:
            parts.append(_Gather(grant, site, queues, begin, grant))
    visits = _sites(o, "gp_visit")
    if visits.size:  # the grant: the start of the visit less the drive there
        when, begin, lag = o.visit_start, o.visit_request, o.response_travel
        parts.append(_Gather(when, o.visit_post, visits, begin, o.visit_start, lag))
    doctors = _doctor_queues(o)
    if (doctors >= 0).any():
        rows = finite_rows(o.seh_doctor)
        rows = rows[doctors[o.seh[rows]] >= 0]
        begin = np.where(np.isfinite(o.handover_end[rows]), o.handover_end[rows], o.seh_start[rows])
        parts.append((doctors[o.seh[rows]], begin, o.seh_doctor[rows], rows))
    fleet = _sites(o, "ambulance")
    if fleet.size:
        grant = o.ambulance_dispatch
        parts.append(_Gather(grant, None, fleet[:1], o.incident, grant))
    parts.append(_still_waiting(o, still_waiting))
    return parts


def queue_waits(outcomes: Outcomes, scenario: Scenario | None = None) -> Waits:
    """Every wait Outcomes shows, in every queue (see the module docstring)."""
    parts = _parts(outcomes, scenario)
    counts = [
        count_finite(part.when) if isinstance(part, _Gather) else part[0].size for part in parts
    ]
    n = sum(counts)
    waits = Waits(np.empty(n, np.int64), np.empty(n), np.empty(n), np.empty(n, np.int64))
    at, rows = 0, np.empty(CHUNK, dtype=np.int64)
    for part, count in zip(parts, counts, strict=True):
        if isinstance(part, _Gather):
            gather_waits(*part, tuple(waits), at, rows)
        else:
            for column, values in zip(waits, part, strict=True):
                column[at : at + count] = values
        at += count
    return waits


def _still_waiting(
    o: Outcomes, rows: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Waits of the patients still in a queue when the run stopped (``rows``: those
    unserved with an ``unserved_queue``), to ``stopped_at`` (their ``exit``, if
    ``stopped_at`` is not set): each began when they joined the queue ``unserved_queue``
    names (a redialling caller's attempt: unknown, left out)."""
    if not rows.size:
        return np.empty(0, np.int64), np.empty(0), np.empty(0), rows
    queue = o.unserved_queue[rows]
    role = np.array([r for _, r in o.queues], dtype=object)[queue]
    callback = o.disposition[rows] == _CALLBACK
    begin = np.select(
        [
            role == "triagist",
            (role == "gp_supervisor") | ((role == "gp_consult") & callback),
            role == "gp_consult",
            role == "gp_visit",
            role == "treatment_place",
            role == "seh_doctor",
            role == "ambulance",
        ],
        [
            np.where(o.attempts[rows] == 1, o.call[rows], np.nan),
            o.triage_end[rows],
            o.post_arrival[rows],
            o.visit_request[rows],
            o.seh_arrival[rows],
            np.where(np.isfinite(o.handover_end[rows]), o.handover_end[rows], o.seh_start[rows]),
            o.incident[rows],
        ],
        np.nan,
    )
    end = np.full(rows.size, o.stopped_at) if np.isfinite(o.stopped_at) else o.exit[rows]
    keep = np.isfinite(begin)
    return queue[keep].astype(np.int64), begin[keep], end[keep].astype(float), rows[keep]


def _doctor_queues(o: Outcomes) -> np.ndarray:
    """Per SEH (in order): its doctor queue, or -1 if it never has a doctor on duty (then
    patients do not queue for one: ``seh_doctor = seh_start``)."""
    queues = _sites(o, "seh_doctor")
    res = o.resources
    staffed = {
        (res.site[g], res.role[g])
        for g in range(len(res))
        if res.role[g] == "seh_doctor" and res.capacity[g].size and res.capacity[g].max() > 0
    }
    return np.array([q if o.queues[q] in staffed else -1 for q in queues.tolist()], dtype=np.int64)


def _cuts(start: float, end: float) -> np.ndarray:
    """``start``, every full hour strictly inside (start, end), and ``end``."""
    hours = np.arange(np.floor(start / 60.0) + 1, np.ceil(end / 60.0)) * 60.0
    return np.concatenate([[start], hours[(hours > start) & (hours < end)], [end]])


def queues_by_hour_of_week(
    outcomes: Outcomes, start: float, end: float, *, scenario: Scenario | None = None
) -> pd.DataFrame:
    """Waiting per queue and hour of the week over the measured window [start, end).

    One row per queue of ``outcomes.queues`` and hour of the week (0 = Monday
    00:00): ``observed_minutes`` (minutes of that hour of the week inside the window),
    ``waiting_minutes`` (patient-minutes spent waiting in the queue in those minutes, so
    the mean number waiting is ``waiting_minutes / observed_minutes``),
    ``waits_started`` (waits that began in that hour inside the window) and
    ``wait_minutes`` (their whole length, also past ``end``, so the mean wait is
    ``wait_minutes / waits_started``). Which waits are known is in the module
    docstring; ``scenario`` places callers on their triage centre and call-backs in
    their queue."""
    n_queues = len(outcomes.queues)
    start, end = float(start), float(max(end, start))
    cuts = _cuts(start, end)
    week_hour = np.floor(cuts[:-1] / 60.0).astype(np.int64) % HOURS_PER_WEEK
    observed = np.bincount(week_hour, weights=np.diff(cuts), minlength=HOURS_PER_WEEK)
    tally = new_tally(n_queues, start, end)  # the waits of `queue_waits`, in its order
    rows = np.empty(CHUNK, dtype=np.int64)
    for part in _parts(outcomes, scenario):
        if isinstance(part, _Gather):
            tally_gathered(*part, tally, start, end, rows)
        else:
            tally_waits(*part[:3], tally, start, end)
    waiting, started, length = waits_per_hour(tally), tally[4], tally[5]
    if not started.any():  # as np.bincount of no waits with weights: integer zeros
        length = length.astype(np.int64)
    site, role = repeated_text_columns(
        HOURS_PER_WEEK,
        tuple(s for s, _ in outcomes.queues),
        tuple(r for _, r in outcomes.queues),
    )
    return frame(
        {
            "site": site,
            "role": role,
            "hour_of_week": np.tile(np.arange(HOURS_PER_WEEK), n_queues),
            "observed_minutes": np.tile(observed, n_queues),
            "waiting_minutes": waiting.ravel(),
            "waits_started": started.ravel(),
            "wait_minutes": length.ravel(),
        }  # in the order of COLUMNS
    )
