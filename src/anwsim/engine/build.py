"""Scenario + Demand → the flat arrays the compiled event loop runs on.

Everything the loop needs is laid out here once, in the order of ``docs/engine.md`` §1:
pools (triage and supervision per centre, consult and visit cars per post, places and
doctors per SEH, the fleet), their server groups with rosters (step changes under
``finish``, crew changes under ``replace``), routing tables and the Demand's columns.
The routing and roster arrays depend only on the scenario; `ScenarioArrays` is built
once per scenario and reused for every replication.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import literal_unroll, njit

from anwsim.model.pools import Crews
from anwsim.model.routing import Routing
from anwsim.sampling.demand import Demand
from anwsim.sampling.intensity import scenario_calendar
from anwsim.scenario.calendar import Calendar
from anwsim.scenario.schema import AMBULANCE_URGENCIES, URGENCIES, Scenario

STAFF, FLEET = 0, 1
"""Pool kinds."""

WC_NEAREST, WC_POST, WC_SEH = 0, 1, 2
"""A closed post's ``when_closed``: nearest open, a post, an SEH."""


@dataclass
class ScenarioArrays:
    """The scenario's part: pools, groups, rosters, routing (see the module docstring)."""

    pool_kind: np.ndarray  # per pool
    pool_g0: np.ndarray  # first group (global index)
    pool_ng: np.ndarray
    pool_names: list[str]
    pool_sites: list[str]
    pool_roles: list[str]
    group_names: list[str]
    group_roles: list[str]
    group_sites: list[str]
    group_cap0: np.ndarray
    group_replace: np.ndarray
    group_has_staff: np.ndarray
    group_c0: np.ndarray  # first crew of a replace group
    group_nc: np.ndarray
    crew_start: np.ndarray
    crew_end: np.ndarray
    crew_staff: np.ndarray
    roster_pool: np.ndarray  # roster events in scheduling order
    roster_group: np.ndarray  # local group index
    roster_time: np.ndarray
    roster_value: np.ndarray  # finish: new capacity; replace: -1
    roster_ptr: np.ndarray  # replace: crews ending [ptr[k], ptr[k+1]) in roster_ends
    roster_ends: np.ndarray
    roster_sptr: np.ndarray
    roster_starts: np.ndarray
    minutes: np.ndarray  # car minutes between places
    area_place: np.ndarray
    post_place: np.ndarray
    seh_place: np.ndarray
    station_place: np.ndarray
    posts_by_distance: np.ndarray
    sehs_by_distance: np.ndarray
    post_open_t: np.ndarray
    post_open_v: np.ndarray
    post_open_ptr: np.ndarray
    seh_open_t: np.ndarray
    seh_open_v: np.ndarray
    seh_open_ptr: np.ndarray
    post_wc_kind: np.ndarray
    post_wc_target: np.ndarray
    seh_wc: np.ndarray
    seh_intake: np.ndarray
    line_of_area: np.ndarray
    line_triage_pool: np.ndarray
    line_sup_pool: np.ndarray
    post_room_pool: np.ndarray
    post_cars_pool: np.ndarray
    post_has_cars: np.ndarray
    seh_places_pool: np.ndarray
    seh_doctors_pool: np.ndarray
    seh_has_doctors: np.ndarray
    seh_fd_post: np.ndarray
    seh_fd_share: np.ndarray
    seh_offload: np.ndarray
    fleet_pool: int
    emergency: np.ndarray  # per urgency code
    amb_urgency: np.ndarray  # per urgency code
    params_f: np.ndarray  # horizon, stop, urgent speed, neighbour minutes
    params_i: np.ndarray  # max waiting, patience none, call back, callback_by, ...
    horizon: float


PF_HORIZON, PF_STOP, PF_SPEED, PF_NEIGHBOUR = range(4)
(
    PI_MAX_WAITING,
    PI_PATIENCE_NONE,
    PI_CALL_BACK,
    PI_CALLBACK_BY_POST,
    PI_WHILE_RETURNING,
    PI_NEIGHBOUR,
    PI_N_POSTS,
) = range(7)


def _concat(functions: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, ...]:
    ptr = np.zeros(len(functions) + 1, dtype=np.int64)
    for k, (t, _) in enumerate(functions):
        ptr[k + 1] = ptr[k] + len(t)
    times = np.concatenate([t for t, _ in functions]) if functions else np.zeros(0)
    values = np.concatenate([v for _, v in functions]) if functions else np.zeros(0, dtype=np.int64)
    return times.astype(np.float64), (values > 0).astype(np.int64), ptr


def build_scenario(scenario: Scenario) -> ScenarioArrays:
    """Lay out the scenario for the loop (routing, pools, groups, rosters)."""
    calendar = scenario_calendar(scenario)
    run = scenario.run
    roster_calendar = Calendar(
        run.start_date,
        calendar.n_days + max(7, int(np.ceil(run.drain_days))),
        scenario.public_holidays,
    )
    routing = Routing(scenario, calendar)
    sites = scenario.sites

    pools: list[tuple[int, str, str, str, list[tuple[str, str]]]] = []
    line_ids = list(sites.triage_centres)
    line_triage, line_sup = [], []
    for cid in line_ids:
        line_triage.append(len(pools))
        pools.append((STAFF, f"{cid}/triage", cid, "triagist", [(cid, "triagist")]))
        line_sup.append(len(pools))
        pools.append((STAFF, f"{cid}/supervision", cid, "gp_supervisor", [(cid, "gp_supervisor")]))
    room, cars = [], []
    for pid in routing.post_ids:
        room.append(len(pools))
        groups = [(pid, "gp_consult"), (pid, "nurse_practitioner")]
        pools.append((STAFF, f"{pid}/consult", pid, "gp_consult", groups))
        cars.append(len(pools))
        pools.append((STAFF, f"{pid}/visits", pid, "gp_visit", [(pid, "gp_visit")]))
    places, doctors = [], []
    for sid in routing.seh_ids:
        places.append(len(pools))
        pools.append((STAFF, f"{sid}/places", sid, "treatment_place", [(sid, "treatment_place")]))
        doctors.append(len(pools))
        pools.append((STAFF, f"{sid}/doctors", sid, "seh_doctor", [(sid, "seh_doctor")]))
    fleet = len(pools)
    pools.append(
        (
            FLEET,
            "ambulance",
            "all_stations",
            "ambulance",
            [(s, "ambulance") for s in routing.station_ids],
        )
    )

    pool_g0, pool_ng = [], []
    g_names: list[str] = []
    g_roles: list[str] = []
    g_sites: list[str] = []
    cap0: list[int] = []
    replace: list[bool] = []
    has_staff: list[bool] = []
    c0: list[int] = []
    nc: list[int] = []
    c_start: list[float] = []
    c_end: list[float] = []
    c_staff: list[int] = []
    r_pool, r_group, r_time, r_value = [], [], [], []
    r_ends: list[int] = []
    r_starts: list[int] = []
    r_ptr, r_sptr = [0], [0]
    for p, (_, _, _, _, groups) in enumerate(pools):
        pool_g0.append(len(g_names))
        pool_ng.append(len(groups))
        for local, (site, role) in enumerate(groups):
            blocks = scenario.rosters.get(site, {}).get(role, [])  # type: ignore[call-overload]
            step = roster_calendar.step_function(blocks)
            g_names.append(f"{site}/{role}")
            g_roles.append(role)
            g_sites.append(site)
            cap0.append(int(step.values[0]) if len(step.values) else 0)
            has_staff.append(bool(step.values.max(initial=0) > 0))
            rule = scenario.staffing.rule_for(role)
            replace.append(rule == "replace")
            c0.append(len(c_staff))
            if rule == "replace":
                start, end, staff = roster_calendar.crews(blocks)
                first = len(c_staff)
                c_start.extend(start.tolist())
                c_end.extend(end.tolist())
                c_staff.extend(staff.tolist())
                nc.append(len(staff))
                crews = Crews(start, end, staff, horizon=roster_calendar.horizon)
                for t, local_ends, local_starts in crews.changes():  # the model's own rule
                    ends = [first + c for c in local_ends]
                    starts = [first + c for c in local_starts]
                    r_pool.append(p)
                    r_group.append(local)
                    r_time.append(t)
                    r_value.append(-1)
                    r_ends.extend(ends)
                    r_starts.extend(starts)
                    r_ptr.append(len(r_ends))
                    r_sptr.append(len(r_starts))
            else:
                nc.append(0)
                for t, v in zip(step.times[1:], step.values[1:], strict=True):
                    r_pool.append(p)
                    r_group.append(local)
                    r_time.append(float(t))
                    r_value.append(int(v))
                    r_ptr.append(len(r_ends))
                    r_sptr.append(len(r_starts))

    post_open = _concat([(h_t, h_v) for h_t, h_v in _open_arrays(routing.post_open)])
    seh_open = _concat([(h_t, h_v) for h_t, h_v in _open_arrays(routing.seh_open)])
    wc_kind, wc_target = [], []
    for pid in routing.post_ids:
        target = sites.gp_posts[pid].when_closed
        if target in sites.sehs:
            wc_kind.append(WC_SEH)
            wc_target.append(routing.seh_ids.index(target))
        elif target in sites.gp_posts:
            wc_kind.append(WC_POST)
            wc_target.append(routing.post_ids.index(target))
        else:
            wc_kind.append(WC_NEAREST)
            wc_target.append(-1)
    seh_wc = []
    for sid in routing.seh_ids:
        target = sites.sehs[sid].when_closed
        seh_wc.append(-1 if target == "nearest_open" else routing.seh_ids.index(target))

    line_of_area = np.zeros(len(routing.area_ids), dtype=np.int64)
    for cid, centre in sites.triage_centres.items():
        areas = routing.area_ids if centre.areas == "all" else centre.areas
        for area in areas:
            line_of_area[routing.area_ids.index(area)] = line_ids.index(cid)
    fd_post = [-1] * len(routing.seh_ids)
    fd_share = [0.0] * len(routing.seh_ids)
    for post in sites.integrated_posts.values():
        s = routing.seh_ids.index(post.seh)
        fd_post[s] = routing.post_ids.index(post.gp_post)
        fd_share[s] = post.front_desk_redirect_percent / 100.0
    offload = [
        sites.sehs[s].offload_delay.percent / 100.0 if sites.sehs[s].offload_delay else 0.0  # type: ignore[union-attr]
        for s in routing.seh_ids
    ]
    amb = scenario.ambulance
    triage = scenario.triage
    emergency = np.array([u in triage.emergency_line_urgencies for u in URGENCIES], dtype=np.bool_)
    amb_urgency = np.array(
        [AMBULANCE_URGENCIES.index(amb.urgency_map[u]) for u in URGENCIES],  # type: ignore[index]
        dtype=np.int64,
    )
    horizon = calendar.horizon
    params_f = np.array(
        [
            horizon,
            horizon + run.drain_minutes,
            amb.urgent_speed_factor,
            amb.neighbour_response_minutes,
        ],
        dtype=np.float64,
    )
    params_i = np.array(
        [
            -1 if triage.max_waiting is None else triage.max_waiting,
            int(triage.patience_minutes == "none"),
            int(triage.call_back_instead_of_abandon),
            int(triage.callback_by == "gp_consult"),
            int(amb.dispatch_while_returning),
            int(amb.no_vehicle_free == "neighbour_region"),
            len(routing.post_ids),
        ],
        dtype=np.int64,
    )
    i64 = np.int64
    g0 = np.array(pool_g0, dtype=i64)
    post_has_cars = np.array([has_staff[g0[c]] for c in cars], dtype=np.bool_).reshape(-1)
    seh_has_doctors = np.array([has_staff[g0[d]] for d in doctors], dtype=np.bool_).reshape(-1)
    return ScenarioArrays(
        pool_kind=np.array([p[0] for p in pools], dtype=i64),
        pool_g0=g0,
        pool_ng=np.array(pool_ng, dtype=i64),
        pool_names=[p[1] for p in pools],
        pool_sites=[p[2] for p in pools],
        pool_roles=[p[3] for p in pools],
        group_names=g_names,
        group_roles=g_roles,
        group_sites=g_sites,
        group_cap0=np.array(cap0, dtype=i64),
        group_replace=np.array(replace, dtype=np.bool_),
        group_has_staff=np.array(has_staff, dtype=np.bool_),
        group_c0=np.array(c0, dtype=i64),
        group_nc=np.array(nc, dtype=i64),
        crew_start=np.array(c_start, dtype=np.float64),
        crew_end=np.array(c_end, dtype=np.float64),
        crew_staff=np.array(c_staff, dtype=i64),
        roster_pool=np.array(r_pool, dtype=i64),
        roster_group=np.array(r_group, dtype=i64),
        roster_time=np.array(r_time, dtype=np.float64),
        roster_value=np.array(r_value, dtype=i64),
        roster_ptr=np.array(r_ptr, dtype=i64),
        roster_ends=np.array(r_ends, dtype=i64),
        roster_sptr=np.array(r_sptr, dtype=i64),
        roster_starts=np.array(r_starts, dtype=i64),
        minutes=np.ascontiguousarray(routing.travel.minutes, dtype=np.float64),
        area_place=routing.area_place.astype(i64),
        post_place=routing.post_place.astype(i64),
        seh_place=routing.seh_place.astype(i64),
        station_place=routing.station_place.astype(i64),
        posts_by_distance=np.ascontiguousarray(routing._posts_by_distance, dtype=i64),
        sehs_by_distance=np.ascontiguousarray(routing._sehs_by_distance, dtype=i64),
        post_open_t=post_open[0],
        post_open_v=post_open[1],
        post_open_ptr=post_open[2],
        seh_open_t=seh_open[0],
        seh_open_v=seh_open[1],
        seh_open_ptr=seh_open[2],
        post_wc_kind=np.array(wc_kind, dtype=i64),
        post_wc_target=np.array(wc_target, dtype=i64),
        seh_wc=np.array(seh_wc, dtype=i64),
        seh_intake=np.array(routing.intake, dtype=np.bool_),
        line_of_area=line_of_area,
        line_triage_pool=np.array(line_triage, dtype=i64),
        line_sup_pool=np.array(line_sup, dtype=i64),
        post_room_pool=np.array(room, dtype=i64),
        post_cars_pool=np.array(cars, dtype=i64),
        post_has_cars=post_has_cars,
        seh_places_pool=np.array(places, dtype=i64),
        seh_doctors_pool=np.array(doctors, dtype=i64),
        seh_has_doctors=seh_has_doctors,
        seh_fd_post=np.array(fd_post, dtype=i64),
        seh_fd_share=np.array(fd_share, dtype=np.float64),
        seh_offload=np.array(offload, dtype=np.float64),
        fleet_pool=fleet,
        emergency=emergency,
        amb_urgency=amb_urgency,
        params_f=params_f,
        params_i=params_i,
        horizon=horizon,
    )


def _open_arrays(hours: list) -> list[tuple[np.ndarray, np.ndarray]]:  # type: ignore[type-arg]
    return [
        (np.asarray(h._times, dtype=np.float64), np.asarray(h._values, dtype=np.int64))
        for h in hours
    ]


# Demand columns: floats (per patient), ints, and the 2-d ones.
DF_COLUMNS = (
    "arrival_minutes",
    "triage_minutes",
    "supervision_minutes",
    "callback_minutes",
    "consult_minutes",
    "np_consult_minutes",
    "visit_minutes",
    "seh_stay_minutes",
    "seh_doctor_minutes",
    "front_desk_u",
    "dispatch_delay_minutes",
    "on_scene_minutes",
    "handover_minutes",
    "offload_u",
)
DI_COLUMNS = (
    "entry",
    "area",
    "urgency",
    "disposition",
    "supervised",
    "np_eligible",
    "seh_referral",
    "conveyed",
)


def _matrix(column: np.ndarray, dtype: type) -> np.ndarray:
    """A 2-d, C-contiguous copy of a per-patient column (one row per patient, also when
    there are no patients)."""
    array: np.ndarray = np.ascontiguousarray(column, dtype=dtype)
    return array if array.ndim == 2 else array.reshape(array.shape[0], 1)


@njit(cache=True)
def _rows_of(columns: tuple[np.ndarray, ...], out: np.ndarray) -> None:
    """``out[i, k] = columns[k][i]``, row by row: every column is read in order and
    every row written whole (NumPy's ``out[:, k] = column`` strides a cache line per
    entry, 14 passes over the whole array; this is one pass, 5-10x faster). The columns
    may differ in dtype (each is converted as it is copied)."""
    for i in range(out.shape[0]):
        k = 0
        for column in literal_unroll(columns):
            out[i, k] = column[i]
            k += 1  # noqa: SIM113 (enumerate does not work with literal_unroll)


def demand_arrays(
    demand: Demand, df: np.ndarray | None = None, di: np.ndarray | None = None
) -> tuple[np.ndarray, ...]:
    """(float columns, int columns, patience, redials, redial delays, offload minutes,
    travel noise) of a Demand, as the loop reads them; the first two are written into
    ``df`` and ``di`` when given (reused arrays of shape (patients, 14) and (patients, 8):
    fresh ones cost a page fault per 4 KiB, most of this function's time)."""
    n = len(demand)
    # one row per patient (the loop reads df[patient, column]): a patient's columns share
    # a cache line or two, and the loop addresses them all from one row
    if df is None:
        df = np.empty((n, len(DF_COLUMNS)), dtype=np.float64)
    _rows_of(tuple(getattr(demand, c) for c in DF_COLUMNS), df)
    if di is None:
        di = np.empty((n, len(DI_COLUMNS)), dtype=np.int64)
    _rows_of(tuple(getattr(demand, c) for c in DI_COLUMNS), di)
    patience = _matrix(demand.patience_minutes, np.float64)
    redials = _matrix(demand.redials, np.bool_)
    delays = _matrix(demand.redial_delay_minutes, np.float64)
    offload = _matrix(demand.offload_minutes, np.float64)
    noise = _matrix(demand.travel_noise, np.float64)
    return df, di, patience, redials, delays, offload, noise
