"""Queues over the week: when a roster falls short.

`queues_over_week` draws, for every queue of the chain (a site and a role: the triage
line, consults and home visits per GP post, each SEH, the ambulance dispatch), the mean
number of patients waiting per hour of the week beside the rostered capacity of that site
and role, one row per queue. Scenarios are lines with their own look; several
replications give a 95% CI band. With more scenarios than `style.LINES_PER_PANEL`, each
row is split into columns of at most that many (the base in every column).

Data: `Results.queues` (per replication, queue and hour of the week: the minutes observed,
the patient-minutes waited, the waits begun and their minutes) and `Results.hourly`
(staffed minutes per server group). Mean number waiting = waiting_minutes ÷
observed_minutes; rostered capacity = staffed minutes ÷ the minutes that hour of the week
has in the measured window (from the end of the warm-up to the horizon), i.e. staff on
duty averaged over the hour and its occurrences.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from scipy import stats

from anwsim.report import derived, style
from anwsim.report import labels as L
from anwsim.report.data import Results

INK = style.INK
HOURS_PER_WEEK = 168
QUIET = 1e-3
"""A queue whose mean number waiting never exceeds this in any hour and scenario is not
drawn (it is named in the caption)."""
MAX_BANDS = 3
"""Every scenario's CI band is drawn in panels of at most this many scenarios; in fuller
panels only the base's (more overlap into an unreadable mass; the caption says so)."""


def lines_per_panel() -> int:
    return int(getattr(style, "LINES_PER_PANEL", 6))


# --------------------------------------------------------------------------- data


def window_minutes(start: float, end: float) -> np.ndarray:
    """Minutes of [start, end) in each hour of the week (hour 0 = Monday 00:00), summed
    over the weeks: 60 × the number of times each hour occurs, less any part hour."""
    out = np.zeros(HOURS_PER_WEEK)
    if end <= start:
        return out
    first, last = math.floor(start / 60.0), math.ceil(end / 60.0)
    hours = np.arange(first, last)
    lengths = np.minimum(end, (hours + 1) * 60.0) - np.maximum(start, hours * 60.0)
    np.add.at(out, hours % HOURS_PER_WEEK, np.maximum(lengths, 0.0))
    return out


def _t_half_width(sd: np.ndarray, n: np.ndarray) -> np.ndarray:
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = stats.t.ppf(0.975, np.maximum(n - 1, 1))
        return np.where(n > 1, t * np.asarray(sd, dtype=float) / np.sqrt(n), np.nan)


def waiting_by_hour(frame: pd.DataFrame) -> pd.DataFrame:
    """Mean number waiting per queue and hour of the week over replications.

    Per replication, ``waiting_minutes / observed_minutes`` (NaN where nothing was
    observed); then mean, t-based 95% CI half-width and count over replications. Also the
    mean wait (minutes) of the waits begun in the hour, pooled: ``wait_minutes /
    waits_started`` summed over replications. Columns ``site, role, hour_of_week, mean,
    half_width, n, mean_wait``."""
    keys = ["site", "role", "hour_of_week"]
    per = frame.groupby(["replication", *keys], sort=False)[
        ["observed_minutes", "waiting_minutes", "waits_started", "wait_minutes"]
    ].sum()
    observed = per["observed_minutes"].where(per["observed_minutes"] > 0)
    per["waiting"] = per["waiting_minutes"] / observed
    agg = per.groupby(level=keys, sort=False).agg(
        mean=("waiting", "mean"),
        sd=("waiting", "std"),
        n=("waiting", "count"),
        waits=("waits_started", "sum"),
        wait_minutes=("wait_minutes", "sum"),
    )
    agg["half_width"] = _t_half_width(agg["sd"].to_numpy(), agg["n"].to_numpy())
    agg["mean_wait"] = agg["wait_minutes"] / agg["waits"].where(agg["waits"] > 0)
    return agg.reset_index()[[*keys, "mean", "half_width", "n", "mean_wait"]]


def capacity_by_hour(
    hourly: pd.DataFrame, site: str, role: str, window: np.ndarray, replications: int = 1
) -> np.ndarray:
    """Rostered capacity of a queue's site and role per hour of the week: staffed minutes
    ÷ ``window`` (the minutes of that hour in the measured window), mean over
    replications. Consult queues count nurse practitioners with the consult GPs
    (`derived.CAPACITY_PANELS`); a site the workload table does not have (the ambulance
    dispatch, ``all_stations``) takes the role over every site. Rows of ``replication``
    −1 hold totals over ``replications`` replications."""
    rows = hourly[hourly["role"].isin(_capacity_roles(role))]
    if (rows["site"] == site).any():
        rows = rows[rows["site"] == site]
    out = np.zeros(HOURS_PER_WEEK)
    if rows.empty:
        return out
    staffed = rows.groupby(["replication", "hour_of_week"])["staffed_minutes"].sum()
    table = staffed.unstack("hour_of_week").reindex(columns=range(HOURS_PER_WEEK)).fillna(0.0)
    scale = np.where(table.index.to_numpy() < 0, max(replications, 1), 1)[:, None]
    with np.errstate(invalid="ignore", divide="ignore"):
        per = table.to_numpy(float) / (window[None, :] * scale)
    per[:, window <= 0] = np.nan
    valid = np.isfinite(per)
    count = valid.sum(axis=0)
    total = np.where(valid, per, 0.0).sum(axis=0)
    return np.where(count > 0, total / np.maximum(count, 1), np.nan)


def _by_role(hourly: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The workload table's rows by role (split once: a 1000-replication table has
    millions of rows, and each queue's capacity needs one or two roles)."""
    return {str(role): rows for role, rows in hourly.groupby("role", sort=False)}


def _capacity_roles(role: str) -> tuple[str, ...]:
    """The workload roles whose staff serve a queue of ``role``."""
    return derived.CAPACITY_PANELS.get(role, (role,))


def _rows_of(hourly: pd.DataFrame, by_role: dict[str, pd.DataFrame], role: str) -> pd.DataFrame:
    """The rows of ``hourly`` (split by `_by_role`) that `capacity_by_hour` of a queue
    of ``role`` reads."""
    parts = [by_role[r] for r in _capacity_roles(role) if r in by_role]
    if not parts:
        return hourly.iloc[:0]
    return parts[0] if len(parts) == 1 else pd.concat(parts)


def queue_order(frames: list[pd.DataFrame]) -> list[tuple[str, str]]:
    """Queues (site, role) in the order the tables list them, first table first."""
    seen: dict[tuple[str, str], None] = {}
    for frame in frames:
        first = frame[["site", "role"]].drop_duplicates()  # keeps each pair's first row
        for site, role in zip(first["site"], first["role"], strict=True):
            seen.setdefault((str(site), str(role)), None)
    return list(seen)


def has_queues(results: Results) -> bool:
    """Whether the results hold queue tables (written by anwsim with the queue metric)."""
    reader = getattr(results, "queues", None)
    if reader is None:
        return False
    return any(reader(label) is not None for label in results.labels)


# --------------------------------------------------------------------------- figure


def _day_axis(ax: Axes, lang: str, *, labels: bool) -> None:
    ax.set_xlim(0, HOURS_PER_WEEK)
    ax.set_xticks(np.arange(0, HOURS_PER_WEEK + 1, 24))
    ax.set_xticklabels([])
    ax.set_xticks(np.arange(12, HOURS_PER_WEEK, 24), minor=True)
    ax.set_xticklabels([L.day(d, lang) for d in range(7)] if labels else [], minor=True)
    ax.tick_params(axis="x", which="minor", length=0)
    ax.grid(axis="x", which="major", visible=True)


def _step(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(values.size + 1), np.append(values, values[-1])


def _site_label(results: Results, lang: str, site: str) -> str:
    if site == "all_stations":
        return L.t("queues.site.all_stations", lang)
    from anwsim.report import figures
    from anwsim.report.maps import short_name

    finder = getattr(figures, "site_names", None)
    if finder is not None:
        name = finder(results, lang).get(site)
        if name:
            return short_name(str(name))
    for label in results.labels:
        sites = results.scenario(label).sites
        for kind in ("triage_centres", "gp_posts", "sehs", "integrated_posts"):
            found = getattr(sites, kind).get(site)
            if found is not None:
                return short_name(found.name)
    return site


def _groups(labels: list[str], base: str) -> list[list[str]]:
    """Scenarios per column: all in one up to `lines_per_panel`, else the base and up to
    that many − 1 others in each."""
    size = lines_per_panel()
    if len(labels) <= size:
        return [labels]
    others = [x for x in labels if x != base]
    step = max(size - 1, 1)
    return [[base, *others[i : i + step]] for i in range(0, len(others), step)]


def _by_queue(curve: pd.DataFrame) -> dict[tuple[str, str], tuple[np.ndarray, np.ndarray]]:
    """(mean, CI half-width) per hour of the week (NaN where absent) of every queue."""
    out = {}
    for (site, role), rows in curve.groupby(["site", "role"], sort=False):
        mean = np.full(HOURS_PER_WEEK, np.nan)
        hw = np.full(HOURS_PER_WEEK, np.nan)
        hours = rows["hour_of_week"].to_numpy(int)
        mean[hours] = rows["mean"].to_numpy(float)
        hw[hours] = rows["half_width"].to_numpy(float)
        out[(str(site), str(role))] = (mean, hw)
    return out


def queues_over_week(results: Results, lang: str = "en") -> Figure:
    """Mean patients waiting per hour of the week per queue, beside rostered capacity."""
    from anwsim.report.figures import display_names

    labels = [x for x in results.labels if results.queues(x) is not None]
    base = results.base if results.base in labels else labels[0]
    names = display_names(results, lang)
    index = {label: k for k, label in enumerate(results.labels)}
    tables = {label: results.queues(label) for label in labels}
    curves = {label: waiting_by_hour(frame) for label, frame in tables.items()}  # type: ignore[arg-type]
    order = queue_order([tables[base], *(tables[x] for x in labels if x != base)])  # type: ignore[list-item]
    busiest = {q: 0.0 for q in order}
    for curve in curves.values():
        peak = curve.groupby(["site", "role"])["mean"].max()
        for (site, role), value in peak.items():
            key = (str(site), str(role))
            busiest[key] = max(busiest.get(key, 0.0), float(np.nan_to_num(value)))
    drawn = [q for q in order if busiest[q] > QUIET]
    quiet = [q for q in order if busiest[q] <= QUIET]
    capacity: dict[str, dict[tuple[str, str], np.ndarray]] = {}
    for label in labels:
        scenario = results.scenario(label)
        window = window_minutes(scenario.run.warmup_minutes, scenario.run.horizon_minutes)
        reps = results.replications.get(label, 1)
        frame = results.hourly(label).frame
        by_role = _by_role(frame)
        capacity[label] = {
            (site, role): capacity_by_hour(
                _rows_of(frame, by_role, role),
                site,
                role,
                window,
                reps,
            )
            for site, role in drawn
        }
    empty = np.full(HOURS_PER_WEEK, np.nan)
    series = {label: _by_queue(curve) for label, curve in curves.items()}
    groups = _groups(labels, base)
    n_rows, n_cols = max(len(drawn), 1), len(groups)
    fig = style.new_figure(0.9 + 1.05 * n_rows + 0.25 * math.ceil(len(labels) / 3))
    fig.suptitle(L.t("title.queues", lang), x=0.01, ha="left")
    axes = fig.subplots(n_rows, n_cols, sharex=True, squeeze=False)
    banded = False
    for r, queue in enumerate(drawn):
        site, role = queue
        for c, group in enumerate(groups):
            ax = axes[r, c]
            twin = ax.twinx()
            ax.set_zorder(twin.get_zorder() + 1)
            ax.patch.set_visible(False)
            base_cap = capacity[base][queue]
            x, y = _step(np.nan_to_num(base_cap))
            twin.fill_between(
                x,
                y,
                step="post",
                color=style.NEEDED_FILL,
                alpha=0.55,
                linewidth=0,
                gid=f"capacity:{base}:{site}:{role}",
            )
            for label in group:
                if label == base:
                    continue
                other = capacity[label][queue]
                if np.nanmax(np.abs(np.nan_to_num(other) - np.nan_to_num(base_cap))) > 0.01:
                    x, y = _step(np.nan_to_num(other))
                    twin.step(
                        x,
                        y,
                        where="post",
                        color=style.look(index[label]).colour,
                        linewidth=0.7,
                        gid=f"capacity:{label}:{site}:{role}",
                    )
            top_cap = max(float(np.nanmax(capacity[x][queue], initial=0.0)) for x in labels)
            twin.set_ylim(0, max(top_cap, 1.0) * 1.15)
            twin.grid(False)
            twin.spines["right"].set_visible(True)
            twin.tick_params(axis="y", labelsize=6.5, colors="#666666")
            for label in group:
                k = index[label]
                mean, hw = series[label].get(queue, (empty, empty))
                centres = np.arange(HOURS_PER_WEEK) + 0.5
                every = list(range((3 * k) % 24 + 6, HOURS_PER_WEEK, 24))
                ax.plot(
                    centres,
                    mean,
                    **style.line_style(k, markevery=every),
                    linewidth=1.1,
                    zorder=3 if label == base else 2,  # the reference on top
                    gid=f"waiting:{label}:{site}:{role}",
                )
                wide = len(group) > MAX_BANDS and label != base  # the base keeps its band
                if not wide and np.isfinite(hw).any():
                    banded = True
                    low = np.maximum(mean - hw, 0.0)  # no negative queue
                    ax.fill_between(
                        centres,
                        low,
                        mean + hw,
                        color=style.look(k).colour,
                        alpha=0.15,
                        linewidth=0,
                        gid=f"band:{label}:{site}:{role}",
                    )
            # Scaled to the means: a wide band (few replications) is cut at the top.
            ax.set_ylim(0, max(busiest[queue] * 1.35, 0.05))
            _day_axis(ax, lang, labels=r == n_rows - 1)
            title = L.t(
                "queues.panel", lang, site=_site_label(results, lang, site), role=L.role(role, lang)
            )
            if c == 0:
                ax.set_title(title, fontsize=8)
            if c == 0 and r == n_rows // 2:
                ax.set_ylabel(L.t("queues.axis.waiting", lang))
            if c == n_cols - 1 and r == n_rows // 2:
                twin.set_ylabel(L.t("queues.axis.capacity", lang), color="#666666")
    if not drawn:
        axes[0, 0].set_axis_off()
        style.note(axes[0, 0], L.t("caption.queues.quiet", lang, queues="—").strip())
    handles: list[Any] = [Line2D([], [], **style.line_style(index[x])) for x in labels]
    texts = [names.get(x, x) for x in labels]
    handles.append(Patch(facecolor=style.NEEDED_FILL, alpha=0.55, linewidth=0))
    texts.append(L.t("queues.legend.capacity", lang, name=names.get(base, base)))
    if len(labels) > 1:
        handles.append(Line2D([], [], color=INK, linewidth=0.7))
        texts.append(L.t("queues.legend.capacity_other", lang))
    if banded:
        handles.append(Patch(facecolor=INK, alpha=0.15, linewidth=0))
        texts.append(L.t("queues.legend.band", lang))
    fig.legend(handles, texts, loc="outside lower center", ncols=3 if len(texts) > 4 else 2)
    single = min(results.replications.get(x, 0) for x in labels) < 2
    if single or not banded:
        band = L.t("caption.queues.no_band", lang)
    elif max(len(g) for g in groups) <= MAX_BANDS:
        band = L.t("caption.queues.band", lang)
    else:
        band = L.t("caption.queues.base_band", lang, n=MAX_BANDS)
    text = L.t("caption.queues", lang, band=band)
    if len(groups) > 1:
        text += L.t("caption.queues.groups", lang, n=lines_per_panel())
    if quiet:
        listed = ", ".join(
            L.t("queues.panel", lang, site=_site_label(results, lang, s), role=L.role(r, lang))
            for s, r in quiet
        )
        text += L.t("caption.queues.quiet", lang, queues=listed)
    style.set_caption(fig, text)
    return fig


__all__ = [
    "capacity_by_hour",
    "has_queues",
    "queue_order",
    "queues_over_week",
    "waiting_by_hour",
    "window_minutes",
]
