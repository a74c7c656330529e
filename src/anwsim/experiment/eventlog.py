"""Per-patient outcomes as an event log in the vidigi convention (``--log full``).

One row per event of a patient, sorted by patient, time and step, with the columns

============================  ==========================================================
``entity_id``                 the patient (row of the replication's `Demand`)
``pathway``                   the patient's channel id (``gp_call``, ``emergency_112``, …)
``event_type``                ``arrival_departure``, ``queue``, ``resource_use`` or
                              ``resource_use_end`` (vidigi's four types)
``event``                     the step, by name (see `EVENTS`)
``time``                      minutes since the run's start
``resource``                  on ``resource_use``/``resource_use_end`` rows: the server
                              group, ``<site>/<role>`` as in `Outcomes.resources`
                              (``hap_a/gp_consult``, ``seh_1/treatment_place``,
                              ``amb_goes/ambulance``; ``neighbour_region/ambulance`` for a
                              neighbouring region's vehicle); null on other rows
``resource_id``               the **slot** (1, 2, …) of the use within its group, null on
                              other rows
``unique_resource_id``        ``<resource>_<resource_id>``: vidigi's collision-free id
                              across groups (its ``VidigiStore(label=…)`` convention)
``site``                      where the step happens (triage centre, GP post, visit post,
                              ambulance station, SEH); null where no site is known (a
                              call waiting for any ambulance, arrival, departure)
``urgency``                   ``U0`` … ``U5`` (`anwsim.scenario.URGENCIES`)
``entry``                     the patient's entry (`anwsim.scenario.ENTRIES`)
``run``                       the replication
============================  ==========================================================

What a slot is. The model pools the servers of one role at one site and does not say
*which* triagist, GP or vehicle served a patient. A slot is therefore an animation
slot, not a named person: the uses of each group are partitioned greedily (earliest
start first, each taking the lowest slot free at its start; a slot freed at time t can
be taken at t), so that two uses that overlap in time never share a slot and the
highest slot of a group is exactly the peak number of its uses at one time. The uses
are the group's real busy periods or parts of them (the model's servers are busy at
least that long), so the slots in use at any moment never exceed the busy servers of
`Outcomes.resources` at that moment. Slots are 1-based, as vidigi numbers resources
(its ``VidigiStore`` ids start at 1 and its layout puts slot 1 at the anchor).

A use is one patient's hold on one server. Displayed bouts (``resource_use`` to
``resource_use_end``, same group and slot) are consecutive, never nested, so vidigi
pairs them and shows each patient in one place at a time. Uses and their bouts:

* triage: the answer to the end of triage (``<centre>/triagist``);
* call-back: ``<centre>/gp_supervisor``, or ``<post>/gp_consult`` of the nearest open
  post (``triage.callback_by: gp_consult``);
* consult: ``<post>/gp_consult`` or ``<post>/nurse_practitioner`` (``consult_by``);
* home visit: from the moment a visit GP is granted (driving out, then the visit) to
  the end of the visit (``<visit_post>/gp_visit``); the drive home is not in the
  Outcomes, so the slot is free at the end of the visit;
* ambulance: the use lasts from dispatch to the end of the handover (to leaving the
  scene when not conveyed); its bouts are the drive to the patient, on scene and the
  transport, ending at the SEH, where the patient then waits for a place and is handed
  over in it; the vehicle's drive back to its station is not in the Outcomes;
* SEH treatment place: from the place to the end of the stay; an ambulance patient's
  place is shown as the crew's offload wait (a queue, only where it lasts), the handover
  and the treatment on the same slot.

vidigi lays resources out per ``event`` (an ``event_position_df`` row and its
``resource`` count), while an event such as ``consult_begins`` happens at every post:
to animate one site, keep the patients with a row at that ``site`` (or name the
events per site, e.g. ``event + "@" + site``) and give the group's capacity as the
count.

Not in the log: the supervision of a triage (it runs alongside the patient) and the SEH
doctor's assessment (during the stay in a place); every call attempt but the answered
one. A patient still in service when the run stops has no end row for that use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numba
import numpy as np
import pandas as pd

from anwsim.model.outcomes import Outcomes
from anwsim.scenario import ENTRIES, URGENCIES

if TYPE_CHECKING:
    from anwsim.scenario import Scenario

NEIGHBOUR_REGION = "neighbour_region"
"""Site of a neighbouring region's vehicle (station code -2 in the Outcomes)."""

USES: tuple[str, ...] = ("triage", "callback", "consult", "visit", "ambulance", "seh")
"""The kinds of resource use, each one interval per patient at most."""

# (event, event_type, time, use or None, site of the step or None). ``time`` names a
# column of the Outcomes or a derived time of `_times`; a row exists where it is
# finite. At equal times, rows follow this order.
EVENTS: tuple[tuple[str, str, str, str | None, str | None], ...] = (
    ("arrival", "arrival_departure", "call", None, None),
    ("triage_wait_begins", "queue", "answered_attempt_start", None, "centre"),
    ("triage_begins", "resource_use", "answer", "triage", "centre"),
    ("triage_complete", "resource_use_end", "triage_end", "triage", "centre"),
    ("callback_wait_begins", "queue", "callback_request", None, "callback"),
    ("callback_begins", "resource_use", "callback_start", "callback", "callback"),
    ("callback_complete", "resource_use_end", "callback_end", "callback", "callback"),
    ("consult_wait_begins", "queue", "post_arrival", None, "post"),
    ("consult_begins", "resource_use", "consult_start", "consult", "post"),
    ("consult_complete", "resource_use_end", "consult_end", "consult", "post"),
    ("visit_wait_begins", "queue", "visit_request", None, "visit_post"),
    ("visit_gp_sets_off", "resource_use", "visit_grant", "visit", "visit_post"),
    ("visit_gp_arrives", "resource_use_end", "visit_start", "visit", "visit_post"),
    ("visit_begins", "resource_use", "visit_start", "visit", "visit_post"),
    ("visit_complete", "resource_use_end", "visit_end", "visit", "visit_post"),
    ("ambulance_wait_begins", "queue", "incident", None, None),
    ("ambulance_dispatched", "resource_use", "ambulance_dispatch", "ambulance", "station"),
    ("ambulance_arrives", "resource_use_end", "ambulance_arrival", "ambulance", "station"),
    ("ambulance_on_scene", "resource_use", "ambulance_arrival", "ambulance", "station"),
    (
        "ambulance_leaves_scene",
        "resource_use_end",
        "ambulance_depart_scene",
        "ambulance",
        "station",
    ),
    ("ambulance_transport_begins", "resource_use", "transport_start", "ambulance", "station"),
    ("ambulance_at_seh", "resource_use_end", "ambulance_at_seh", "ambulance", "station"),
    ("seh_wait_begins", "queue", "seh_arrival", None, "seh"),
    ("offload_wait_begins", "queue", "offload_start", None, "seh"),
    ("handover_begins", "resource_use", "handover_start", "seh", "seh"),
    ("handover_complete", "resource_use_end", "handover_end", "seh", "seh"),
    ("seh_begins", "resource_use", "treatment_start", "seh", "seh"),
    ("seh_complete", "resource_use_end", "seh_end", "seh", "seh"),
    ("depart", "arrival_departure", "exit", None, None),
)
"""Every event of the log: (event, event_type, time, use, site)."""

COLUMNS: tuple[str, ...] = (
    "entity_id",
    "pathway",
    "event_type",
    "event",
    "time",
    "resource",
    "resource_id",
    "unique_resource_id",
    "site",
    "urgency",
    "entry",
    "run",
)


def event_log(outcomes: Outcomes, scenario: Scenario, run: int) -> pd.DataFrame:
    """The event log of one replication of ``scenario`` (columns `COLUMNS`)."""
    p = outcomes.patients
    times = {**p, **_times(p)}
    sites = _sites(p, scenario)
    groups = _groups(p, sites, list(scenario.sites.gp_posts))
    slots = assign_slots(groups, _intervals(p, times))

    # names as codes per patient (-1: none), so that the rows carry integers only
    group_names, group_code = _codes(groups)
    site_names, site_code = _codes(sites)
    parts = []
    for k, (_event, _type, column, use, where) in enumerate(EVENTS):
        rows = np.flatnonzero(np.isfinite(times[column]))
        none = np.full(rows.size, -1, dtype=np.int64)
        parts.append(
            (
                rows,
                np.full(rows.size, k),
                times[column][rows],
                group_code[use][rows] if use else none,
                slots[use][rows] if use else np.zeros(rows.size, dtype=np.int64),
                site_code[where][rows] if where else none,
            )
        )
    entity, step, time, group, slot, site = (np.concatenate(c) for c in zip(*parts, strict=True))
    order = np.lexsort((step, time, entity))
    entity, step, time, group, slot, site = (
        a[order] for a in (entity, step, time, group, slot, site)
    )
    width = int(slot.max(initial=0)) + 1
    unique = [[f"{g}_{s}" if s else None for s in range(width)] for g in group_names]
    unique.append([None] * width)  # row -1: no group
    return pd.DataFrame(
        {
            "entity_id": entity.astype(np.int64),
            "pathway": _names(list(scenario.demand.channels), p["channel"][entity]),
            "event_type": _names([e[1] for e in EVENTS], step),
            "event": _names([e[0] for e in EVENTS], step),
            "time": time.astype(np.float64),
            "resource": _names([*group_names, None], group),
            "resource_id": pd.Series(pd.array(slot, dtype="Int64")).where(slot > 0),
            "unique_resource_id": pd.Series(
                np.asarray(unique, dtype=object)[group, slot], dtype=object
            ),
            "site": _names([*site_names, None], site),
            "urgency": _names(list(URGENCIES), p["urgency"][entity]),
            "entry": _names(list(ENTRIES), p["entry"][entity]),
            "run": np.full(entity.size, run, dtype=np.int64),
        }
    )


def _codes(named: dict[str, np.ndarray]) -> tuple[list[str], dict[str, np.ndarray]]:
    """One list of the names in ``named``'s arrays, and each array as codes into it."""
    keys = list(named)
    code, names = pd.factorize(np.concatenate([named[k] for k in keys]))  # None -> -1
    bounds = np.cumsum([0, *(named[k].size for k in keys)])
    return [str(n) for n in names], {
        k: code[bounds[i] : bounds[i + 1]].astype(np.int64) for i, k in enumerate(keys)
    }


def assign_slots(
    groups: dict[str, np.ndarray], intervals: dict[str, tuple[np.ndarray, np.ndarray]]
) -> dict[str, np.ndarray]:
    """The slot (1, 2, …) of every use, per kind of use (0 where there is no use).

    ``groups[use]`` names the server group of each patient's use (None: no use),
    ``intervals[use]`` its (start, end) minutes (end +inf: still in service). Greedy
    interval partitioning per group: earliest start first (ties: shorter first, then
    kind of use and patient), each use takes the lowest slot free at its start."""
    kinds = list(intervals)
    names, starts, ends, tags = [], [], [], []
    for k, use in enumerate(kinds):
        start, end = intervals[use]
        rows = np.flatnonzero(np.isfinite(start) & (groups[use] != None))  # noqa: E711
        names.append(groups[use][rows])
        starts.append(start[rows])
        ends.append(np.where(np.isnan(end[rows]), np.inf, end[rows]))
        tags.append(k * (1 << 40) + rows)
    code, _ = pd.factorize(np.concatenate(names))
    start, end, tag = np.concatenate(starts), np.concatenate(ends), np.concatenate(tags)
    order = np.lexsort((tag, end, start, code))
    slot = np.empty(order.size, dtype=np.int64)
    slot[order] = _greedy(code[order], start[order], end[order])
    out = {use: np.zeros(len(groups[use]), dtype=np.int64) for use in kinds}
    kind, row = tag >> 40, tag & ((1 << 40) - 1)
    for k, use in enumerate(kinds):
        mine = kind == k
        out[use][row[mine]] = slot[mine]
    return out


@numba.njit(cache=True)
def _greedy(group: np.ndarray, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Slots of intervals sorted by (group, start): the lowest slot free at each start
    (a slot is free from the end of its last use on)."""
    slot = np.empty(start.size, dtype=np.int64)
    free_at = np.empty(start.size, dtype=np.float64)  # per slot: end of its last use
    opened = 0
    for i in range(start.size):
        if i == 0 or group[i] != group[i - 1]:
            opened = 0
        k = 0
        while k < opened and free_at[k] > start[i]:
            k += 1
        if k == opened:
            opened += 1
        free_at[k] = end[i]
        slot[i] = k + 1
    return slot


def _names(names: list[str] | list[str | None], codes: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(names, dtype=object)[codes], dtype=object)


def _times(p: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Times of the steps that the Outcomes imply but do not store."""
    nan = np.full(p["call"].shape, np.nan)
    handed = np.isfinite(p["handover_start"])
    return {
        # a call-back request joins its queue when the triage ends
        "callback_request": np.where(np.isfinite(p["callback_start"]), p["triage_end"], nan),
        # a visit GP sets off when granted, ``response_travel`` before reaching the patient
        "visit_grant": p["visit_start"] - p["response_travel"],
        "transport_start": np.where(p["conveyed"], p["ambulance_depart_scene"], nan),
        # the crew waits with the patient in the place until the handover starts
        "offload_start": np.where(
            handed & (p["handover_start"] > p["seh_start"]), p["seh_start"], nan
        ),
        "treatment_start": np.where(handed, p["handover_end"], p["seh_start"]),
    }


def _site_names(ids: list[str], codes: np.ndarray) -> np.ndarray:
    names = np.asarray([*ids, None], dtype=object)
    return names[np.where(codes >= 0, codes, len(ids))]


def _sites(p: dict[str, np.ndarray], scenario: Scenario) -> dict[str, np.ndarray]:
    """The site id of each patient's step (None where none), by kind of site."""
    s = scenario.sites
    areas = list(scenario.region.areas)
    centres = list(s.triage_centres)
    centre_of_area = np.zeros(len(areas), dtype=np.int64)  # as `anwsim.model.chain`
    for c, cid in enumerate(centres):
        served = s.triage_centres[cid].areas
        for area in areas if served == "all" else served:
            centre_of_area[areas.index(area)] = c
    answered = np.isfinite(p["answer"]) | np.isfinite(p["answered_attempt_start"])
    centre = np.where(answered, centre_of_area[p["area"]], -1)
    station = p["station"]
    stations = _site_names(list(s.ambulance_stations), np.where(station >= 0, station, -1))
    stations[station == -2] = NEIGHBOUR_REGION
    return {
        "centre": _site_names(centres, centre),
        "callback": _callback_sites(p, scenario, centre_of_area),
        "post": _site_names(list(s.gp_posts), p["post"]),
        "visit_post": _site_names(list(s.gp_posts), p["visit_post"]),
        "station": stations,
        "seh": _site_names(list(s.sehs), p["seh"]),
    }


def _callback_sites(
    p: dict[str, np.ndarray], scenario: Scenario, centre_of_area: np.ndarray
) -> np.ndarray:
    """Where each call-back is made: the triage centre of the patient's area (its
    supervising GPs), or with ``callback_by: gp_consult`` the post nearest to the
    patient that is open when the triage ends (the centre if none is open)."""
    s = scenario.sites
    centres, posts = list(s.triage_centres), list(s.gp_posts)
    called = np.isfinite(p["callback_start"])
    sites = _site_names(centres, np.where(called, centre_of_area[p["area"]], -1))
    if scenario.triage.callback_by == "gp_consult" and called.any():
        from anwsim.scenario.intensity import scenario_calendar
        from anwsim.scenario.routing import Routing

        routing = Routing(scenario, scenario_calendar(scenario))
        rows = np.flatnonzero(called)
        places = routing.area_place[p["area"][rows]]
        post = routing.nearest_open_posts(places, p["triage_end"][rows])
        sites[rows[post >= 0]] = np.asarray(posts, dtype=object)[post[post >= 0]]
    return sites


def _groups(
    p: dict[str, np.ndarray], sites: dict[str, np.ndarray], posts: list[str]
) -> dict[str, np.ndarray]:
    """The server group (``<site>/<role>``) of each patient's use, per kind of use."""

    def group(site: np.ndarray, role: str | np.ndarray) -> np.ndarray:
        named = site != None  # noqa: E711
        out = np.full(site.size, None, dtype=object)
        out[named] = site[named] + "/" + (role[named] if isinstance(role, np.ndarray) else role)
        return out

    at_post = np.isin(sites["callback"], np.asarray(posts, dtype=object))
    return {
        "triage": group(sites["centre"], "triagist"),
        "callback": group(sites["callback"], np.where(at_post, "gp_consult", "gp_supervisor")),
        "consult": group(
            sites["post"], np.where(p["consult_by"] == 1, "nurse_practitioner", "gp_consult")
        ),
        "visit": group(sites["visit_post"], "gp_visit"),
        "ambulance": group(sites["station"], "ambulance"),
        "seh": group(sites["seh"], "treatment_place"),
    }


def _intervals(
    p: dict[str, np.ndarray], times: dict[str, np.ndarray]
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(start, end) of each patient's use of a server, per kind of use (`USES`)."""
    vehicle_free = np.where(p["conveyed"], p["handover_end"], p["ambulance_depart_scene"])
    return {
        "triage": (p["answer"], p["triage_end"]),
        "callback": (p["callback_start"], p["callback_end"]),
        "consult": (p["consult_start"], p["consult_end"]),
        "visit": (times["visit_grant"], p["visit_end"]),
        "ambulance": (p["ambulance_dispatch"], vehicle_free),
        "seh": (p["seh_start"], p["seh_end"]),
    }
