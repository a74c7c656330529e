"""Queues over the week, on synthetic queue and workload tables of the stored shape.

The results are built in memory from the baseline scenario; `Results.queues` and
`Results.hourly` are replaced by tables made here, so every drawn value can be checked by
hand: the curve is the mean over replications of waiting_minutes / observed_minutes, the
capacity the staffed minutes ÷ the minutes the hour has in the measured window."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from scipy import stats

from anwsim.report import caption, queues, style
from anwsim.report import figures as F
from anwsim.report import labels as L
from anwsim.report.data import Hourly, Results
from anwsim.scenario import Scenario, load_scenario

REPO_ROOT = Path(__file__).resolve().parents[2]
BASELINE = REPO_ROOT / "scenarios" / "baseline.yaml"
SHORT = ["run.horizon_weeks=2", "run.warmup_weeks=0.5"]
QUEUES = [
    ("hds", "triagist"),
    ("hap_a", "gp_consult"),
    ("all_stations", "ambulance"),
    ("seh_1", "seh_doctor"),  # nobody waits here
]
REPS = 3


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return load_scenario(BASELINE, overrides=SHORT)


def _results(scenario: Scenario, labels: list[str], kind: str = "compare") -> Results:
    manifest: dict[str, Any] = {
        "kind": kind,
        "base": labels[0],
        "scenarios": {
            label: {"name": label, "hash": label, "scenario": _named(scenario, label)}
            for label in labels
        },
    }
    kpis = pd.DataFrame(
        {"scenario": np.repeat(labels, REPS), "replication": np.tile(np.arange(REPS), len(labels))}
    )
    return Results(Path("."), manifest, kpis)


def _named(scenario: Scenario, name: str) -> dict[str, Any]:
    data = scenario.model_dump(mode="json")
    data["name"] = name
    if "names" in data:
        data["names"] = {"en": name, "nl": name}
    return data


def _window(scenario: Scenario) -> np.ndarray:
    return queues.window_minutes(scenario.run.warmup_minutes, scenario.run.horizon_minutes)


def queue_table(scenario: Scenario, seed: int) -> pd.DataFrame:
    """Per replication, queue and hour: observed minutes of the window, random waiting."""
    rng = np.random.default_rng(seed)
    window = _window(scenario)
    frames = []
    for r in range(REPS):
        for site, role in QUEUES:
            quiet = role == "seh_doctor"
            waiting = np.zeros(168) if quiet else window * rng.uniform(0, 3, 168)
            starts = rng.integers(1, 20, 168).astype(float)
            frames.append(
                pd.DataFrame(
                    {
                        "replication": r,
                        "site": site,
                        "role": role,
                        "hour_of_week": np.arange(168),
                        "observed_minutes": window,
                        "waiting_minutes": waiting,
                        "waits_started": starts,
                        "wait_minutes": starts * 7.0,
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


def hourly_table(scenario: Scenario, staff: float) -> pd.DataFrame:
    """Staffed minutes per group: ``staff`` on duty every hour, nurse practitioners one
    more at hap_a in the evening, ambulances 2 + 3 at two stations."""
    window = _window(scenario)
    evening = np.zeros(168)
    evening[[h for h in range(168) if h % 24 >= 17]] = 1.0
    groups = [
        ("hds", "triagist", np.full(168, staff)),
        ("hap_a", "gp_consult", np.full(168, staff)),
        ("hap_a", "nurse_practitioner", evening),
        ("hap_b", "gp_consult", np.full(168, 9.0)),  # another site: not counted
        ("amb_goes", "ambulance", np.full(168, 2.0)),
        ("amb_hulst", "ambulance", np.full(168, 3.0)),
        ("seh_1", "seh_doctor", np.full(168, 1.0)),
    ]
    frames = [
        pd.DataFrame(
            {
                "replication": r,
                "group": f"{site}/{role}",
                "role": role,
                "site": site,
                "hour_of_week": np.arange(168),
                "staffed_minutes": on_duty * window,
                "busy_minutes": 0.0,
                "utilisation": 0.0,
            }
        )
        for r in range(REPS)
        for site, role, on_duty in groups
    ]
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def patched(monkeypatch: pytest.MonkeyPatch, scenario: Scenario) -> dict[str, pd.DataFrame]:
    """Queue tables by label (created on first use) and the workload table to match."""
    tables: dict[str, pd.DataFrame] = {}

    def read(self: Results, label: str) -> pd.DataFrame:
        if label not in tables:
            tables[label] = queue_table(scenario, seed=len(tables))
        return tables[label]

    def hourly(self: Results, label: str) -> Hourly:
        return Hourly(hourly_table(scenario, 2.0 if label.endswith("0") else 4.0), "replications")

    monkeypatch.setattr(Results, "queues", read)
    monkeypatch.setattr(Results, "hourly", hourly)
    return tables


def _draw(results: Results, lang: str = "en") -> Figure:
    with style.context():
        return queues.queues_over_week(results, lang)


def _gids(fig: Figure, kind: type) -> dict[str, Any]:
    return {
        artist.get_gid(): artist
        for ax in fig.axes
        for artist in ax.get_children()
        if isinstance(artist, kind) and artist.get_gid()
    }


# --------------------------------------------------------------------------- tables


def test_window_minutes_by_hand() -> None:
    # From Thursday 12:00 to the end of the second week: hours 84..167 occur twice.
    window = queues.window_minutes(84 * 60.0, 2 * 168 * 60.0)
    assert np.allclose(window[:84], 60.0) and np.allclose(window[84:], 120.0)
    part = queues.window_minutes(90.0, 200.0)  # 01:30 to 03:20 on Monday
    assert part[1] == 30.0 and part[2] == 60.0 and part[3] == 20.0
    assert part.sum() == 110.0


def test_curve_is_waiting_over_observed_minutes(patched: Any, scenario: Scenario) -> None:
    results = _results(scenario, ["s0", "s1"])
    fig = _draw(results)
    lines = _gids(fig, Line2D)
    for label in ("s0", "s1"):
        frame = results.queues(label)
        assert frame is not None
        for site, role in QUEUES[:3]:
            rows = frame[(frame["site"] == site) & (frame["role"] == role)]
            per_rep = rows.pivot(
                index="replication", columns="hour_of_week", values="waiting_minutes"
            )
            observed = rows.pivot(
                index="replication", columns="hour_of_week", values="observed_minutes"
            )
            hand = (per_rep / observed).mean(axis=0).to_numpy()
            line = lines[f"waiting:{label}:{site}:{role}"]
            assert np.allclose(line.get_ydata(), hand)
            assert np.allclose(line.get_xdata(), np.arange(168) + 0.5)
    # the band: mean ± t(0.975, n−1)·sd/√n, cut at zero
    rows = results.queues("s0")
    rows = rows[(rows["site"] == "hds") & (rows["role"] == "triagist")]
    value = (rows["waiting_minutes"] / rows["observed_minutes"]).to_numpy().reshape(REPS, 168)
    hw = stats.t.ppf(0.975, REPS - 1) * value.std(axis=0, ddof=1) / np.sqrt(REPS)
    band = _gids(fig, PolyCollection)["band:s0:hds:triagist"]
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.min() >= 0.0
    assert np.isclose(ys.max(), (value.mean(axis=0) + hw).max())


def test_capacity_is_staffed_minutes_per_occurrence(patched: Any, scenario: Scenario) -> None:
    results = _results(scenario, ["s0"], kind="run")
    frame = results.hourly("s0").frame
    window = _window(scenario)
    consult = queues.capacity_by_hour(frame, "hap_a", "gp_consult", window)
    evening = np.array([h % 24 >= 17 for h in range(168)])
    assert np.allclose(consult, np.where(evening, 3.0, 2.0))  # consult GPs + NP, hap_a only
    ambulance = queues.capacity_by_hour(frame, "all_stations", "ambulance", window)
    assert np.allclose(ambulance, 5.0)  # every station
    # totals over replications (the pooled table) are divided by their number
    pooled = frame.groupby(["site", "role", "hour_of_week"], as_index=False)[
        "staffed_minutes"
    ].sum()
    pooled["replication"] = -1
    again = queues.capacity_by_hour(pooled, "hds", "triagist", window, replications=REPS)
    assert np.allclose(again, 2.0)
    fig = _draw(results)
    fill = _gids(fig, PolyCollection)["capacity:s0:hap_a:gp_consult"]
    assert np.isclose(fill.get_paths()[0].vertices[:, 1].max(), 3.0)


def test_quiet_queues_named_not_drawn_and_day_ticks(patched: Any, scenario: Scenario) -> None:
    results = _results(scenario, ["s0", "s1"])
    fig = _draw(results)
    lines = _gids(fig, Line2D)
    assert not any(gid.endswith(":seh_1:seh_doctor") for gid in lines)
    assert "SEH doctor" in caption(fig) or L.role("seh_doctor", "en") in caption(fig)
    bottom = fig.axes[0].figure.axes[-2]  # the last row's waiting axes (its twin follows)
    days = [t.get_text() for t in bottom.get_xticklabels(minor=True)]
    assert days == [L.day(d, "en") for d in range(7)]
    nl = _draw(results, "nl")
    assert "wachtende patiënten" in nl.get_suptitle().lower()


def test_every_one_of_twelve_scenarios_is_drawn(patched: Any, scenario: Scenario) -> None:
    labels = [f"s{k}" for k in range(12)]
    results = _results(scenario, labels)
    fig = _draw(results)
    lines = _gids(fig, Line2D)
    for label in labels:
        for site, role in QUEUES[:3]:
            assert f"waiting:{label}:{site}:{role}" in lines, label
    per_panel = queues.lines_per_panel()
    groups = queues._groups(labels, "s0")
    assert all(g[0] == "s0" and len(g) <= per_panel for g in groups)
    assert sorted({x for g in groups for x in g}) == sorted(labels)
    assert "for the base only" in caption(fig)
    bands = _gids(fig, PolyCollection)
    assert "band:s0:hds:triagist" in bands and "band:s1:hds:triagist" not in bands
    # scenarios with other rosters get a capacity line of their own
    assert "capacity:s1:hds:triagist" in lines


def test_applicable_only_with_queue_tables(
    monkeypatch: pytest.MonkeyPatch, scenario: Scenario
) -> None:
    results = _results(scenario, ["s0"], kind="run")
    monkeypatch.setattr(Results, "queues", lambda self, label: None)
    assert not queues.has_queues(results)
    assert "queues" not in F.applicable(results)
    assert L.has("page.note.no_queues")
    monkeypatch.setattr(Results, "queues", lambda self, label: queue_table(scenario, 0))
    assert queues.has_queues(results)
    names = F.applicable(results)
    assert "queues" in names and names.index("queues") == names.index("capacity") + 1
    assert F.FIGURES["queues"] is queues.queues_over_week
