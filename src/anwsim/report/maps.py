"""Maps of the region in plain matplotlib (no tiles, no geopandas).

* `region_map` — the base scenario on a weekday evening and in the night: every area a
  circle at its latitude and longitude whose area is proportional to its inhabitants,
  shaded by the car minutes to the GP post (or SEH) a patient from there is sent to at
  that moment, a thin line to that place; GP posts, SEHs, integrated posts (spoedposten)
  and ambulance stations as symbols with their short names, a site closed at that
  moment drawn hollow and crossed.
* `change_map` — a comparison: for every scenario whose minutes differ from the base's,
  the difference (scenario − base) per area, evening and night, as small multiples on a
  diverging scale centred at zero; scenarios that change nothing are named in the caption.

Projection: equirectangular, the y axis stretched by 1 / cos(mean latitude), which is
true to scale at a region's size. Minutes come from `anwsim.report.derived`
(`travel_to_post` at `representative_times`): the resolved scenario, not the results.
"""

from __future__ import annotations

import math
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure, SubFigure
from matplotlib.lines import Line2D
from matplotlib.transforms import Bbox, offset_copy

from anwsim.report import derived, style
from anwsim.report import labels as L
from anwsim.report.data import Results
from anwsim.scenario import Scenario
from anwsim.scenario.intensity import scenario_calendar

INK = style.INK
WHEN: tuple[str, ...] = ("evening", "night")
"""The two moments of `derived.representative_times`, in panel order."""

KINDS: tuple[str, ...] = ("gp_post", "seh", "integrated_post", "ambulance_station")
"""Site kinds drawn on a map, each with its own symbol."""
SYMBOLS: dict[str, str] = {
    "gp_post": "s",
    "seh": "P",
    "integrated_post": "D",
    "ambulance_station": "^",
}
SYMBOL_SIZE: dict[str, float] = {
    "gp_post": 6.5,
    "seh": 8.0,
    "integrated_post": 7.0,
    "ambulance_station": 5.0,
}
"""Marker size (points) per kind."""
TRAVEL_CMAP = f"{style.SEQUENTIAL_CMAP}_r"
"""Car minutes: light (near) to dark (far); colour-blind safe and monotone in grey."""
MAX_LABELS = 40
"""Areas and sites are named on the map up to this many of each."""
MAX_CHANGE_COLUMNS = 2
"""Scenarios per row of the change map (each an evening and a night panel)."""


# --------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Site:
    """A site as drawn: where, what, its short name and whether it is open at a time."""

    id: str
    kind: str
    name: str
    latitude: float
    longitude: float
    open: bool


def short_name(name: str) -> str:
    """The part of a site's name before any parenthesis (``HAP A (Goes, …)`` → ``HAP A``)."""
    head = name.split(" (")[0].strip()
    return head or name


def sites_at(scenario: Scenario, t: float, names: dict[str, str] | None = None) -> list[Site]:
    """Every located site of ``scenario`` with its open state at time ``t``.

    An integrated post is one symbol at its GP post's place, open while its GP post is
    open; its GP post and SEH are then not drawn again. ``names`` overrides the short
    names by site id."""
    calendar = scenario_calendar(scenario)
    names = names or {}

    def is_open(blocks: Any) -> bool:
        return bool(calendar.open_function(blocks).at(t))

    sites = scenario.sites
    merged = {p.gp_post for p in sites.integrated_posts.values()}
    merged |= {p.seh for p in sites.integrated_posts.values()}
    out: list[Site] = []

    def add(site_id: str, kind: str, name: str, place: Any, open_now: bool) -> None:
        short = names.get(site_id, short_name(name))
        out.append(Site(site_id, kind, short, place.latitude, place.longitude, open_now))

    for kind, collection in (("gp_post", sites.gp_posts), ("seh", sites.sehs)):
        for site_id, site in collection.items():
            if site_id not in merged:
                add(site_id, kind, site.name, site, is_open(site.opening))
    for site_id, integrated in sites.integrated_posts.items():
        post = sites.gp_posts[integrated.gp_post]
        add(site_id, "integrated_post", integrated.name, post, is_open(post.opening))
    for site_id, station in sites.ambulance_stations.items():
        add(site_id, "ambulance_station", station.name, station, True)
    return out


def area_minutes(scenario: Scenario) -> pd.DataFrame:
    """Per area: name, place, population and, for the evening and the night, the car
    minutes to where a patient is sent and that place's coordinates.

    Columns ``area, name, latitude, longitude, population`` and per moment ``when``
    ``minutes_<when>, destination_<when>, dest_lat_<when>, dest_lon_<when>``."""
    areas = scenario.region.areas
    located = scenario.sites.located()
    frame = pd.DataFrame(
        {
            "area": list(areas),
            "name": [a.name for a in areas.values()],
            "latitude": [a.latitude for a in areas.values()],
            "longitude": [a.longitude for a in areas.values()],
            "population": [a.population for a in areas.values()],
        }
    )
    for when, t in derived.representative_times(scenario).items():
        travel = derived.travel_to_post(scenario, t).set_index("area")
        destination = travel["destination"].reindex(frame["area"]).to_numpy()
        frame[f"minutes_{when}"] = travel["minutes"].reindex(frame["area"]).to_numpy(float)
        frame[f"destination_{when}"] = destination
        frame[f"dest_lat_{when}"] = [located[d].latitude for d in destination]
        frame[f"dest_lon_{when}"] = [located[d].longitude for d in destination]
    return frame


_CACHE: weakref.WeakKeyDictionary[Results, dict[str, pd.DataFrame]] = weakref.WeakKeyDictionary()


def minutes_of(results: Results, label: str) -> pd.DataFrame:
    """`area_minutes` of one scenario of ``results`` (cached per opened directory)."""
    cache = _CACHE.setdefault(results, {})
    if label not in cache:
        cache[label] = area_minutes(results.scenario(label))
    return cache[label]


def change(results: Results, label: str) -> pd.DataFrame:
    """Per area of ``label``: its population and minutes − the base's minutes, evening
    and night (``change_<when>``; NaN for an area the base does not have)."""
    mine = minutes_of(results, label)
    base = minutes_of(results, results.base).set_index("area")
    out = mine[["area", "name", "latitude", "longitude", "population"]].copy()
    for when in WHEN:
        before = base[f"minutes_{when}"].reindex(mine["area"]).to_numpy(float)
        out[f"change_{when}"] = mine[f"minutes_{when}"].to_numpy(float) - before
    return out


def changed(results: Results, tolerance: float = 0.05) -> tuple[list[str], list[str]]:
    """Scenarios other than the base whose minutes differ from the base's by more than
    ``tolerance`` minutes in some area (or whose areas differ), and those that do not."""
    differ: list[str] = []
    same: list[str] = []
    base_areas = set(minutes_of(results, results.base)["area"])
    for label in results.labels:
        if label == results.base:
            continue
        delta = change(results, label)
        values = delta[[f"change_{w}" for w in WHEN]].to_numpy(float)
        other_areas = set(delta["area"]) != base_areas
        moved = bool(np.any(~np.isfinite(values)) or np.any(np.abs(values) > tolerance))
        (differ if other_areas or moved else same).append(label)
    return differ, same


# --------------------------------------------------------------------------- drawing


def _aspect(latitudes: np.ndarray) -> float:
    """y units per x unit: 1 / cos of the latitude in the middle of the map."""
    middle = (float(np.min(latitudes)) + float(np.max(latitudes))) / 2
    return 1.0 / math.cos(math.radians(middle))


def _frame_axes(ax: Axes, lat: np.ndarray, lon: np.ndarray, pad: float = 0.1) -> None:
    """Equirectangular axes around the points, without ticks or grid."""
    aspect = _aspect(lat)
    x0, x1 = float(lon.min()), float(lon.max())
    y0, y1 = float(lat.min()), float(lat.max())
    span = max(x1 - x0, (y1 - y0) * aspect, 0.02)
    ax.set_xlim(x0 - pad * span, x1 + pad * span)
    ax.set_ylim(y0 - pad * span / aspect, y1 + pad * span / aspect)
    ax.set_aspect(aspect)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    for spine in ax.spines.values():
        spine.set_visible(True)
        spine.set_color("#BBBBBB")
        spine.set_linewidth(0.5)


def _scale_bar(ax: Axes, lat: float) -> None:
    """A bar of a round number of kilometres in the lower left corner."""
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    km_per_degree = 111.32 * math.cos(math.radians(lat))
    width_km = (x1 - x0) * km_per_degree
    km = next(k for k in (50, 20, 10, 5, 2, 1, 0.5) if k <= width_km / 4 or k == 0.5)
    start = x0 + 0.04 * (x1 - x0)
    y = y0 + 0.04 * (y1 - y0)
    ax.plot(
        [start, start + km / km_per_degree],
        [y, y],
        color=INK,
        linewidth=1.6,
        solid_capstyle="butt",
        gid="scale_bar",
    )
    ax.text(start, y + 0.015 * (y1 - y0), f"{km:g} km", fontsize=6.5, color=INK, va="bottom")


def circle_sizes(population: np.ndarray, largest: float, diameter: float) -> np.ndarray:
    """Scatter sizes (points²) proportional to population: ``largest`` inhabitants get a
    circle ``diameter`` points across."""
    return np.asarray(population, dtype=float) / largest * diameter**2


def _max_diameter(n_areas: int, small: bool) -> float:
    top = 17.0 if small else 26.0
    return max(5.0, min(top, top * math.sqrt(16.0 / max(n_areas, 1))))


def _nice(value: float) -> float:
    exponent = math.floor(math.log10(value))
    for step in (5, 2, 1):
        if step * 10**exponent <= value:
            return float(step * 10**exponent)
    return float(10**exponent)


def size_legend(largest: float, diameter: float, lang: str) -> list[tuple[Any, str]]:
    """Legend entries for two or three round populations on the circles' scale."""
    top = _nice(largest)
    values = sorted({top, _nice(top / 4)}, reverse=True)
    out: list[tuple[Any, str]] = []
    for value in values:
        size = math.sqrt(value / largest) * diameter
        handle = Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            markersize=size,
            markerfacecolor="white",
            markeredgecolor=INK,
            markeredgewidth=0.6,
        )
        out.append((handle, L.t("map.legend.inhabitants", lang, n=L.number(value, lang, 0))))
    return out


def symbol_legend(lang: str, kinds: set[str], closed: bool) -> list[tuple[Any, str]]:
    out: list[tuple[Any, str]] = []
    for kind in KINDS:
        if kind in kinds:
            handle = Line2D(
                [],
                [],
                linestyle="none",
                marker=SYMBOLS[kind],
                markersize=SYMBOL_SIZE[kind],
                markerfacecolor=INK,
                markeredgecolor="white",
                markeredgewidth=0.6,
            )
            out.append((handle, L.t(f"map.kind.{kind}", lang)))
    if closed:
        hollow = Line2D(
            [],
            [],
            linestyle="none",
            marker="s",
            markersize=6.5,
            markerfacecolor="white",
            markeredgecolor=INK,
            markeredgewidth=0.9,
        )
        cross = Line2D(
            [], [], linestyle="none", marker="x", markersize=4.5, color=INK, markeredgewidth=0.9
        )
        out.append(((hollow, cross), L.t("map.legend.closed", lang)))
    return out


def _draw_sites(ax: Axes, sites: list[Site], small: bool) -> list[tuple[float, float, float]]:
    """Symbols of every site; returns (x, y, radius in points) of each for the labels.
    Sites at one place are spread a little sideways so that none hides another."""
    scale = 0.8 if small else 1.0
    placed: list[tuple[float, float, float]] = []
    seen: dict[tuple[float, float], int] = {}
    for site in sites:
        key = (round(site.longitude, 3), round(site.latitude, 3))
        k = seen.get(key, 0)
        seen[key] = k + 1
        size = SYMBOL_SIZE[site.kind] * scale
        dx = 0.0 if k == 0 else (1 if k % 2 else -1) * ((k + 1) // 2) * size * 1.05
        marker_kw: dict[str, Any] = {
            "linestyle": "none",
            "marker": SYMBOLS[site.kind],
            "markersize": size,
            "markeredgewidth": 0.7 if site.open else 0.9,
            "markerfacecolor": INK if site.open else "white",
            "markeredgecolor": "white" if site.open else INK,
            "zorder": 6,
        }
        transform = offset_copy(
            ax.transData, fig=ax.get_figure(root=True), x=dx, y=0.0, units="points"
        )
        ax.plot(
            [site.longitude],
            [site.latitude],
            transform=transform,
            **marker_kw,
            gid=f"site:{site.kind}:{site.id}:{'open' if site.open else 'closed'}",
        )
        if not site.open:
            ax.plot(
                [site.longitude],
                [site.latitude],
                transform=transform,
                linestyle="none",
                marker="x",
                markersize=size * 0.62,
                color=INK,
                markeredgewidth=0.9,
                zorder=7,
                gid=f"closed:{site.id}",
            )
        placed.append((site.longitude, site.latitude, size / 2 + abs(dx)))
    return placed


def _place_labels(
    ax: Axes, items: list[tuple[float, float, float, str, dict[str, Any]]], obstacles: list[Bbox]
) -> None:
    """Name each point beside it where the name overlaps least with names placed before
    and with the circles and symbols (``obstacles``, display coordinates); ``items`` are
    (x, y, radius in points, text, text keywords)."""
    fig = ax.figure
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    placed: list[Bbox] = []
    axes_box = ax.get_window_extent(renderer)
    for x, y, radius, text, kw in items:
        gap = radius + 1.5
        candidates = [
            ((gap, 0), "left", "center"),
            ((-gap, 0), "right", "center"),
            ((0, gap), "center", "bottom"),
            ((0, -gap), "center", "top"),
            ((gap * 0.75, gap * 0.75), "left", "bottom"),
            ((gap * 0.75, -gap * 0.75), "left", "top"),
            ((-gap * 0.75, gap * 0.75), "right", "bottom"),
            ((-gap * 0.75, -gap * 0.75), "right", "top"),
        ]
        best: tuple[float, Any] | None = None
        for offset, ha, va in candidates:
            label = ax.annotate(
                text, (x, y), xytext=offset, textcoords="offset points", ha=ha, va=va, **kw
            )
            label.set_in_layout(False)
            box = label.get_window_extent(renderer)
            cost = sum(_overlap(box, other) for other in (*placed, *obstacles))
            cost += 10 * (box.width * box.height - _overlap(box, axes_box))
            if best is None or cost < best[0]:
                if best is not None:
                    best[1].remove()
                best = (cost, label)
                if cost == 0:
                    break
            else:
                label.remove()
        assert best is not None
        placed.append(best[1].get_window_extent(renderer))


def _points_to_lon(ax: Axes, points: np.ndarray) -> np.ndarray:
    """Longitude span of ``points`` on the axes' current scale (before the final layout,
    so approximately)."""
    x0, x1 = ax.get_xlim()
    width = ax.get_window_extent().width / ax.figure.dpi * 72.0
    return np.asarray(points) * (x1 - x0) / max(width, 1.0)


def _points_to_lat(ax: Axes, points: np.ndarray) -> np.ndarray:
    y0, y1 = ax.get_ylim()
    height = ax.get_window_extent().height / ax.figure.dpi * 72.0
    return np.asarray(points) * (y1 - y0) / max(height, 1.0)


def _overlap(a: Bbox, b: Bbox) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return max(w, 0.0) * max(h, 0.0)


def _point_boxes(ax: Axes, points: list[tuple[float, float, float]]) -> list[Bbox]:
    """Display-coordinate boxes of points with a radius in points."""
    fig = ax.figure
    to_pixels = fig.dpi / 72.0
    boxes = []
    for x, y, radius in points:
        px, py = ax.transData.transform((x, y))
        r = radius * to_pixels
        boxes.append(Bbox([[px - r, py - r], [px + r, py + r]]))
    return boxes


def _panel(
    ax: Axes,
    frame: pd.DataFrame,
    values: np.ndarray,
    sites: list[Site],
    *,
    cmap: Any,
    norm: mcolors.Normalize,
    largest: float,
    diameter: float,
    small: bool,
    gid: str,
    links: tuple[np.ndarray, np.ndarray] | None = None,
    signs: bool = False,
    names: bool = True,
) -> LabelJob | None:
    """One map: area circles coloured by ``values``, optional lines to the destinations,
    site symbols and (``names``) labels."""
    lat = frame["latitude"].to_numpy(float)
    lon = frame["longitude"].to_numpy(float)
    every_lat = np.concatenate([lat, [s.latitude for s in sites]])
    every_lon = np.concatenate([lon, [s.longitude for s in sites]])
    _frame_axes(ax, every_lat, every_lon)
    if links is not None:
        dest_lon, dest_lat = links
        for x, y, x1, y1 in zip(lon, lat, dest_lon, dest_lat, strict=True):
            ax.plot([x, x1], [y, y1], color="#9A9A9A", linewidth=0.6, zorder=2, gid="link")
    sizes = circle_sizes(frame["population"].to_numpy(float), largest, diameter)
    finite = np.isfinite(values)
    colours = np.array(cmap(norm(np.where(finite, values, 0.0))))
    colours[~finite] = mcolors.to_rgba("white")
    ax.scatter(lon, lat, s=sizes, c=colours, edgecolors=INK, linewidths=0.5, zorder=4, gid=gid)
    if signs:
        for sign, marker in ((1, "+"), (-1, "_")):
            pick = finite & (np.sign(np.round(values, 1)) == sign)
            dark = np.abs(np.nan_to_num(values)) > 0.6 * float(norm.vmax or 1)  # type: ignore[operator]
            for on_dark, colour in ((False, INK), (True, "white")):
                cells = pick & (dark == on_dark)
                # off centre, so that a site symbol at the area's centre leaves it visible
                radius = np.sqrt(sizes[cells]) / 2
                ax.plot(
                    lon[cells] + _points_to_lon(ax, 0.5 * radius),
                    lat[cells] + _points_to_lat(ax, 0.5 * radius),
                    linestyle="none",
                    marker=marker,
                    markersize=4.0,
                    markeredgewidth=0.8,
                    color=colour,
                    zorder=5,
                    gid=f"sign:{'higher' if sign > 0 else 'lower'}",
                )
    symbols = _draw_sites(ax, sites, small)
    _scale_bar(ax, float(np.mean(every_lat)))
    circles = [(x, y, math.sqrt(s) / 2) for x, y, s in zip(lon, lat, sizes, strict=True)]
    if not names:
        return None
    items: list[tuple[float, float, float, str, dict[str, Any]]] = []
    fontsize = 5.6 if small else 6.5
    if len(sites) <= MAX_LABELS:
        for x, y, radius, text in _site_labels(sites, symbols, frame):
            site_kw = {"fontsize": fontsize, "color": INK, "fontweight": "bold", "zorder": 8}
            items.append((x, y, radius, text, site_kw))
    if len(frame) <= MAX_LABELS and not small:
        area_kw = {"fontsize": fontsize - 0.5, "color": "#555555", "fontstyle": "italic"}
        for x, y, radius, name in zip(
            lon, lat, (c[2] for c in circles), frame["name"], strict=True
        ):
            items.append((x, y, radius, str(name), {**area_kw, "zorder": 8}))
    return LabelJob(ax, items, circles + symbols)


@dataclass
class LabelJob:
    """Names to place on one map once the figure's layout is final."""

    ax: Axes
    items: list[tuple[float, float, float, str, dict[str, Any]]]
    points: list[tuple[float, float, float]]


def _label(fig: Figure, jobs: list[LabelJob | None]) -> None:
    """Place the names of every map (after colour bars and legends are in, so that the
    layout no longer moves the axes)."""
    fig.draw_without_rendering()  # type: ignore[attr-defined]
    for job in jobs:
        if job is not None:
            _place_labels(job.ax, job.items, _point_boxes(job.ax, job.points))


def _site_labels(
    sites: list[Site], symbols: list[tuple[float, float, float]], frame: pd.DataFrame
) -> list[tuple[float, float, float, str]]:
    """One label per place with sites (their short names joined). Ambulance stations
    lose the word their names share (``Ambulancepost``) and are not named where an area
    of the same name is within 3 km (the area's label names the place)."""
    stations = [s.name for s in sites if s.kind == "ambulance_station"]
    common = _common_first_word(stations)
    area_names = {
        str(n).casefold(): (float(a), float(b))
        for n, a, b in zip(frame["name"], frame["latitude"], frame["longitude"], strict=True)
    }
    groups: dict[tuple[float, float], list[tuple[str, float]]] = {}
    for site, (_, _, radius) in zip(sites, symbols, strict=True):
        name = site.name
        if site.kind == "ambulance_station":
            name = name[len(common) :].strip() if common else name
            near = area_names.get(name.casefold())
            if near is not None and _km(near, (site.latitude, site.longitude)) < 3.0:
                continue
        key = (round(site.longitude, 3), round(site.latitude, 3))
        groups.setdefault(key, []).append((name, radius))
    return [
        (x, y, max(r for _, r in members), " · ".join(n for n, _ in members))
        for (x, y), members in groups.items()
    ]


def _common_first_word(names: list[str]) -> str:
    """The leading words every name shares (``Ambulance station``), if more than one
    name and each has a word left after them."""
    if len(names) < 2:
        return ""
    split = [n.split(" ") for n in names]
    shared: list[str] = []
    for words in zip(*split, strict=False):
        if len(set(words)) != 1:
            break
        shared.append(words[0])
    if any(len(w) <= len(shared) for w in split):
        shared = shared[: min(len(w) for w in split) - 1]
    return " ".join(shared)


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Equirectangular distance in km between (lat, lon) points."""
    mean = math.radians((a[0] + b[0]) / 2)
    dy = (a[0] - b[0]) * 111.32
    dx = (a[1] - b[1]) * 111.32 * math.cos(mean)
    return math.hypot(dx, dy)


def _site_names(results: Results, lang: str, label: str) -> dict[str, str]:
    """Short site names from `figures.site_names` when it exists, else from the scenario."""
    from anwsim.report import figures

    names = getattr(figures, "site_names", None)
    if names is None:
        return {}
    try:
        found = names(results, lang, label)
    except TypeError:
        found = names(results, lang)
    return {str(k): short_name(str(v)) for k, v in dict(found).items()}


def _minutes_top(values: np.ndarray, norm: float) -> float:
    finite = values[np.isfinite(values)]
    top = max(norm * 1.2, float(finite.max()) if finite.size else 0.0)
    return float(math.ceil(top / 5.0) * 5.0)


def region_map(results: Results, lang: str = "en") -> Figure:
    """The base scenario's region on a weekday evening and in the night: areas sized by
    inhabitants and shaded by car minutes to the post or SEH a patient is sent to."""
    label = results.base
    scenario = results.scenario(label)
    frame = minutes_of(results, label)
    times = derived.representative_times(scenario)
    names = _site_names(results, lang, label)
    norm_minutes = float(scenario.norms.post_travel_minutes)
    values = frame[[f"minutes_{w}" for w in WHEN]].to_numpy(float)
    colour_norm = mcolors.Normalize(0.0, _minutes_top(values, norm_minutes))
    cmap = mpl_cmap(TRAVEL_CMAP)
    largest = float(frame["population"].max())
    diameter = _max_diameter(len(frame), small=False)
    fig = style.new_figure(4.6)
    fig.suptitle(L.t("title.map", lang), x=0.01, ha="left")
    axes = fig.subplots(1, 2)
    kinds: set[str] = set()
    closed = False
    jobs: list[LabelJob | None] = []
    for ax, when in zip(axes, WHEN, strict=True):
        sites = sites_at(scenario, times[when], names)
        kinds |= {s.kind for s in sites}
        closed |= any(not s.open for s in sites)
        job = _panel(
            ax,
            frame,
            frame[f"minutes_{when}"].to_numpy(float),
            sites,
            cmap=cmap,
            norm=colour_norm,
            largest=largest,
            diameter=diameter,
            small=False,
            gid=f"areas:{when}:{label}",
            links=(
                frame[f"dest_lon_{when}"].to_numpy(float),
                frame[f"dest_lat_{when}"].to_numpy(float),
            ),
        )
        jobs.append(job)
        ax.set_title(L.t(f"panel.{when}", lang, when=L.t(f"when.{when}", lang)))
    bar = fig.colorbar(
        ScalarMappable(colour_norm, cmap),
        ax=list(axes),
        orientation="horizontal",
        location="bottom",
        shrink=0.55,
        aspect=35,
        pad=0.02,
    )
    bar.set_label(L.t("map.axis.minutes", lang))
    style.norm_line(bar.ax, norm_minutes, vertical=True, gid="norm:post_travel")
    bar.ax.text(
        norm_minutes,
        1.15,
        L.t("legend.norm", lang, value=L.minutes(norm_minutes, lang)),
        transform=bar.ax.get_xaxis_transform(),
        ha="center",
        va="bottom",
        fontsize=6.5,
        color=INK,
    )
    legend = symbol_legend(lang, kinds, closed) + size_legend(largest, diameter, lang)
    _legend(fig, legend)
    _label(fig, jobs)
    text = L.t(
        "caption.map",
        lang,
        name=_scenario_name(results, lang, label),
        norm=L.minutes(norm_minutes, lang),
    )
    if results.kind == "compare" and len(results.labels) > 1 and not changed(results)[0]:
        text += L.t("caption.map.unchanged_all", lang)
    style.set_caption(fig, text)
    return fig


def _legend(fig: Figure | SubFigure, entries: list[tuple[Any, str]]) -> None:
    from matplotlib.legend_handler import HandlerTuple

    fig.legend(
        [h for h, _ in entries],
        [t for _, t in entries],
        loc="outside lower center",
        ncols=min(len(entries), 4),
        handler_map={tuple: HandlerTuple(ndivide=1)},
        handlelength=2.0,
        borderaxespad=0.2,
        labelspacing=1.0,
    )


def _scenario_name(results: Results, lang: str, label: str) -> str:
    from anwsim.report.figures import display_names

    return display_names(results, lang, standalone=True).get(label, label)


def mpl_cmap(name: str) -> mcolors.Colormap:
    import matplotlib as mpl

    return mpl.colormaps[name]


def change_map(results: Results, lang: str = "en") -> Figure:
    """Small multiples of the change in car minutes (scenario − base) per area, evening
    and night, for every scenario whose minutes differ from the base's."""
    differ, same = changed(results)
    from anwsim.report.figures import display_names

    names = display_names(results, lang, standalone=True)
    deltas = {label: change(results, label) for label in differ}
    every = np.concatenate(
        [d[[f"change_{w}" for w in WHEN]].to_numpy(float).ravel() for d in deltas.values()]
        or [np.zeros(1)]
    )
    finite = np.abs(every[np.isfinite(every)])
    limit = max(5.0, math.ceil(float(finite.max() if finite.size else 0.0) / 5.0) * 5.0)
    colour_norm = mcolors.Normalize(-limit, limit)
    cmap = mpl_cmap(style.DIVERGING_CMAP)
    largest = max(float(d["population"].max()) for d in deltas.values()) if deltas else 1.0
    n_areas = max((len(d) for d in deltas.values()), default=1)
    diameter = _max_diameter(n_areas, small=True)
    columns = min(MAX_CHANGE_COLUMNS, max(len(differ), 1))
    rows = max(math.ceil(len(differ) / columns), 1)
    fig = style.new_figure(0.7 + 2.05 * rows + 0.9)
    fig.suptitle(L.t("title.map_change", lang), x=0.01, ha="left")
    all_axes: list[Axes] = []
    jobs: list[LabelJob | None] = []
    kinds: set[str] = set()
    closed = False
    if differ:
        # maps above, the colour bar in a strip of its own below (one bar for all maps)
        parts = fig.subfigures(2, 1, squeeze=False, height_ratios=[2.05 * rows, 0.62])
        top, strip = parts[0, 0], parts[1, 0]
        grid = top.subfigures(rows, columns, squeeze=False, wspace=0.02, hspace=0.02)
        for k, label in enumerate(differ):
            sub = grid[k // columns, k % columns]
            scenario = results.scenario(label)
            times = derived.representative_times(scenario)
            site_names = _site_names(results, lang, label)
            sub.suptitle(
                L.t("panel.difference", lang, name=names.get(label, label)),
                fontsize=8,
                fontweight="bold",
                x=0.02,
                ha="left",
            )
            axes = sub.subplots(1, 2)
            for ax, when in zip(axes, WHEN, strict=True):
                sites = [
                    s
                    for s in sites_at(scenario, times[when], site_names)
                    if s.kind != "ambulance_station"
                ]
                kinds |= {s.kind for s in sites}
                closed |= any(not s.open for s in sites)
                job = _panel(
                    ax,
                    deltas[label],
                    deltas[label][f"change_{when}"].to_numpy(float),
                    sites,
                    cmap=cmap,
                    norm=colour_norm,
                    largest=largest,
                    diameter=diameter,
                    small=True,
                    gid=f"change:{when}:{label}",
                    links=(  # where the scenario sends each area's patients
                        minutes_of(results, label)[f"dest_lon_{when}"].to_numpy(float),
                        minutes_of(results, label)[f"dest_lat_{when}"].to_numpy(float),
                    ),
                    signs=True,
                    names=len(differ) <= 2,
                )
                ax.set_title(L.t(f"when.{when}", lang), fontsize=7.5, fontweight="normal")
                all_axes.append(ax)
                jobs.append(job)
        for k in range(len(differ), rows * columns):
            grid[k // columns, k % columns].set_visible(False)
        cax = strip.add_axes((0.25, 0.62, 0.5, 0.16))
        bar = strip.colorbar(ScalarMappable(colour_norm, cmap), cax=cax, orientation="horizontal")
        bar.set_label(L.t("map.axis.change", lang))
        bar.ax.axvline(0, color=INK, linewidth=0.8)
    else:
        ax = fig.add_subplot()
        ax.set_axis_off()
        style.note(ax, L.t("map.note.unchanged_all", lang))
    legend = symbol_legend(lang, kinds, closed)
    legend += [
        (Line2D([], [], marker="+", linestyle="none", color=INK), L.t("map.legend.longer", lang)),
        (Line2D([], [], marker="_", linestyle="none", color=INK), L.t("map.legend.shorter", lang)),
    ]
    legend += size_legend(largest, diameter, lang)
    if differ:
        _legend(fig, legend)
        _label(fig, jobs)
    unchanged = ", ".join(names.get(x, x) for x in same) or L.t("map.caption.none", lang)
    style.set_caption(
        fig,
        L.t(
            "caption.map_change",
            lang,
            base=names.get(results.base, results.base),
            unchanged=unchanged,
        ),
    )
    return fig


def applicable_change(results: Results) -> bool:
    """Whether a change map applies: a comparison with a scenario whose minutes differ."""
    if results.kind != "compare" or len(results.labels) < 2:
        return False
    return bool(changed(results)[0])


__all__ = [
    "KINDS",
    "SYMBOLS",
    "Site",
    "applicable_change",
    "area_minutes",
    "change",
    "change_map",
    "changed",
    "circle_sizes",
    "region_map",
    "short_name",
    "sites_at",
]
