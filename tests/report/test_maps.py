"""The region map and the map of the change, checked on the figure objects.

The maps read nothing but the resolved scenarios of a result manifest, so the results
here are built in memory (no simulation): the baseline, a variant whose GP posts B and C
close at night, and a variant that changes only a roster (same travel times)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib as mpl
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from anwsim.report import caption, derived, maps, style
from anwsim.report import figures as F
from anwsim.report.data import Results
from anwsim.scenario import Scenario, load_scenario

REPO_ROOT = Path(__file__).resolve().parents[2]
BASELINE = REPO_ROOT / "scenarios" / "baseline.yaml"
NIGHT = [
    'sites.gp_posts.hap_b.opening=[{days: [weekday], hours: "17:00-23:00"},'
    ' {days: [weekend, holiday], hours: "08:00-23:00"}]',
    'sites.gp_posts.hap_c.opening=[{days: [weekday], hours: "17:00-23:00"},'
    ' {days: [weekend, holiday], hours: "08:00-23:00"}]',
]
ROSTER_ONLY = ["triage.supervision_percent=50"]


def _results(scenarios: dict[str, tuple[str, Scenario]], kind: str = "compare") -> Results:
    """A `Results` over the given (name, scenario) by label, without any files."""
    manifest: dict[str, Any] = {
        "kind": kind,
        "base": next(iter(scenarios)),
        "scenarios": {
            label: {"name": name, "hash": label, "scenario": _named(s, name)}
            for label, (name, s) in scenarios.items()
        },
    }
    kpis = pd.DataFrame({"scenario": list(scenarios), "replication": 0})
    return Results(Path("."), manifest, kpis)


def _named(scenario: Scenario, name: str) -> dict[str, Any]:
    data = scenario.model_dump(mode="json")
    data["name"] = name
    if "names" in data:
        data["names"] = {"en": name, "nl": name}
    return data


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load_scenario(BASELINE)


@pytest.fixture(scope="module")
def night() -> Scenario:
    return load_scenario(BASELINE, overrides=NIGHT)


@pytest.fixture(scope="module")
def roster_only() -> Scenario:
    return load_scenario(BASELINE, overrides=ROSTER_ONLY)


@pytest.fixture(scope="module")
def results(base: Scenario, night: Scenario, roster_only: Scenario) -> Results:
    return _results(
        {
            "baseline": ("Baseline", base),
            "night": ("Night closure B and C", night),
            "same": ("Roster only", roster_only),
        }
    )


def _draw(function: Any, results: Results, lang: str = "en") -> Figure:
    with style.context():
        return function(results, lang)


def _all_axes(fig: Figure) -> list[Any]:
    out, stack = [], [fig]
    while stack:
        container = stack.pop()
        stack.extend(getattr(container, "subfigs", []))
        out.extend(container.axes)
    return out


def _by_gid(fig: Figure, kind: type, prefix: str) -> dict[str, Any]:
    found = {}
    for ax in _all_axes(fig):
        for artist in ax.get_children():
            gid = artist.get_gid()
            if isinstance(artist, kind) and gid and gid.startswith(prefix):
                found[gid] = artist
    return found


def _hand_minutes(scenario: Scenario) -> dict[str, pd.DataFrame]:
    times = derived.representative_times(scenario)
    return {w: derived.travel_to_post(scenario, t).set_index("area") for w, t in times.items()}


# --------------------------------------------------------------------------- region map


def test_one_circle_per_area_sized_by_population_and_coloured_by_minutes(
    results: Results, base: Scenario
) -> None:
    fig = _draw(maps.region_map, results)
    circles = _by_gid(fig, PathCollection, "areas:")
    assert set(circles) == {"areas:evening:baseline", "areas:night:baseline"}
    areas = list(base.region.areas.values())
    population = np.array([a.population for a in areas], dtype=float)
    hand = _hand_minutes(base)
    top = max(30.0 * 1.2, max(float(h["minutes"].max()) for h in hand.values()))
    norm = Normalize(0, np.ceil(top / 5) * 5)
    cmap = mpl.colormaps[maps.TRAVEL_CMAP]
    for when in maps.WHEN:
        scatter = circles[f"areas:{when}:baseline"]
        offsets = scatter.get_offsets()
        assert len(offsets) == len(areas)
        # x = longitude, y = latitude of every area, in the scenario's order
        assert np.allclose(offsets[:, 0], [a.longitude for a in areas])
        assert np.allclose(offsets[:, 1], [a.latitude for a in areas])
        # marker area (points²) proportional to inhabitants, the largest the largest
        sizes = scatter.get_sizes()
        assert np.allclose(sizes / population, sizes[0] / population[0])
        assert sizes.argmax() == population.argmax()
        minutes = hand[when]["minutes"].reindex(list(base.region.areas)).to_numpy()
        assert np.allclose(scatter.get_facecolors(), cmap(norm(minutes)))


def test_equirectangular_aspect(results: Results, base: Scenario) -> None:
    fig = _draw(maps.region_map, results)
    ax = next(iter(_by_gid(fig, PathCollection, "areas:").values())).axes
    middle = np.mean(ax.get_ylim())  # the map is padded evenly around its points
    assert ax.get_aspect() == pytest.approx(1 / np.cos(np.radians(middle)))
    lat = [a.latitude for a in base.region.areas.values()]
    assert ax.get_ylim()[0] < min(lat) and ax.get_ylim()[1] > max(lat)


def test_symbols_per_site_kind_and_names(results: Results, base: Scenario) -> None:
    fig = _draw(maps.region_map, results)
    evening = {
        line.get_gid(): line for line in fig.axes[0].lines if line.get_gid().startswith("site:")
    }
    kinds: dict[str, set[str]] = {}
    for gid, line in evening.items():
        _, kind, _site, state = gid.split(":")
        kinds.setdefault(kind, set()).add(str(line.get_marker()))
        assert state == "open"  # the baseline's posts are open every ANW hour
    assert set(kinds) == set(maps.KINDS)
    assert {k: m.pop() for k, m in kinds.items()} == maps.SYMBOLS
    assert len(set(maps.SYMBOLS.values())) == len(maps.KINDS)
    sites = base.sites
    merged = {p.gp_post for p in sites.integrated_posts.values()} | {
        p.seh for p in sites.integrated_posts.values()
    }
    expected = (
        len(sites.gp_posts)
        + len(sites.sehs)
        - len(merged)
        + len(sites.integrated_posts)
        + len(sites.ambulance_stations)
    )
    assert len(evening) == expected
    texts = " | ".join(t.get_text() for t in fig.axes[0].texts)
    hap_c = maps.short_name(F.site_names(results, "en", "baseline")["hap_c"])
    assert hap_c in texts  # short site names ...
    assert "Middelburg |" in texts or texts.endswith("Middelburg")  # ... and area names


def test_shared_leading_words_left_out_of_station_names() -> None:
    names = ["Ambulance station Goes", "Ambulance station Hulst", "Ambulance station Sluis"]
    assert maps._common_first_word(names) == "Ambulance station"
    assert maps._common_first_word(["Post A", "Post"]) == ""
    assert maps._common_first_word(["Goes"]) == ""


def test_norm_on_the_colour_bar_and_caption(results: Results) -> None:
    fig = _draw(maps.region_map, results)
    (norm,) = _by_gid(fig, Line2D, "norm:post_travel").values()
    assert np.allclose(norm.get_xdata(), 30.0)
    assert "30 min" in caption(fig)
    nl = _draw(maps.region_map, results, "nl")
    assert "huisartsenpost" in caption(nl)
    assert nl.get_suptitle() != fig.get_suptitle()


def test_closed_posts_drawn_hollow_and_crossed(night: Scenario) -> None:
    t = derived.representative_times(night)
    at_night = {s.id: s for s in maps.sites_at(night, t["night"])}
    in_evening = {s.id: s for s in maps.sites_at(night, t["evening"])}
    assert not at_night["hap_b"].open and not at_night["hap_c"].open
    assert in_evening["hap_b"].open and in_evening["hap_c"].open
    assert "hap_a" not in at_night  # drawn as its integrated post
    assert at_night["spoedpost_goes"].kind == "integrated_post"
    fig = Figure()
    ax = fig.add_subplot()
    maps._draw_sites(ax, list(at_night.values()), small=False)
    lines = {line.get_gid(): line for line in ax.lines}
    hollow = lines["site:gp_post:hap_b:closed"]
    assert hollow.get_markerfacecolor() == "white"
    assert "closed:hap_b" in lines and "closed:hap_c" in lines
    assert "closed:spoedpost_goes" not in lines


def test_short_names() -> None:
    assert maps.short_name("HAP A (Goes, at hospital 1 — integrated spoedpost)") == "HAP A"
    assert maps.short_name("Ambulancepost Goes") == "Ambulancepost Goes"


# --------------------------------------------------------------------------- change map


def test_change_map_draws_the_difference_and_lists_the_unchanged(
    results: Results, base: Scenario, night: Scenario
) -> None:
    differ, same = maps.changed(results)
    assert differ == ["night"] and same == ["same"]
    fig = _draw(maps.change_map, results)
    circles = _by_gid(fig, PathCollection, "change:")
    assert set(circles) == {"change:evening:night", "change:night:night"}
    before, after = _hand_minutes(base), _hand_minutes(night)
    areas = list(night.region.areas)
    delta = {
        w: after[w]["minutes"].reindex(areas).to_numpy() - before[w]["minutes"].reindex(areas)
        for w in maps.WHEN
    }
    assert np.allclose(delta["evening"], 0.0)
    assert delta["night"].max() > 5  # patients of B and C travel further at night
    limit = max(5.0, np.ceil(np.abs(delta["night"]).max() / 5) * 5)
    cmap = mpl.colormaps[style.DIVERGING_CMAP]
    for when in maps.WHEN:
        colours = circles[f"change:{when}:night"].get_facecolors()
        assert np.allclose(colours, cmap(Normalize(-limit, limit)(np.asarray(delta[when]))))
    longer = _by_gid(fig, Line2D, "sign:higher")
    assert sum(len(line.get_xdata()) for line in longer.values()) == int(
        np.sum(np.round(delta["night"], 1) > 0)
    )
    assert "Roster only" in caption(fig)
    closed = _by_gid(fig, Line2D, "closed:")
    assert {gid for gid in closed} == {"closed:hap_b", "closed:hap_c"}


def test_change_map_lays_out_twelve_scenarios(base: Scenario, night: Scenario) -> None:
    scenarios = {"baseline": ("Baseline", base)}
    for k in range(12):
        scenarios[f"v{k:02d}"] = (f"Variant {k}", night)
    many = _results(scenarios)
    assert maps.changed(many)[0] == [f"v{k:02d}" for k in range(12)]
    fig = _draw(maps.change_map, many)
    drawn = {gid.split(":")[2] for gid in _by_gid(fig, PathCollection, "change:")}
    assert drawn == {f"v{k:02d}" for k in range(12)}
    titles = {sub.get_suptitle() for sub in fig.subfigs[0].subfigs}
    assert all(any(f"Variant {k} " in t for t in titles) for k in range(12))


def test_registered_and_applicable(results: Results, base: Scenario) -> None:
    assert F.FIGURES["map"] is maps.region_map
    assert F.FIGURES["map_change"] is maps.change_map
    assert maps.applicable_change(results)
    single = _results({"baseline": ("Baseline", base)}, kind="run")
    assert not maps.applicable_change(single)
    unchanged = _results(
        {"baseline": ("Baseline", base), "same": ("Roster only", load_scenario(BASELINE))}
    )
    assert not maps.applicable_change(unchanged)
    fig = _draw(maps.region_map, unchanged)
    assert "No other scenario" in caption(fig)
