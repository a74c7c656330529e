"""The report's charts: one function per figure, each returning a matplotlib `Figure`.

Every function takes an opened result directory (`Results`) and a language and is pure
apart from reading files. Call them inside `anwsim.report.style.context()` (as
`anwsim.report.make_figures` does) so they get the report's look. Each figure carries
its caption (`anwsim.report.style.caption(fig)`): what is shown, where the data come
from and how derived quantities are defined.

Conventions: scenario *k* has the same colour, hatch, marker and line style everywhere;
a mean is always drawn with its 95% CI (t-based, over replications); norms are dashed
near-black lines, targets dotted; norm and target lines carry a ``gid`` of the form
``norm:<what>`` / ``target:<what>`` so that tests and SVG readers can find them.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.legend_handler import HandlerTuple
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.ticker import FuncFormatter, ScalarFormatter
from scipy import stats

from anwsim.metrics.definitions import (
    DIFFERENCE_CHART_MIN,
    DIFFERENCE_CHART_PP,
    KPIS,
    PHONE_SERVICE_LEVELS,
    SWEEP_CHART,
)
from anwsim.report import derived, maps, queues, ranking, style
from anwsim.report import labels as L
from anwsim.report.data import Results
from anwsim.scenario import ROLES, URGENCIES
from anwsim.scenario.schema import AMBULANCE_URGENCIES

INK = style.INK
NAN = float("nan")
MAX_ABSOLUTE = 4
"""The workload heatmap shows every scenario in full up to this many; beyond, the base
in full and the others as differences only."""
MAX_ONE_COLUMN = 4
"""Up to this many difference panels of the workload heatmap stack in one column;
more go in two columns (each as tall as the base's panel)."""
MAX_BANDS = 3
"""Cumulative charts draw CI bands for at most this many scenarios (more overlap into
an unreadable mass; the legend then still gives each KPI at the norm ± 95% CI)."""

DIFF_ROWS_PP = DIFFERENCE_CHART_PP
"""Share KPIs of the difference chart (declared in `anwsim.metrics.definitions`)."""
DIFF_ROWS_MIN = DIFFERENCE_CHART_MIN
"""Time KPIs of the difference chart (declared in `anwsim.metrics.definitions`)."""
SWEEP_KPIS = SWEEP_CHART
"""KPIs of the sweep chart (declared in `anwsim.metrics.definitions`)."""


# --------------------------------------------------------------------------- helpers


def shown(results: Results) -> list[str]:
    """The scenario labels every figure draws: all of them, in order (figures lay
    themselves out for any number; none is ever dropped)."""
    return list(results.labels)


def as_rows(labels: Sequence[str]) -> bool:
    """Whether bar charts draw a row per scenario (`style.ROWS_FROM` or more)."""
    return len(labels) >= style.ROWS_FROM


def line_chunks(labels: Sequence[str], base: str) -> list[list[str]]:
    """Scenarios of a line chart split over panels of at most `style.LINES_PER_PANEL`
    lines: all in one when they fit; else the others in near-equal parts, each with the
    base first as the reference, in their order."""
    size = style.LINES_PER_PANEL
    if len(labels) <= size:
        return [list(labels)]
    others = [x for x in labels if x != base]
    parts = math.ceil(len(others) / (size - 1))
    return [[base, *list(chunk)] for chunk in np.array_split(np.array(others, dtype=object), parts)]


HOURS_FROM = 300.0
"""A time axis (or panel) whose top exceeds this many minutes is drawn in hours: a
reader thinks of U4's 24-hour norm as 24 h, not 1,440 minutes."""


def time_scale(*tops: float) -> tuple[float, str]:
    """(divisor, unit) for a time axis reaching ``max(tops)`` minutes: (60, "h") beyond
    `HOURS_FROM`, else (1, "min")."""
    finite = [float(t) for t in tops if np.isfinite(t)]
    return (60.0, "h") if finite and max(finite) > HOURS_FROM else (1.0, "min")


def in_unit(text: str, unit: str, lang: str) -> str:
    """An axis label written with "(min)" carried over to ``unit`` ("h": "(h)"/"(u)")."""
    if unit == "min":
        return text
    return text.replace("(min)", f"({L.unit(unit, lang)})")


def _clipped_error(
    means: np.ndarray, hws: np.ndarray, low: float | None, high: float | None
) -> np.ndarray:
    """Asymmetric error bars (2 × n) of ``means ± hws`` cut to ``[low, high]`` (a share
    stays within 0–100%, a time at or above 0); NaN half-widths stay NaN."""
    lo = hws.copy()
    hi = hws.copy()
    if low is not None:
        lo = np.minimum(hws, np.maximum(means - low, 0))
    if high is not None:
        hi = np.minimum(hws, np.maximum(high - means, 0))
    return np.array([lo, hi])


def _short_path(path: str) -> str:
    return path if len(path) <= 36 else "…" + ".".join(path.split(".")[-3:])


def _scenario_name(entry: dict[str, Any], lang: str, label: str) -> str:
    """A scenario's name in ``lang`` from its manifest entry: ``names.<lang>`` of the
    scenario file, else its ``name``, else the label."""
    names = (entry.get("scenario") or {}).get("names") or {}
    return str(names.get(lang) or entry.get("name") or label)


def display_names(
    results: Results, lang: str, *, standalone: bool = False, full: bool = False
) -> dict[str, str]:
    """How each scenario is named in figures: its name in ``lang`` (``names`` of the
    scenario file, else ``name``; the label if names repeat), shortened to 34 characters
    unless ``full``, the base marked as such; sweep points by their swept values (in
    legends titled with the swept path just the value, unless ``standalone``: then
    ``name = value``)."""
    labels = results.labels
    if results.kind == "sweep" and results.points:
        title = legend_title(results)
        if title is not None and standalone:
            last = title.split(".")[-1]
            return {
                label: f"{last} = {next(iter(results.points.get(label, {label: label}).values()))}"
                for label in labels
            }
        if title is not None:
            return {
                label: str(next(iter(results.points.get(label, {label: label}).values())))
                for label in labels
            }
        return {
            label: ", ".join(
                f"{_short_path(p)} = {v}" for p, v in results.points.get(label, {}).items()
            )
            or label
            for label in labels
        }
    scenarios = results.manifest["scenarios"]
    names = {label: _scenario_name(scenarios[label], lang, label) for label in labels}
    if len(set(names.values())) < len(names):
        names = {label: label for label in labels}
    if not full:
        names = {k: v if len(v) <= 34 else v[:33] + "…" for k, v in names.items()}
    if results.kind == "compare" and len(labels) > 1:
        names[results.base] = L.t("base_suffix", lang, name=names[results.base])
    return names


SITE_KINDS = ("triage_centres", "gp_posts", "sehs", "integrated_posts", "ambulance_stations")
"""The site collections of a scenario that `site_names` names."""


def site_names(results: Results, lang: str, label: str | None = None) -> dict[str, str]:
    """How each site is named in ``lang``, by site id: ``names.<lang>`` of the scenario
    file, else its ``name`` (`anwsim.scenario.schema.Named.display_name`), else the id.

    With ``label``, the sites of that scenario; without, of every scenario, the base's
    name winning for a site that several scenarios name differently (others in order)."""
    labels = [label] if label is not None else [results.base, *results.labels]
    out: dict[str, str] = {}
    for each in labels:
        sites = results.scenario(each).sites
        for kind in SITE_KINDS:
            for site_id, site in getattr(sites, kind).items():
                out.setdefault(site_id, site.display_name(lang) or site_id)
    return out


def norm_handles(lang: str, *, target: bool = True) -> list[tuple[Any, str]]:
    """Legend entries for the dashed norm and the dotted target lines."""
    out: list[tuple[Any, str]] = [
        (Line2D([], [], color=INK, linestyle="--", linewidth=1.0), L.t("legend.norm_line", lang))
    ]
    if target:
        out.append(
            (
                Line2D([], [], color=INK, linestyle=":", linewidth=1.0),
                L.t("legend.target_line", lang),
            )
        )
    return out


def legend_title(results: Results) -> str | None:
    """The swept path of a one-parameter sweep (its points are then named by value)."""
    if results.kind == "sweep" and len(results.manifest.get("grid") or {}) == 1:
        return str(next(iter(results.manifest["grid"])))
    return None


def _figure_legend(
    fig: Figure,
    results: Results,
    labels: Sequence[str],
    lang: str,
    kind: str = "bar",
    extra: Sequence[tuple[Any, str]] = (),
) -> None:
    """One legend for the scenarios below the figure: hatched patches for bar charts,
    line samples for line charts, both for mixed figures; norm and target entries.
    Bar charts drawn a row per scenario (``kind="rows"``) name the scenarios on their
    axis, so their legend holds the norm and target entries only."""
    all_names = display_names(results, lang)
    names = [] if kind == "rows" else [all_names[x] for x in labels]
    handles: list[Any] = []
    for k in range(len(names)):
        s = style.look(k)
        patch = Patch(facecolor=s.colour, hatch=s.hatch or None, edgecolor=INK, linewidth=0.5)
        line = Line2D([], [], **style.line_style(k))
        handles.append(patch if kind == "bar" else line if kind == "line" else (patch, line))
    texts = list(names)
    for handle, text in extra:
        handles.append(handle)
        texts.append(text)
    if not texts:
        return
    many = len(names) > 12
    fig.legend(
        handles,
        texts,
        loc="outside lower center",
        ncols=min(len(texts), 3 if max(len(t) for t in texts) > 24 else 5),
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.4)},
        handlelength=3.2 if kind == "both" else 2.6,
        title=None if kind == "rows" else legend_title(results),
        title_fontsize=7.5,
        fontsize=6.5 if many else None,
        columnspacing=1.2 if many else None,
        labelspacing=0.3 if many else None,
    )


def _title(fig: Figure, key: str, lang: str) -> None:
    fig.suptitle(L.t(key, lang), x=0.01, ha="left")


def _single_rep(results: Results) -> bool:
    return min(results.replications.values() or [0]) < 2


FEW_REPLICATIONS = 5
"""Fewer replications than this per scenario get a caption note: their CIs are wide
(the t quantile alone is 2.78 at 5, 4.30 at 3) and the half-widths themselves unsure."""
WIDE_SHARE_PP = 10.0
"""A share's 95% CI counts as wide when its half-width exceeds this (percentage points)."""
WIDE_RELATIVE = 0.25
"""Any other mean's 95% CI counts as wide when its half-width exceeds this part of it."""


def wide_intervals(results: Results, kpis: Sequence[str]) -> tuple[int, int]:
    """(wide, total): how many of the finite 95% CIs of ``kpis`` a figure draws are
    wide (`WIDE_SHARE_PP` for shares, `WIDE_RELATIVE` of the mean otherwise)."""
    frames = [results.kpi(k) for k in kpis]
    frames = [f for f in frames if not f.empty]
    if not frames:
        return 0, 0
    rows = pd.concat(frames)
    rows = rows[np.isfinite(rows["half_width"]) & np.isfinite(rows["mean"])]
    share = rows["unit"] == "%"
    wide = np.where(
        share,
        rows["half_width"] > WIDE_SHARE_PP,
        rows["half_width"] > WIDE_RELATIVE * rows["mean"].abs(),
    )
    return int(wide.sum()), len(rows)


def _kpi_caption(results: Results, text: str, lang: str, kpis: Sequence[str] = ()) -> str:
    """A KPI figure's caption: ``text``, the source, and notes on the CIs: clipped to
    what is possible; none with one replication; few replications or wide CIs."""
    reps = sorted(set(results.replications.values()))
    count = "–".join(str(r) for r in (reps[0], reps[-1])) if len(reps) > 1 else str(reps[0])
    out = f"{text} {L.t('caption.kpi_source', lang, reps=count)}"
    return out + _ci_notes(results, lang, kpis)


def _ci_notes(results: Results, lang: str, kpis: Sequence[str]) -> str:
    """Caption notes on the CIs of ``kpis``: none with one replication; else clipped to
    what is possible, and few replications (< `FEW_REPLICATIONS`) or wide CIs."""
    if _single_rep(results):
        return L.t("caption.single_rep", lang)
    reps = sorted(set(results.replications.values()))
    out = L.t("caption.clipped", lang)
    if reps[0] < FEW_REPLICATIONS:
        out += L.t("caption.few_reps", lang, reps=reps[0], few=FEW_REPLICATIONS)
    wide, total = wide_intervals(results, kpis)
    if wide:
        out += L.t(
            "caption.wide_ci",
            lang,
            wide=wide,
            total=total,
            pp=L.number(WIDE_SHARE_PP, lang, 0),
            part=L.number(100 * WIDE_RELATIVE, lang, 0),
        )
    return out


def _values(results: Results, kpi: str) -> dict[tuple[str, str], tuple[float, float]]:
    rows = results.kpi(kpi)
    return {
        (str(scenario), str(group)): (float(mean), float(hw))
        for scenario, group, mean, hw in zip(
            rows["scenario"], rows["group"], rows["mean"], rows["half_width"], strict=True
        )
    }


def _meta(results: Results, kpi: str, column: str) -> dict[str, float]:
    """Norm (or target) per group of a KPI, from the KPI table's column."""
    rows = results.kpi(kpi)
    return {str(g): float(v) for g, v in rows.groupby("group", sort=False)[column].first().items()}


def grouped_bars(
    ax: Axes,
    groups: Sequence[str],
    labels: Sequence[str],
    names: dict[str, str],
    values: dict[tuple[str, str], tuple[float, float]],
    *,
    lang: str,
    value_labels: bool = True,
    digits: int = 1,
    percent: bool = False,
    scale: float = 1.0,
) -> list[BarContainer]:
    """Bars per group (x) and scenario (side by side) with 95% CI whiskers; one
    `BarContainer` per scenario, labelled with its display name. Whiskers never go
    below 0 (no negative share or time) nor, with ``percent``, above 100%. Values are
    divided by ``scale`` (60: minutes drawn as hours)."""
    n = len(labels)
    width = 0.8 / n
    centre = np.arange(len(groups), dtype=float)
    containers = []
    for k, label in enumerate(labels):
        xs = centre + (k - (n - 1) / 2) * width
        means = np.array([values.get((label, g), (NAN, NAN))[0] for g in groups]) / scale
        hws = np.array([values.get((label, g), (NAN, NAN))[1] for g in groups]) / scale
        yerr: Any = _clipped_error(means, hws, 0.0, 100.0 if percent else None)
        bars = ax.bar(
            xs,
            np.nan_to_num(means, nan=0.0),
            width * 0.9,
            yerr=yerr,
            label=names[label],
            **style.bar_style(k),
        )
        for patch, m in zip(bars.patches, means, strict=True):
            if not np.isfinite(m):
                patch.set_visible(False)
        containers.append(bars)
        if value_labels and n <= 4:
            for x, m, up in zip(xs, means, yerr[1], strict=True):
                if np.isfinite(m):
                    ax.annotate(
                        L.number(m, lang, digits),
                        (x, m + (up if np.isfinite(up) else 0.0)),
                        xytext=(0, 1.5),
                        textcoords="offset points",
                        ha="center",
                        va="bottom",
                        fontsize=6 if n > 2 else 6.5,
                        color=INK,
                        zorder=5,
                        bbox={"boxstyle": "square,pad=0.05", "fc": "white", "ec": "none"},
                    )
    ax.set_xticks(centre)
    ax.set_xlim(-0.5, len(groups) - 0.5)
    ax.grid(axis="x", visible=False)
    return containers


def scenario_rows(
    ax: Axes,
    labels: Sequence[str],
    names: dict[str, str],
    values: dict[str, tuple[float, float]],
    *,
    lang: str,
    percent: bool = False,
    scale: float = 1.0,
    digits: int = 1,
    value_labels: bool = True,
) -> list[BarContainer]:
    """A row per scenario (first at the top): a horizontal bar of its mean with the 95%
    CI whisker (cut to 0–100% with ``percent``, never below 0), its value at the end.
    One `BarContainer` per scenario, labelled with its display name; scenario *k* keeps
    its colour and hatch."""
    containers = []
    for k, label in enumerate(labels):
        mean, hw = values.get(label, (NAN, NAN))
        means = np.array([mean]) / scale
        hws = np.array([hw]) / scale
        err = _clipped_error(means, hws, 0.0, 100.0 if percent else None)
        bars = ax.barh(
            [k],
            np.nan_to_num(means, nan=0.0),
            0.72,
            xerr=err,
            label=names[label],
            **style.bar_style(k),
        )
        if not np.isfinite(means[0]):
            bars.patches[0].set_visible(False)
        elif value_labels:
            end = means[0] + (err[1][0] if np.isfinite(err[1][0]) else 0.0)
            ax.annotate(
                L.number(means[0], lang, digits),
                (end, k),
                xytext=(2, 0),
                textcoords="offset points",
                ha="left",
                va="center",
                fontsize=5.5,
                color=INK,
                zorder=5,
            )
        containers.append(bars)
    ax.set_yticks(np.arange(len(labels)))
    ax.set_yticklabels([names[x] for x in labels])
    ax.set_ylim(len(labels) - 0.5, -0.5)
    ax.tick_params(axis="y", length=0)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    return containers


def rows_height(n: int, panel_rows: int = 1) -> float:
    """Height (in) of a figure of ``panel_rows`` rows of row-per-scenario panels."""
    return panel_rows * (0.135 * n + 0.75) + 0.9


def rows_grid(container: Any, count: int, ncols: int = 5) -> list[Axes]:
    """``count`` row-per-scenario panels in a grid of at most ``ncols`` columns, sharing
    the scenario axis; names only on the first column; unused cells hidden."""
    ncols = max(1, min(ncols, count))
    nrows = max(1, math.ceil(count / ncols))
    axes = container.subplots(nrows, ncols, sharey=True, squeeze=False)
    flat = list(axes.ravel())
    for ax in flat[count:]:
        ax.set_visible(False)
    for i, ax in enumerate(flat[:count]):
        if i % ncols:
            ax.tick_params(axis="y", labelleft=False)
    return flat[:count]


def _row_norm(ax: Axes, value: float, *, gid: str, style_: str = "--") -> None:
    """A norm or target over a row-per-scenario panel: a vertical line at ``value``."""
    if np.isfinite(value):
        style.norm_line(ax, value, vertical=True, gid=gid, style=style_)


def _time_panel(
    ax: Axes,
    labels: Sequence[str],
    names: dict[str, str],
    values: dict[str, tuple[float, float]],
    axis_key: str,
    lang: str,
    *,
    norm: float = NAN,
    gid: str = "",
    digits: int = 1,
) -> str:
    """A row-per-scenario panel of a time in minutes or hours (`time_scale` from the
    norm and the data); the norm as a dashed vertical line; returns the unit."""
    tops = [v[0] + (v[1] if np.isfinite(v[1]) else 0) for v in values.values()]
    scale, unit = time_scale(norm, *tops)
    scenario_rows(ax, labels, names, values, lang=lang, scale=scale, digits=digits)
    _row_norm(ax, norm / scale, gid=f"norm:{gid}")
    ax.set_xlim(0, _top([*(t / scale for t in tops), norm / scale], headroom=1.18))
    if axis_key == "axis.time":
        ax.set_xlabel(L.t(axis_key, lang, unit=L.unit(unit, lang)), fontsize=7)
    else:
        ax.set_xlabel(in_unit(L.t(axis_key, lang), unit, lang), fontsize=7)
    return unit


def _share_panel(
    ax: Axes,
    labels: Sequence[str],
    names: dict[str, str],
    values: dict[str, tuple[float, float]],
    axis_key: str,
    lang: str,
    *,
    target: float = NAN,
    gid: str = "",
) -> None:
    """A row-per-scenario panel of a share (0–100%), the target dotted."""
    scenario_rows(ax, labels, names, values, lang=lang, percent=True)
    _row_norm(ax, target, gid=f"target:{gid}", style_=":")
    top = _top([min(m + (h if np.isfinite(h) else 0), 100) for m, h in values.values()], 1.0)
    top = max(top, target if np.isfinite(target) else 0)
    if top < 40:  # a small share (e.g. callers who abandoned): a scale to the data
        ax.set_xlim(0, top * 1.25)
    else:
        ax.set_xlim(0, 112)
        ax.set_xticks([0, 50, 100])
    ax.set_xlabel(L.t(axis_key, lang, unit="%"), fontsize=7)


def _share_axis_with_targets(
    ax: Axes, keys: Sequence[str], ticks: Sequence[str], targets: Sequence[float]
) -> None:
    """A 0–100% bar axis: group labels, and a dotted target line over each group that
    has a target share (NaN: none)."""
    ax.set_xticklabels(ticks)
    for i, target in enumerate(targets):
        if np.isfinite(target):
            style.norm_line(
                ax, target, gid=f"target:{keys[i]}", span=_group_span(i, len(keys)), style=":"
            )
    ax.set_ylim(0, 110)
    ax.set_yticks(np.arange(0, 101, 20))


def _group_span(index: int, n_groups: int) -> tuple[float, float]:
    del n_groups
    return index - 0.45, index + 0.45


def _top(values: Sequence[float], floor: float = 0.0, headroom: float = 1.15) -> float:
    finite = [v for v in values if np.isfinite(v)]
    return max([floor, *finite]) * headroom or 1.0


def _week_axis(ax: Axes, lang: str, *, label: bool = True) -> None:
    """Hour-of-week x axis: day boundaries as major ticks, day names at midday."""
    ax.set_xlim(0, 168)
    ax.set_xticks(np.arange(0, 169, 24))
    ax.set_xticklabels([])
    ax.set_xticks(np.arange(12, 168, 24), minor=True)
    ax.set_xticklabels([L.day(d, lang) for d in range(7)], minor=True)
    ax.tick_params(axis="x", which="minor", length=0)
    if label:
        ax.set_xlabel(L.t("axis.hour_of_week", lang))


def _t_half_width(sd: np.ndarray, n: np.ndarray) -> np.ndarray:
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.975, np.maximum(n - 1, 1))
        return np.where(n > 1, t * np.asarray(sd) / np.sqrt(n), np.nan)


def ecdf_curves(
    ax: Axes,
    samples: dict[str, list[np.ndarray]],
    labels: Sequence[str],
    grid: np.ndarray,
    index: dict[str, int] | None = None,
    gid: str = "ecdf",
) -> dict[str, np.ndarray]:
    """Per scenario: the mean over replications of the empirical CDF (in %) on ``grid``,
    drawn as a step line (``gid`` ``<gid>:<label>``) with a pointwise 95% CI band
    (bands only with at most `MAX_BANDS` scenarios, where they stay readable). Scenario
    ``label`` is drawn in look ``index[label]`` (default: its place in ``labels``).
    Returns the mean curves."""
    out = {}
    step = max(len(grid) // 7, 1)
    index = index or {x: i for i, x in enumerate(labels)}
    for label in labels:
        k = index[label]
        reps = [np.sort(v[np.isfinite(v)]) for v in samples.get(label, []) if v.size]
        reps = [v for v in reps if v.size]
        if not reps:
            continue
        curves = np.array([np.searchsorted(v, grid, side="right") / v.size * 100 for v in reps])
        mean = curves.mean(axis=0)
        if len(reps) > 1 and len(labels) <= MAX_BANDS:
            hw = _t_half_width(curves.std(axis=0, ddof=1), np.full(len(grid), len(reps)))
            ax.fill_between(
                grid,
                np.clip(mean - hw, 0, 100),
                np.clip(mean + hw, 0, 100),
                step="post",
                color=style.look(k).colour,
                alpha=0.22,
                linewidth=0,
            )
        markevery = ((k * step // max(len(labels), 1)) % step, step)
        ax.step(
            grid,
            mean,
            where="post",
            **style.line_style(k, markevery=markevery),
            zorder=3,
            gid=f"{gid}:{label}",
        )
        out[label] = mean
    ax.set_ylim(0, 101)
    ax.set_xlim(grid[0], grid[-1])
    return out


def _ecdf_floor(ax: Axes, curves: dict[str, np.ndarray], targets: Sequence[float]) -> None:
    """Start the y axis of a cumulative chart near its lowest curve (and below every
    target line), in steps of 10%, so that curves that start high are readable."""
    lows = [float(np.min(c)) for c in curves.values()] + [t for t in targets if np.isfinite(t)]
    if lows:
        ax.set_ylim(max(0.0, math.floor((min(lows) - 4.0) / 10.0) * 10.0), 101)


def _by_replication(frame: pd.DataFrame, column: str, mask: pd.Series) -> list[np.ndarray]:
    rows = frame.loc[mask & np.isfinite(frame[column]), ["replication", column]]
    return [g[column].to_numpy() for _, g in rows.groupby("replication")]


def _grid(samples: dict[str, list[np.ndarray]], low_max: float, cap: float) -> np.ndarray:
    pooled = [v for reps in samples.values() for v in reps if v.size]
    q = float(np.quantile(np.concatenate(pooled), 0.99)) if pooled else low_max
    top = min(max(low_max, q * 1.05), cap)
    return np.linspace(0.0, top, 301)


def _within_legend(
    ax: Axes,
    results: Results,
    labels: Sequence[str],
    kpi: str,
    group: str,
    norm: float,
    lang: str,
    index: dict[str, int] | None = None,
) -> None:
    """Legend of an ECDF panel: each scenario's KPI share within the norm ± 95% CI."""
    handles, texts = [], []
    index = index or {x: i for i, x in enumerate(labels)}
    for label in labels:
        k = index[label]
        mean, hw = results.value(label, kpi, group)
        if not np.isfinite(mean):
            continue
        text = L.percent(mean, lang, 1)
        if np.isfinite(hw):
            text += f" ± {L.number(hw, lang, 1)}"
        handles.append(Line2D([], [], **style.line_style(k)))
        texts.append(text)
    if handles:
        ax.legend(
            handles,
            texts,
            title=L.t("legend.within_ci", lang, norm=L.minutes(norm, lang)),
            loc="best",
            fontsize=6.5,
            title_fontsize=6.5,
            handlelength=2.4,
        )


# --------------------------------------------------------------------------- access


def access_time(results: Results, lang: str = "en") -> Figure:
    """Mean call-to-doctor time per NTS urgency against its norm: one panel per urgency,
    scenarios side by side (a row per scenario when there are many), 95% CI whiskers,
    the norm as a dashed line; minutes, or hours where the norm or the data reach
    beyond `HOURS_FROM` minutes (U4)."""
    labels, names = shown(results), display_names(results, lang)
    values = _values(results, "call_to_doctor_mean")
    norms = _meta(results, "call_to_doctor_mean", "norm")
    urgencies = [u for u in URGENCIES if u in norms and np.isfinite(norms[u])]
    rows = as_rows(labels)
    fig = style.new_figure(rows_height(len(labels)) if rows else 2.9)
    _title(fig, "title.access_time", lang)
    if rows:
        axes = rows_grid(fig, max(len(urgencies), 1))
    else:
        axes = list(fig.subplots(1, max(len(urgencies), 1), squeeze=False)[0])
    for i, (ax, u) in enumerate(zip(axes, urgencies, strict=False)):
        norm = norms[u]
        if rows:
            per = {lab: values.get((lab, u), (NAN, NAN)) for lab in labels}
            _time_panel(ax, labels, names, per, "axis.time", lang, norm=norm, gid=u)
            ax.set_title(f"{u}  ≤ {L.minutes(norm, lang)}", fontsize=7.5)
            continue
        tops = [sum(values.get((lab, u), (NAN, NAN))) for lab in labels]
        tops += [values.get((lab, u), (NAN, NAN))[0] for lab in labels]
        scale, unit = time_scale(norm, *tops)
        grouped_bars(ax, [u], labels, names, values, lang=lang, scale=scale)
        style.norm_line(ax, norm / scale, gid=f"norm:{u}")
        ax.annotate(
            L.t("legend.norm", lang, value=L.minutes(norm, lang)),
            (0.02, norm / scale),
            xycoords=("axes fraction", "data"),
            xytext=(0, 2),
            textcoords="offset points",
            fontsize=6.5,
            color=INK,
            va="bottom",
        )
        ax.set_ylim(0, _top([*(t / scale for t in tops), norm / scale], headroom=1.12))
        ax.set_xticks([])
        ax.set_title(u)
        if i == 0 or unit != "min":
            ax.set_ylabel(in_unit(L.t("axis.call_to_doctor", lang), unit, lang))
    if not urgencies:
        style.note(axes[0], L.t("note.no_data", lang))
    _figure_legend(
        fig,
        results,
        labels,
        lang,
        kind="rows" if rows else "bar",
        extra=norm_handles(lang, target=False),
    )
    style.set_caption(
        fig,
        _kpi_caption(results, L.t("caption.access_time", lang), lang, ["call_to_doctor_mean"]),
    )
    return fig


def within_norm(results: Results, lang: str = "en") -> Figure:
    """Share of patients seen within their NTS norm per urgency, with 95% CIs (cut to
    0–100%); with many scenarios a panel per urgency and a row per scenario."""
    labels, names = shown(results), display_names(results, lang)
    values = _values(results, "within_nts_norm")
    norms = _meta(results, "within_nts_norm", "norm")
    urgencies = [u for u in URGENCIES if u in norms and np.isfinite(norms[u])]
    rows = as_rows(labels)
    fig = style.new_figure(rows_height(len(labels)) if rows else 3.1)
    _title(fig, "title.within_norm", lang)
    if rows:
        for ax, u in zip(rows_grid(fig, len(urgencies)), urgencies, strict=True):
            per = {lab: values.get((lab, u), (NAN, NAN)) for lab in labels}
            _share_panel(ax, labels, names, per, "axis.share", lang)
            ax.set_title(f"{u}  ≤ {L.minutes(norms[u], lang)}", fontsize=7.5)
    else:
        ax = fig.subplots()
        grouped_bars(ax, urgencies, labels, names, values, lang=lang, percent=True)
        ax.set_xticklabels([f"{u}\n≤ {L.minutes(norms[u], lang)}" for u in urgencies])
        ax.set_ylim(0, 110)
        ax.set_yticks(np.arange(0, 101, 20))
        ax.set_ylabel(L.t("axis.within_norm", lang))
        ax.set_xlabel(L.t("axis.urgency", lang))
        _figure_legend(fig, results, labels, lang)
    style.set_caption(
        fig, _kpi_caption(results, L.t("caption.within_norm", lang), lang, ["within_nts_norm"])
    )
    return fig


# --------------------------------------------------------------------------- telephone


def phone(results: Results, lang: str = "en") -> Figure:
    """Answer-time distributions (emergency line and other lines, from the event logs
    when present; a row of panels per `line_chunks` part) and service levels,
    abandonment and mean answer time (KPIs; a row per scenario when there are many)."""
    labels, names = shown(results), display_names(results, lang)
    events = results.has_events
    rows = as_rows(labels)
    chunks = line_chunks(labels, results.base if results.base in labels else labels[0])
    top_h = (2.3 * len(chunks) if len(chunks) > 1 else 2.6) if events else 0.3
    bottom_h = rows_height(len(labels)) - 0.4 if rows else 2.6
    fig = style.new_figure(top_h + bottom_h + 0.5 + (0.12 * len(labels) if events else 0))
    _title(fig, "title.phone", lang)
    top, bottom = fig.subfigures(2, 1, height_ratios=[top_h, bottom_h])  # type: ignore[misc]
    if events:
        _answer_distributions(top, results, labels, chunks, lang)
    else:
        top.text(
            0.01,
            0.5,
            L.t("note.no_events_phone", lang),
            ha="left",
            va="center",
            fontsize=7.5,
            style="italic",
            color=INK,
        )
    levels = [(k, g) for k, g in PHONE_SERVICE_LEVELS if not results.kpi(k, [g]).empty]
    present = [k for k, _ in levels]
    values: dict[tuple[str, str], tuple[float, float]] = {}
    ticks = []
    for kpi, group in levels:
        frame = results.kpi(kpi, [group])
        for (label, g), v in _values(results, kpi).items():
            if g == group:
                values[(label, kpi)] = v
        norm = float(frame["norm"].iloc[0])
        ticks.append(
            L.t(f"sl.{kpi}", lang, norm=L.minutes(norm, lang) if np.isfinite(norm) else "")
        )
    targets = [float(results.kpi(k, [g])["target"].iloc[0]) for k, g in levels]
    mean_values = {(lab, "all"): v for (lab, g), v in _values(results, "answer_time_mean").items()}
    if rows:
        axes = rows_grid(bottom, len(levels) + 1)
        for ax, kpi, tick, target in zip(axes, present, ticks, targets, strict=False):
            per = {lab: values.get((lab, kpi), (NAN, NAN)) for lab in labels}
            _share_panel(ax, labels, names, per, "axis.share", lang, target=target, gid=kpi)
            ax.set_title(tick, fontsize=7)
        ax = axes[-1]
        per = {lab: mean_values.get((lab, "all"), (NAN, NAN)) for lab in labels}
        _time_panel(ax, labels, names, per, "axis.time", lang, digits=2)
        ax.set_title(textwrap.fill(L.t("panel.answer_mean", lang), 14), fontsize=7)
    else:
        axes = bottom.subplots(1, 2, width_ratios=[3.2, 1])
        ax = axes[0]
        grouped_bars(ax, present, labels, names, values, lang=lang, digits=1, percent=True)
        _share_axis_with_targets(ax, present, ticks, targets)
        ax.set_ylabel(L.t("axis.share_callers", lang))
        ax.set_title(L.t("panel.service_levels", lang))
        ax = axes[1]
        grouped_bars(ax, ["all"], labels, names, mean_values, lang=lang, digits=2)
        ax.set_xticks([])
        ax.set_ylim(
            0, _top([sum(v) if np.isfinite(v[1]) else v[0] for v in mean_values.values()], 0.1)
        )
        ax.set_ylabel(L.t("axis.answer_mean", lang))
        ax.set_title(L.t("panel.answer_mean", lang))
    extra = norm_handles(lang, target=True) if events else norm_handles(lang)[1:]
    kind = ("line" if events else "rows") if rows else ("both" if events else "bar")
    _figure_legend(fig, results, labels, lang, kind=kind, extra=extra)
    if events:
        urgencies = ", ".join(results.scenario(labels[0]).triage.emergency_line_urgencies)
        text = L.t("caption.phone_events", lang, urgencies=urgencies)
        if len(chunks) > 1:
            text += L.t("caption.line_chunks", lang, n=len(labels), size=style.LINES_PER_PANEL)
    else:
        text = L.t("caption.phone_kpis", lang)
    style.set_caption(fig, _kpi_caption(results, text, lang, [*present, "answer_time_mean"]))
    return fig


def _answer_distributions(
    fig: Any, results: Results, labels: Sequence[str], chunks: list[list[str]], lang: str
) -> None:
    """Cumulative answer times, emergency line and other lines: a row of two panels per
    part of the scenarios (same axes in every row)."""
    grid_axes = fig.subplots(len(chunks), 2, squeeze=False, sharex="col", sharey="col")
    index = {x: i for i, x in enumerate(labels)}
    urgent: dict[str, list[np.ndarray]] = {}
    other: dict[str, list[np.ndarray]] = {}
    for label in labels:
        p = results.patients(label)
        if p is None:
            continue
        known = p["urgency"] >= 0
        urgent[label] = _by_replication(p, "answer_wait", known & p["emergency_line"])
        other[label] = _by_replication(p, "answer_wait", ~(known & p["emergency_line"]))

    def line(group: str) -> list[tuple[str, str]]:
        return [(k, g) for k, g in PHONE_SERVICE_LEVELS if g == group]

    drawn_by_column: dict[int, dict[str, np.ndarray]] = {0: {}, 1: {}}
    for row, chunk in enumerate(chunks):
        panels = (
            (grid_axes[row, 0], urgent, "panel.emergency_line", line("emergency line"), "urgent"),
            (grid_axes[row, 1], other, "panel.other_lines", line("other lines"), "other"),
        )
        for ax, samples, title, kpis, gid in panels:
            norms = [
                float(results.kpi(k)["norm"].iloc[0]) for k, _ in kpis if not results.kpi(k).empty
            ]
            high = max(norms) * 1.25 if norms else 5.0
            grid = _grid(samples, high, max(high, 3 * (max(norms) if norms else 5.0)))
            drawn = ecdf_curves(ax, samples, chunk, grid, index, gid=f"answer:{gid}")
            if not drawn:
                style.note(ax, L.t("note.no_data", lang))
            targets = [
                float(results.kpi(k)["target"].iloc[0]) for k, _ in kpis if not results.kpi(k).empty
            ]
            column = drawn_by_column[0 if gid == "urgent" else 1]
            column.update({f"{row}:{k}": v for k, v in drawn.items()})
            _ecdf_floor(ax, column, targets)  # shared per column: the lowest of all rows
            for kpi, norm in zip([k for k, _ in kpis], norms, strict=False):
                frame = results.kpi(kpi)
                style.norm_line(ax, norm, vertical=True, gid=f"norm:{kpi}")
                target = float(frame["target"].iloc[0])
                if np.isfinite(target):
                    style.norm_line(ax, target, gid=f"target:{kpi}", style=":")
                ax.annotate(
                    L.minutes(norm, lang),
                    (norm, 0.0),
                    xycoords=("data", "axes fraction"),
                    xytext=(-2, 2),
                    textcoords="offset points",
                    fontsize=6.5,
                    color=INK,
                    va="bottom",
                    ha="right",
                )
            if kpis and not results.kpi(kpis[0][0]).empty:
                kpi, group = kpis[0]
                _within_legend(ax, results, chunk, kpi, group, norms[0], lang, index)
            if row == 0:
                ax.set_title(L.t(title, lang))
            if row == len(chunks) - 1:
                ax.set_xlabel(L.t("axis.answer_wait", lang))
            if len(chunks) == 1:
                ax.set_ylabel(L.t("axis.answered_cum", lang))
            else:  # rows are lower: the label in two lines
                ax.set_ylabel(textwrap.fill(L.t("axis.answered_cum", lang), 26), fontsize=7)


# --------------------------------------------------------------------------- workload


def _role_matrix(frame: pd.DataFrame, roles: Sequence[str]) -> np.ndarray:
    """roles × 168 matrix of mean utilisation (%) over replications."""
    mean = frame.groupby(["role", "hour_of_week"])["utilisation"].mean()
    out = np.full((len(roles), 168), np.nan)
    for r, role in enumerate(roles):
        if role in mean.index.get_level_values(0):
            series = mean.loc[role]
            out[r, series.index.to_numpy(dtype=int)] = series.to_numpy()
    return out


def _paired_matrix(
    base: pd.DataFrame, other: pd.DataFrame, roles: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    """roles × 168 matrices of the mean paired difference (other − base, pp) and its
    95% CI half-width (NaN with fewer than two pairs)."""
    keys = ["replication", "role", "hour_of_week"]
    pairs = other[[*keys, "utilisation"]].merge(
        base[[*keys, "utilisation"]], on=keys, suffixes=("", "_base")
    )
    pairs["d"] = pairs["utilisation"] - pairs["utilisation_base"]
    agg = (
        pairs.dropna(subset=["d"])
        .groupby(["role", "hour_of_week"])["d"]
        .agg(["mean", "std", "count"])
    )
    agg["hw"] = _t_half_width(agg["std"].to_numpy(), agg["count"].to_numpy())
    mean = np.full((len(roles), 168), np.nan)
    hw = np.full((len(roles), 168), np.nan)
    index = agg.index.to_frame(index=False)
    for role, hour, m, h in zip(
        index["role"], index["hour_of_week"], agg["mean"], agg["hw"], strict=True
    ):
        if role in roles:
            r = list(roles).index(role)
            mean[r, int(hour)] = m
            hw[r, int(hour)] = h
    return mean, hw


def _heatmap(ax: Axes, matrix: np.ndarray, roles: Sequence[str], lang: str, **kwargs: Any) -> Any:
    n = len(roles)
    ax.add_patch(
        Rectangle(
            (0, 0),
            168,
            n,
            facecolor="white",
            edgecolor=style.MISSING_HATCH,
            hatch="////",
            linewidth=0,
            zorder=0,
        )
    )
    mesh = ax.pcolormesh(
        np.arange(169), np.arange(n + 1), np.ma.masked_invalid(matrix), zorder=1, **kwargs
    )
    ax.set_ylim(max(n, 1), 0)  # no roles (no per-hour tables): an empty band, not a warning
    ax.set_yticks(np.arange(n) + 0.5)
    ax.set_yticklabels([L.role(r, lang) for r in roles])
    ax.tick_params(axis="y", length=0)
    ax.grid(False)
    for x in range(24, 168, 24):
        ax.axvline(x, color="white", linewidth=0.8, zorder=2)
    for spine in ax.spines.values():
        spine.set_visible(False)
    return mesh


def _difference_panel(
    ax: Axes,
    mean: np.ndarray,
    hw: np.ndarray,
    roles: Sequence[str],
    lang: str,
    limit: float,
    label: str,
) -> Any:
    """One difference heatmap (scenario − base, pp) on ±``limit``, ``+``/``−`` where
    the paired 95% CI excludes zero (white on dark cells)."""
    mesh = _heatmap(ax, mean, roles, lang, vmin=-limit, vmax=limit, cmap=style.DIVERGING_CMAP)
    mesh.set_gid(f"difference:{label}")
    significant = np.isfinite(hw) & (np.abs(mean) > hw)
    dark = np.abs(np.nan_to_num(mean)) > 0.6 * limit
    for sign, marker in ((1, "+"), (-1, "_")):
        for on_dark, colour in ((False, INK), (True, "white")):
            cells = significant & (np.sign(mean) == sign) & (dark == on_dark)
            rows, cols = np.nonzero(cells)
            ax.plot(
                cols + 0.5,
                rows + 0.5,
                linestyle="none",
                marker=marker,
                markersize=2.6,
                markeredgewidth=0.6,
                color=colour,
                zorder=3,
                gid=f"significant:{'higher' if sign > 0 else 'lower'}:{label}",
            )
    return mesh


def workload(results: Results, lang: str = "en") -> Figure:
    """Utilisation heatmap, hour of the week × role, one panel per scenario, and the
    paired difference of every other scenario to the base (``+``/``−`` where its 95% CI
    excludes zero)."""
    labels, names = shown(results), display_names(results, lang, standalone=True)
    hourly = {label: results.hourly(label) for label in labels}
    util = {label: derived.role_utilisation(h.frame) for label, h in hourly.items()}
    staffed_roles = set()
    for h in hourly.values():
        sums = h.frame.groupby("role")["staffed_minutes"].sum()
        staffed_roles |= set(sums[sums > 0].index)
    roles = [r for r in ROLES if r in staffed_roles]
    base = results.base if results.base in labels else labels[0]
    others = [label for label in labels if label != base]
    # With many scenarios, only the base is shown in full and the others as differences;
    # beyond `MAX_ONE_COLUMN` differences they go in two columns, each panel as tall as
    # the base's, so that none shrinks to nothing however many there are.
    absolute = labels if len(labels) <= MAX_ABSOLUTE else [base]
    panel_h = 0.19 * len(roles) + 0.42
    two_columns = len(others) > MAX_ONE_COLUMN
    diff_rows = math.ceil(len(others) / 2) if two_columns else len(others)
    top_h = panel_h * len(absolute) + 0.35
    bottom_h = panel_h * diff_rows + (0.75 if two_columns else 0.2) if others else 0.0
    fig = style.new_figure(top_h + bottom_h + 0.9)
    _title(fig, "title.workload", lang)
    if others:
        top, bottom = fig.subfigures(  # type: ignore[misc]
            2, 1, height_ratios=[top_h, bottom_h]
        )
    else:
        top, bottom = fig, None
    top_axes = top.subplots(len(absolute), 1, sharex=True, squeeze=False)[:, 0]
    meshes = []
    for ax, label in zip(top_axes, absolute, strict=True):
        mesh = _heatmap(
            ax,
            _role_matrix(util[label], roles),
            roles,
            lang,
            vmin=0,
            vmax=100,
            cmap=style.SEQUENTIAL_CMAP,
        )
        mesh.set_gid(f"utilisation:{label}")
        meshes.append(mesh)
        ax.set_title(names[label], fontsize=8)
        _week_axis(ax, lang, label=False)
    bar = top.colorbar(meshes[0], ax=list(top_axes), shrink=0.9, aspect=25, pad=0.01)
    bar.set_label(L.t("axis.utilisation", lang))
    for ax in top_axes[:-1]:
        ax.tick_params(axis="x", which="both", labelbottom=False)
    axes = list(top_axes)
    if others and bottom is not None:
        diffs = {label: _paired_matrix(util[base], util[label], roles) for label in others}
        # The colour scale covers 98% of the cells; the rest saturate (arrows on the bar).
        values = np.concatenate([np.abs(m[np.isfinite(m)]) for m, _ in diffs.values()])
        largest = float(np.percentile(values, 98)) if values.size else 0.0
        limit = max(5.0, math.ceil(largest / 5.0) * 5.0)
        clipped = bool(values.size and values.max() > limit)
        ncols = 2 if two_columns else 1
        grid = bottom.subplots(diff_rows, ncols, sharex=True, sharey=True, squeeze=False)
        diff_axes = list(grid.ravel())
        for ax in diff_axes[len(others) :]:
            ax.set_visible(False)
        diff_meshes = []
        for i, (ax, label) in enumerate(zip(diff_axes, others, strict=False)):
            mean, hw = diffs[label]
            diff_meshes.append(_difference_panel(ax, mean, hw, roles, lang, limit, label))
            title = L.t("panel.difference", lang, name=names[label])
            if results.kind != "compare":
                title = f"{names[label]} − {names[base]}"
            ax.set_title(textwrap.shorten(title, 52 if ncols == 2 else 100), fontsize=7.5)
            last_in_column = i + ncols >= len(others)
            _week_axis(ax, lang, label=False)
            if last_in_column:
                ax.set_xlabel(L.t("axis.hour_of_week", lang), fontsize=7 if ncols == 2 else None)
            if not last_in_column:
                ax.tick_params(axis="x", which="both", labelbottom=False)
            else:
                ax.tick_params(axis="x", which="both", labelbottom=True)
            if ncols == 2:
                ax.tick_params(axis="both", which="both", labelsize=6.5)
        bar = bottom.colorbar(
            diff_meshes[0],
            ax=diff_axes,
            shrink=0.9 if ncols == 1 else 0.5,
            aspect=25 if ncols == 1 else 40,
            pad=0.01,
            location="right" if ncols == 1 else "bottom",
            extend="both" if clipped else "neither",
        )
        bar.set_label(L.t("axis.util_diff", lang))
        axes += diff_axes[: len(others)]
    else:
        _week_axis(top_axes[-1], lang)
    extra: list[tuple[Any, str]] = [
        (
            Patch(facecolor="white", edgecolor=style.MISSING_HATCH, hatch="////", linewidth=0),
            L.t("legend.not_staffed", lang),
        )
    ]
    if others:
        extra += [
            (Line2D([], [], marker="+", linestyle="none", color=INK), L.t("legend.higher", lang)),
            (Line2D([], [], marker="_", linestyle="none", color=INK), L.t("legend.lower", lang)),
        ]
    fig.legend(
        [h for h, _ in extra], [t for _, t in extra], loc="outside lower center", ncols=len(extra)
    )
    sources = {h.source for h in hourly.values()}
    source = " ".join(L.t(f"caption.workload.{s}", lang) for s in sorted(sources))
    spread = []
    for frame in util.values():
        cells = frame.dropna(subset=["utilisation"]).groupby(["role", "hour_of_week"])
        agg = cells["utilisation"].agg(["std", "count"])
        hw = _t_half_width(agg["std"].to_numpy(), agg["count"].to_numpy())
        if np.isfinite(hw).any():
            spread.append(float(np.nanmedian(hw)))
    if spread:
        source += " " + L.t("caption.workload.ci", lang, value=L.number(max(spread), lang, 1))
    difference = L.t("caption.workload.difference", lang) if others else ""
    if len(absolute) < len(labels):
        difference += " " + L.t("caption.workload.base_only", lang)
    style.set_caption(
        fig, L.t("caption.workload", lang, source=source, difference=difference).strip()
    )
    return fig


def _step(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(values.size + 1), np.append(values, values[-1])


def capacity(results: Results, lang: str = "en") -> Figure:
    """Staff on duty (rosters) against the offered load (demand × mean service time)
    per hour of a regular week, for triagists and GPs. The needed load of the base is a
    grey area; scenarios whose load differs from it get a thin line of their own."""
    labels = shown(results)
    names = display_names(results, lang, standalone=True)
    staffed = {label: derived.staffed_by_hour(results.scenario(label)) for label in labels}
    needed = {label: derived.needed_by_hour(results.scenario(label)) for label in labels}
    panels = [
        (panel, roles)
        for panel, roles in derived.CAPACITY_PANELS.items()
        if any(s["role"].isin(roles).any() for s in staffed.values())
        or any(n.loc[n["role"] == panel, "load"].sum() > 0 for n in needed.values())
    ]
    base = results.base if results.base in labels else labels[0]
    fig = style.new_figure(1.35 * len(panels) + 1.0)
    _title(fig, "title.capacity", lang)
    axes = fig.subplots(len(panels), 1, sharex=True, squeeze=False)[:, 0]
    differing: list[str] = []
    for ax, (panel, roles) in zip(axes, panels, strict=True):
        loads = {
            label: needed[label].loc[needed[label]["role"] == panel, "load"].to_numpy()
            for label in labels
        }
        x, y = _step(loads[base])
        ax.fill_between(
            x,
            y,
            step="post",
            color=style.NEEDED_FILL,
            linewidth=0,
            zorder=1,
            gid=f"needed:{panel}",
        )
        top = float(loads[base].max())
        for k, label in enumerate(labels):
            if label == base or np.allclose(loads[label], loads[base]):
                continue
            if label not in differing:
                differing.append(label)
            x, y = _step(loads[label])
            ax.step(
                x,
                y,
                where="post",
                color=style.look(k).colour,
                linewidth=0.8,
                linestyle=(0, (1, 1)),
                zorder=2,
                gid=f"needed:{panel}:{label}",
            )
            top = max(top, float(loads[label].max()))
        with_np = False
        for k, label in enumerate(labels):
            s = staffed[label]
            rows = s[s["role"].isin(roles)].groupby("hour_of_week")["staff"].sum()
            with_np |= bool((s["role"] == "nurse_practitioner").any()) and panel == "gp_consult"
            staff = np.zeros(168)
            staff[rows.index.to_numpy(dtype=int)] = rows.to_numpy()
            x, y = _step(staff)
            ax.step(
                x,
                y,
                where="post",
                **style.line_style(k, markevery=(3 * k + 1, 12)),
                zorder=3,
                gid=f"staffed:{panel}:{label}",
            )
            top = max(top, float(staff.max()))
        ax.set_ylim(0, max(1.0, top * 1.12))
        title = L.t("panel.consult_with_np", lang) if with_np else L.role(panel, lang)
        ax.set_title(title, fontsize=8)
        ax.set_ylabel(L.t("axis.staff", lang))
        ax.grid(axis="x", which="major", visible=True)
    _week_axis(axes[-1], lang)
    for ax in axes[:-1]:
        ax.tick_params(axis="x", which="both", labelbottom=False)
    extra: list[tuple[Any, str]] = [
        (Patch(facecolor=style.NEEDED_FILL, linewidth=0), L.t("legend.needed", lang))
    ]
    for label in differing:
        k = labels.index(label)
        handle = Line2D([], [], color=style.look(k).colour, linewidth=0.8, linestyle=(0, (1, 1)))
        extra.append((handle, L.t("legend.needed_of", lang, name=names[label])))
    _figure_legend(fig, results, labels, lang, kind="line", extra=extra)
    trip = derived.mean_round_trip(results.scenario(base))
    style.set_caption(fig, L.t("caption.capacity", lang, round_trip=L.number(trip, lang, 0)))
    return fig


# --------------------------------------------------------------------------- ambulance


def ambulance(results: Results, lang: str = "en") -> Figure:
    """Ambulance response (distribution from the event logs, else mean per urgency) with
    the 15/30-minute norms, incident to SEH with the 45-minute norm, and the handoff
    delay at each SEH."""
    labels, names = shown(results), display_names(results, lang)
    if as_rows(labels):
        return _ambulance_rows(results, lang)
    events = results.has_events
    fig = style.new_figure(5.4)
    _title(fig, "title.ambulance", lang)
    grid_axes = fig.subplots(2, 2)
    ax_a, ax_b, ax_c, ax_d = grid_axes.ravel()
    response_norms = _meta(results, "ambulance_response_within_norm", "norm")
    response_targets = _meta(results, "ambulance_response_within_norm", "target")
    seh_norm = _meta(results, "call_to_seh_within_norm", "norm").get("A1+A2", 45.0)
    if events:
        patients = {label: results.patients(label) for label in labels}
        for ax, urgency in ((ax_a, "A1"), (ax_b, "A2")):
            code = AMBULANCE_URGENCIES.index(urgency)
            samples = {
                label: _by_replication(p, "response", p["ambulance_urgency"] == code)
                for label, p in patients.items()
                if p is not None
            }
            norm = response_norms.get(urgency, NAN)
            grid = _grid(
                samples,
                2 * norm if np.isfinite(norm) else 30.0,
                4 * (norm if np.isfinite(norm) else 30),
            )
            if not ecdf_curves(ax, samples, labels, grid):
                style.note(ax, L.t("note.no_data", lang))
            if np.isfinite(norm):
                style.norm_line(ax, norm, vertical=True, gid=f"norm:{urgency}")
                _within_legend(
                    ax, results, labels, "ambulance_response_within_norm", urgency, norm, lang
                )
                target = response_targets.get(urgency, NAN)
                if np.isfinite(target):
                    style.norm_line(ax, target, gid=f"target:{urgency}", style=":")
            ax.set_title(L.t("panel.response", lang, urgency=urgency))
            ax.set_xlabel(L.t("axis.response", lang))
            ax.set_ylabel(L.t("axis.rides_cum", lang))
        samples = {
            label: _by_replication(p, "to_seh", p["ambulance_urgency"].isin([0, 1]))
            for label, p in patients.items()
            if p is not None
        }
        grid = _grid(samples, 2 * seh_norm, 4 * seh_norm)
        if not ecdf_curves(ax_c, samples, labels, grid):
            style.note(ax_c, L.t("note.no_data", lang))
        style.norm_line(ax_c, seh_norm, vertical=True, gid="norm:call_to_seh")
        _within_legend(ax_c, results, labels, "call_to_seh_within_norm", "A1+A2", seh_norm, lang)
        ax_c.set_title(L.t("panel.to_seh", lang))
        ax_c.set_xlabel(L.t("axis.to_seh", lang))
        ax_c.set_ylabel(L.t("axis.rides_cum", lang))
    else:
        # Mean response per urgency with the norms over their groups.
        groups = [
            a for a in AMBULANCE_URGENCIES if not results.kpi("ambulance_response_mean", [a]).empty
        ]
        values = _values(results, "ambulance_response_mean")
        grouped_bars(ax_a, groups, labels, names, values, lang=lang)
        ax_a.set_xticklabels(groups)
        tops = [v[0] + (v[1] if np.isfinite(v[1]) else 0) for v in values.values()]
        for i, urgency in enumerate(groups):
            norm = response_norms.get(urgency, NAN)
            if np.isfinite(norm):
                style.norm_line(ax_a, norm, gid=f"norm:{urgency}", span=_group_span(i, len(groups)))
                tops.append(norm)
        ax_a.set_ylim(0, _top(tops, headroom=1.12))
        ax_a.set_ylabel(L.t("axis.response_mean", lang))
        ax_a.set_title(L.t("panel.response_mean", lang))
        # Shares within the norms (response per urgency, incident to SEH).
        shares: dict[tuple[str, str], tuple[float, float]] = {}
        keys, ticks, targets = [], [], []
        for urgency, norm in response_norms.items():
            for (label, g), v in _values(results, "ambulance_response_within_norm").items():
                if g == urgency:
                    shares[(label, urgency)] = v
            keys.append(urgency)
            ticks.append(L.t("amb.within", lang, urgency=urgency, norm=L.minutes(norm, lang)))
            targets.append(response_targets.get(urgency, NAN))
        for (label, _g), v in _values(results, "call_to_seh_within_norm").items():
            shares[(label, "seh")] = v
        if any(k[1] == "seh" for k in shares):
            keys.append("seh")
            ticks.append(L.t("amb.to_seh", lang, norm=L.minutes(seh_norm, lang)))
            targets.append(NAN)
        grouped_bars(ax_b, keys, labels, names, shares, lang=lang, percent=True)
        _share_axis_with_targets(ax_b, keys, ticks, targets)
        ax_b.set_ylabel(L.t("axis.within_norm_rides", lang))
        ax_b.set_title(L.t("panel.within_norm_rides", lang))
        ax_c.set_axis_off()
        style.note(ax_c, L.t("note.no_events_ambulance", lang))
    # Handoff delay per SEH (KPI).
    handoff = _values(results, "handoff_delay_mean")
    sehs = list(dict.fromkeys(g for (_, g) in handoff))
    seh_names = site_names(results, lang)
    grouped_bars(ax_d, sehs, labels, names, handoff, lang=lang)
    ax_d.set_xticklabels([textwrap.fill(seh_names.get(s, s), 16) for s in sehs])
    ax_d.set_ylim(
        0, _top([v[0] + (v[1] if np.isfinite(v[1]) else 0) for v in handoff.values()], 1.0)
    )
    ax_d.set_ylabel(L.t("axis.handoff", lang))
    ax_d.set_title(L.t("panel.handoff", lang))
    _figure_legend(
        fig, results, labels, lang, kind="both" if events else "bar", extra=norm_handles(lang)
    )
    text = L.t("caption.ambulance_events" if events else "caption.ambulance_kpis", lang)
    style.set_caption(fig, _kpi_caption(results, text, lang))
    return fig


def _ambulance_rows(results: Results, lang: str) -> Figure:
    """`ambulance` for many scenarios: the distributions (with event logs) as rows of
    three panels, one row per `line_chunks` part; the KPIs (mean response and shares
    within the norms without event logs; handoff delay per SEH always) as panels with a
    row per scenario."""
    labels, names = shown(results), display_names(results, lang)
    base = results.base if results.base in labels else labels[0]
    index = {x: i for i, x in enumerate(labels)}
    events = results.has_events
    response_norms = _meta(results, "ambulance_response_within_norm", "norm")
    response_targets = _meta(results, "ambulance_response_within_norm", "target")
    seh_norm = _meta(results, "call_to_seh_within_norm", "norm").get("A1+A2", 45.0)
    handoff = _values(results, "handoff_delay_mean")
    sehs = list(dict.fromkeys(g for (_, g) in handoff))
    seh_names = site_names(results, lang)
    chunks = line_chunks(labels, base)
    # KPI panels: (kind, title, values per scenario, norm or target, gid)
    panels: list[tuple[str, str, dict[str, tuple[float, float]], float, str]] = []
    kpis = ["handoff_delay_mean"]  # the KPIs drawn, for the caption's notes on their CIs

    def drawn(kpi: str) -> dict[tuple[str, str], tuple[float, float]]:
        kpis.append(kpi)
        return _values(results, kpi)

    if not events:
        mean_values = drawn("ambulance_response_mean")
        for a in AMBULANCE_URGENCIES:
            per = {lab: mean_values[(lab, g)] for (lab, g) in mean_values if g == a}
            if per:
                norm = response_norms.get(a, NAN)
                panels.append(("time", L.t("panel.response", lang, urgency=a), per, norm, a))
        shares = drawn("ambulance_response_within_norm")
        for a, norm in response_norms.items():
            per = {lab: shares[(lab, g)] for (lab, g) in shares if g == a}
            title = L.t("amb.within", lang, urgency=a, norm=L.minutes(norm, lang))
            panels.append(("share", title, per, response_targets.get(a, NAN), a))
        seh = {lab: v for (lab, _g), v in drawn("call_to_seh_within_norm").items()}
        if seh:
            title = L.t("amb.to_seh", lang, norm=L.minutes(seh_norm, lang))
            panels.append(("share", title, seh, NAN, "call_to_seh"))
    for seh_id in sehs:
        per = {lab: handoff[(lab, g)] for (lab, g) in handoff if g == seh_id}
        title = textwrap.fill(seh_names.get(seh_id, seh_id).split(" (")[0], 18)
        panels.append(("time", title, per, NAN, f"handoff:{seh_id}"))
    ncols = 5
    panel_rows = math.ceil(len(panels) / ncols)
    top_h = 2.0 * len(chunks) if events else 0.3
    bottom_h = rows_height(len(labels), panel_rows) - 0.5
    fig = style.new_figure(top_h + bottom_h + 0.5 + (0.12 * len(labels) if events else 0))
    _title(fig, "title.ambulance", lang)
    top, bottom = fig.subfigures(2, 1, height_ratios=[top_h, bottom_h])  # type: ignore[misc]
    if events:
        patients = {label: results.patients(label) for label in labels}
        kinds: list[tuple[str, Any, float, str, str, str, str]] = []
        for urgency in ("A1", "A2"):
            code = AMBULANCE_URGENCIES.index(urgency)
            mask = {
                lab: p["ambulance_urgency"] == code for lab, p in patients.items() if p is not None
            }
            kinds.append(
                (
                    urgency,
                    {lab: _by_replication(patients[lab], "response", m) for lab, m in mask.items()},
                    response_norms.get(urgency, NAN),
                    "ambulance_response_within_norm",
                    L.t("panel.response", lang, urgency=urgency),
                    "axis.response",
                    urgency,
                )
            )
        to_seh = {
            lab: _by_replication(p, "to_seh", p["ambulance_urgency"].isin([0, 1]))
            for lab, p in patients.items()
            if p is not None
        }
        kinds.append(
            (
                "call_to_seh",
                to_seh,
                seh_norm,
                "call_to_seh_within_norm",
                L.t("panel.to_seh", lang),
                "axis.to_seh",
                "A1+A2",
            )
        )
        grid_axes = top.subplots(len(chunks), 3, squeeze=False, sharex="col", sharey="col")
        for col, (key, samples, norm, kpi, title, xlabel, group) in enumerate(kinds):
            width = norm if np.isfinite(norm) else 30.0
            grid = _grid(samples, 2 * width, 4 * width)
            for row, chunk in enumerate(chunks):
                ax = grid_axes[row, col]
                if not ecdf_curves(ax, samples, chunk, grid, index, gid=f"ride:{key}"):
                    style.note(ax, L.t("note.no_data", lang))
                if np.isfinite(norm):
                    style.norm_line(ax, norm, vertical=True, gid=f"norm:{key}")
                    _within_legend(ax, results, chunk, kpi, group, norm, lang, index)
                target = response_targets.get(key, NAN)
                if np.isfinite(target):
                    style.norm_line(ax, target, gid=f"target:{key}", style=":")
                if row == 0:
                    ax.set_title(title, fontsize=8)
                if row == len(chunks) - 1:
                    ax.set_xlabel(textwrap.fill(L.t(xlabel, lang), 28), fontsize=7)
                if col == 0:
                    ax.set_ylabel(L.t("axis.rides_cum", lang), fontsize=7)
    else:
        top.text(
            0.01,
            0.5,
            L.t("note.no_events_ambulance", lang).replace("\n", " "),
            ha="left",
            va="center",
            fontsize=7.5,
            style="italic",
            color=INK,
        )
    axes = rows_grid(bottom, len(panels), ncols)
    for ax, (kind, title, per, line, gid) in zip(axes, panels, strict=True):
        if kind == "time":
            _time_panel(ax, labels, names, per, "axis.time", lang, norm=line, gid=gid)
        else:
            _share_panel(ax, labels, names, per, "axis.share", lang, target=line, gid=gid)
        ax.set_title(title, fontsize=7)
    if events:
        bottom.suptitle(
            L.t("panel.handoff", lang), x=0.01, ha="left", fontsize=8, fontweight="bold"
        )
    _figure_legend(
        fig, results, labels, lang, kind="line" if events else "rows", extra=norm_handles(lang)
    )
    text = L.t("caption.ambulance_events" if events else "caption.ambulance_kpis", lang)
    if events:
        text += L.t("caption.line_chunks", lang, n=len(labels), size=style.LINES_PER_PANEL)
    style.set_caption(fig, _kpi_caption(results, text, lang, kpis))
    return fig


# --------------------------------------------------------------------------- travel


def travel(results: Results, lang: str = "en") -> Figure:
    """Cumulative share of inhabitants by car time to the GP post they would be sent
    to, on a weekday evening and in the night, per scenario (a row of panels per
    `line_chunks` part)."""
    labels = shown(results)
    base = results.base if results.base in labels else labels[0]
    chunks = line_chunks(labels, base)
    index = {x: i for i, x in enumerate(labels)}
    fig = style.new_figure(
        3.2 if len(chunks) == 1 else 2.1 * len(chunks) + 0.5 + 0.12 * len(labels)
    )
    _title(fig, "title.travel", lang)
    grid_axes = fig.subplots(len(chunks), 2, sharey=True, sharex=True, squeeze=False)
    first = results.scenario(labels[0])
    norm = first.norms.post_travel_minutes
    target = first.norms.post_travel_percent
    curves = {}
    for label in labels:
        scenario = results.scenario(label)
        times = derived.representative_times(scenario)
        curves[label] = {
            when: derived.population_curve(derived.travel_to_post(scenario, t))
            for when, t in times.items()
        }
    longest = max(float(c[0].max()) for per in curves.values() for c in per.values())
    right = max(norm * 1.25, longest * 1.08)
    for row, chunk in enumerate(chunks):
        for ax, when in zip(grid_axes[row], ("evening", "night"), strict=True):
            for label in chunk:
                k = index[label]
                x, y = curves[label][when]
                x = np.append(x, right)
                y = np.append(y, y[-1])
                every = max(len(chunk), (x.size - 1) // 12)
                ax.step(
                    x,
                    y,
                    where="post",
                    # markers on the areas (not the first or the padding point at the end)
                    **style.line_style(k, markevery=list(range(1 + k % every, x.size - 1, every))),
                    gid=f"travel:{when}:{label}",
                )
            style.norm_line(ax, norm, vertical=True, gid="norm:post_travel")
            style.norm_line(ax, target, gid="target:post_travel", style=":")
            ax.set_xlim(0, right)
            ax.set_ylim(0, 101)
            if row == 0:
                ax.set_title(L.t(f"panel.{when}", lang, when=L.t(f"when.{when}", lang)))
            if row == len(chunks) - 1:
                ax.set_xlabel(L.t("axis.travel", lang))
            ax.grid(axis="x", visible=True)
        grid_axes[row, 0].set_ylabel(L.t("axis.population_cum", lang))
    _figure_legend(fig, results, labels, lang, kind="line", extra=norm_handles(lang))
    text = L.t("caption.travel", lang)
    if len(chunks) > 1:
        text += L.t("caption.line_chunks", lang, n=len(labels), size=style.LINES_PER_PANEL)
    style.set_caption(fig, text)
    return fig


# --------------------------------------------------------------------------- comparisons


def _row_label(kpi: str, group: str, lang: str) -> str:
    better = KPIS[kpi].better if kpi in KPIS else None
    arrow = f" {L.t(f'better.{better}', lang)}" if better else ""
    if group == "all":
        return f"{L.kpi(kpi, lang)}{arrow}"
    return f"{L.kpi(kpi, lang)}, {L.group(group, lang)}{arrow}"


def differences(results: Results, lang: str = "en") -> Figure:
    """Paired differences to the base on the headline KPIs, with 95% CIs: shares in
    percentage points, times in minutes."""
    labels, names = shown(results), display_names(results, lang)
    if as_rows(labels):
        return _differences_rows(results, lang)
    base = results.base
    others = [label for label in labels if label != base]
    d = results.differences
    fig = style.new_figure(0.22 * (len(DIFF_ROWS_PP) + len(DIFF_ROWS_MIN)) + 1.6)
    _title(fig, "title.differences", lang)
    present = set(zip(d["kpi"], d["group"], strict=True)) if not d.empty else set()
    rows_pp = [r for r in DIFF_ROWS_PP if r in present]
    rows_min = [r for r in DIFF_ROWS_MIN if r in present]
    axes = fig.subplots(
        2, 1, height_ratios=[max(len(rows_pp), 1), max(len(rows_min), 1)], squeeze=False
    )[:, 0]
    for ax, rows, key, panel in (
        (axes[0], rows_pp, "axis.diff_pp", "panel.pp"),
        (axes[1], rows_min, "axis.diff_min", "panel.min"),
    ):
        n = len(others)
        for j, label in enumerate(others):
            k = labels.index(label)
            s = style.look(k)
            sub = d[d["scenario"] == label]
            found = {
                (str(kpi), str(group)): (float(diff), float(hw), bool(significant))
                for kpi, group, diff, hw, significant in zip(
                    sub["kpi"],
                    sub["group"],
                    sub["difference"],
                    sub["half_width"],
                    sub["significant"],
                    strict=True,
                )
            }
            ys, xs, hws, sig = [], [], [], []
            for i, row in enumerate(rows):
                if row not in found:
                    continue
                diff, hw, significant = found[row]
                ys.append(i + (j - (n - 1) / 2) * (0.6 / max(n, 1)))
                xs.append(diff)
                hws.append(hw)
                sig.append(significant)
            if not ys:
                continue
            ax.errorbar(
                xs,
                ys,
                xerr=hws,
                fmt="none",
                ecolor=s.colour,
                elinewidth=1.1,
                capsize=2.5,
                zorder=3,
            )
            for x, y, filled in zip(xs, ys, sig, strict=True):
                ax.plot(
                    [x],
                    [y],
                    marker=s.marker,
                    markersize=5,
                    color=s.colour,
                    markerfacecolor=s.colour if filled else "white",
                    markeredgewidth=1.0,
                    linestyle="none",
                    zorder=4,
                )
        ax.axvline(0, color=INK, linewidth=0.8, zorder=2)
        ax.set_yticks(np.arange(len(rows)))
        ax.set_yticklabels([_row_label(k, g, lang) for k, g in rows])
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.set_xlabel(L.t(key, lang))
        ax.set_title(L.t(panel, lang), fontsize=8)
        if not rows:
            style.note(ax, L.t("note.no_data", lang))
        # Symmetric limits so that "no difference" sits in the middle.
        limit = max(
            [abs(x) for line in ax.lines for x in np.atleast_1d(line.get_xdata()) if np.isfinite(x)]
            + [0]
        )
        for coll in ax.collections:
            for seg in coll.get_segments() if hasattr(coll, "get_segments") else []:
                limit = max(limit, float(np.nanmax(np.abs(seg[:, 0]))) if seg.size else 0)
        limit = limit * 1.1 or 1.0
        ax.set_xlim(-limit, limit)
    handles = [
        (
            Line2D(
                [],
                [],
                marker=style.look(labels.index(x)).marker,
                color=style.look(labels.index(x)).colour,
                linestyle="-",
            ),
            names[x],
        )
        for x in others
    ]
    fig.legend(
        [h for h, _ in handles]
        + [Line2D([], [], marker="o", color=INK, markerfacecolor=INK, linestyle="none")],
        [t for _, t in handles] + [L.t("legend.significant", lang)],
        loc="outside lower center",
        ncols=min(len(handles) + 1, 4),
    )
    style.set_caption(
        fig, f"{L.t('caption.differences', lang)} {ranking.significance_note(results, lang)}"
    )
    return fig


def _differences_rows(results: Results, lang: str) -> Figure:
    """`differences` for many scenarios: a panel per KPI (a forest plot), a row per
    scenario, its paired difference to the base with the 95% CI; filled where the CI
    excludes zero. Shares in percentage points, times in minutes (hours beyond
    `HOURS_FROM`)."""
    labels, names = shown(results), display_names(results, lang)
    others = [label for label in labels if label != results.base]
    d = results.differences
    present = set(zip(d["kpi"], d["group"], strict=True)) if not d.empty else set()
    rows = [(r, "pp") for r in DIFF_ROWS_PP if r in present]
    rows += [(r, "min") for r in DIFF_ROWS_MIN if r in present]
    ncols = 4
    panel_rows = max(1, math.ceil(len(rows) / ncols))
    fig = style.new_figure(panel_rows * (0.11 * len(others) + 0.95) + 1.2)
    _title(fig, "title.differences", lang)
    axes = rows_grid(fig, max(len(rows), 1), ncols)
    if not rows:
        style.note(axes[0], L.t("note.no_data", lang))
    for ax, ((kpi, group), unit) in zip(axes, rows, strict=False):
        sub = d[(d["kpi"] == kpi) & (d["group"] == group)].set_index("scenario")
        diff = np.array([float(sub["difference"].get(x, NAN)) for x in others])
        hw = np.array([float(sub["half_width"].get(x, NAN)) for x in others])
        sig = [bool(sub["significant"].get(x, False)) for x in others]
        extent = np.nanmax(
            np.abs(np.concatenate([diff + np.nan_to_num(hw), diff - np.nan_to_num(hw)]))
        )
        scale, shown_unit = time_scale(extent) if unit == "min" else (1.0, "pp")
        for j, label in enumerate(others):
            s = style.look(labels.index(label))
            if not np.isfinite(diff[j]):
                continue
            ax.errorbar(
                [diff[j] / scale],
                [j],
                xerr=[hw[j] / scale] if np.isfinite(hw[j]) else None,
                fmt="none",
                ecolor=s.colour,
                elinewidth=1.1,
                capsize=2.0,
                zorder=3,
            )
            ax.plot(
                [diff[j] / scale],
                [j],
                marker=s.marker,
                markersize=4.5,
                color=s.colour,
                markerfacecolor=s.colour if sig[j] else "white",
                markeredgewidth=1.0,
                linestyle="none",
                zorder=4,
                gid=f"difference:{kpi}:{group}:{label}",
            )
        ax.axvline(0, color=INK, linewidth=0.8, zorder=2)
        limit = (extent / scale if np.isfinite(extent) else 0.0) * 1.1 or 1.0
        ax.set_xlim(-limit, limit)
        ax.set_yticks(np.arange(len(others)))
        ax.set_yticklabels([names[x] for x in others])
        ax.set_ylim(len(others) - 0.5, -0.5)
        ax.tick_params(axis="y", length=0)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", visible=True)
        ax.set_title(textwrap.fill(_row_label(kpi, group, lang), 22), fontsize=6.5)
        ax.set_xlabel(L.t("axis.diff_short", lang, unit=L.unit(shown_unit, lang)), fontsize=7)
    fig.legend(
        [
            Line2D([], [], marker="o", color=INK, markerfacecolor=INK, linestyle="none"),
            Line2D([], [], marker="o", color=INK, markerfacecolor="white", linestyle="none"),
        ],
        [L.t("legend.significant", lang), L.t("legend.not_significant", lang)],
        loc="outside lower center",
        ncols=2,
    )
    style.set_caption(
        fig, f"{L.t('caption.differences', lang)} {ranking.significance_note(results, lang)}"
    )
    return fig


_SITE_KINDS = ("triage_centres", "gp_posts", "sehs", "integrated_posts", "ambulance_stations")


def _site_names(scenario: Any) -> dict[str, str]:
    """Site id -> short display name (the name up to its first parenthesis)."""
    out: dict[str, str] = {}
    sites = scenario.sites
    for kind in _SITE_KINDS:
        for site_id, site in (getattr(sites, kind, None) or {}).items():
            name = str(getattr(site, "name", "") or site_id)
            out[site_id] = name.split(" (")[0].strip() or site_id
    return out


def field_label(path: str, scenario: Any, lang: str) -> str:
    """A swept field path as a reader names it: ``rosters.hap_a.gp_consult.0.staff`` ->
    "GP, consults: staff (HAP A, block 1)". Site ids become site names (from
    ``scenario``), roles their names, list indices "block n"; other words lose their
    underscores (translated where `labels` knows them); the section in parentheses."""
    sites = _site_names(scenario) if scenario is not None else {}
    parts = path.split(".")
    section = parts[0] if len(parts) > 1 and L.has(f"field.section.{parts[0]}") else None
    role = None
    words: list[str] = []
    context: list[str] = []
    for part in parts[1:] if section else parts:
        if part.isdigit():
            context.append(L.t("field.block", lang, n=int(part) + 1))
        elif part in sites:
            context.insert(0, sites[part])
        elif part in ROLES:
            role = L.role(part, lang)
        elif part in _SITE_KINDS:
            continue  # "gp_posts" before a site id says nothing the site name does not
        else:
            key = f"field.word.{part}"
            words.append(L.t(key, lang) if L.has(key) else part.replace("_", " "))
    field = " ".join(words) or (parts[-1] if parts else path)
    text = L.t("field.role_field", lang, role=role, field=field) if role else field
    text = text[:1].upper() + text[1:]
    if section and section != "rosters" and not context:
        context.append(L.t(f"field.section.{section}", lang))
    return f"{text} ({', '.join(context)})" if context else text


def _param_unit(path: str, lang: str) -> str:
    last = path.split(".")[-1]
    if last == "staff":
        return f" ({L.t('axis.staff', lang).split('(')[-1].rstrip(')')})"
    if "minutes" in last:
        return " (min)"
    if "percent" in last:
        return " (%)"
    if "factor" in last:
        return " (×)"
    return ""


def sweep(results: Results, lang: str = "en") -> Figure:
    """Each headline KPI against the swept parameter (the first grid path; further
    paths as separate lines), means with 95% CI whiskers."""
    points = results.points
    labels = results.labels
    paths = list(results.manifest.get("grid") or (next(iter(points.values())) if points else {}))
    x_path = paths[0] if paths else "scenario"
    rest = paths[1:]
    kpis = [(k, g) for k, g in SWEEP_KPIS if not results.kpi(k, [g]).empty]
    ncols = 3
    nrows = max(1, math.ceil(len(kpis) / ncols))
    fig = style.new_figure(1.75 * nrows + 1.0)
    _title(fig, "title.sweep", lang)
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    xs_raw = [points.get(label, {}).get(x_path, label) for label in labels]
    numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in xs_raw)
    categories = list(dict.fromkeys(str(v) for v in xs_raw))
    series: dict[str, list[str]] = {}
    for label in labels:
        key = ", ".join(f"{_short_path(p)} = {points.get(label, {}).get(p)}" for p in rest)
        series.setdefault(key, []).append(label)
    for i, (ax, (kpi, group)) in enumerate(zip(axes, kpis, strict=False)):
        rows = results.kpi(kpi, [group]).set_index("scenario")
        unit = str(rows["unit"].iloc[0]) if len(rows) else ""
        tops = (rows["mean"] + rows["half_width"].fillna(0)).to_numpy(dtype=float)
        scale, time_unit = time_scale(*tops) if unit == "min" else (1.0, unit)
        for k, (key, members) in enumerate(series.items()):
            x = [points.get(m, {}).get(x_path, m) for m in members]
            x = [float(v) for v in x] if numeric else [categories.index(str(v)) for v in x]
            order = np.argsort(x)
            y = np.array([float(rows["mean"].get(m, NAN)) for m in members])[order] / scale
            e = np.array([float(rows["half_width"].get(m, NAN)) for m in members])[order] / scale
            s = style.look(k)
            ax.errorbar(
                np.asarray(x)[order],
                y,
                yerr=_clipped_error(y, e, 0.0, 100.0 if unit == "%" else None),
                color=s.colour,
                linestyle=s.linestyle,
                marker=s.marker,
                markersize=4,
                markerfacecolor="white" if k % 2 else s.colour,
                elinewidth=0.9,
                capsize=2.5,
                label=key or None,
            )
        title = _row_label(kpi, group, lang)
        ax.set_title(textwrap.fill(title, 30), fontsize=7.5)
        quantity = {"%": "axis.share", "min": "axis.time"}.get(unit, "axis.value")
        ax.set_ylabel(L.t(quantity, lang, unit=L.unit(time_unit, lang)), fontsize=7)
        if not numeric:
            ax.set_xticks(range(len(categories)))
            ax.set_xticklabels(categories)
        elif len(set(xs_raw)) <= 8:
            ax.set_xticks(sorted({float(v) for v in xs_raw}))
        if i >= len(kpis) - ncols:
            readable = field_label(x_path, results.scenario(labels[0]), lang)
            ax.set_xlabel(textwrap.fill(f"{readable}{_param_unit(x_path, lang)}", 34), fontsize=7)
        ax.grid(axis="x", visible=False)
    for ax in axes[len(kpis) :]:
        ax.set_visible(False)
    if rest:
        handles = [Line2D([], [], **style.line_style(k)) for k in range(len(series))]
        fig.legend(handles, list(series), loc="outside lower center", ncols=min(len(series), 3))
    text = L.t("caption.sweep", lang, parameter=x_path)
    style.set_caption(fig, text + _ci_notes(results, lang, [k for k, _ in kpis]))
    return fig


FIGURES = {
    "access_time": access_time,
    "within_norm": within_norm,
    "phone": phone,
    "workload": workload,
    "capacity": capacity,
    "queues": queues.queues_over_week,
    "ambulance": ambulance,
    "travel": travel,
    "map": maps.region_map,
    "map_change": maps.change_map,
    "differences": differences,
    "ranking": ranking.ranking_figure,
    "sweep": sweep,
}
"""Every figure of a report by name, in the order they appear."""


def applicable(results: Results) -> list[str]:
    """The figures a result directory supports: the comparison chart needs two
    scenarios, the sweep chart a sweep; the rest apply to every kind."""
    names = ["access_time", "within_norm", "phone", "workload", "capacity", "ambulance", "travel"]
    if results.kind != "sweep" and len(results.labels) > 1 and not results.differences.empty:
        names.append("differences")
    if ranking.applicable(results):  # a compare with two or more scenarios besides the base
        names.append("ranking")
    if results.kind == "sweep":
        names.append("sweep")
    names.append("map")
    if queues.has_queues(results):  # results written before the queue tables: no figure
        names.append("queues")
    if maps.applicable_change(results):  # a comparison that changes some travel time
        names.append("map_change")
    return [name for name in FIGURES if name in names]


__all__ = [
    "DIFF_ROWS_MIN",
    "DIFF_ROWS_PP",
    "FIGURES",
    "SWEEP_KPIS",
    "access_time",
    "ambulance",
    "applicable",
    "capacity",
    "differences",
    "display_names",
    "phone",
    "site_names",
    "sweep",
    "travel",
    "within_norm",
    "workload",
]


def localise(fig: Figure, lang: str) -> None:
    """Dutch decimal commas on the numeric axes of ``fig`` (and its subfigures)."""
    if lang != "nl":
        return
    formatter = FuncFormatter(lambda x, _pos: f"{x:g}".replace(".", ",").replace("-", "\u2212"))
    stack: list[Any] = [fig]
    while stack:
        container = stack.pop()
        stack.extend(getattr(container, "subfigs", []))
        for ax in container.axes:
            for axis in (ax.xaxis, ax.yaxis):
                if isinstance(axis.get_major_formatter(), ScalarFormatter):
                    axis.set_major_formatter(formatter)
