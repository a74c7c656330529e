"""Car travel times: great-circle distance x road factor / speed, crossings between zones,
and a user-supplied matrix."""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from anwsim.scenario import Scenario, ScenarioError, load_scenario
from anwsim.scenario.travel import haversine_km, location_ids, travel_times

WriteVariant = Callable[..., Path]

GOES = (51.504, 3.888)
MIDDELBURG = (51.499, 3.614)
R = 6371.0088  # mean Earth radius (IUGG), km


def law_of_cosines_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance by the spherical law of cosines: a different formula from
    the library's haversine, so the two check each other."""
    p1, p2 = math.radians(a[0]), math.radians(b[0])
    dl = math.radians(b[1] - a[1])
    c = math.sin(p1) * math.sin(p2) + math.cos(p1) * math.cos(p2) * math.cos(dl)
    return R * math.acos(min(1.0, c))


def test_haversine_goes_middelburg() -> None:
    km = haversine_km(*GOES, *MIDDELBURG)
    assert km == pytest.approx(law_of_cosines_km(GOES, MIDDELBURG), rel=1e-9)
    # Goes - Middelburg town centres, straight line: about 19.1 km.
    assert km == pytest.approx(19.1, rel=0.01)


def test_haversine_known_long_distance() -> None:
    # Amsterdam (52.3676, 4.9041) - Maastricht (50.8514, 5.6910): ~178.6 km.
    km = haversine_km(52.3676, 4.9041, 50.8514, 5.6910)
    assert km == pytest.approx(law_of_cosines_km((52.3676, 4.9041), (50.8514, 5.6910)), rel=1e-9)
    assert km == pytest.approx(178.6, rel=0.01)


def test_haversine_properties() -> None:
    assert haversine_km(*GOES, *GOES) == 0.0
    assert haversine_km(*GOES, *MIDDELBURG) == pytest.approx(haversine_km(*MIDDELBURG, *GOES))
    # a quarter of a meridian
    assert haversine_km(0, 0, 90, 0) == pytest.approx(math.pi / 2 * R)


def test_same_zone_minutes(baseline: Scenario) -> None:
    tt = travel_times(baseline)
    rf, speed = baseline.travel.road_factor, baseline.travel.speed_kmh
    assert (rf, speed) == (1.3, 60)
    expected = law_of_cosines_km(GOES, MIDDELBURG) * 1.3 / 60 * 60
    assert tt.between("goes", "middelburg") == pytest.approx(expected, rel=1e-9)
    assert tt.between("goes", "middelburg") == tt.between("middelburg", "goes")
    # HAP C is in Middelburg, at the same coordinates as the area.
    assert tt.between("middelburg", "hap_c") == 0.0


def test_road_factor_and_speed_scale_times(baseline: Scenario, baseline_path: Path) -> None:
    base = travel_times(baseline)
    slow = travel_times(load_scenario(baseline_path, ["travel.speed_kmh=30"]))
    np.testing.assert_allclose(slow.minutes, 2 * base.minutes, rtol=1e-12)
    winding = travel_times(load_scenario(baseline_path, ["travel.road_factor=2.6"]))
    same_zone = ("goes", "middelburg")
    assert winding.between(*same_zone) == pytest.approx(2 * base.between(*same_zone), rel=1e-12)
    # across the Westerschelde the tunnel's own length is not multiplied by the factor
    cross = ("goes", "terneuzen")
    tunnel = 6.6 / 60 * 60
    assert winding.between(*cross) - tunnel == pytest.approx(
        2 * (base.between(*cross) - tunnel), rel=1e-12
    )


def test_cross_zone_trip_goes_through_the_crossing(baseline: Scenario) -> None:
    tt = travel_times(baseline)
    (tunnel,) = baseline.travel.crossings
    north = (tunnel.ends[0].latitude, tunnel.ends[0].longitude)
    south = (tunnel.ends[1].latitude, tunnel.ends[1].longitude)
    goes = baseline.region.areas["goes"]
    terneuzen = baseline.region.areas["terneuzen"]
    assert (goes.zone, terneuzen.zone) == ("north", "south")
    a, b = (goes.latitude, goes.longitude), (terneuzen.latitude, terneuzen.longitude)
    legs_km = 1.3 * law_of_cosines_km(a, north) + 6.6 + 1.3 * law_of_cosines_km(south, b)
    minutes = tt.between("goes", "terneuzen")
    assert minutes == pytest.approx(legs_km / 60 * 60, rel=1e-9)
    assert tt.between("terneuzen", "goes") == pytest.approx(minutes, rel=1e-12)
    straight = 1.3 * law_of_cosines_km(a, b) / 60 * 60
    assert minutes > straight


def test_travel_matrix_shape(baseline: Scenario) -> None:
    tt = travel_times(baseline)
    ids = location_ids(baseline)
    assert tt.ids == tuple(ids)
    assert len(ids) == 12 + 3 + 2 + 7
    assert tt.minutes.shape == (24, 24)
    assert np.all(np.diag(tt.minutes) == 0)
    assert np.all(tt.minutes >= 0)
    assert not tt.minutes.flags.writeable
    assert [tt.index[k] for k in ids] == list(range(24))


def _write_matrix(path: Path, rows: list[tuple[str, str, float]]) -> None:
    lines = ["from,to,minutes", *(f"{a},{b},{m}" for a, b, m in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_matrix_method_fills_the_other_direction(
    baseline: Scenario, write_variant: WriteVariant, tmp_path: Path
) -> None:
    ids = location_ids(baseline)
    rows = []
    for i, a in enumerate(ids):
        for j, b in enumerate(ids[i + 1 :], start=i + 1):
            rows.append((a, b, float(i * 100 + j)))  # one direction only
    rows.append(("goes", "borsele", 7.5))  # both directions given: each is used
    _write_matrix(tmp_path / "times.csv", rows)
    s = load_scenario(write_variant("travel:\n  method: matrix\n  matrix_csv: times.csv\n"))
    assert s.travel.method == "matrix"
    tt = travel_times(s)
    for i, a in enumerate(ids):
        for j, b in enumerate(ids):
            if (a, b) == ("goes", "borsele"):
                assert tt.between(a, b) == 7.5
            elif i != j:
                assert tt.between(a, b) == float(min(i, j) * 100 + max(i, j))
    assert tt.between("borsele", "goes") == 1.0


def test_matrix_with_unknown_place(
    baseline: Scenario, write_variant: WriteVariant, tmp_path: Path
) -> None:
    ids = location_ids(baseline)
    rows = [(a, b, 1.0) for i, a in enumerate(ids) for b in ids[i + 1 :]]
    rows.append(("goes", "antwerpen", 40.0))
    _write_matrix(tmp_path / "times.csv", rows)
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_variant("travel: {method: matrix, matrix_csv: times.csv}\n"))
    assert info.value.path == ("travel", "matrix", "goes")
    assert "'antwerpen'" in info.value.message


def test_matrix_negative_minutes(write_variant: WriteVariant, tmp_path: Path) -> None:
    _write_matrix(tmp_path / "times.csv", [("goes", "borsele", 3.0), ("goes", "hulst", -1.0)])
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_variant("travel: {method: matrix, matrix_csv: times.csv}\n"))
    assert (info.value.file, info.value.line) == (str(tmp_path / "times.csv"), 3)


def test_matrix_method_needs_a_matrix(baseline_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(baseline_path, ["travel.method=matrix"])
    assert info.value.path == ("travel",)
    assert "matrix_csv" in info.value.message
