"""The ``--log full`` event log: names, resource slots and what vidigi computes from it.

Two days of the baseline (and of a variant with call-backs by a post's GP, nurse
practitioners and a neighbouring region's vehicles) are run through the API with
``log="full"``; the log written to ``events/<label>/rep-00000.parquet`` must equal the
one built in this process, and its columns mean what the module docstring says. The
vidigi tests run only where vidigi is installed (``pip install anwsim[vidigi]``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import anwsim
from anwsim.experiment.eventlog import COLUMNS, EVENTS, assign_slots, event_log
from anwsim.experiment.replication import run_replication
from anwsim.model.outcomes import Outcomes
from anwsim.scenario import ENTRIES, URGENCIES, Scenario, load_scenario

TWO_DAYS = (
    "run.horizon_weeks=null",
    "run.horizon_days=2",
    "run.warmup_weeks=0",
    "run.drain_days=2",
)
VARIANT = (
    "public_holidays=[2025-01-06, 2025-01-07]",  # holidays: the nurse practitioner's days
    "triage.callback_by=gp_consult",
    "ambulance.no_vehicle_free=neighbour_region",
)


@dataclass(frozen=True)
class Case:
    scenario: Scenario
    outcomes: Outcomes
    log: pd.DataFrame  # as read back from the result directory


def _case(path: Path, overrides: tuple[str, ...], tmp: Path) -> Case:
    out = tmp / "run"
    anwsim.run(path, overrides=overrides, replications=1, workers=1, out=out, log="full")
    log = pd.read_parquet(out / "events" / path.stem / "rep-00000.parquet")
    scenario = load_scenario(path, overrides)
    return Case(scenario, run_replication(scenario, 0).outcomes, log)


@pytest.fixture(scope="module", params=["baseline", "variant"])
def case(
    request: pytest.FixtureRequest, baseline_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> Case:
    if request.param == "baseline":
        return _case(baseline_path, TWO_DAYS, tmp_path_factory.mktemp("baseline"))
    skill_mix = baseline_path.parent / "s6_skill_mix.yaml"
    return _case(skill_mix, TWO_DAYS + VARIANT, tmp_path_factory.mktemp("variant"))


def _uses(log: pd.DataFrame) -> pd.DataFrame:
    """One row per use (patient, group): its slot and [start, end) from the log's rows.

    A use runs from its first ``resource_use`` to its last ``resource_use_end`` row; an
    ambulance's use lasts until the end of its patient's handover; no end row: +inf."""
    rows = log[log["event_type"].isin(["resource_use", "resource_use_end"])]
    key = ["entity_id", "resource"]
    starts = rows[rows["event_type"] == "resource_use"].groupby(key)["time"].min()
    ends = rows[rows["event_type"] == "resource_use_end"].groupby(key)["time"].max()
    slots = rows.groupby(key)["resource_id"].agg(["min", "max"])
    uses = pd.DataFrame({"start": starts, "end": ends.reindex(starts.index)}).join(slots)
    uses = uses.reset_index()
    handover = log[log["event"] == "handover_complete"].set_index("entity_id")["time"]
    vehicle = uses["resource"].str.endswith("/ambulance")
    later = uses.loc[vehicle, "entity_id"].map(handover)
    uses.loc[vehicle & later.notna().reindex(uses.index, fill_value=False), "end"] = later.dropna()
    uses["end"] = uses["end"].fillna(np.inf)
    return uses


def _peak(start: np.ndarray, end: np.ndarray) -> int:
    """Most half-open intervals [start, end) in progress at once (ends before starts)."""
    times = np.concatenate([start, end])
    steps = np.concatenate([np.ones(start.size), -np.ones(end.size)])
    order = np.lexsort((steps, times))
    return int(np.cumsum(steps[order]).max())


def test_assign_slots_by_hand() -> None:
    """Lowest free slot, earliest start first; a slot freed at t is taken at t; groups
    and kinds of use that share a group are partitioned together."""
    groups = {
        "a": np.array(["g", "g", "g", "g", None, "h"], dtype=object),
        "b": np.array(["g", None, "h", None, None, None], dtype=object),
    }
    intervals = {
        "a": (np.array([0.0, 5, 10, 12, 1, 3]), np.array([10.0, 15, 20, 13, 2, np.nan])),
        "b": (np.array([13.0, np.nan, 3, np.nan, np.nan, np.nan]), np.full(6, np.nan)),
    }
    slots = assign_slots(groups, intervals)
    # g: [0,10)→1, [5,15)→2, [10,20)→1 (freed at 10), [12,13)→3, b's [13,inf)→3
    np.testing.assert_array_equal(slots["a"], [1, 2, 1, 3, 0, 1])
    # h: a's [3, inf) and b's [3, inf) at the same start: use a first (kind order)
    np.testing.assert_array_equal(slots["b"], [3, 0, 2, 0, 0, 0])


def test_the_written_log_is_the_log_of_the_replication(case: Case) -> None:
    built = event_log(case.outcomes, case.scenario, run=0)
    assert list(case.log.columns) == list(COLUMNS)
    pd.testing.assert_frame_equal(
        case.log.astype(object), built.astype(object), check_dtype=False, check_exact=True
    )


def test_names(case: Case) -> None:
    log, p = case.log, case.outcomes.patients
    channels = list(case.scenario.demand.channels)
    ids = log["entity_id"].to_numpy()
    assert (
        log["pathway"].to_numpy() == np.asarray(channels, dtype=object)[p["channel"][ids]]
    ).all()
    assert (
        log["urgency"].to_numpy() == np.asarray(URGENCIES, dtype=object)[p["urgency"][ids]]
    ).all()
    assert (log["entry"].to_numpy() == np.asarray(ENTRIES, dtype=object)[p["entry"][ids]]).all()
    assert set(log["urgency"]) <= {"U0", "U1", "U2", "U3", "U4", "U5"}
    assert set(log["event"]) <= {e[0] for e in EVENTS}
    assert set(log["event_type"]) == {
        "arrival_departure",
        "queue",
        "resource_use",
        "resource_use_end",
    }
    # the server groups are those of the resource table (and the neighbour's vehicles)
    groups = set(log["resource"].dropna())
    assert groups - set(case.outcomes.resources.name) <= {"neighbour_region/ambulance"}
    used = (log["event_type"].isin(["resource_use", "resource_use_end"])).to_numpy()
    assert log.loc[used, ["resource", "resource_id", "site"]].notna().all().all()
    assert log.loc[~used, ["resource", "resource_id", "unique_resource_id"]].isna().all().all()
    expected = log.loc[used, "resource"] + "_" + log.loc[used, "resource_id"].astype(str)
    assert (log.loc[used, "unique_resource_id"] == expected).all()
    assert (log.loc[used, "resource"].str.split("/").str[0] == log.loc[used, "site"]).all()


def test_every_patient_arrives_and_departs_once(case: Case) -> None:
    log = case.log
    assert log["entity_id"].nunique() == len(case.outcomes)
    counts = log.groupby("entity_id")["event"].value_counts().unstack(fill_value=0)
    assert (counts["arrival"] == 1).all() and (counts["depart"] == 1).all()
    by_patient = log.groupby("entity_id", sort=False)
    assert (by_patient["event"].first() == "arrival").all()
    assert (by_patient["event"].last() == "depart").all()
    assert by_patient["time"].apply(lambda t: t.is_monotonic_increasing).all()


def test_bouts_alternate_on_one_slot(case: Case) -> None:
    """Every resource_use is followed by its resource_use_end on the same slot before the
    patient's next resource_use: vidigi pairs them and nothing nests."""
    rows = case.log[case.log["event_type"].isin(["resource_use", "resource_use_end"])]
    for _, bouts in rows.groupby("entity_id"):
        kinds = bouts["event_type"].tolist()
        assert kinds[0::2] == ["resource_use"] * len(kinds[0::2])
        assert kinds[1::2] == ["resource_use_end"] * len(kinds[1::2])
        ids = bouts["unique_resource_id"].tolist()
        assert ids[0::2][: len(ids[1::2])] == ids[1::2]


def test_slots_partition_the_uses_of_each_group(case: Case) -> None:
    uses = _uses(case.log)
    assert (uses["min"] == uses["max"]).all()  # one slot per use
    resources = case.outcomes.resources
    busiest = {name: int(np.max(b)) for name, b in zip(resources.name, resources.busy, strict=True)}
    assert len(uses) > 500 and uses["resource"].nunique() >= 8
    for group, g in uses.groupby("resource"):
        start, end, slot = g["start"].to_numpy(), g["end"].to_numpy(), g["min"].to_numpy()
        # slots 1..k with k the peak number of uses at once
        assert slot.min() == 1
        assert slot.max() == _peak(start, end), group
        # two uses of one slot never overlap
        for _, s in g.sort_values("start").groupby("min"):
            assert (s["start"].to_numpy()[1:] >= s["end"].to_numpy()[:-1]).all(), group
        if group in busiest:
            assert slot.max() <= busiest[group], group
            # at every start, the uses in progress are no more than the busy servers
            i = resources.name.index(group)
            changes, busy = resources.times[i], resources.busy[i]
            now = busy[np.searchsorted(changes, start, side="right") - 1]
            running = ((start[:, None] >= start) & (start[:, None] < end)).sum(axis=1)
            assert (running <= now).all(), group


def test_the_variant_covers_every_kind_of_group(case: Case) -> None:
    groups = set(case.log["resource"].dropna())
    roles = {g.split("/")[1] for g in groups}
    assert {"triagist", "gp_consult", "gp_visit", "ambulance", "treatment_place"} <= roles
    if case.scenario.triage.callback_by == "gp_consult":
        assert "nurse_practitioner" in roles
        callbacks = case.log[case.log["event"] == "callback_begins"]
        assert len(callbacks) > 0 and callbacks["resource"].str.endswith("/gp_consult").all()
    else:
        assert "gp_supervisor" in roles
    # a neighbouring region's vehicle is its own group
    neighbour = np.flatnonzero(case.outcomes.patients["station"] == -2)
    dispatched = case.log[case.log["event"] == "ambulance_dispatched"]
    theirs = dispatched[dispatched["resource"] == "neighbour_region/ambulance"]
    assert sorted(theirs["entity_id"]) == neighbour.tolist()


# ---------------------------------------------------------------------- vidigi


def test_vidigi_pairs_the_bouts_without_overlap(case: Case) -> None:
    analysis = pytest.importorskip("vidigi.analysis")
    log = case.log
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an orphan end, a censored start or an overlap
        intervals = analysis.resource_use_intervals(log, resource_col_name="unique_resource_id")
        per_unit = analysis.resource_utilisation(
            log, by="resource", resource_col_name="unique_resource_id"
        )
    starts = log[log["event_type"] == "resource_use"]
    assert len(intervals) == len(starts) and not intervals["censored"].any()
    assert set(per_unit["resource_id"]) == set(starts["unique_resource_id"])
    # vidigi's busy minutes per unit are those of our bouts
    ends = log[log["event_type"] == "resource_use_end"]
    ours = (
        ends.groupby("unique_resource_id")["time"].sum()
        - starts.groupby("unique_resource_id")["time"].sum()
    )
    theirs = per_unit.set_index("resource_id")["busy_time"]
    np.testing.assert_allclose(theirs.reindex(ours.index), ours.to_numpy(), atol=1e-6)


def test_vidigi_places_patients_in_our_slots_and_queues(case: Case) -> None:
    prep = pytest.importorskip("vidigi.prep")
    log = case.log
    events = ["arrival", "triage_wait_begins", "triage_begins", "triage_complete", "depart"]
    triage = log[log["event"].isin(events)].reset_index(drop=True)
    positions = pd.DataFrame(
        {
            "event": events,
            "x": [10, 200, 400, 500, 600],
            "y": [50, 100, 100, 100, 50],
            "label": events,
        }
    )
    gap, every = 10, 5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frames = prep.reshape_for_animations(
            triage, every_x_time_units=every, limit_duration=1440, step_snapshot_max=1000
        )
        placed = prep.generate_animation_df(
            frames,
            positions,
            wrap_queues_at=None,
            wrap_resources_at=None,
            step_snapshot_max=1000,
            gap_between_resources=gap,
        )
    # a patient in triage sits at our slot: x = anchor − slot × gap
    used = placed[placed["event"] == "triage_begins"]
    assert len(used) > 50 and used["resource_id"].max() >= 2
    np.testing.assert_allclose((400 - used["x_final"]) / gap, used["resource_id"].astype(float))
    # vidigi's slot of each patient at each snapshot is the one of our triage bout
    slot = triage[triage["event"] == "triage_begins"].set_index("entity_id")["resource_id"]
    assert (used["resource_id"].to_numpy() == slot.reindex(used["entity_id"]).to_numpy()).all()
    # the queue vidigi draws is the real one: answered callers between the start of
    # their answered attempt and the answer
    p = case.outcomes.patients
    shown = placed[placed["event"] == "triage_wait_begins"].groupby("snapshot_time").size()
    for t, n in shown.items():
        waiting = (p["answered_attempt_start"] <= t) & (p["answer"] > t)
        assert n == int(waiting.sum()), t
    assert shown.max() >= 1
