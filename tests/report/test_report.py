"""`anwsim report` on a real (tiny) comparison: files, and what the figures show.

One comparison is run per module: the baseline and a variant with posts B and C closed
at night (2 replications of 2 weeks, half a week of warm-up, per-patient event logs).
The figures are then inspected through the returned `Figure` objects: axis labels with
units, one bar group per scenario, CI whiskers, norm lines at the norm, and labels that
switch with the language. Other kinds of result directory (a run without event logs, a
sweep, a directory without per-hour workload) are made by editing a copy of it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, QuadMesh
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

import anwsim
from anwsim.report import Results, build_report, caption, make_figures
from anwsim.report import labels as L
from anwsim.report.command import report
from anwsim.report.figures import applicable, display_names
from anwsim.report.page import notes

REPO_ROOT = Path(__file__).resolve().parents[2]
BASELINE = REPO_ROOT / "scenarios" / "baseline.yaml"
SHORT = ["run.horizon_weeks=2", "run.warmup_weeks=0.5"]
REPLICATIONS = 2

NIGHT_CLOSED = """
name: Night closure B and C
sites:
  gp_posts:
    hap_b:
      opening:
        - {days: [weekday], hours: "17:00-23:00"}
        - {days: [weekend, holiday], hours: "08:00-23:00"}
    hap_c:
      opening:
        - {days: [weekday], hours: "17:00-23:00"}
        - {days: [weekend, holiday], hours: "08:00-23:00"}
rosters:
  hap_b:
    gp_consult:
      - {days: [weekday], hours: "17:00-23:00", staff: 1}
      - {days: [weekend, holiday], hours: "08:00-14:00", staff: 2}
      - {days: [weekend, holiday], hours: "14:00-23:00", staff: 1}
  hap_c:
    gp_consult:
      - {days: [weekday], hours: "17:00-23:00", staff: 1}
      - {days: [weekend, holiday], hours: "08:00-14:00", staff: 2}
      - {days: [weekend, holiday], hours: "14:00-23:00", staff: 2}
  hap_a:
    gp_consult:
      - {days: [weekday], hours: "17:00-23:00", staff: 2}
      - {days: [weekend, holiday], hours: "08:00-14:00", staff: 3}
      - {days: [weekend, holiday], hours: "14:00-23:00", staff: 2}
      - {days: [all], hours: "23:00-08:00", staff: 2}
"""

COMPARE_FIGURES = {
    "access_time",
    "within_norm",
    "phone",
    "workload",
    "capacity",
    "ambulance",
    "travel",
    "differences",
    "queues",
    "map",
    "map_change",
}


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished comparison directory with event logs."""
    root = tmp_path_factory.mktemp("report")
    variant = root / "night_closed.yaml"
    variant.write_text(f"extends: {BASELINE}\n{NIGHT_CLOSED}", encoding="utf-8")
    out = root / "compare"
    anwsim.compare(
        BASELINE,
        [variant],
        out=out,
        replications=REPLICATIONS,
        overrides=SHORT,
        log="full",
        workers=1,
    )
    return out


@pytest.fixture(scope="module")
def results(compared: Path) -> Results:
    return Results.open(compared)


@pytest.fixture(scope="module")
def figures(results: Results) -> dict[str, Figure]:
    return make_figures(results, "en")


@pytest.fixture(scope="module")
def figures_nl(results: Results) -> dict[str, Figure]:
    return make_figures(results, "nl")


def _copy(compared: Path, target: Path, edit: Any, drop: tuple[str, ...] = ()) -> Path:
    """A copy of the comparison with its manifest edited and some parts removed."""
    shutil.copytree(compared, target)
    for name in drop:
        path = target / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
    manifest = json.loads((target / "manifest.json").read_text())
    edit(manifest)
    (target / "manifest.json").write_text(json.dumps(manifest))
    return target


@pytest.fixture(scope="module")
def run_without_events(compared: Path, tmp_path_factory: pytest.TempPathFactory) -> Results:
    """The baseline alone, as a run without --log full."""

    def edit(m: dict[str, Any]) -> None:
        m["kind"] = "run"
        m["log"] = "kpis"
        m["scenarios"] = {"baseline": m["scenarios"]["baseline"]}
        m.pop("base", None)

    return Results.open(_copy(compared, tmp_path_factory.mktemp("run") / "r", edit, ("events",)))


# --------------------------------------------------------------------------- helpers


def _all_axes(fig: Figure) -> list[Axes]:
    """Every axes of ``fig`` and its subfigures, once each (a figure's ``axes`` may
    already list those of its subfigures)."""
    out, stack = [], [fig]
    while stack:
        container = stack.pop()
        stack.extend(getattr(container, "subfigs", []))
        out.extend(ax for ax in container.axes if ax not in out)
    return out


def _lines(fig: Figure, prefix: str) -> dict[str, Line2D]:
    return {
        line.get_gid(): line
        for ax in _all_axes(fig)
        for line in ax.get_lines()
        if (line.get_gid() or "").startswith(prefix)
    }


def _bars(ax: Axes) -> list[BarContainer]:
    return [c for c in ax.containers if isinstance(c, BarContainer)]


def _whiskers(ax: Axes) -> list[LineCollection]:
    return [c.lines[2][0] for c in ax.containers if isinstance(c, ErrorbarContainer) and c.lines[2]]


def _is_horizontal_at(line: Line2D, value: float) -> bool:
    y = np.asarray(line.get_ydata(), dtype=float)
    return bool(np.allclose(y, value))


def _is_vertical_at(line: Line2D, value: float) -> bool:
    x = np.asarray(line.get_xdata(), dtype=float)
    return bool(np.allclose(x, value))


def _mean(results: Results, scenario: str, kpi: str, group: str) -> float:
    return results.value(scenario, kpi, group)[0]


# --------------------------------------------------------------------------- files


def test_command_writes_every_figure_in_every_format(compared: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        report, [str(compared), "--format", "png,svg,pdf", "--lang", "nl", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    for name in COMPARE_FIGURES:
        for fmt in ("png", "svg", "pdf"):
            path = out / f"{name}.{fmt}"
            assert path.stat().st_size > 5000, path
        assert (out / f"{name}.pdf").read_bytes().startswith(b"%PDF")
        assert (out / f"{name}.png").read_bytes().startswith(b"\x89PNG")
        assert b"<svg" in (out / f"{name}.svg").read_bytes()[:2000]
    page = (out / "report.html").read_text(encoding="utf-8")
    assert page.count('src="data:image/png;base64,') == len(COMPARE_FIGURES)
    assert '<html lang="nl">' in page
    md = (out / "report.md").read_text(encoding="utf-8")
    assert all(f"]({name}.png)" in md for name in COMPARE_FIGURES)
    # provenance: hashes, seed, versions
    manifest = json.loads((compared / "manifest.json").read_text())
    for entry in manifest["scenarios"].values():
        assert entry["hash"][:12] in md and entry["hash"][:12] in page
    assert str(manifest["seed"]) in md
    assert manifest["versions"]["anwsim"] in md
    # the headline table, in Dutch, with decimal commas
    assert L.t("page.headline", "nl") in md
    assert L.kpi("within_nts_norm", "nl") in md


def test_build_report_returns_figures_and_default_directory(compared: Path, tmp_path: Path) -> None:
    target = tmp_path / "copy"
    shutil.copytree(compared, target)
    figures = build_report(target, formats=("svg",))
    assert set(figures) == COMPARE_FIGURES
    assert all(isinstance(f, Figure) for f in figures.values())
    assert sorted(p.name for p in (target / "report").glob("*.svg")) == sorted(
        f"{n}.svg" for n in COMPARE_FIGURES
    )
    assert not list((target / "report").glob("*.png"))
    assert all(caption(f) for f in figures.values())


def test_command_errors(tmp_path: Path, compared: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(report, [str(tmp_path)])
    assert result.exit_code == 2
    assert "error:" in result.output and "manifest.json" in result.output
    result = runner.invoke(report, [str(compared), "--format", "png,gif"])
    assert result.exit_code == 2
    assert "gif" in result.output
    result = runner.invoke(report, [str(compared), "--lang", "fr"])
    assert result.exit_code == 2


# --------------------------------------------------------------------------- content


def test_every_mean_has_its_confidence_interval(figures: dict[str, Figure]) -> None:
    """Wherever bars show means, each bar series has error bars with whiskers."""
    seen = 0
    for fig in figures.values():
        for ax in _all_axes(fig):
            bars = _bars(ax)
            errors = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
            assert len(errors) >= len(bars)
            for container in errors:
                (whiskers,) = container.lines[2]
                segments = whiskers.get_segments()
                finite = [s for s in segments if np.isfinite(s).all()]
                assert finite, "a whisker collection without any whisker"
                seen += 1
    assert seen >= 10


def test_access_time_by_urgency(results: Results, figures: dict[str, Figure]) -> None:
    fig = figures["access_time"]
    names = display_names(results, "en")
    axes = _all_axes(fig)
    assert [ax.get_title(loc="left") for ax in axes] == ["U0", "U1", "U2", "U3", "U4"]
    assert axes[0].get_ylabel() == L.t("axis.call_to_doctor", "en")
    assert axes[0].get_ylabel().endswith("(min)")
    norms = {"U0": 15, "U1": 15, "U2": 60, "U3": 180, "U4": 1440}
    # U4's 24-hour norm is drawn in hours, the others in minutes
    scales = {"U0": 1, "U1": 1, "U2": 1, "U3": 1, "U4": 60}
    assert axes[4].get_ylabel() == "Call to doctor, mean (h)"
    lines = _lines(fig, "norm:")
    for ax, urgency in zip(axes, norms, strict=True):
        bars = _bars(ax)
        assert [b.get_label() for b in bars] == [names[s] for s in results.labels]
        for container, scenario in zip(bars, results.labels, strict=True):
            (patch,) = container.patches
            expected = _mean(results, scenario, "call_to_doctor_mean", urgency)
            assert patch.get_height() == pytest.approx(expected / scales[urgency])
        assert _whiskers(ax)
        assert _is_horizontal_at(lines[f"norm:{urgency}"], norms[urgency] / scales[urgency])
        assert lines[f"norm:{urgency}"].axes is ax
        assert ax.get_ylim()[1] > norms[urgency] / scales[urgency]


def test_within_norm_one_bar_group_per_scenario(
    results: Results, figures: dict[str, Figure]
) -> None:
    (ax,) = _all_axes(figures["within_norm"])
    assert ax.get_ylabel() == "Seen within norm (%)"
    bars = _bars(ax)
    assert len(bars) == len(results.labels) == 2
    for container, scenario in zip(bars, results.labels, strict=True):
        heights = [p.get_height() for p in container.patches]
        expected = [
            _mean(results, scenario, "within_nts_norm", u) for u in ("U0", "U1", "U2", "U3", "U4")
        ]
        assert heights == pytest.approx(np.nan_to_num(expected))
    # whiskers never leave 0..100%
    for whiskers in _whiskers(ax):
        y = np.concatenate([s[:, 1] for s in whiskers.get_segments()])
        assert np.nanmax(y) <= 100.0 + 1e-9 and np.nanmin(y) >= 0.0
    assert [t.get_text() for t in ax.get_xticklabels()][2] == "U2\n≤ 60 min"


def test_phone_distribution_and_service_levels(figures: dict[str, Figure]) -> None:
    fig = figures["phone"]
    norms = _lines(fig, "norm:")
    assert _is_vertical_at(norms["norm:answered_within_urgent_norm"], 0.5)
    assert _is_vertical_at(norms["norm:answered_within_norm"], 2.0)
    assert _is_vertical_at(norms["norm:answered_within_max"], 10.0)
    targets = _lines(fig, "target:")
    assert _is_horizontal_at(targets["target:answered_within_norm"], 75.0)
    assert _is_horizontal_at(targets["target:answered_within_urgent_norm"], 90.0)
    labels = {ax.get_xlabel() for ax in _all_axes(fig)} | {ax.get_ylabel() for ax in _all_axes(fig)}
    assert "Answer time (min)" in labels
    assert "Share of calls or callers (%)" in labels
    service = next(ax for ax in _all_axes(fig) if ax.get_title(loc="left") == "Service levels")
    assert len(_bars(service)) == 2 and all(len(b.patches) == 4 for b in _bars(service))


def test_ambulance_distribution_norms(figures: dict[str, Figure]) -> None:
    fig = figures["ambulance"]
    norms = _lines(fig, "norm:")
    assert _is_vertical_at(norms["norm:A1"], 15.0)
    assert _is_vertical_at(norms["norm:A2"], 30.0)
    assert _is_vertical_at(norms["norm:call_to_seh"], 45.0)
    a1 = norms["norm:A1"].axes
    assert a1.get_xlabel() == "Incident to ambulance on scene (min)"
    assert a1.get_ylabel() == "Rides (cumulative %)"
    handoff = next(
        ax for ax in _all_axes(fig) if ax.get_title(loc="left") == "Handoff delay per SEH"
    )
    assert handoff.get_ylabel() == "Handoff delay, mean (min)"
    assert len(_bars(handoff)) == 2


def test_event_log_times_match_the_kpis(results: Results) -> None:
    """The report's per-patient times (event log + re-drawn urgencies) reproduce the
    KPIs of every replication: the A1 share within 15 min and the mean answer wait."""
    kpis = results.kpis
    for scenario in results.labels:
        patients = results.patients(scenario)
        assert patients is not None and (patients["urgency"] >= 0).all()
        for r, group in patients.groupby("replication"):
            a1 = group.loc[group["ambulance_urgency"] == 0, "response"].dropna()
            row = kpis[
                (kpis["scenario"] == scenario)
                & (kpis["replication"] == r)
                & (kpis["kpi"] == "ambulance_response_within_norm")
                & (kpis["group"] == "A1")
            ]
            assert 100 * (a1 <= 15).mean() == pytest.approx(row["value"].iloc[0])
            row = kpis[
                (kpis["scenario"] == scenario)
                & (kpis["replication"] == r)
                & (kpis["kpi"] == "answer_time_mean")
            ]
            waits = group["answer_wait"].dropna()
            assert waits.mean() == pytest.approx(row["value"].iloc[0])


def test_workload_heatmap(results: Results, figures: dict[str, Figure]) -> None:
    fig = figures["workload"]
    meshes = {
        m.get_gid(): m
        for ax in _all_axes(fig)
        for m in ax.collections
        if isinstance(m, QuadMesh) and m.get_gid()  # not the colour bars' own meshes
    }
    assert set(meshes) == {
        "utilisation:baseline",
        "utilisation:night_closed",
        "difference:night_closed",
    }
    base = meshes["utilisation:baseline"].get_array()
    assert base.shape[1] == 168
    assert base.min() >= 0 and base.max() <= 100
    # the night closure loads the remaining night GP (hap_a, doubled) differently
    assert np.nanmax(np.abs(meshes["difference:night_closed"].get_array())) > 0
    assert results.hourly("baseline").source == "replications"
    colourbars = {ax.get_ylabel() for ax in _all_axes(fig)}
    assert "Utilisation (%)" in colourbars
    assert "Difference to base (percentage points)" in colourbars
    xlabels = [ax.get_xlabel() for ax in _all_axes(fig) if ax.get_xlabel()]
    assert xlabels == ["Hour of the week (h, from Monday 00:00)"]
    # days of the week on the bottom panel's hour axis, not hour numbers
    bottom = next(ax for ax in _all_axes(fig) if ax.get_xlabel())
    days = [t.get_text() for t in bottom.get_xticklabels(minor=True)]
    assert days == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def test_capacity_staffed_from_rosters(results: Results, figures: dict[str, Figure]) -> None:
    fig = figures["capacity"]
    staffed = _lines(fig, "staffed:")
    saturday_11 = 5 * 24 + 11
    base = staffed["staffed:gp_consult:baseline"].get_ydata()
    variant = staffed["staffed:gp_consult:night_closed"].get_ydata()
    assert base[saturday_11] == 7  # 3 + 2 + 2 consult GPs on a Saturday morning
    tuesday_3 = 24 + 3
    assert base[tuesday_3] == 3 and variant[tuesday_3] == 2
    assert staffed["staffed:triagist:baseline"].get_ydata()[saturday_11] == 7
    assert all(ax.get_ylabel() == "Staff (persons)" for ax in _all_axes(fig)[:4])
    needed = [
        c for ax in _all_axes(fig) for c in ax.collections if c.get_gid() == "needed:triagist"
    ]
    assert len(needed) == 1


def test_travel_day_and_night(figures: dict[str, Figure]) -> None:
    fig = figures["travel"]
    for line in _lines(fig, "norm:").values():
        assert _is_vertical_at(line, 30.0)
    curves = _lines(fig, "travel:")

    def share_within(gid: str, minutes: float) -> float:
        x, y = curves[gid].get_xdata(), curves[gid].get_ydata()
        return float(y[np.searchsorted(x, minutes, side="right") - 1])

    # evenings: the same posts are open; at night the variant has only post A
    assert share_within("travel:evening:baseline", 20) == share_within(
        "travel:evening:night_closed", 20
    )
    assert share_within("travel:night:night_closed", 20) < share_within("travel:night:baseline", 20)
    assert share_within("travel:night:baseline", 1e3) == pytest.approx(100.0)
    assert _all_axes(fig)[0].get_xlabel() == "Car travel time to the GP post (min)"


def test_differences_chart(results: Results, figures: dict[str, Figure]) -> None:
    fig = figures["differences"]
    top, bottom = _all_axes(fig)
    assert top.get_xlabel() == "Difference to base (percentage points)"
    assert bottom.get_xlabel() == "Difference to base (min)"
    labels = [t.get_text() for t in top.get_yticklabels()]
    assert "Seen within NTS norm, U2 ↑" in labels
    d = results.differences
    row = d[(d["kpi"] == "travel_to_post_within_norm") & (d["group"] == "all")]
    index = labels.index("Travel to the GP post within norm ↑")
    points = [line for line in top.get_lines() if line.get_marker() not in ("None", None, "")]
    at_row = [p for p in points if abs(p.get_ydata()[0] - index) < 0.5]
    assert at_row[0].get_xdata()[0] == pytest.approx(row["difference"].iloc[0])
    assert row["difference"].iloc[0] < 0  # fewer inhabitants within 30 min


def test_language_switch(
    results: Results, figures: dict[str, Figure], figures_nl: dict[str, Figure]
) -> None:
    for name in figures:
        en = [(ax.get_xlabel(), ax.get_ylabel()) for ax in _all_axes(figures[name])]
        nl = [(ax.get_xlabel(), ax.get_ylabel()) for ax in _all_axes(figures_nl[name])]
        assert len(en) == len(nl)
        assert [x for x in en if any(x)] != [x for x in nl if any(x)], name
        assert figures[name].get_suptitle() != figures_nl[name].get_suptitle()
        assert caption(figures[name]) != caption(figures_nl[name])
    # the labels come from the one translation table
    en_ax = _all_axes(figures["access_time"])[0]
    nl_ax = _all_axes(figures_nl["access_time"])[0]
    assert en_ax.get_ylabel() == L.TEXT["axis.call_to_doctor"][0]
    assert nl_ax.get_ylabel() == L.TEXT["axis.call_to_doctor"][1]
    assert _all_axes(figures_nl["within_norm"])[0].get_ylabel() == L.t("axis.within_norm", "nl")
    assert _all_axes(figures_nl["travel"])[0].get_xlabel() == L.t("axis.travel", "nl")
    assert any("(basis)" in n for n in display_names(results, "nl").values())
    # Dutch decimal commas on numeric ticks
    ax = _all_axes(figures_nl["phone"])[0]
    formatted = ax.yaxis.get_major_formatter()(97.5, 0)
    assert formatted == "97,5"


# --------------------------------------------------------------------------- other kinds


def test_run_without_event_logs(run_without_events: Results) -> None:
    figs = make_figures(run_without_events, "en")
    assert "differences" not in figs
    phone = figs["phone"]
    texts = [t.get_text() for sub in phone.subfigs for t in sub.texts]
    assert any("--log full" in t for t in texts)
    assert "--log full" in caption(phone)
    ambulance = figs["ambulance"]
    norms = _lines(ambulance, "norm:")
    assert _is_horizontal_at(norms["norm:A1"], 15.0)  # over the A1 bars
    assert _is_horizontal_at(norms["norm:A2"], 30.0)
    response = norms["norm:A1"].axes
    assert response.get_ylabel() == "Response time, mean (min)"
    assert len(_bars(response)) == 1 and len(_bars(response)[0].patches) == 3
    assert _whiskers(response)


def test_sweep_figure(compared: Path, tmp_path: Path) -> None:
    path = "rosters.hap_a.gp_consult.0.staff"

    def edit(m: dict[str, Any]) -> None:
        m["kind"] = "sweep"
        m["grid"] = {path: [2, 3]}
        m["points"] = {"baseline": {path: 2}, "night_closed": {path: 3}}

    results = Results.open(_copy(compared, tmp_path / "s", edit))
    figs = make_figures(results, "en")
    assert "sweep" in figs and "differences" not in figs
    fig = figs["sweep"]
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == 9
    u2 = next(ax for ax in axes if ax.get_title(loc="left").startswith("Seen within NTS norm, U2"))
    (line,) = [ln for ln in u2.get_lines() if ln.get_linestyle() != "None"]
    assert list(line.get_xdata()) == [2.0, 3.0]
    expected = [_mean(results, s, "within_nts_norm", "U2") for s in ("baseline", "night_closed")]
    assert list(line.get_ydata()) == pytest.approx(expected)
    assert any(isinstance(c, LineCollection) for c in u2.collections)  # CI whiskers
    # the swept field by its readable name (site from the scenario); the raw path in the caption
    assert (
        axes[-1].get_xlabel().replace("\n", " ") == "GP, consults: staff (HAP A, block 1) (persons)"
    )
    assert path in caption(fig)
    assert u2.get_ylabel() == "Share (%)"
    assert display_names(results, "en") == {"baseline": "2", "night_closed": "3"}


def test_workload_tables_missing_are_said_not_simulated(compared: Path, tmp_path: Path) -> None:
    """Without per-hour files the report does not simulate (it only reads results): the
    workload is empty with source ``missing``, a note says so, and so does the caption."""
    copy = _copy(
        compared,
        tmp_path / "f",
        lambda m: m["scenarios"].pop("night_closed"),
        ("hourly", "utilisation_by_hour.parquet", "utilisation_by_hour.csv", "events"),
    )
    results = Results.open(copy)
    hourly = results.hourly("baseline")
    assert hourly.source == "missing" and hourly.frame.empty
    assert results.hourly_missing == ["baseline"]
    assert "no_hourly" in results.notes
    fig = make_figures(results, "en")["workload"]
    assert "no per-hour workload tables" in caption(fig)


def test_workload_with_many_scenarios_shows_the_base_and_differences(
    results: Results, monkeypatch: pytest.MonkeyPatch
) -> None:
    from anwsim.report import figures as F

    monkeypatch.setattr(F, "MAX_ABSOLUTE", 1)
    fig = F.workload(results, "en")
    gids = {
        m.get_gid()
        for ax in _all_axes(fig)
        for m in ax.collections
        if isinstance(m, QuadMesh) and m.get_gid()
    }
    assert gids == {"utilisation:baseline", "difference:night_closed"}
    assert "only the base is shown in full" in caption(fig)


def test_results_without_queue_tables_say_so_and_skip_the_figure(
    compared: Path, tmp_path: Path
) -> None:
    """A directory written before queue tables existed: no queues figure, and the page
    says why (in both languages)."""
    copy = _copy(compared, tmp_path / "q", lambda m: None, ("queues", "queues_by_hour.parquet"))
    results = Results.open(copy)
    assert results.queues("baseline") is None
    assert "no_queues" in results.notes and "no_queues" not in Results.open(compared).notes
    assert "queues" not in applicable(results)
    assert any("no queue tables" in note for note in notes(results, "en"))
    assert any("wachtrijen" in note for note in notes(results, "nl"))


def test_tables_written_before_they_carried_scenario_and_replication_read_the_same(
    compared: Path, tmp_path: Path
) -> None:
    """Per-replication tables without a ``replication`` column (all of them, or some:
    a run resumed by a newer version) take it from their file names, and KPI files
    without ``scenario`` from their folder: what a report reads is what it read from the
    tables that carry them."""
    import pandas as pd

    reference = Results.open(compared)
    copy = _copy(compared, tmp_path / "old", lambda m: None, ("kpis.parquet",))
    for kind, column, files in (
        ("hourly", "replication", slice(None)),
        ("queues", "replication", slice(1, None)),
        ("kpis", "scenario", slice(None, 1)),
    ):
        for path in sorted((copy / kind / "baseline").glob("rep-*.parquet"))[files]:
            pd.read_parquet(path).drop(columns=[column]).to_parquet(path)
    results = Results.open(copy)
    assert results.notes == ["incomplete"]  # no combined KPI table: read per replication
    pd.testing.assert_frame_equal(
        results.kpis.sort_values(["scenario", "replication", "kpi", "group"], ignore_index=True),
        reference.kpis.sort_values(["scenario", "replication", "kpi", "group"], ignore_index=True),
    )
    for label in reference.labels:
        for got, want in (
            (results.hourly(label).frame, reference.hourly(label).frame),
            (results.queues(label), reference.queues(label)),
        ):
            assert got is not None and want is not None
            pd.testing.assert_frame_equal(got, want, check_like=True, check_dtype=False)


def test_a_report_interrupted_while_saving_leaves_no_half_written_file(
    compared: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Figures and pages are written whole or not at all: a save that fails half-way
    (as a Ctrl-C would) leaves neither the figure nor a temporary file behind, and a
    finished report leaves no temporary file either."""
    out = tmp_path / "report"
    build_report(compared, formats=("png",), out=out)
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]

    def interrupted(self: Figure, fname: Any, *args: Any, **kwargs: Any) -> None:
        Path(fname).write_bytes(b"\x89PNG half")  # part of the file, then the interruption
        raise KeyboardInterrupt

    monkeypatch.setattr(Figure, "savefig", interrupted)
    fresh = tmp_path / "fresh"
    with pytest.raises(KeyboardInterrupt):
        build_report(compared, formats=("png",), out=fresh)
    assert list(fresh.iterdir()) == []
