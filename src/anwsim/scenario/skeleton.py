"""A scenario skeleton for a new region (``anwsim init``): data in, YAML text out.

The region's areas and sites come from the planner's CSVs; everything else is the
baseline's (``scenarios/baseline.yaml``) with its source comments: the national demand
rates and mixes, durations, shares and norms of ``shared/domain/figures.md``. What only
the region can know is written as a first guess and marked ``REPLACE``: opening hours
(ANW hours), rosters (the baseline's, scaled to the population each site serves),
which areas each triage line answers, crossings between zones.

A sites row of kind ``integrated_post`` is a spoedpost: a GP post ``<id>_hap`` and an
SEH ``<id>_seh`` at its location with a joint front desk ``<id>``.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from string import Template
from typing import Any

import yaml

from anwsim.scenario.errors import ScenarioError

Key = tuple[str | int, ...]
Where = tuple[str, int | None]

SITE_KINDS = ("gp_post", "seh", "integrated_post", "triage_centre", "ambulance_station")
"""What a row of the sites CSV can be."""
SITES_COLUMNS = ("id", "name", "kind", "latitude", "longitude")
"""Required columns of the sites CSV (``zone`` is optional)."""

ROAD_FACTOR = 1.3
"""The template's ``travel.road_factor`` (the baseline's)."""
BASELINE_POPULATION = 363_913
"""Inhabitants of the baseline region, whose rosters the skeleton scales."""
BASELINE_GP_POSTS = 3
BASELINE_DAY_AMBULANCES = 4
"""Vehicles the baseline adds by day (08:00-20:00) to one per station 24/7."""

# Rosters of the baseline (figures.md §9, L): (days, hours, staff in the baseline).
TRIAGIST = (
    ("weekday", "17:00-18:00", 3),
    ("weekday", "18:00-22:00", 4),
    ("weekday", "22:00-00:00", 2),
    ("all", "00:00-02:00", 2),
    ("all", "02:00-08:00", 1),
    ("weekend", "08:00-10:00", 5),
    ("weekend", "10:00-14:00", 7),
    ("weekend", "14:00-18:00", 6),
    ("weekend", "18:00-22:00", 5),
    ("weekend", "22:00-00:00", 3),
)
"""The baseline's triagists, for 363,913 inhabitants."""
GP_SUPERVISOR = (
    ("weekday", "17:00-08:00", 1),
    ("weekend", "08:00-08:00", 1),
    ("weekend", "10:00-14:00", 1),
)
"""The baseline's regieartsen (1 in all ANW hours, 2 at the weekend peak)."""
GP_CONSULT = (
    ("weekday", "17:00-23:00", 4 / 3),
    ("weekend", "08:00-14:00", 7 / 3),
    ("weekend", "14:00-23:00", 5 / 3),
    ("all", "23:00-08:00", 1),
)
"""Consult GPs of the baseline's mean post (its three posts' sum / 3)."""
GP_VISIT = (
    ("weekday", "17:00-23:00", 2 / 3),
    ("weekend", "08:00-23:00", 1),
)
"""Visit GPs (car and driver) of the baseline's mean post; the region's night car is
added at the post that serves the most inhabitants."""
NIGHT_CAR = ("all", "23:00-08:00", 1)
TREATMENT_PLACES_PER_1000 = (
    ("all", "08:00-23:00", 27 / 363.913),
    ("all", "23:00-08:00", 17 / 363.913),
)
"""The baseline's SEH treatment places (16 + 11 by day, 10 + 7 at night) per 1,000
inhabitants."""


@dataclass(frozen=True)
class Site:
    """One row of the sites CSV."""

    id: str
    name: str
    kind: str
    latitude: float
    longitude: float
    zone: str
    line: int


@dataclass
class Skeleton:
    """The scenario text, and the CSV row each area and site came from (for errors)."""

    text: str
    origins: dict[Key, Where] = field(default_factory=dict)

    def point_at_csv(self, lines: dict[Key, Where]) -> dict[Key, Where]:
        """The lines of the parsed text, with everything at or under an area or site
        moved to its CSV row: an error in it then names the row the planner wrote."""
        kept = {
            key: where
            for key, where in lines.items()
            if not any(key[: len(origin)] == origin for origin in self.origins)
        }
        return {**kept, **self.origins}


# --------------------------------------------------------------------------- sites CSV


def _coordinate(row: Mapping[str, Any], column: str, file: str, line: int) -> float:
    cell = row[column]
    try:
        value = float(cell.strip() if isinstance(cell, str) else cell)
    except (TypeError, ValueError):
        value = math.nan
    if not math.isfinite(value):
        raise ScenarioError(
            f"column {column!r}: expected a finite number (degrees), got {str(cell)[:40]!r}",
            file=file,
            line=line,
            path=("sites",),
        )
    return value


def parse_sites(rows: Sequence[tuple[int, Mapping[str, Any]]], file: str) -> list[Site]:
    """The rows of a sites CSV (``(line, {column: cell})``; coordinates as text or
    already read as numbers) as `Site` records; a bad kind, coordinate or repeated id
    raises one `ScenarioError` naming the file and line."""
    sites: list[Site] = []
    first: dict[str, int] = {}
    for line, row in rows:
        site_id = str(row["id"]).strip()
        if not site_id:
            raise ScenarioError("column 'id' is empty", file=file, line=line, path=("sites",))
        if site_id in first:
            raise ScenarioError(
                f"site id {site_id!r} appears twice (lines {first[site_id]} and {line})",
                file=file,
                line=line,
                path=("sites",),
            )
        first[site_id] = line
        kind = str(row["kind"]).strip().lower()
        if kind not in SITE_KINDS:
            hint = difflib.get_close_matches(kind, SITE_KINDS, n=1)
            mean = f" (did you mean {hint[0]!r}?)" if hint else ""
            raise ScenarioError(
                f"column 'kind': {str(row['kind']).strip()[:40]!r} is not a site kind{mean}; "
                f"allowed: {', '.join(SITE_KINDS)}",
                file=file,
                line=line,
                path=("sites",),
            )
        sites.append(
            Site(
                id=site_id,
                name=str(row["name"]).strip(),
                kind=kind,
                latitude=_coordinate(row, "latitude", file, line),
                longitude=_coordinate(row, "longitude", file, line),
                zone=str(row.get("zone") or "").strip() or "main",
                line=line,
            )
        )
    if not sites:
        raise ScenarioError("the CSV has no rows", file=file, path=("sites",))
    return sites


# --------------------------------------------------------------------------- YAML pieces


def _flow(value: Any) -> str:
    """``value`` as one line of YAML (flow style, quoted where YAML needs it)."""
    text = yaml.safe_dump(
        value, default_flow_style=True, allow_unicode=True, sort_keys=False, width=10**9
    )
    return text.removesuffix("\n").removesuffix("\n...").strip()


def _located_site(site_id: str, name: str, site: Site) -> list[str]:
    """The first lines of a GP post or SEH entry: its id, name and place."""
    return [
        f"    {_flow(site_id)}:",
        f"      name: {_flow(name)}",
        f"      latitude: {_flow(site.latitude)}",
        f"      longitude: {_flow(site.longitude)}",
        f"      zone: {_flow(site.zone)}",
    ]


def _entries(items: Mapping[str, Any], indent: int) -> str:
    """``key: {flow mapping}`` lines, keys padded so the values line up."""
    keys = {k: _flow(k) + ":" for k in items}
    width = max(len(k) for k in keys.values())
    pad = " " * indent
    return "\n".join(f"{pad}{keys[k]:<{width}} {_flow(v)}" for k, v in items.items())


def _round(x: float) -> int:
    return math.floor(x + 0.5)


def _blocks(rows: Sequence[tuple[str, str, float]], factor: float, minimum: int) -> list[str]:
    """Roster lines ``- {name, days, hours, staff}``, staff = baseline x ``factor``
    rounded (at least ``minimum``; blocks that round to 0 are left out)."""
    lines = []
    for days, hours, staff in rows:
        count = max(minimum, _round(staff * factor))
        if count == 0:
            continue
        selector = "[weekend, holiday]" if days == "weekend" else f"[{days}]"
        name = f"{days}_{hours[:2]}{hours[3:5]}"
        lines.append(f'- {{name: {name}, days: {selector}, hours: "{hours}", staff: {count}}}')
    return lines


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km (haversine): for assigning areas to their nearest site."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))


def _served(areas: Mapping[str, Mapping[str, Any]], sites: Sequence[Site]) -> dict[str, list[str]]:
    """The areas nearest to each site (in the area's zone if a site is there)."""
    served: dict[str, list[str]] = {s.id: [] for s in sites}
    for area_id, area in areas.items():
        zone = area.get("zone", "main")
        candidates = [s for s in sites if s.zone == zone] or list(sites)
        here = (float(area["latitude"]), float(area["longitude"]))
        best = min(candidates, key=lambda s: _km(here, (s.latitude, s.longitude)))
        served[best.id].append(area_id)
    return served


# --------------------------------------------------------------------------- the skeleton


def _check_ids(areas: Mapping[str, Any], sites: Sequence[Site], file: str) -> None:
    """Site ids (with the GP post and SEH of each integrated post) unique, and none an
    area id: areas and sites share one namespace."""
    owner: dict[str, Site] = {}
    for site in sites:
        made = [site.id]
        if site.kind == "integrated_post":
            made += [f"{site.id}_hap", f"{site.id}_seh"]
        for site_id in made:
            if site_id in areas:
                raise ScenarioError(
                    f"site id {site_id!r} is also an area id; areas and sites need different ids",
                    file=file,
                    line=site.line,
                    path=("sites",),
                )
            if site_id in owner and owner[site_id] is not site:
                raise ScenarioError(
                    f"site id {site_id!r} is used twice, by the rows on lines "
                    f"{owner[site_id].line} and {site.line} (an integrated post <id> makes "
                    "the GP post <id>_hap and the SEH <id>_seh)",
                    file=file,
                    line=site.line,
                    path=("sites",),
                )
            owner[site_id] = site


def _check_kinds(sites: Sequence[Site], file: str) -> None:
    kinds = {s.kind for s in sites}
    needed = (
        ({"gp_post", "integrated_post"}, "a gp_post or integrated_post"),
        ({"seh", "integrated_post"}, "an seh or integrated_post"),
        ({"ambulance_station"}, "an ambulance_station"),
    )
    missing = [text for any_of, text in needed if not kinds & any_of]
    if missing:
        raise ScenarioError(
            f"no {' and no '.join(missing)}: the baseline's demand, which init keeps, sends "
            "patients to GP posts, SEHs and ambulances; give at least one of each",
            file=file,
            path=("sites",),
        )


def build_skeleton(
    name: str,
    areas: Mapping[str, Mapping[str, Any]],
    sites: Sequence[Site],
    *,
    areas_file: str = "areas.csv",
    sites_file: str = "sites.csv",
) -> Skeleton:
    """The scenario YAML for a region of ``areas`` (as `load_areas_csv` reads them) and
    ``sites``, with the baseline's figures for everything else."""
    _check_ids(areas, sites, sites_file)
    _check_kinds(sites, sites_file)
    origins: dict[Key, Where] = {("region", "areas", a): (areas_file, None) for a in areas}
    population = sum(int(a["population"]) for a in areas.values())

    def located(kind: str) -> list[Site]:
        return [s for s in sites if s.kind == kind]

    posts = [s for s in sites if s.kind in ("gp_post", "integrated_post")]  # CSV order
    sehs = [s for s in sites if s.kind in ("seh", "integrated_post")]
    stations = located("ambulance_station")
    centres = located("triage_centre")

    def people(site_list: Sequence[Site]) -> dict[str, int]:
        served = _served(areas, site_list)
        return {s: sum(int(areas[a]["population"]) for a in served[s]) for s in served}

    post_people, seh_people, station_people = people(posts), people(sehs), people(stations)

    # --- sites
    out: list[str] = []
    out.append("sites:")
    out.append("  triage_centres:")
    if centres:
        served = _served(areas, centres)
        centre_people = {c: sum(int(areas[a]["population"]) for a in served[c]) for c in served}
        out.append(
            "    # REPLACE: which areas each line answers (here: the areas nearest to it)."
            if len(centres) > 1
            else "    # One telephone triage for the whole HDS (central triage is common, §8 M)."
        )
        for c in centres:
            answer: Any = "all" if len(centres) == 1 else served[c.id]
            out.append(f"    {_flow(c.id)}: {_flow({'name': c.name, 'areas': answer})}")
            origins[("sites", "triage_centres", c.id)] = (sites_file, c.line)
        centre_ids = [c.id for c in centres]
    else:
        taken = {s.id for s in sites} | {f"{s.id}_{x}" for s in sites for x in ("hap", "seh")}
        centre_id, n = "triage", 0
        while centre_id in taken or centre_id in areas:
            n += 1
            centre_id = f"triage_{n}"
        out.append("    # One telephone triage for the whole HDS (central triage is common, §8 M);")
        out.append("    # the sites CSV named none. REPLACE the name, or add triage_centre rows.")
        out.append(f"    {centre_id}: {_flow({'name': f'Triage {name}', 'areas': 'all'})}")
        centre_ids = [centre_id]
        centre_people = {centre_id: population}

    out.append("")
    out.append("  gp_posts:")
    out.append("    # REPLACE: opening hours. Here ANW hours: weekdays 17:00-08:00, weekends and")
    out.append("    # public holidays 24 h (123 h/week, §2 H; 78-81% of posts open all ANW hours).")
    first_post = True
    post_ids: dict[str, str] = {}
    for s in posts:
        post_id = f"{s.id}_hap" if s.kind == "integrated_post" else s.id
        post_ids[s.id] = post_id
        post_name = f"{s.name} (GP post)" if s.kind == "integrated_post" else s.name
        out += _located_site(post_id, post_name, s)
        if first_post:
            out.append("      opening: &anw_hours")
            out.append('        - {days: [weekday], hours: "17:00-08:00"}')
            out.append('        - {days: [weekend, holiday], hours: "08:00-08:00"}')
            first_post = False
        else:
            out.append("      opening: *anw_hours")
        origins[("sites", "gp_posts", post_id)] = (sites_file, s.line)

    out.append("")
    out.append("  sehs:")
    out.append("    # Open 24/7 (76 of 79 SEHs are, §5 H); REPLACE with opening: [...] where one")
    out.append("    # closes at night. Offload delay beyond waiting for a free place: 7.7% of")
    out.append("    # ambulance arrivals wait, median 16 min, IQR 10-25 (WAITED study, §6 H);")
    out.append("    # lognormal fitted to that median and IQR: mean 20.2, sd 15.5 [L].")
    first_seh = True
    seh_ids: dict[str, str] = {}
    for s in sehs:
        seh_id = f"{s.id}_seh" if s.kind == "integrated_post" else s.id
        seh_ids[s.id] = seh_id
        seh_name = f"{s.name} (SEH)" if s.kind == "integrated_post" else s.name
        out += _located_site(seh_id, seh_name, s)
        if first_seh:
            out.append("      offload_delay: &offload")
            out.append("        percent: 7.7")
            out.append("        minutes: {kind: lognormal, mean_minutes: 20.2, sd_minutes: 15.5}")
            first_seh = False
        else:
            out.append("      offload_delay: *offload")
        origins[("sites", "sehs", seh_id)] = (sites_file, s.line)

    integrated = located("integrated_post")
    if integrated:
        out.append("")
        out.append("  integrated_posts:")
        out.append("    # ~80% of self-referrers at co-located sites are treated by the HAP (§2 H,")
        out.append("    # H&W review). REPLACE with your front desk's share if you know it.")
        for s in integrated:
            out.append(f"    {_flow(s.id)}:")
            out.append(f"      name: {_flow(s.name)}")
            out.append(f"      gp_post: {_flow(post_ids[s.id])}")
            out.append(f"      seh: {_flow(seh_ids[s.id])}")
            out.append("      front_desk_redirect_percent: 80")
            origins[("sites", "integrated_posts", s.id)] = (sites_file, s.line)

    out.append("")
    out.append("  ambulance_stations:")
    station_rows = {
        s.id: {"name": s.name, "latitude": s.latitude, "longitude": s.longitude, "zone": s.zone}
        for s in stations
    }
    out.append(_entries(station_rows, 4))
    for s in stations:
        origins[("sites", "ambulance_stations", s.id)] = (sites_file, s.line)

    # --- rosters
    out.append("")
    out.append("rosters:")
    out.append("  # REPLACE every roster with your own. These are the baseline's (§9, L), scaled")
    out.append("  # to the inhabitants each site serves (the areas nearest to it; the baseline")
    out.append(
        f"  # has {BASELINE_POPULATION:,} inhabitants, three GP posts, two SEHs). Blocks are named"
    )
    out.append(
        "  # after their days and start, so --set rosters.ID.ROLE.NAME.staff=N addresses one."
    )
    for centre_id in centre_ids:
        factor = centre_people[centre_id] / BASELINE_POPULATION
        out.append(f"  {_flow(centre_id)}:")
        out.append(f"    # {centre_people[centre_id]:,} inhabitants: baseline x {factor:.2f}.")
        out.append("    triagist:")
        out += [f"      {b}" for b in _blocks(TRIAGIST, factor, 1)]
        out.append("    gp_supervisor:")
        out += [f"      {b}" for b in _blocks(GP_SUPERVISOR[:2], factor, 1)]
        out += [f"      {b}" for b in _blocks(GP_SUPERVISOR[2:], factor, 0)]
    night_post = max(posts, key=lambda s: post_people[s.id])
    per_post = BASELINE_POPULATION / BASELINE_GP_POSTS
    for s in posts:
        factor = post_people[s.id] / per_post
        out.append(f"  {_flow(post_ids[s.id])}:")
        out.append(
            f"    # {post_people[s.id]:,} inhabitants: the baseline's mean post x {factor:.2f}."
        )
        out.append("    gp_consult:")
        out += [f"      {b}" for b in _blocks(GP_CONSULT, factor, 1)]
        out.append("    gp_visit:")
        visits = list(GP_VISIT)
        if s is night_post:
            visits.append(NIGHT_CAR)
        out += [f"      {b}" for b in _blocks(visits, factor, 1)]
        if s is night_post:
            out.append("      # the last block: the region's night car(s)")
    for s in sehs:
        thousands = seh_people[s.id] / 1000.0
        out.append(f"  {_flow(seh_ids[s.id])}:")
        out.append(
            f"    # {seh_people[s.id]:,} inhabitants; ASSUMPTION (NOT CONFIRMED) as in the "
            "baseline."
        )
        out.append("    treatment_place:")
        out += [f"      {b}" for b in _blocks(TREATMENT_PLACES_PER_1000, thousands, 1)]
    extra = _round(BASELINE_DAY_AMBULANCES * population / BASELINE_POPULATION)
    by_people = sorted(stations, key=lambda s: -station_people[s.id])
    day_cars = {s.id: 0 for s in stations}
    for i in range(extra):
        day_cars[by_people[i % len(by_people)].id] += 1
    out.append("  # Ambulances: one per station 24/7, and by day (08:00-20:00) the baseline's four")
    out.append("  # extra vehicles per 363,913 inhabitants at the busiest stations (ASSUMPTION,")
    out.append("  # NOT CONFIRMED; RIVM's capacity model has fewer vehicles at night, §6 H).")
    for s in stations:
        out.append(f"  {_flow(s.id)}:")
        out.append("    ambulance:")
        out.append('      - {name: all_0000, days: [all], hours: "00:00-24:00", staff: 1}')
        if day_cars[s.id]:
            out.append(
                f'      - {{name: all_0800, days: [all], hours: "08:00-20:00", '
                f"staff: {day_cars[s.id]}}}"
            )

    region = [
        "region:",
        f"  name: {_flow(name)}",
        f"  # From {_comment(areas_file)} (anwsim init). REPLACE populations that are not current.",
        "  areas:",
        _entries({k: dict(v) for k, v in areas.items()}, 4),
    ]
    text = TEMPLATE.substitute(
        name=_flow(name),
        description=_flow(
            f"{name} — a skeleton by anwsim init: baseline figures, REPLACE the marked ones"
        ),
        sources=f"{_comment(areas_file)} and {_comment(sites_file)}",
        region="\n".join(region),
        sites="\n".join(out),
        crossings=_crossings(areas, [*posts, *sehs, *stations]),
    )
    return Skeleton(text=text, origins=origins)


def _comment(text: str) -> str:
    """A file name as it may stand in a YAML comment: one line."""
    return " ".join(text.split())


def _crossings(areas: Mapping[str, Mapping[str, Any]], sites: Sequence[Site]) -> str:
    """A placeholder crossing between every two zones, between their closest places."""
    places: dict[str, list[tuple[float, float]]] = {}
    for area in areas.values():
        places.setdefault(str(area.get("zone", "main")), []).append(
            (float(area["latitude"]), float(area["longitude"]))
        )
    for s in sites:
        places.setdefault(s.zone, []).append((s.latitude, s.longitude))
    zones = sorted(places)
    if len(zones) < 2:
        return "  crossings: []   # one zone: no tunnels or bridges needed"
    lines = [
        "  # REPLACE: the tunnel or bridge between each two zones. These placeholders are",
        "  # the straight line between the two closest places of the zones (its length the",
        "  # distance x the road factor), as if a road went straight across.",
        "  crossings:",
    ]
    for i, a in enumerate(zones):
        for b in zones[i + 1 :]:
            ends = min(((p, q) for p in places[a] for q in places[b]), key=lambda pq: _km(*pq))
            lines.append(f"    - name: {_flow(f'REPLACE crossing {a}-{b}')}")
            lines.append(f"      zones: {_flow([a, b])}")
            lines.append("      ends:")
            for lat, lon in ends:
                lines.append(f"        - {_flow({'latitude': lat, 'longitude': lon})}")
            lines.append(f"      length_km: {round(ROAD_FACTOR * _km(*ends), 1)}")
    return "\n".join(lines)


TEMPLATE = Template(
    """# $name — a scenario skeleton written by anwsim init from $sources.
#
# Everything that is not about the region itself is the baseline's (scenarios/
# baseline.yaml, Regio Voorbeeld) with its sources. Lines marked REPLACE are first
# guesses that a planner must replace with the region's own figures: opening hours,
# rosters, the areas each triage line answers, crossings between zones, and where you
# have them, demand rates and mixes. Check with: anwsim validate scenario.yaml
# Help in the editor (VS Code's YAML extension): anwsim schema --out anwsim.schema.json,
# then make "# yaml-language-server: $$schema=anwsim.schema.json" the first line.
#
# Source keys used in the comments below (full references in shared/domain/figures.md):
#   [§n H]  a figure from section n of figures.md read in a primary source;
#   [§n M]  a secondary source; [L] derived or assumed;
#   ASSUMPTION (NOT CONFIRMED): figures.md looked for a source and found none — a
#   planner should replace it with local data.
name: $name
description: $description

$region

$sites

staffing:
  end_of_shift: finish   # finish the task in hand; minutes past shift end = overtime

# public_holidays is not given, so the Dutch public holidays of the run's years are
# used (Nieuwjaarsdag, Goede Vrijdag, Eerste and Tweede Paasdag, Koningsdag,
# Bevrijdingsdag in lustrum years, Hemelvaartsdag, Eerste and Tweede Pinksterdag,
# Eerste and Tweede Kerstdag; `anwsim show` lists them): GP posts open 24 h on their
# weekend roster and demand follows the holiday hours. REPLACE with a list of dates if
# your HDS keeps other days, or [] for none.

# Demand: the baseline's sourced national figures. REPLACE the rates (contacts per 1,000
# inhabitants per year) and mixes with your HDS's own figures (its annual report, the
# InEen benchmark), and the profiles if your week looks different.
demand:
  profiles:
    # GP-post calls, relative weights per hour (§9 table, shape L, anchors §2 H):
    # weekday 18-20 = 12.2% of weekly contacts (Nivel 12.3%), weekend 10-12 = 10.1%,
    # weekend 04-06 ≈ 0.85%. Weekday nights = Tue-Fri 00-08, weekend nights = Sat/Sun/Mon
    # 00-08. Office hours (weekday 08-17) have no GP-post demand.
    gp_anw:
      day_hours:
        weekday: [0.40, 0.28, 0.22, 0.18, 0.16, 0.16, 0.22, 0.40,
                  0, 0, 0, 0, 0, 0, 0, 0, 0,
                  1.20, 1.38, 1.31, 1.20, 1.00, 0.80, 0.60]
        mon:     [0.50, 0.38, 0.30, 0.24, 0.20, 0.20, 0.30, 0.55,
                  0, 0, 0, 0, 0, 0, 0, 0, 0,
                  1.20, 1.38, 1.31, 1.20, 1.00, 0.80, 0.60]
        weekend: [0.50, 0.38, 0.30, 0.24, 0.20, 0.20, 0.30, 0.55,
                  1.30, 2.20, 2.85, 2.70, 2.20, 2.00, 1.90, 1.80,
                  1.80, 1.90, 1.90, 1.70, 1.40, 1.10, 0.90, 0.70]
      holiday_hours: [0.50, 0.38, 0.30, 0.24, 0.20, 0.20, 0.30, 0.55,
                      1.30, 2.20, 2.85, 2.70, 2.20, 2.00, 1.90, 1.80,
                      1.80, 1.90, 1.90, 1.70, 1.40, 1.10, 0.90, 0.70]
      multipliers:
        # Friday evening x1.2, Tue-Thu evenings x0.95 (direction §2 M, size L).
        - {days: [fri], hours: "17:00-00:00", factor: 1.2}
        - {days: [tue, wed, thu], hours: "17:00-00:00", factor: 0.95}
    # 112 calls, round the clock; ASSUMPTION (NOT CONFIRMED): a day peak of about 3x the
    # night trough, as in RIVM's day/night capacity model (§6 H, shape L).
    emergency_24h:
      day_hours:
        all: [0.60, 0.50, 0.45, 0.40, 0.40, 0.45, 0.60, 0.90, 1.20, 1.35, 1.40, 1.40,
              1.35, 1.30, 1.30, 1.30, 1.30, 1.25, 1.20, 1.15, 1.05, 0.95, 0.85, 0.70]
    # SEH self-referrals, round the clock; ASSUMPTION (NOT CONFIRMED), shape L.
    seh_24h:
      day_hours:
        all: [0.45, 0.35, 0.30, 0.25, 0.25, 0.25, 0.30, 0.50, 0.90, 1.30, 1.50, 1.50,
              1.45, 1.40, 1.40, 1.35, 1.30, 1.30, 1.30, 1.25, 1.10, 0.95, 0.80, 0.60]
    # Office hours, weekdays 08-17, none on holidays: in-hours referrals and planned rides.
    office_hours:
      day_hours:
        weekday: [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0]
        weekend: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
      holiday_hours: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]

  channels:
    gp_call:
      description: Calls to the GP post that lead to a contact
      entry: phone
      # 250 contacts/1000/yr (§2 H, §9) minus the walk-ins below: 250 - 8.9 = 241.1.
      rate_per_1000_per_year: 241.1
      profile: gp_anw
      # NTS urgency mix U1 1.5, U2 11.1, U3 38.0, U4 21.7, U5 26.3 (§3 H) renormalised to
      # 99.9% with U0 0.1% (§9, L).
      urgency_mix: {U0: 0.10, U1: 1.52, U2: 11.25, U3: 38.50, U4: 21.98, U5: 26.65}
      # Dispositions per urgency [L], fitted so that calls split ~42% telephone (advice,
      # call-back, direct SEH or ambulance), ~49% consult, ~9% home visit; with the
      # walk-ins this gives the 40/51/9 contact-type split of §9 (§2 H). Advice alone
      # ~27% (nurse-alone 27.5%, §3 H), GP call-back ~11% (§9, L). U1: 63% ambulance,
      # 37% GP visit (§9: 53% ambulance, 37% visit, 10% both; "both" counted as ambulance).
      disposition_mix:
        U0: {ambulance: 100}
        U1: {ambulance: 63, home_visit: 37}
        U2: {consult: 50, home_visit: 28, seh: 12, ambulance: 5, gp_callback: 5}
        U3: {consult: 72, home_visit: 14, gp_callback: 8, advice: 3, seh: 3}
        U4: {consult: 70, home_visit: 2, gp_callback: 14, advice: 14}
        U5: {advice: 85, gp_callback: 15}
    gp_walk_in:
      description: Patients who walk into a GP post without calling
      entry: walk_in_gp
      # 7% of consults (5-10%, §2 H): 250 x 51% x 7% = 8.9 per 1000 per year (§9).
      rate_per_1000_per_year: 8.9
      profile: gp_anw
      urgency_mix: {U2: 12, U3: 50, U4: 30, U5: 8}   # [L] like consult patients
      disposition_mix:
        default: {consult: 100}
    emergency_112:
      description: 112 calls that lead to an urgent (A1/A2) ambulance ride
      entry: emergency_112
      # 80.6 rides/1000/yr, 78% urgent (§6 H) = 62.9; minus ~3.9 urgent rides that come
      # from GP-post triage (U0-U2 ambulance dispositions above) = 59.0 [L].
      rate_per_1000_per_year: 59.0
      profile: emergency_24h
      # A1 : A2 = 40 : 38 of all rides (§9, L) = 51 : 49 of urgent rides.
      urgency_mix: {U0: 2, U1: 49, U2: 49}
      disposition_mix:
        default: {ambulance: 100}
    ambulance_planned:
      description: Planned (B) ambulance rides
      entry: emergency_112
      # 22% of 80.6 rides/1000/yr are not urgent (§6 H) = 17.7.
      rate_per_1000_per_year: 17.7
      profile: office_hours
      urgency_mix: {U3: 100}   # maps to B
      disposition_mix:
        default: {ambulance: 100}
    seh_self_referral:
      description: Patients who come to an SEH on their own
      entry: walk_in_seh
      # Self-referral 17% of ~103 SEH visits/1000/yr (§5 H, §9) = 17.5.
      rate_per_1000_per_year: 17.5
      profile: seh_24h
      urgency_mix: {U2: 10, U3: 45, U4: 35, U5: 10}   # ASSUMPTION (NOT CONFIRMED)
      disposition_mix:
        default: {seh: 100}
    seh_referral_in_hours:
      description: Referrals to the SEH by GPs in office hours, and other origins
      entry: referral_seh
      # The rest of ~103 SEH visits/1000/yr (§5 H) after ambulance (44), GP-post (~24) and
      # self-referral (17.5) arrivals, plus ~4 to make up for self-referrals that the
      # spoedpost's front desk redirects: ~22 [L].
      rate_per_1000_per_year: 22.0
      profile: office_hours
      urgency_mix: {U2: 25, U3: 55, U4: 20}   # ASSUMPTION (NOT CONFIRMED)
      disposition_mix:
        default: {seh: 100}

# Care processes: the baseline's sourced durations and shares. REPLACE where your HDS,
# SEHs or ambulance service measure their own.
triage:
  # Call duration 3.9-4.6 min (§3 H) + 1 min wrap-up: mean 5.5 min; sd 2.5 min [L].
  duration_minutes:
    default: {kind: lognormal, mean_minutes: 5.5, sd_minutes: 2.5}
  emergency_line_urgencies: [U0, U1]
  # ASSUMPTION (NOT CONFIRMED): patience exponential with mean 8 min, 30% redial (§9).
  patience_minutes: {kind: exponential, mean_minutes: 8}
  redial_percent: 30
  redial_delay_minutes: {kind: exponential, mean_minutes: 5}   # [L]
  max_redials: 3
  # The regiearts checks and authorises calls (§3 H); the share needing live GP input is
  # NOT CONFIRMED: ASSUMPTION 10% of triages, ~2 min each.
  supervision_percent: 10
  supervision_minutes: {kind: gamma, mean_minutes: 2, sd_minutes: 1}
  callback_by: gp_supervisor
  # GP telephone consult: mean 5 min (§9, L: DK 3 min, UK 7 min, §3 H).
  callback_minutes:
    default: {kind: gamma, mean_minutes: 5, sd_minutes: 2.5}

gp:
  # 3.0 consults per GP-hour (§4 H) => ~20 min per consult; CV 0.5 [L].
  consult_minutes:
    default: {kind: gamma, mean_minutes: 20, sd_minutes: 10}
  # On-site time of a home visit: 20 min (§9, L); travel is added from the map.
  visit_minutes:
    default: {kind: gamma, mean_minutes: 20, sd_minutes: 8}
  # Nurse practitioners: 2.4 consults/h (§4 H) => 25 min; scope ~90% of U2-U4 (§9, §4 H).
  # Not rostered in the baseline; the skill-mix scenario uses them.
  nurse_practitioner_consult_minutes: {kind: gamma, mean_minutes: 25, sd_minutes: 12.5}
  nurse_practitioner_scope_percent: {U2: 90, U3: 90, U4: 90}
  # GP referral to the SEH after a consult: 11.3% (GP ED referral rate, §4 H);
  # after a home visit: 15% ASSUMPTION (NOT CONFIRMED).
  seh_referral_after_consult_percent: 11.3
  seh_referral_after_visit_percent: 15

seh:
  # Length of stay: median 130 min (§5 H); lognormal with sigma 0.6 [L] => mean 156 min,
  # sd 102 min. The +33 min for referred patients and +45 min for admissions (§5 H) are
  # folded into the spread.
  length_of_stay_minutes:
    default: {kind: lognormal, mean_minutes: 156, sd_minutes: 102}

ambulance:
  urgency_map: {U0: A1, U1: A1, U2: A2, U3: B, U4: B, U5: B}
  # Call handling at the dispatch centre: ~2.5 min [L] (mean time to scene ~10 min, §6 H).
  dispatch_delay_minutes: {kind: lognormal, mean_minutes: 2.5, sd_minutes: 1.5}
  # On-scene time: mean 20 min (§6 H, 2009); sd 8 min [L].
  on_scene_minutes: {kind: gamma, mean_minutes: 20, sd_minutes: 8}
  # 70% of urgent rides convey to an SEH (§9, L; 30% treated on scene in Amsterdam, §6 H).
  # Planned (B) rides go to wards or other hospitals, not to the SEH: 0% [L].
  # Note: 70% makes ambulance arrivals ~44% of SEH visits, against 16% in the 2015 SEH
  # registry (§5 H); we keep §9's conveyance, which drives ambulance workload.
  conveyance_percent: {A1: 70, A2: 70, B: 0}
  # Handover without delay: lognormal median 8 min, p95 15 min (§6 H WAITED; shape L)
  # => sigma = ln(15/8)/1.645 = 0.382, mean 8.6 min, sd 3.4 min.
  handover_minutes: {kind: lognormal, mean_minutes: 8.6, sd_minutes: 3.4}
  urgent_speed_factor: 1.25   # lights and sirens vs car speed [L]
  dispatch_while_returning: true

travel:
  method: straight_line
  # Road factor and car speed: ASSUMPTION (NOT CONFIRMED; figures.md §8 suggests CBS
  # Nabijheid or OSRM data). With these, ~90% of inhabitants are within 30 min of a post,
  # as §8 reports for the Netherlands (H). REPLACE with a matrix_csv of real travel times
  # (method: matrix) where you have one.
  road_factor: 1.3
  speed_kmh: 60
$crossings
  noise_cv: 0.1   # trip-to-trip variation [L]

# Norms: the defaults of anwsim (NTS, LHV/Kwaliteitskader phone norms, 15-minute A1 norm,
# 45-minute SEH norm; §3, §6, §1a). Listed here so a planner sees them.
norms:
  nts_minutes: {U0: 15, U1: 15, U2: 60, U3: 180, U4: 1440, U5: null}
  urgent_answer_seconds: 30
  urgent_answer_percent: 90
  answer_minutes: 2
  answer_percent: 75
  answer_max_minutes: 10
  answer_max_percent: 98
  ambulance_response_minutes: {A1: 15, A2: 30}
  ambulance_response_percent: 95
  call_to_seh_minutes: 45
  post_travel_minutes: 30
  post_travel_percent: 90
  seh_triage_minutes: 10

# REPLACE start_date with the year you plan for (a Monday).
run:
  start_date: 2025-01-06   # a Monday
  horizon_weeks: 52
  warmup_weeks: 1
  replications: 10
  seed: 20201103
"""
)
