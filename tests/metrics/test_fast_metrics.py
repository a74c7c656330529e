"""The vectorised workload integrals and KPI table against straightforward readings (see
`reference`): a plain loop over the pieces of each resource log, and the KPI table as
first written (one mask over all patients per share, `np.union1d` pieces, pandas
``groupby``). The logs below hold the edge cases: repeated times, changes exactly at
start, at end and on full hours, an empty log, logs that start after start or end
before it, a change a rounding error below a full hour, windows over several weeks."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from anwsim.metrics import group_integrals, kpi_table, utilisation_by_hour_of_week, workload
from anwsim.model.outcomes import EXITS, Outcomes, Recorder, ResourceTable
from anwsim.scenario import Scenario, load_scenario
from anwsim.scenario.schema import AMBULANCE_URGENCIES, DISPOSITIONS, ENTRIES, URGENCIES

from . import reference
from .handplaced import ROOT, scenario

WEEK = 7 * 24 * 60.0
END = 2 * WEEK + 150.0
"""The end of the main window: two weeks and two and a half hours."""


def resources(
    groups: list[tuple[str, str, str, dict[str, Any]]], overtime: bool = True
) -> ResourceTable:
    """A resource table of ``(name, role, site, log)``, log: times, busy, capacity and
    (with ``overtime``) overtime and ended."""
    res = ResourceTable()
    for name, role, site, log in groups:
        res.name.append(name)
        res.role.append(role)
        res.site.append(site)
        res.times.append(np.asarray(log["times"], dtype=np.float64))
        for column in ("busy", "capacity", *(("overtime", "ended") if overtime else ())):
            getattr(res, column).append(np.asarray(log[column], dtype=np.int64))
    return res


def log(times: list[float], capacity: list[int], busy: list[int], overtime: list[int]) -> dict:
    """A log whose shift ends are its capacity drops."""
    drops = np.maximum(-np.diff(capacity, prepend=capacity[:1]), 0) if capacity else []
    return {
        "times": times,
        "capacity": capacity,
        "busy": busy,
        "overtime": overtime,
        "ended": list(drops),
    }


def random_log(rng: np.random.Generator, n: int, end: float, step: float) -> dict:
    """``n`` changes over [0, end + 100), times on a grid of ``step`` (so some repeat;
    none for step 0)."""
    times = np.sort(rng.uniform(0.0, end + 100.0, n))
    if step:
        times = np.round(times / step) * step
    capacity = rng.integers(0, 5, n)
    busy = rng.integers(0, 7, n)
    overtime = np.where(rng.random(n) < 0.2, np.minimum(busy, rng.integers(0, 3, n)), 0)
    return log(list(times), list(capacity), list(busy), list(overtime))


REPEATS = [0.0, 30.0, 90.0, 90.0, 120.0, 120.0, 120.0, 125.5, 3000.0, 3000.0]
"""Repeated times, at window starts (90, 120, 3000), on a full hour (120)."""


def edge_cases(rng: np.random.Generator) -> list[tuple[str, str, str, dict]]:
    below_an_hour = float(np.nextafter(180.0, 0.0))  # floor(t / 60) reads it as hour 3
    return [
        (
            "repeats",
            "gp_consult",
            "hap_a",
            log(
                [*REPEATS, WEEK, WEEK + 0.5, END, END, END + 90.0],
                [2, 3, 1, 4, 0, 2, 3, 3, 1, 2, 2, 5, 1, 0, 3],
                [1, 4, 0, 6, 1, 3, 4, 2, 2, 0, 1, 6, 2, 1, 0],
                [0, 1, 0, 2, 1, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0],
            ),
        ),
        ("empty", "gp_visit", "hap_a", log([], [], [], [])),
        (
            "late",
            "gp_consult",
            "hap_b",
            log([150.5, 150.5, 600.0, 601.25], [3, 1, 2, 2], [5, 1, 2, 0], [2, 0, 0, 0]),
        ),
        ("constant", "nurse_practitioner", "hap_a", log([0.0], [2], [1], [0])),
        ("after_end", "gp_visit", "hap_b", log([END + 10.0, END + 20.0], [4, 1], [3, 0], [1, 0])),
        ("before_start", "triagist", "hds", log([5.0, 7.0], [3, 2], [1, 2], [0, 1])),
        (
            "rounding",
            "triagist",
            "hds",
            log(
                [0.0, below_an_hour, 180.0 + 1e-9, 7200.0], [1, 2, 3, 1], [1, 2, 1, 0], [0, 0, 0, 0]
            ),
        ),
        ("fine", "treatment_place", "seh_1", random_log(rng, 400, END, 0.25)),
        ("coarse", "treatment_place", "seh_1", random_log(rng, 300, END, 60.0)),
        ("other", "treatment_place", "seh_2", random_log(rng, 50, END, 0.001)),
        ("ambulance", "ambulance", "amb", random_log(rng, 2000, END, 1e-6)),
    ]


def outcomes(res: ResourceTable, horizon: float = END) -> Outcomes:
    return Outcomes(Recorder(0).columns(), res, horizon=horizon, replication=0, seed=0)


def expected(
    res: ResourceTable, g: int, start: float, end: float, hourly: bool, fallback: bool = False
) -> dict[str, Any]:
    t, b, c = res.times[g], res.busy[g], res.capacity[g]
    if fallback:
        ot = np.maximum(b - c, 0)
        ended = np.maximum(-np.diff(c, prepend=c[:1]), 0)
    else:
        ot, ended = res.overtime[g], res.ended[g]
    return {
        "staffed": reference.step_minutes(t, c, start, end, hourly),
        "busy": reference.step_minutes(t, b - ot, start, end, hourly),
        "overtime": reference.step_minutes(t, ot, start, end, hourly),
        "shift_ends": int(sum(e for x, e in zip(t, ended, strict=True) if start < x < end)),
    }


WINDOWS = [
    (90.0, END),  # from a change, to a change; over two weeks
    (0.0, END),  # from the first change
    (61.0, 2 * WEEK),  # to the end of the second week
    (-30.5, WEEK + 60.0),  # from before time 0
    (120.0, 180.0),  # one full hour, from and to a change
    (95.0, 100.0),  # inside one hour
    (3000.0, 3000.0),  # empty
]


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_utilisation_by_hour_of_week_is_a_loop_over_the_pieces(start: float, end: float) -> None:
    res = resources(edge_cases(np.random.default_rng(1)))
    hourly = utilisation_by_hour_of_week(outcomes(res), start, end)
    assert list(hourly.columns) == [
        "group",
        "role",
        "site",
        "hour_of_week",
        "staffed_minutes",
        "busy_minutes",
        "utilisation",
    ]
    assert list(hourly.group) == [name for name in res.name for _ in range(168)]
    assert list(hourly.hour_of_week) == list(range(168)) * len(res)
    for g, name in enumerate(res.name):
        rows = hourly[hourly.group == name]
        want = expected(res, g, start, end, hourly=True)
        np.testing.assert_allclose(rows.staffed_minutes, want["staffed"], rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(rows.busy_minutes, want["busy"], rtol=1e-12, atol=1e-9)
        assert set(rows.role) == {res.role[g]} and set(rows.site) == {res.site[g]}
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = hourly.busy_minutes.to_numpy() / hourly.staffed_minutes.to_numpy()
    np.testing.assert_array_equal(hourly.utilisation.to_numpy(), ratio)


@pytest.mark.parametrize(("start", "end"), WINDOWS)
def test_group_integrals_are_a_loop_over_the_pieces(start: float, end: float) -> None:
    res = resources(edge_cases(np.random.default_rng(2)))
    totals = group_integrals(outcomes(res), start, end)
    hourly = utilisation_by_hour_of_week(outcomes(res), start, end)
    assert list(totals.group) == res.name
    for g, row in enumerate(totals.itertuples()):
        want = expected(res, g, start, end, hourly=False)
        assert row.staffed_minutes == pytest.approx(want["staffed"][0], rel=1e-12, abs=1e-9)
        assert row.busy_minutes == pytest.approx(want["busy"][0], rel=1e-12, abs=1e-9)
        assert row.overtime_minutes == pytest.approx(want["overtime"][0], rel=1e-12, abs=1e-9)
        assert row.shift_ends == want["shift_ends"]
        of = hourly[hourly.group == row.group]
        assert of.staffed_minutes.sum() == pytest.approx(row.staffed_minutes, rel=1e-12, abs=1e-9)
        assert of.busy_minutes.sum() == pytest.approx(row.busy_minutes, rel=1e-12, abs=1e-9)


def test_without_overtime_columns_the_finish_reading() -> None:
    """A hand-made table without ``overtime`` and ``ended``: overtime = max(0, busy −
    capacity), shift ends = capacity drops."""
    res = resources(edge_cases(np.random.default_rng(3)), overtime=False)
    start, end = 90.0, END
    totals = group_integrals(outcomes(res), start, end)
    hourly = utilisation_by_hour_of_week(outcomes(res), start, end)
    for g, row in enumerate(totals.itertuples()):
        want = expected(res, g, start, end, hourly=False, fallback=True)
        assert row.busy_minutes == pytest.approx(want["busy"][0], rel=1e-12, abs=1e-9)
        assert row.overtime_minutes == pytest.approx(want["overtime"][0], rel=1e-12, abs=1e-9)
        assert row.shift_ends == want["shift_ends"]
        busy = hourly[hourly.group == row.group].busy_minutes
        want = expected(res, g, start, end, hourly=True, fallback=True)
        np.testing.assert_allclose(busy, want["busy"], rtol=1e-12, atol=1e-9)


def test_an_empty_log_integrates_to_zero_and_no_groups_to_no_rows() -> None:
    res = resources([("empty", "gp_visit", "hap_a", log([], [], [], []))])
    totals = group_integrals(outcomes(res), 0.0, WEEK)
    assert totals.iloc[0][["staffed_minutes", "busy_minutes", "overtime_minutes"]].sum() == 0
    hourly = utilisation_by_hour_of_week(outcomes(res), 0.0, WEEK)
    assert len(hourly) == 168 and (hourly.staffed_minutes == 0).all()
    assert hourly.utilisation.isna().all()
    assert group_integrals(outcomes(ResourceTable()), 0.0, WEEK).empty
    empty = utilisation_by_hour_of_week(outcomes(ResourceTable()), 0.0, WEEK)
    assert empty.empty and "utilisation" in empty.columns


def test_group_integrals_equal_the_union1d_reading_on_logs_without_repeats() -> None:
    """On logs with distinct times (as the models write them) the totals are those of
    the `np.union1d` pieces, bit for bit."""
    rng = np.random.default_rng(4)
    groups = [
        (f"g{i}", "gp_consult", "hap_a", random_log(rng, n, END, 0.0))
        for i, n in enumerate((1, 2, 50, 3000))
    ]
    res = resources(groups)
    for start, end in WINDOWS[:4]:
        fast = group_integrals(outcomes(res), start, end)
        pd.testing.assert_frame_equal(fast, reference.group_integrals(outcomes(res), start, end))


# ------------------------------------------------------------------ the KPI table


def random_outcomes(s: Scenario, n: int, rng: np.random.Generator) -> Outcomes:
    """``n`` patients with every column drawn at random (NaN or set, codes in and out
    of range), some before and after the measured window, and random resource logs."""
    horizon = s.run.horizon_minutes
    columns = Recorder(n).columns()

    def times(share: float, after: np.ndarray, scale: float = 30.0) -> np.ndarray:
        out = after + rng.exponential(scale, n)
        return np.where(rng.random(n) < share, out, np.nan)

    call = rng.uniform(-0.1 * horizon, 1.1 * horizon, n)
    columns["call"] = call
    columns["answered_attempt_start"] = times(0.8, call, 2.0)
    columns["answer"] = times(0.7, columns["answered_attempt_start"], 3.0)
    columns["call_back_requested"] = times(0.2, call, 1.0)
    columns["doctor_contact"] = times(0.7, call, 120.0)
    columns["triage_end"] = times(0.6, call, 10.0)
    for name in ("consult_start", "visit_start", "callback_start", "incident"):
        columns[name] = times(0.3, call)
    columns["ambulance_dispatch"] = times(0.5, columns["incident"], 2.0)
    columns["ambulance_arrival"] = times(0.8, columns["ambulance_dispatch"], 15.0)
    columns["ambulance_depart_scene"] = times(0.7, columns["ambulance_arrival"], 20.0)
    columns["ambulance_at_seh"] = times(0.7, columns["ambulance_depart_scene"], 15.0)
    columns["handover_start"] = times(0.8, columns["ambulance_at_seh"], 10.0)
    columns["seh_arrival"] = times(0.4, call, 5.0)
    columns["seh_doctor"] = times(0.7, columns["seh_arrival"], 60.0)
    columns["seh_start"] = times(0.6, columns["seh_arrival"], 5.0)
    columns["travel_to_post"] = times(0.3, np.zeros(n), 25.0)
    columns["attempts"] = rng.integers(0, 4, n)
    columns["abandoned_attempts"] = rng.integers(0, 2, n) * columns["attempts"]
    columns["blocked_attempts"] = rng.integers(0, 2, n)
    columns["consult_by"] = rng.integers(-1, 2, n)
    columns["station"] = rng.integers(-2, 3, n)
    columns["ambulance_urgency"] = rng.integers(-1, len(AMBULANCE_URGENCIES) + 1, n)
    columns["seh"] = rng.integers(-1, len(s.sites.sehs) + 1, n)
    columns["exit_via"] = rng.integers(0, len(EXITS), n)
    columns["unserved_queue"] = rng.integers(-1, 6, n)
    columns["called_back"] = rng.random(n) < 0.15
    columns["conveyed"] = rng.random(n) < 0.5
    columns["entry"] = rng.integers(0, len(ENTRIES), n).astype(np.int8)
    columns["urgency"] = rng.integers(0, len(URGENCIES), n).astype(np.int8)
    columns["disposition"] = rng.integers(0, len(DISPOSITIONS), n).astype(np.int8)
    columns["channel"] = rng.integers(-1, len(s.demand.channels) + 1, n).astype(np.int16)
    columns["area"] = np.zeros(n, dtype=np.int32)
    groups = [
        ("hds/triagist", "triagist", "hds", random_log(rng, 3000, horizon, 0.0)),
        ("hds/gp_supervisor", "gp_supervisor", "hds", random_log(rng, 200, horizon, 0.0)),
        ("hap_a/gp_consult", "gp_consult", "hap_a", random_log(rng, 500, horizon, 0.0)),
        ("hap_b/gp_consult", "gp_consult", "hap_b", random_log(rng, 400, horizon, 0.0)),
        ("hap_a/gp_visit", "gp_visit", "hap_a", random_log(rng, 100, horizon, 0.0)),
        ("hap_a/nurse_practitioner", "nurse_practitioner", "hap_a", log([0.0], [1], [0], [0])),
        ("seh_1/treatment_place", "treatment_place", "seh_1", random_log(rng, 900, horizon, 0.0)),
        ("seh_2/treatment_place", "treatment_place", "seh_2", random_log(rng, 600, horizon, 0.0)),
        ("amb_x/ambulance", "ambulance", "amb_x", random_log(rng, 800, horizon, 0.0)),
    ]
    queues = (
        ("hds", "triagist"),
        ("hap_a", "gp_consult"),
        ("hap_a", "gp_consult"),  # two queues, one label
        ("all_stations", "ambulance"),
        ("seh_1", "treatment_place"),
    )
    return Outcomes(
        columns, resources(groups), horizon=horizon, replication=3, seed=12345, queues=queues
    )


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kpi_table_equals_the_first_reading(seed: int) -> None:
    s = scenario()
    o = random_outcomes(s, 4000, np.random.default_rng(seed))
    fast, first = kpi_table(s, o), reference.kpi_table(s, o)
    # every row, unit, n, norm and target; values bit for bit (the logs have no repeats)
    pd.testing.assert_frame_equal(fast, first, check_exact=True)


def test_kpi_table_equals_the_first_reading_with_a_warm_up_and_repeated_times() -> None:
    s = load_scenario(
        ROOT / "scenarios" / "baseline.yaml", ["run.horizon_weeks=2", "run.warmup_weeks=0.5"]
    )
    rng = np.random.default_rng(7)
    o = random_outcomes(s, 3000, rng)
    o.resources.times[0] = np.round(o.resources.times[0] / 30.0) * 30.0  # repeats, on cuts
    fast, first = kpi_table(s, o), reference.kpi_table(s, o)
    pd.testing.assert_frame_equal(fast, first, check_exact=False, rtol=1e-12, atol=1e-9)


def test_role_totals_are_the_groupby_sums() -> None:
    """Per-role and per-SEH totals add the groups up as pandas' ``groupby().sum()`` does
    (compensated): a large and two small totals of one role make the difference."""
    groups = [
        ("big", "gp_consult", "hap_a", log([0.0], [10**13], [10**13], [3])),
        ("small_1", "gp_consult", "hap_b", log([0.0, 1.0], [1, 0], [1, 0], [0, 0])),
        ("small_2", "gp_consult", "hap_c", log([0.0, 1.0], [1, 0], [0, 0], [1, 0])),
        ("place_1", "treatment_place", "seh_1", log([0.0], [10**13], [1], [0])),
        ("place_2", "treatment_place", "seh_1", log([0.0, 1.0], [1, 0], [1, 0], [0, 0])),
        ("place_3", "treatment_place", "seh_1", log([0.0, 1.0], [1, 0], [1, 0], [0, 0])),
    ]
    o = outcomes(resources(groups))
    fast = list(workload.workload_rows(o, 7, 0.0, 1000.0))
    first = list(reference._workload_rows(o, 7, 0.0, 1000.0))
    assert [row[:2] for row in fast] == [row[:2] for row in first]
    for a, b in zip(fast, first, strict=True):
        assert a[3:] == b[3:]
        assert a[2] == b[2] or (np.isnan(a[2]) and np.isnan(b[2])), (a, b)
    staffed = 1000.0 * 10**13
    assert sum([staffed, 1.0, 1.0]) != staffed + 2.0  # a plain sum would lose the two
    assert ("utilisation", "role:gp_consult") in [row[:2] for row in fast]
