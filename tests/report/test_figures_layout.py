"""Figures for many scenarios: every scenario drawn in every figure, distinct looks,
times in the reader's unit, CIs cut to what is possible, and names with ``$``.

One comparison of 30 scenarios is run per module (the baseline, the shipped variants
and copies of the baseline under other names, one of them ``Kosten $5 $x$`` with a site
named ``HAP $A$``; 2 replications of 1 week with per-patient event logs), so that the
figures lay out more scenarios than a palette has colours.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import QuadMesh
from matplotlib.container import BarContainer, ErrorbarContainer
from matplotlib.figure import Figure

import anwsim
from anwsim.report import Results, caption, style
from anwsim.report import figures as F
from anwsim.report import labels as L

REPO_ROOT = Path(__file__).resolve().parents[2]
BASELINE = REPO_ROOT / "scenarios" / "baseline.yaml"
SHORT = ["run.horizon_weeks=1", "run.warmup_weeks=0.25"]
N = 30
DOLLAR = "Kosten $5 $x$"
MINE = ("access_time", "within_norm", "phone", "workload", "capacity", "ambulance", "travel")


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Results:
    root = tmp_path_factory.mktemp("many")
    variants = sorted((REPO_ROOT / "scenarios").glob("s*.yaml"))
    dollar = root / "dollar.yaml"
    dollar.write_text(
        f"extends: {BASELINE}\nname: '{DOLLAR}'\n"
        "sites:\n  gp_posts:\n    hap_a:\n      name: 'HAP $A$ (Goes)'\n"
        "  sehs:\n    seh_1:\n      name: 'SEH $1$ (Goes)'\n",
        encoding="utf-8",
    )
    variants.append(dollar)
    for i in range(N - 1 - len(variants)):
        copy = root / f"copy_{i:02d}.yaml"
        copy.write_text(f"extends: {BASELINE}\nname: Copy {i} of the baseline\n", "utf-8")
        variants.append(copy)
    out = root / "compare"
    anwsim.compare(
        BASELINE, variants, out=out, replications=2, overrides=SHORT, log="full", workers=1
    )
    return Results.open(out)


@pytest.fixture(scope="module")
def figures(many: Results) -> dict[str, Figure]:
    names = [*MINE, "differences"]
    out = {}
    with style.context():
        for name in names:
            out[name] = F.FIGURES[name](many, "en")
    return out


def _axes(fig: Figure) -> list[Axes]:
    out: list[Axes] = []
    stack: list = [fig]
    while stack:
        container = stack.pop()
        stack.extend(getattr(container, "subfigs", []))
        out.extend(ax for ax in container.axes if ax not in out)
    return out


def _gids(fig: Figure, prefix: str) -> set[str]:
    """The labels of the scenarios drawn by artists whose gid is ``prefix:<label>``."""
    return {
        str(a.get_gid()).removeprefix(prefix)
        for ax in _axes(fig)
        for a in [*ax.get_lines(), *ax.collections]
        if str(a.get_gid() or "").startswith(prefix)
    }


def _bar_labels(ax: Axes) -> list[str]:
    return [c.get_label() for c in ax.containers if isinstance(c, BarContainer)]


# --------------------------------------------------------------------------- every scenario


def test_every_figure_draws_every_scenario(many: Results, figures: dict[str, Figure]) -> None:
    labels = many.labels
    assert len(labels) == N
    names = F.display_names(many, "en")
    everyone = [names[x] for x in labels]
    for name in ("access_time", "within_norm"):
        panels = [ax for ax in _axes(figures[name]) if _bar_labels(ax)]
        assert len(panels) == 5, name  # U0..U4
        for ax in panels:
            assert _bar_labels(ax) == everyone, name
        # a row per scenario: the names on the (shared) axis, in order
        assert [t.get_text() for t in panels[0].get_yticklabels()] == everyone
    phone = figures["phone"]
    assert _gids(phone, "answer:urgent:") == set(labels)
    assert _gids(phone, "answer:other:") == set(labels)
    assert all(_bar_labels(ax) == everyone for ax in _axes(phone) if _bar_labels(ax))
    ambulance = figures["ambulance"]
    for key in ("A1", "A2", "call_to_seh"):
        assert _gids(ambulance, f"ride:{key}:") == set(labels)
    handoff = [ax for ax in _axes(ambulance) if _bar_labels(ax)]
    assert handoff and all(_bar_labels(ax) == everyone for ax in handoff)
    travel = figures["travel"]
    assert _gids(travel, "travel:evening:") == _gids(travel, "travel:night:") == set(labels)
    assert _gids(figures["capacity"], "staffed:triagist:") == set(labels)
    workload = figures["workload"]
    assert _gids(workload, "utilisation:") == {many.base}
    assert _gids(workload, "difference:") == set(labels) - {many.base}
    drawn = {g.rsplit(":", 1)[-1] for g in _gids(figures["differences"], "difference:")}
    assert drawn == set(labels) - {many.base}


def test_line_charts_split_over_panels_with_the_base_in_each(
    many: Results, figures: dict[str, Figure]
) -> None:
    chunks = F.line_chunks(many.labels, many.base)
    assert all(chunk[0] == many.base for chunk in chunks)
    assert all(len(chunk) <= style.LINES_PER_PANEL for chunk in chunks)
    others = [x for chunk in chunks for x in chunk[1:]]
    assert others == [x for x in many.labels if x != many.base]  # each once, in order
    assert max(map(len, chunks)) - min(map(len, chunks)) <= 1  # near-equal parts
    # the travel figure: one row of (evening, night) panels per part
    curves = [ax for ax in _axes(figures["travel"]) if ax.get_lines()]
    assert len(curves) == 2 * len(chunks)
    assert "each row of panels shows at most 7" in caption(figures["travel"])
    assert F.line_chunks(["a", "b", "c"], "a") == [["a", "b", "c"]]


def test_workload_difference_panels_keep_their_height(figures: dict[str, Figure]) -> None:
    """With 29 differences the panels go in two columns, each as tall as the base's."""
    meshes = {
        m.get_gid(): ax
        for ax in _axes(figures["workload"])
        for m in ax.collections
        if isinstance(m, QuadMesh) and m.get_gid()
    }
    base = next(ax for gid, ax in meshes.items() if gid.startswith("utilisation:"))
    diffs = [ax for gid, ax in meshes.items() if gid.startswith("difference:")]
    figure = figures["workload"]
    figure.canvas.draw()  # constrained layout places the axes
    heights = [ax.get_window_extent().height / figure.dpi for ax in diffs]
    base_h = base.get_window_extent().height / figure.dpi
    assert min(heights) > 0.5 * base_h > 0.3  # inches
    columns = {round(ax.get_window_extent().x0) for ax in diffs}
    assert len(columns) == 2
    # role names on the rows, days of the week on the hour axis, units on the colour bars
    assert L.role("gp_consult", "en") in [t.get_text() for t in base.get_yticklabels()]
    labels = {ax.get_xlabel() for ax in _axes(figure)} | {ax.get_ylabel() for ax in _axes(figure)}
    assert "Utilisation (%)" in labels
    assert "Difference to base (percentage points)" in labels
    bottom = [ax for ax in diffs if ax.get_xlabel()]
    assert bottom and all(
        [t.get_text() for t in ax.get_xticklabels(minor=True)][:2] == ["Mon", "Tue"]
        for ax in bottom
    )


# --------------------------------------------------------------------------- looks


@pytest.mark.parametrize("count", [N, style.DISTINCT_LOOKS])
def test_every_scenario_has_its_own_look(count: int) -> None:
    looks = [style.look(k) for k in range(count)]
    for pair in (
        lambda s: (s.colour, s.hatch),  # bars, also in black and white by the hatch
        lambda s: (s.colour, s.marker),
        lambda s: (s.colour, str(s.linestyle)),  # lines
    ):
        assert len({pair(s) for s in looks}) == count
    # the first eight are the palette in its order, as before
    assert [s.colour for s in looks[:8]] == list(style.SCENARIO_COLOURS)
    assert [s.hatch for s in looks[:8]] == list(style.HATCHES)


def test_legend_of_many_lines_lists_each_scenario_once(
    many: Results, figures: dict[str, Figure]
) -> None:
    names = F.display_names(many, "en")
    legend = figures["travel"].legends[0]
    texts = [t.get_text() for t in legend.get_texts()]
    assert texts[:N] == [names[x] for x in many.labels]
    assert legend.get_texts()[0].get_fontsize() < 7.5  # smaller text for many entries


# --------------------------------------------------------------------------- units and CIs


def test_times_in_hours_where_the_norm_is_a_day(figures: dict[str, Figure]) -> None:
    panels = {
        ax.get_title(loc="left"): ax for ax in _axes(figures["access_time"]) if _bar_labels(ax)
    }
    assert panels["U4  ≤ 24 h"].get_xlabel() == "Time (h)"
    assert panels["U0  ≤ 15 min"].get_xlabel() == "Time (min)"
    norm = next(ln for ln in panels["U4  ≤ 24 h"].get_lines() if ln.get_gid() == "norm:U4")
    assert np.allclose(norm.get_xdata(), 24.0)
    assert F.time_scale(1440.0, 120.0) == (60.0, "h")
    assert F.time_scale(180.0, 55.0) == (1.0, "min")
    assert F.in_unit("Call to doctor, mean (min)", "h", "nl") == "Call to doctor, mean (u)"


def _whisker_x(ax: Axes) -> np.ndarray:
    segments = [
        s
        for c in ax.containers
        if isinstance(c, ErrorbarContainer) and c.lines[2]
        for s in c.lines[2][0].get_segments()
    ]
    segments = [s for s in segments if s.ndim == 2 and s.size]
    return np.concatenate([s[:, 0] for s in segments]) if segments else np.array([])


def test_intervals_stop_at_what_is_possible(many: Results, figures: dict[str, Figure]) -> None:
    seen = 0
    for name in ("within_norm", "phone", "ambulance", "access_time"):
        for ax in _axes(figures[name]):
            x = _whisker_x(ax)
            if not x.size:
                continue
            seen += 1
            assert np.nanmin(x) >= 0.0, name  # no negative share or time
            if ax.get_xlabel() == "Share (%)":
                assert np.nanmax(x) <= 100.0 + 1e-9, name
    assert seen >= 15
    # a 99% share with a ±3 pp CI: the upper whisker stops at 100
    err = F._clipped_error(np.array([99.0, 1.0]), np.array([3.0, 3.0]), 0.0, 100.0)
    assert err.tolist() == [[3.0, 1.0], [1.0, 3.0]]
    # two replications: the caption says the intervals are wide and uncertain
    text = caption(figures["within_norm"])
    assert "Only 2 replications per scenario (fewer than 5)" in text
    assert "Whiskers stop at what is possible" in text


def test_wide_interval_count(many: Results) -> None:
    wide, total = F.wide_intervals(many, ["within_nts_norm"])
    rows = many.kpi("within_nts_norm").dropna(subset=["half_width", "mean"])
    assert total == len(rows)
    assert wide == int((rows["half_width"] > F.WIDE_SHARE_PP).sum())


# --------------------------------------------------------------------------- names with $


def test_dollar_in_names_is_text_not_mathtext(
    many: Results, figures: dict[str, Figure], tmp_path: Path
) -> None:
    label = next(x for x in many.labels if many.manifest["scenarios"][x].get("name") == DOLLAR)
    name = F.display_names(many, "en")[label]
    assert "$" in name
    ticks = [
        t
        for ax in _axes(figures["within_norm"])
        for t in ax.get_yticklabels()
        if t.get_text() == name
    ]
    assert ticks and all(not t.get_parse_math() for t in ticks)
    # a site name with dollars, as the figures write it (a sweep axis, a panel title)
    site = F.field_label("rosters.hap_a.gp_consult.0.staff", many.scenario(label), "en")
    assert site == "GP, consults: staff (HAP $A$, block 1)"
    with style.context():
        fig = style.new_figure(1.0)
        ax = fig.subplots()
        ax.set_title(site)  # two dollars: mathtext would set "A" in italics
        ax.set_xlabel(str(many.scenario(label).sites.sehs["seh_1"].name))
        ax.set_ylabel(f"{DOLLAR} $")  # an odd "$ $x$ $": mathtext would raise
        for fmt in ("png", "svg"):
            fig.savefig(io.BytesIO(), format=fmt)
    assert ax.get_xlabel() == "SEH $1$ (Goes)"
    assert not ax.title.get_parse_math() and not ax.xaxis.label.get_parse_math()
    with style.context():
        for fname, fig in figures.items():
            for fmt in ("png", "svg"):
                buffer = io.BytesIO()
                fig.savefig(buffer, format=fmt, dpi=40)
                assert buffer.getvalue(), (fname, fmt)


def test_differences_as_a_panel_per_kpi(many: Results, figures: dict[str, Figure]) -> None:
    fig = figures["differences"]
    panels = [ax for ax in _axes(fig) if ax.get_visible() and ax.get_lines()]
    assert len(panels) >= 10
    xlabels = {ax.get_xlabel() for ax in panels}
    assert xlabels <= {"Difference (pp)", "Difference (min)", "Difference (h)"}
    d = many.differences
    row = d[(d["kpi"] == "within_nts_norm") & (d["group"] == "U2")].set_index("scenario")
    point = next(
        ln
        for ax in panels
        for ln in ax.get_lines()
        if ln.get_gid() == f"difference:within_nts_norm:U2:{many.labels[3]}"
    )
    assert point.get_xdata()[0] == pytest.approx(row.loc[many.labels[3], "difference"])
    assert point.get_ydata()[0] == 2  # the third row: scenario 3 (the base has none)


# --------------------------------------------------------------------------- sweep fields


def test_field_label(many: Results) -> None:
    scenario = many.scenario(many.base)
    path = "rosters.hap_a.gp_consult.0.staff"
    assert F.field_label(path, scenario, "en") == "GP, consults: staff (HAP A, block 1)"
    # Dutch from the same table (its words are under review): role, field, site, block
    staff, block = L.t("field.word.staff", "nl"), L.t("field.block", "nl", n=1)
    assert F.field_label(path, scenario, "nl") == (
        f"{L.role('gp_consult', 'nl')}: {staff} (HAP A, {block})"
    )
    assert F.field_label("sites.gp_posts.hap_b.opening", scenario, "en") == "Opening hours (HAP B)"
    demand = L.t("field.section.demand", "nl")
    assert F.field_label("demand.growth_factor", scenario, "nl") == f"Growth factor ({demand})"
