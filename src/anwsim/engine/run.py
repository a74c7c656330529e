"""Run the compiled event loop on a Scenario and a Demand and pack `Outcomes`."""

from __future__ import annotations

import bisect
from typing import TYPE_CHECKING, Literal, overload

import numpy as np

from anwsim.engine.buffers import BufferPool
from anwsim.engine.build import (
    DF_COLUMNS,
    DI_COLUMNS,
    ScenarioArrays,
    build_scenario,
    demand_arrays,
)
from anwsim.engine.kernel import (
    FULL_EVENTS,
    FULL_HEAP,
    FULL_LOG,
    FULL_REQUESTS,
    FULL_TRACE,
    FULL_TRIPS,
    KIND_NAMES,
    N_B,
    N_F,
    N_I,
    N_R,
    N_T,
    OK,
    run_chain,
    split_log,
)
from anwsim.model.outcomes import (
    BOOL_FIELDS,
    FLOAT_FIELDS,
    INT_FIELDS,
    TIME_FIELDS,
    Outcomes,
    ResourceTable,
)
from anwsim.sampling.demand import Demand
from anwsim.scenario.hashing import scenario_key
from anwsim.scenario.schema import Scenario

if TYPE_CHECKING:
    import pandas as pd

_BUILT: dict[bytes, ScenarioArrays] = {}
"""Scenario arrays by `scenario_key`: built once per scenario, reused per replication."""

_CAPS: dict[bytes, dict[str, int]] = {}
"""Queue capacity a scenario needed (its heaps grow by re-running with twice the room)."""

_SCRATCH: list[dict[str, np.ndarray]] = []
"""The loop's scratch arrays (process registers, resource log, fleet trips; ~60 MB for a
replication-year of the baseline), kept from call to call: fresh ones cost page faults,
about a sixth of a replication. Taken out of the list while a call uses them (another
thread then allocates its own)."""

_RESULTS = BufferPool()
"""The arrays the Outcomes are views of, reused once a replication's Outcomes is gone."""


def _scratch(
    taken: dict[str, np.ndarray], name: str, shape: tuple[int, ...], dtype: type
) -> np.ndarray:
    """The first ``shape[0]`` rows of scratch array ``name`` (replaced when too small)."""
    array = taken.get(name)
    if array is None or array.shape[0] < shape[0] or array.shape[1:] != shape[1:]:
        array = taken[name] = np.empty(shape, dtype=dtype)
    return array[: shape[0]]


def scenario_arrays(scenario: Scenario, key: bytes) -> ScenarioArrays:
    """The loop's arrays of ``scenario`` (cached by its `scenario_key` ``key``; a few per
    process)."""
    built = _BUILT.get(key)
    if built is None:
        if len(_BUILT) >= 16:
            _BUILT.clear()
        built = _BUILT[key] = build_scenario(scenario)
    return built


@overload
def simulate(scenario: Scenario, demand: Demand) -> Outcomes: ...
@overload
def simulate(scenario: Scenario, demand: Demand, *, trace: Literal[False]) -> Outcomes: ...
@overload
def simulate(
    scenario: Scenario, demand: Demand, *, trace: Literal[True]
) -> tuple[Outcomes, pd.DataFrame]: ...


def simulate(
    scenario: Scenario, demand: Demand, *, trace: bool = False
) -> Outcomes | tuple[Outcomes, pd.DataFrame]:
    """One replication on the compiled engine (same rules as `anwsim.model.simulate`)."""
    key = scenario_key(scenario)  # once: it serialises the whole scenario
    a = scenario_arrays(scenario, key)
    n = len(demand)
    try:
        taken = _SCRATCH.pop()
    except IndexError:  # the first call, or another thread's call has them
        taken = {}
    df, di, patience, redials, delays, offload, noise = demand_arrays(
        demand,
        _scratch(taken, "df", (n, len(DF_COLUMNS)), np.float64),
        _scratch(taken, "di", (n, len(DI_COLUMNS)), np.int64),
    )
    order = _arrivals_before(demand, a.horizon)
    caps = {  # events and requests are slots the loop reuses: room for those in flight
        "events": 4096 + n // 16 + 4 * len(a.pool_kind),
        "requests": 4096 + n // 8,
        "log": len(a.roster_time) + 6 * n + len(a.group_cap0) + 64,
        "trace": (len(a.roster_time) + 16 * n + 64) if trace else 0,
        "trips": n + 8,
        "heap": 256,
    }
    caps.update(_CAPS.get(key, {}))
    overflow = {
        FULL_EVENTS: "events",
        FULL_REQUESTS: "requests",
        FULL_LOG: "log",
        FULL_TRACE: "trace",
        FULL_TRIPS: "trips",
        FULL_HEAP: "heap",
    }
    while True:
        # The large arrays come from NumPy, which asks the kernel for huge pages: one page
        # fault per 2 MiB instead of per 4 KiB (Numba's own allocations, which cost about
        # a quarter of a replication's time); the scratch ones are reused, and so are the
        # results' once no Outcomes refers to them (`_RESULTS`). run_chain initialises
        # them.
        out_t = _RESULTS.take("out_t", (N_T, n), np.float64)
        out_i = _RESULTS.take("out_i", (N_I, n), np.int64)
        out_b = _RESULTS.take("out_b", (N_B, n), np.bool_)
        log_i = _scratch(taken, "log_i", (caps["log"], 5), np.int32)
        log_t = _scratch(taken, "log_t", (caps["log"],), np.float64)
        trace_i = np.empty((caps["trace"], 6), dtype=np.int64)
        trace_t = np.empty(caps["trace"])
        result = run_chain(
            a.pool_kind, a.pool_g0, a.pool_ng, a.group_cap0, a.group_replace, a.group_c0,
            a.group_nc, a.crew_end, a.crew_staff, a.crew_start, a.roster_pool, a.roster_group,
            a.roster_time, a.roster_value, a.roster_ptr, a.roster_ends, a.roster_sptr,
            a.roster_starts, a.minutes, a.area_place, a.post_place, a.seh_place,
            a.station_place, a.posts_by_distance, a.sehs_by_distance, a.post_open_t,
            a.post_open_v, a.post_open_ptr, a.seh_open_t, a.seh_open_v, a.seh_open_ptr,
            a.post_wc_kind, a.post_wc_target, a.seh_wc, a.seh_intake, a.line_of_area,
            a.line_triage_pool, a.line_sup_pool, a.post_room_pool, a.post_cars_pool,
            a.post_has_cars, a.seh_places_pool, a.seh_doctors_pool, a.seh_has_doctors,
            a.seh_fd_post, a.seh_fd_share, a.seh_offload, a.fleet_pool, a.emergency,
            a.amb_urgency, a.params_f, a.params_i,
            df, di, patience, redials, delays, offload, noise, order,
            caps["events"], caps["requests"], caps["heap"], out_t, out_i, out_b,
            _scratch(taken, "proc_i", (2 * n, N_R), np.int32),
            _scratch(taken, "proc_f", (n, N_F), np.float64), log_i, log_t, trace_i, trace_t,
            _scratch(taken, "trips_i", (caps["trips"], 6), np.int64),
            _scratch(taken, "trips_f", (caps["trips"], 2), np.float64),
            _scratch(taken, "trips", (caps["trips"],), np.int64),
        )  # fmt: skip
        status = int(result[0])
        if status == OK:
            break
        caps[overflow[status]] *= 2
        _CAPS[key] = {k: caps[k] for k in ("events", "requests", "heap")}
    _, n_log, n_trace, stopped_at = result
    times = _RESULTS.take("times", (n_log,), np.float64)
    columns = _RESULTS.take("columns", (4, n_log), np.int64)
    bounds = split_log(log_t[:n_log], log_i[:n_log], len(a.group_cap0), times, columns)
    if not _SCRATCH:
        _SCRATCH.append(taken)
    tr_t, tr_i = trace_t[:n_trace], trace_i[:n_trace]
    # the loop writes one row per column: each column is a contiguous view, no copy
    patients: dict[str, np.ndarray] = {}
    for k, name in enumerate((*TIME_FIELDS, *FLOAT_FIELDS)):
        patients[name] = out_t[k]
    for k, name in enumerate(INT_FIELDS):
        patients[name] = out_i[k]
    for k, name in enumerate(BOOL_FIELDS):
        patients[name] = out_b[k]
    for column in ("channel", "entry", "area", "urgency", "disposition"):
        patients[column] = getattr(demand, column).copy()
    outcomes = Outcomes(
        patients=patients,
        resources=_resource_table(a, times, columns, bounds),
        horizon=a.horizon,
        replication=demand.replication,
        seed=demand.seed,
        queues=tuple(zip(a.pool_sites, a.pool_roles, strict=True)),
        stopped_at=float(stopped_at),
    )
    if not trace:
        return outcomes
    import pandas as pd

    frame = pd.DataFrame(
        {
            "time": tr_t,
            "cls": tr_i[:, 0],
            "seq": tr_i[:, 1],
            "kind": np.asarray(KIND_NAMES, dtype=object)[tr_i[:, 2]],
            "patient": tr_i[:, 3],
            "pool": tr_i[:, 4],
            "group": tr_i[:, 5],
        }
    )
    return outcomes, frame


def _arrivals_before(demand: Demand, horizon: float) -> np.ndarray:
    """The patients who arrive before ``horizon``, in arrival order: a prefix of
    ``demand.order``, which lists the rows by arrival time (the Demand's layout), found
    by bisection rather than by comparing every arrival time."""
    order = np.asarray(demand.order, dtype=np.int64)
    times = demand.arrival_minutes
    n_enter = bisect.bisect_left(range(order.shape[0]), horizon, key=lambda k: times[order[k]])
    return order[:n_enter]


def _resource_table(
    a: ScenarioArrays, times: np.ndarray, columns: np.ndarray, bounds: np.ndarray
) -> ResourceTable:
    """One change-point series per server group: views of the log split by group."""
    table = ResourceTable()
    for g, name in enumerate(a.group_names):
        rows = slice(bounds[g], bounds[g + 1])
        table.name.append(name)
        table.role.append(a.group_roles[g])
        table.site.append(a.group_sites[g])
        table.times.append(times[rows])
        table.busy.append(columns[0, rows])
        table.capacity.append(columns[1, rows])
        table.overtime.append(columns[2, rows])
        table.ended.append(columns[3, rows])
    return table
