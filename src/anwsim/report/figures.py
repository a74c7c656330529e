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
from anwsim.report import derived, style
from anwsim.report import labels as L
from anwsim.report.data import Results
from anwsim.scenario import ROLES, URGENCIES
from anwsim.scenario.schema import AMBULANCE_URGENCIES

INK = style.INK
NAN = float("nan")
MAX_ABSOLUTE = 4
"""The workload heatmap shows every scenario in full up to this many; beyond, the base
in full and the others as differences only."""
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
    """Scenario labels drawn side by side (at most `style.MAX_SCENARIOS`)."""
    return results.labels[: style.MAX_SCENARIOS]


def _short_path(path: str) -> str:
    return path if len(path) <= 36 else "…" + ".".join(path.split(".")[-3:])


def display_names(results: Results, lang: str, *, standalone: bool = False) -> dict[str, str]:
    """How each scenario is named in figures: its name (or label if names repeat), the
    base marked as such; sweep points by their swept values (in legends titled with the
    swept path just the value, unless ``standalone``: then ``name = value``)."""
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
    names = {
        label: str(results.manifest["scenarios"][label].get("name") or label) for label in labels
    }
    if len(set(names.values())) < len(names):
        names = {label: label for label in labels}
    names = {k: v if len(v) <= 34 else v[:33] + "…" for k, v in names.items()}
    if results.kind == "compare" and len(labels) > 1:
        names[results.base] = L.t("base_suffix", lang, name=names[results.base])
    return names


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
    line samples for line charts, both for mixed figures; norm and target entries."""
    all_names = display_names(results, lang)
    names = [all_names[x] for x in labels]
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
    fig.legend(
        handles,
        texts,
        loc="outside lower center",
        ncols=min(len(texts), 3 if max(len(t) for t in texts) > 24 else 5),
        handler_map={tuple: HandlerTuple(ndivide=None, pad=0.4)},
        handlelength=3.2 if kind == "both" else 2.6,
        title=legend_title(results),
        title_fontsize=7.5,
    )


def _title(fig: Figure, key: str, lang: str) -> None:
    fig.suptitle(L.t(key, lang), x=0.01, ha="left")


def _single_rep(results: Results) -> bool:
    return min(results.replications.values() or [0]) < 2


def _kpi_caption(results: Results, text: str, lang: str) -> str:
    reps = sorted(set(results.replications.values()))
    count = "–".join(str(r) for r in (reps[0], reps[-1])) if len(reps) > 1 else str(reps[0])
    out = f"{text} {L.t('caption.kpi_source', lang, reps=count)}"
    if _single_rep(results):
        out += L.t("caption.single_rep", lang)
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
) -> list[BarContainer]:
    """Bars per group (x) and scenario (side by side) with 95% CI whiskers; one
    `BarContainer` per scenario, labelled with its display name. With ``percent`` the
    whiskers are clipped to 0–100%."""
    n = len(labels)
    width = 0.8 / n
    centre = np.arange(len(groups), dtype=float)
    containers = []
    for k, label in enumerate(labels):
        xs = centre + (k - (n - 1) / 2) * width
        means = np.array([values.get((label, g), (NAN, NAN))[0] for g in groups])
        hws = np.array([values.get((label, g), (NAN, NAN))[1] for g in groups])
        yerr: Any = hws
        if percent:
            yerr = np.array(
                [np.minimum(hws, np.maximum(means, 0)), np.minimum(hws, np.maximum(100 - means, 0))]
            )
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
            for x, m, h in zip(xs, means, hws, strict=True):
                if np.isfinite(m):
                    ax.annotate(
                        L.number(m, lang, digits),
                        (
                            x,
                            min(m + (h if np.isfinite(h) else 0.0), 100.0)
                            if percent
                            else m + (h if np.isfinite(h) else 0.0),
                        ),
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
) -> dict[str, np.ndarray]:
    """Per scenario: the mean over replications of the empirical CDF (in %) on ``grid``,
    drawn as a step line with a pointwise 95% CI band (bands only with at most
    `MAX_BANDS` scenarios, where they stay readable). Returns the mean curves."""
    out = {}
    step = max(len(grid) // 7, 1)
    for k, label in enumerate(labels):
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
        ax.step(grid, mean, where="post", **style.line_style(k, markevery=markevery), zorder=3)
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
    ax: Axes, results: Results, labels: Sequence[str], kpi: str, group: str, norm: float, lang: str
) -> None:
    """Legend of an ECDF panel: each scenario's KPI share within the norm ± 95% CI."""
    handles, texts = [], []
    for k, label in enumerate(labels):
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
    scenarios side by side, 95% CI whiskers, the norm as a dashed line."""
    labels, names = shown(results), display_names(results, lang)
    values = _values(results, "call_to_doctor_mean")
    norms = _meta(results, "call_to_doctor_mean", "norm")
    urgencies = [u for u in URGENCIES if u in norms and np.isfinite(norms[u])]
    fig = style.new_figure(2.9)
    _title(fig, "title.access_time", lang)
    axes = fig.subplots(1, max(len(urgencies), 1), squeeze=False)[0]
    for i, (ax, u) in enumerate(zip(axes, urgencies, strict=False)):
        grouped_bars(ax, [u], labels, names, values, lang=lang)
        norm = norms[u]
        style.norm_line(ax, norm, gid=f"norm:{u}")
        ax.annotate(
            L.t("legend.norm", lang, value=L.minutes(norm, lang)),
            (0.02, norm),
            xycoords=("axes fraction", "data"),
            xytext=(0, 2),
            textcoords="offset points",
            fontsize=6.5,
            color=INK,
            va="bottom",
        )
        tops = [sum(values.get((lab, u), (NAN, NAN))) for lab in labels]
        tops += [values.get((lab, u), (NAN, NAN))[0] for lab in labels]
        ax.set_ylim(0, _top([*tops, norm], headroom=1.12))
        ax.set_xticks([])
        ax.set_title(u)
        if i == 0:
            ax.set_ylabel(L.t("axis.call_to_doctor", lang))
    if not urgencies:
        style.note(axes[0], L.t("note.no_data", lang))
    _figure_legend(fig, results, labels, lang, extra=norm_handles(lang, target=False))
    style.set_caption(fig, _kpi_caption(results, L.t("caption.access_time", lang), lang))
    return fig


def within_norm(results: Results, lang: str = "en") -> Figure:
    """Share of patients seen within their NTS norm per urgency, with 95% CIs."""
    labels, names = shown(results), display_names(results, lang)
    values = _values(results, "within_nts_norm")
    norms = _meta(results, "within_nts_norm", "norm")
    urgencies = [u for u in URGENCIES if u in norms and np.isfinite(norms[u])]
    fig = style.new_figure(3.1)
    _title(fig, "title.within_norm", lang)
    ax = fig.subplots()
    grouped_bars(ax, urgencies, labels, names, values, lang=lang, percent=True)
    ax.set_xticklabels([f"{u}\n≤ {L.minutes(norms[u], lang)}" for u in urgencies])
    ax.set_ylim(0, 110)
    ax.set_yticks(np.arange(0, 101, 20))
    ax.set_ylabel(L.t("axis.within_norm", lang))
    ax.set_xlabel(L.t("axis.urgency", lang))
    _figure_legend(fig, results, labels, lang)
    style.set_caption(fig, _kpi_caption(results, L.t("caption.within_norm", lang), lang))
    return fig


# --------------------------------------------------------------------------- telephone


def phone(results: Results, lang: str = "en") -> Figure:
    """Answer-time distributions (emergency line and other lines, from the event logs
    when present) and service levels, abandonment and mean answer time (KPIs)."""
    labels, names = shown(results), display_names(results, lang)
    events = results.has_events
    fig = style.new_figure(5.6 if events else 3.3)
    _title(fig, "title.phone", lang)
    if events:
        top, bottom = fig.subfigures(2, 1, height_ratios=[1.0, 1.0])  # type: ignore[misc]
        _answer_distributions(top, results, labels, lang)
    else:
        banner, bottom = fig.subfigures(2, 1, height_ratios=[0.1, 1.0])  # type: ignore[misc]
        banner.text(
            0.01,
            0.5,
            L.t("note.no_events_phone", lang),
            ha="left",
            va="center",
            fontsize=7.5,
            style="italic",
            color=INK,
        )
    axes = bottom.subplots(1, 2, width_ratios=[3.2, 1])
    levels = [(k, g) for k, g in PHONE_SERVICE_LEVELS if not results.kpi(k, [g]).empty]
    present = [k for k, _ in levels]
    values: dict[tuple[str, str], tuple[float, float]] = {}
    ticks = []
    for kpi, group in levels:
        rows = results.kpi(kpi, [group])
        for (label, g), v in _values(results, kpi).items():
            if g == group:
                values[(label, kpi)] = v
        norm = float(rows["norm"].iloc[0])
        ticks.append(
            L.t(f"sl.{kpi}", lang, norm=L.minutes(norm, lang) if np.isfinite(norm) else "")
        )
    ax = axes[0]
    grouped_bars(ax, present, labels, names, values, lang=lang, digits=1, percent=True)
    targets = [float(results.kpi(k, [g])["target"].iloc[0]) for k, g in levels]
    _share_axis_with_targets(ax, present, ticks, targets)
    ax.set_ylabel(L.t("axis.share_callers", lang))
    ax.set_title(L.t("panel.service_levels", lang))
    ax = axes[1]
    mean_values = {(lab, "all"): v for (lab, g), v in _values(results, "answer_time_mean").items()}
    grouped_bars(ax, ["all"], labels, names, mean_values, lang=lang, digits=2)
    ax.set_xticks([])
    ax.set_ylim(0, _top([sum(v) if np.isfinite(v[1]) else v[0] for v in mean_values.values()], 0.1))
    ax.set_ylabel(L.t("axis.answer_mean", lang))
    ax.set_title(L.t("panel.answer_mean", lang))
    _figure_legend(
        fig,
        results,
        labels,
        lang,
        kind="both" if events else "bar",
        extra=norm_handles(lang, target=True) if events else norm_handles(lang)[1:],
    )
    if events:
        urgencies = ", ".join(results.scenario(labels[0]).triage.emergency_line_urgencies)
        text = L.t("caption.phone_events", lang, urgencies=urgencies)
    else:
        text = L.t("caption.phone_kpis", lang)
    style.set_caption(fig, _kpi_caption(results, text, lang))
    return fig


def _answer_distributions(fig: Any, results: Results, labels: Sequence[str], lang: str) -> None:
    axes = fig.subplots(1, 2)
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

    panels = (
        (axes[0], urgent, "panel.emergency_line", line("emergency line")),
        (axes[1], other, "panel.other_lines", line("other lines")),
    )
    for ax, samples, title, kpis in panels:
        norms = [float(results.kpi(k)["norm"].iloc[0]) for k, _ in kpis if not results.kpi(k).empty]
        high = max(norms) * 1.25 if norms else 5.0
        grid = _grid(samples, high, max(high, 3 * (max(norms) if norms else 5.0)))
        drawn = ecdf_curves(ax, samples, labels, grid)
        if not drawn:
            style.note(ax, L.t("note.no_data", lang))
        targets = [
            float(results.kpi(k)["target"].iloc[0]) for k, _ in kpis if not results.kpi(k).empty
        ]
        _ecdf_floor(ax, drawn, targets)
        for (kpi, group), norm in zip(kpis, norms, strict=False):
            rows = results.kpi(kpi)
            style.norm_line(ax, norm, vertical=True, gid=f"norm:{kpi}")
            target = float(rows["target"].iloc[0])
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
            del group
        if kpis and not results.kpi(kpis[0][0]).empty:
            kpi, group = kpis[0]
            _within_legend(ax, results, labels, kpi, group, norms[0], lang)
        ax.set_title(L.t(title, lang))
        ax.set_xlabel(L.t("axis.answer_wait", lang))
        ax.set_ylabel(L.t("axis.answered_cum", lang))


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
    ax.set_ylim(n, 0)
    ax.set_yticks(np.arange(n) + 0.5)
    ax.set_yticklabels([L.role(r, lang) for r in roles])
    ax.tick_params(axis="y", length=0)
    ax.grid(False)
    for x in range(24, 168, 24):
        ax.axvline(x, color="white", linewidth=0.8, zorder=2)
    for spine in ax.spines.values():
        spine.set_visible(False)
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
    # With many scenarios, only the base is shown in full and the others as differences.
    absolute = labels if len(labels) <= MAX_ABSOLUTE else [base]
    n_panels = len(absolute) + len(others)
    panel_h = 0.19 * len(roles) + 0.42
    fig = style.new_figure(panel_h * n_panels + 1.0)
    _title(fig, "title.workload", lang)
    axes = fig.subplots(n_panels, 1, sharex=True, squeeze=False)[:, 0]
    meshes = []
    for ax, label in zip(axes, absolute, strict=False):
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
    bar = fig.colorbar(meshes[0], ax=list(axes[: len(absolute)]), shrink=0.9, aspect=25, pad=0.01)
    bar.set_label(L.t("axis.utilisation", lang))
    diffs = {}
    for label in others:
        diffs[label] = _paired_matrix(util[base], util[label], roles)
    if others:
        # The colour scale covers 98% of the cells; the rest saturate (arrows on the bar).
        values = np.concatenate([np.abs(m[np.isfinite(m)]) for m, _ in diffs.values()])
        largest = float(np.percentile(values, 98)) if values.size else 0.0
        limit = max(5.0, math.ceil(largest / 5.0) * 5.0)
        clipped = bool(values.size and values.max() > limit)
        diff_axes = axes[len(absolute) :]
        diff_meshes = []
        for ax, label in zip(diff_axes, others, strict=True):
            mean, hw = diffs[label]
            mesh = _heatmap(
                ax, mean, roles, lang, vmin=-limit, vmax=limit, cmap=style.DIVERGING_CMAP
            )
            mesh.set_gid(f"difference:{label}")
            diff_meshes.append(mesh)
            significant = np.isfinite(hw) & (np.abs(mean) > hw)
            dark = np.abs(np.nan_to_num(mean)) > 0.6 * limit  # white marks on dark cells
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
            title = L.t("panel.difference", lang, name=names[label])
            if results.kind != "compare":
                title = f"{names[label]} − {names[base]}"
            ax.set_title(title, fontsize=8)
        bar = fig.colorbar(
            diff_meshes[0],
            ax=list(diff_axes),
            shrink=0.9,
            aspect=25,
            pad=0.01,
            extend="both" if clipped else "neither",
        )
        bar.set_label(L.t("axis.util_diff", lang))
    _week_axis(axes[-1], lang)
    for ax in axes[:-1]:
        ax.tick_params(axis="x", which="both", labelbottom=False)
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


def _seh_names(results: Results, labels: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for label in labels:
        for seh_id, seh in results.scenario(label).sites.sehs.items():
            out.setdefault(seh_id, seh.name)
    return out


def ambulance(results: Results, lang: str = "en") -> Figure:
    """Ambulance response (distribution from the event logs, else mean per urgency) with
    the 15/30-minute norms, incident to SEH with the 45-minute norm, and the handoff
    delay at each SEH."""
    labels, names = shown(results), display_names(results, lang)
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
    seh_names = _seh_names(results, labels)
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


# --------------------------------------------------------------------------- travel


def travel(results: Results, lang: str = "en") -> Figure:
    """Cumulative share of inhabitants by car time to the GP post they would be sent
    to, on a weekday evening and in the night, per scenario."""
    labels = shown(results)
    fig = style.new_figure(3.2)
    _title(fig, "title.travel", lang)
    axes = fig.subplots(1, 2, sharey=True)
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
    for ax, when in zip(axes, ("evening", "night"), strict=True):
        for k, label in enumerate(labels):
            x, y = curves[label][when]
            x = np.append(x, right)
            y = np.append(y, y[-1])
            every = max(len(labels), (x.size - 1) // 12)
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
        ax.set_title(L.t(f"panel.{when}", lang, when=L.t(f"when.{when}", lang)))
        ax.set_xlabel(L.t("axis.travel", lang))
        ax.grid(axis="x", visible=True)
    axes[0].set_ylabel(L.t("axis.population_cum", lang))
    _figure_legend(fig, results, labels, lang, kind="line", extra=norm_handles(lang))
    style.set_caption(fig, L.t("caption.travel", lang))
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
    style.set_caption(fig, L.t("caption.differences", lang))
    return fig


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
        for k, (key, members) in enumerate(series.items()):
            x = [points.get(m, {}).get(x_path, m) for m in members]
            x = [float(v) for v in x] if numeric else [categories.index(str(v)) for v in x]
            order = np.argsort(x)
            y = [float(rows["mean"].get(m, NAN)) for m in members]
            e = [float(rows["half_width"].get(m, NAN)) for m in members]
            s = style.look(k)
            ax.errorbar(
                np.asarray(x)[order],
                np.asarray(y)[order],
                yerr=np.asarray(e)[order],
                color=s.colour,
                linestyle=s.linestyle,
                marker=s.marker,
                markersize=4,
                markerfacecolor="white" if k % 2 else s.colour,
                elinewidth=0.9,
                capsize=2.5,
                label=key or None,
            )
        unit = str(rows["unit"].iloc[0]) if len(rows) else ""
        title = _row_label(kpi, group, lang)
        ax.set_title(textwrap.fill(title, 30), fontsize=7.5)
        quantity = {"%": "axis.share", "min": "axis.time"}.get(unit, "axis.value")
        ax.set_ylabel(L.t(quantity, lang, unit=L.unit(unit, lang)), fontsize=7)
        if not numeric:
            ax.set_xticks(range(len(categories)))
            ax.set_xticklabels(categories)
        elif len(set(xs_raw)) <= 8:
            ax.set_xticks(sorted({float(v) for v in xs_raw}))
        if i >= len(kpis) - ncols:
            short = x_path if len(x_path) <= 26 else "…" + ".".join(x_path.split(".")[-3:])
            ax.set_xlabel(f"{short}{_param_unit(x_path, lang)}", fontsize=7)
        ax.grid(axis="x", visible=False)
    for ax in axes[len(kpis) :]:
        ax.set_visible(False)
    if rest:
        handles = [Line2D([], [], **style.line_style(k)) for k in range(len(series))]
        fig.legend(handles, list(series), loc="outside lower center", ncols=min(len(series), 3))
    style.set_caption(fig, L.t("caption.sweep", lang, parameter=x_path))
    return fig


FIGURES = {
    "access_time": access_time,
    "within_norm": within_norm,
    "phone": phone,
    "workload": workload,
    "capacity": capacity,
    "ambulance": ambulance,
    "travel": travel,
    "differences": differences,
    "sweep": sweep,
}
"""Every figure of a report by name, in the order they appear."""


def applicable(results: Results) -> list[str]:
    """The figures a result directory supports: the comparison chart needs two
    scenarios, the sweep chart a sweep; the rest apply to every kind."""
    names = ["access_time", "within_norm", "phone", "workload", "capacity", "ambulance", "travel"]
    if results.kind != "sweep" and len(results.labels) > 1 and not results.differences.empty:
        names.append("differences")
    if results.kind == "sweep":
        names.append("sweep")
    return names


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
