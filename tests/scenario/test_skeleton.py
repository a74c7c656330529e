"""The skeleton of a new region (`anwsim.scenario.skeleton`): data in, YAML text out."""

from __future__ import annotations

from typing import Any

import pytest

from anwsim.scenario import Scenario, ScenarioError
from anwsim.scenario.calendar import dutch_public_holidays
from anwsim.scenario.loading import parse_yaml, validate_data
from anwsim.scenario.skeleton import Site, Skeleton, build_skeleton, parse_sites


def area(population: int, lat: float, lon: float, zone: str = "main", name: str = "") -> dict:
    out: dict[str, Any] = {"name": name or "x", "population": population}
    out.update(latitude=lat, longitude=lon)
    if zone != "main":
        out["zone"] = zone
    return out


AREAS = {
    "noord": area(120_000, 52.00, 5.00, name="Noord"),
    "zuid": area(80_000, 51.80, 5.00, name="Zuid"),
}


def site(sid: str, kind: str, lat: float = 51.9, lon: float = 5.0, zone: str = "main") -> Site:
    return Site(sid, f"Site {sid}", kind, lat, lon, zone, line=2)


SITES = [
    site("hap_noord", "gp_post", 52.0),
    site("seh_zuid", "seh", 51.8),
    site("amb", "ambulance_station"),
]


def scenario_of(skeleton: Skeleton) -> Scenario:
    data, lines, _ = parse_yaml(skeleton.text, "scenario.yaml")
    return validate_data(data, skeleton.point_at_csv(lines))


def test_it_validates_as_written() -> None:
    s = scenario_of(build_skeleton("Regio Test", AREAS, SITES))
    assert s.name == "Regio Test" and s.region.population == 200_000
    assert list(s.sites.gp_posts) == ["hap_noord"]
    assert list(s.sites.sehs) == ["seh_zuid"]
    assert list(s.sites.triage_centres) == ["triage"]  # the CSV named none
    assert s.sites.triage_centres["triage"].areas == "all"
    assert s.travel.crossings == []


def test_everything_but_the_region_is_the_baselines(baseline: Scenario) -> None:
    s = scenario_of(build_skeleton("Regio Test", AREAS, SITES))
    for section in ("demand", "triage", "gp", "seh", "ambulance", "norms", "run", "staffing"):
        assert getattr(s, section) == getattr(baseline, section), section
    assert s.travel.model_copy(update={"crossings": []}) == baseline.travel.model_copy(
        update={"crossings": []}
    )
    offload = baseline.sites.sehs["seh_1"].offload_delay
    assert s.sites.sehs["seh_zuid"].offload_delay == offload


def test_sources_and_replace_marks_are_kept() -> None:
    text = build_skeleton("Regio Test", AREAS, SITES).text
    assert "# 250 contacts/1000/yr (§2 H, §9) minus the walk-ins below" in text
    assert "# Call duration 3.9-4.6 min (§3 H)" in text
    for what in ("opening hours", "every roster", "start_date", "the rates"):
        assert any("REPLACE" in line and what in line for line in text.splitlines()), what


def test_no_holidays_are_listed_so_the_dutch_ones_apply() -> None:
    skeleton = build_skeleton("Regio Test", AREAS, SITES)
    assert "\npublic_holidays:" not in skeleton.text
    assert scenario_of(skeleton).public_holidays == list(dutch_public_holidays(2025, 2026))


def test_rosters_scale_with_the_population_served(baseline: Scenario) -> None:
    """A region of twice the baseline's inhabitants gets twice its triagists; each post
    the baseline's mean post scaled to the inhabitants nearest to it."""
    twice = {"a": area(2 * 363_913, 52.0, 5.0)}
    s = scenario_of(build_skeleton("Twice", twice, SITES))
    triagists = [b.staff for b in s.rosters["triage"]["triagist"]]
    assert triagists == [2 * b.staff for b in baseline.rosters["hds"]["triagist"]]
    consult = {b.name: b.staff for b in s.rosters["hap_noord"]["gp_consult"]}
    # 727,826 inhabitants = 6 baseline posts' worth: 6 x (2+1+1)/3 on weekday evenings
    assert consult == {"weekday_1700": 8, "weekend_0800": 14, "weekend_1400": 10, "all_2300": 6}
    places = [b.staff for b in s.rosters["seh_zuid"]["treatment_place"]]
    assert places == [2 * (16 + 11), 2 * (10 + 7)]
    ambulances = [b.staff for b in s.rosters["amb"]["ambulance"]]
    assert ambulances == [1, 8]  # one 24/7, and the baseline's 4 day vehicles x 2


def test_a_small_post_still_covers_its_opening_hours() -> None:
    tiny = {"a": area(1_000, 52.0, 5.0)}
    s = scenario_of(build_skeleton("Tiny", tiny, SITES))
    assert all(b.staff == 1 for b in s.rosters["hap_noord"]["gp_consult"])
    assert [b.staff for b in s.rosters["seh_zuid"]["treatment_place"]] == [1, 1]
    assert [b.name for b in s.rosters["triage"]["gp_supervisor"]] == [
        "weekday_1700",
        "weekend_0800",
    ]  # the weekend-peak regiearts rounds to none


def test_an_integrated_post_is_a_gp_post_and_an_seh_with_a_front_desk() -> None:
    sites = [site("sp", "integrated_post"), site("amb", "ambulance_station")]
    s = scenario_of(build_skeleton("Spoed", AREAS, sites))
    assert list(s.sites.gp_posts) == ["sp_hap"] and list(s.sites.sehs) == ["sp_seh"]
    post = s.sites.integrated_posts["sp"]
    assert (post.gp_post, post.seh, post.front_desk_redirect_percent) == ("sp_hap", "sp_seh", 80)
    assert "sp_seh" in s.rosters and "sp_hap" in s.rosters


def test_several_triage_centres_answer_their_nearest_areas() -> None:
    sites = [*SITES, site("tc_n", "triage_centre", 52.1), site("tc_z", "triage_centre", 51.7)]
    s = scenario_of(build_skeleton("Twee", AREAS, sites))
    assert s.sites.triage_centres["tc_n"].areas == ["noord"]
    assert s.sites.triage_centres["tc_z"].areas == ["zuid"]
    assert [b.staff for b in s.rosters["tc_n"]["triagist"]][6] == 2  # 7 x 120,000 / 363,913


def test_zones_get_a_placeholder_crossing() -> None:
    areas = {"n": area(50_000, 51.5, 3.8, "north"), "z": area(50_000, 51.3, 3.8, "south")}
    sites = [
        site("hap", "gp_post", 51.5, 3.8, "north"),
        site("seh", "seh", 51.3, 3.8, "south"),
        site("amb", "ambulance_station", 51.45, 3.8, "north"),
    ]
    skeleton = build_skeleton("Zones", areas, sites)
    s = scenario_of(skeleton)
    (crossing,) = s.travel.crossings
    assert crossing.zones == ["north", "south"]
    ends = [(p.latitude, p.longitude) for p in crossing.ends]
    assert ends == [(51.45, 3.8), (51.3, 3.8)]  # the two closest places
    assert crossing.length_km == pytest.approx(1.3 * 16.7, abs=0.1)  # 0.15 degrees north
    assert "REPLACE" in crossing.name


def test_awkward_names_and_numeric_ids_survive_yaml() -> None:
    areas = {
        "4461": area(10_000, 51.5, 3.8, name="yes"),
        "4462": area(10_000, 51.5, 3.9, name="Post: 'Noord' #1"),
    }
    sites = [
        Site("1001", 'HAP "Oost": #2', "gp_post", 51.5, 3.8, "main", 2),
        Site("seh", "no", "seh", 51.5, 3.8, "main", 3),
        Site("amb", "null", "ambulance_station", 51.5, 3.8, "main", 4),
    ]
    s = scenario_of(build_skeleton("Naam: met 'quotes' #", areas, sites))
    assert s.name == "Naam: met 'quotes' #"
    assert s.region.areas["4461"].name == "yes"
    assert s.region.areas["4462"].name == "Post: 'Noord' #1"
    assert s.sites.gp_posts["1001"].name == 'HAP "Oost": #2'
    assert s.sites.ambulance_stations["amb"].name == "null"


def test_an_invalid_site_points_at_its_csv_row() -> None:
    sites = [*SITES[:2], Site("amb", "A", "ambulance_station", 95.0, 5.0, "main", 7)]
    skeleton = build_skeleton("X", AREAS, sites, sites_file="sites.csv")
    with pytest.raises(ScenarioError) as caught:
        scenario_of(skeleton)
    assert (caught.value.file, caught.value.line) == ("sites.csv", 7)
    assert caught.value.path == ("sites", "ambulance_stations", "amb", "latitude")


@pytest.mark.parametrize(
    ("sites", "words", "line"),
    [
        ([*SITES, site("noord", "seh")], "'noord' is also an area id", 2),
        (
            [*SITES, site("sp", "integrated_post"), Site("sp_hap", "x", "gp_post", 52, 5, "a", 9)],
            "'sp_hap' is used twice, by the rows on lines 2 and 9",
            9,
        ),
        (SITES[:2], "no an ambulance_station", None),
        ([SITES[2]], "no a gp_post or integrated_post and no an seh or integrated_post", None),
    ],
)
def test_ids_and_kinds_are_checked(sites: list[Site], words: str, line: int | None) -> None:
    with pytest.raises(ScenarioError) as caught:
        build_skeleton("X", AREAS, sites, sites_file="sites.csv")
    assert words in caught.value.message
    assert (caught.value.file, caught.value.line) == ("sites.csv", line)


def rows(*lines: str) -> list[tuple[int, dict[str, str]]]:
    header = ["id", "name", "kind", "latitude", "longitude", "zone"]
    return [
        (i + 2, dict(zip(header, text.split(","), strict=True))) for i, text in enumerate(lines)
    ]


def test_parse_sites() -> None:
    (only,) = parse_sites(rows("hap, HAP Noord ,GP_Post,52.0,5.0,"), "sites.csv")
    assert only == Site("hap", "HAP Noord", "gp_post", 52.0, 5.0, "main", 2)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("hap,H,hap_post,52,5,", "'hap_post' is not a site kind (did you mean 'gp_post'?)"),
        ("hap,H,gp_post,noord,5,", "column 'latitude': expected a finite number"),
        ("hap,H,gp_post,52,nan,", "column 'longitude': expected a finite number"),
        (",H,gp_post,52,5,", "column 'id' is empty"),
    ],
)
def test_parse_sites_refuses(text: str, words: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_sites(rows(text), "sites.csv")
    assert words in caught.value.message
    assert (caught.value.file, caught.value.line) == ("sites.csv", 2)


def test_parse_sites_refuses_a_repeated_id() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_sites(rows("a,A,seh,52,5,", "a,B,seh,52,5,"), "sites.csv")
    assert "site id 'a' appears twice (lines 2 and 3)" in caught.value.message
