"""Car travel times between every pair of places (areas and located sites).

By default: great-circle distance × road factor ÷ speed. Places in different zones (say,
either bank of the Westerschelde) travel through a `Crossing`: to its near end, across
it, and on from its far end. Alternatively the user supplies a matrix of minutes.
The result is one dense matrix, computed once per scenario and shared by all stages.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from anwsim.scenario.schema import Scenario

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two WGS84 points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def location_ids(s: Scenario) -> list[str]:
    """Places in matrix order: areas, then GP posts, SEHs and ambulance stations."""
    return [*s.region.areas, *s.sites.gp_posts, *s.sites.sehs, *s.sites.ambulance_stations]


def _places(s: Scenario) -> dict[str, tuple[float, float, str]]:
    out = {k: (a.latitude, a.longitude, a.zone) for k, a in s.region.areas.items()}
    out.update({k: (p.latitude, p.longitude, p.zone) for k, p in s.sites.located().items()})
    return out


def missing_matrix_pairs(s: Scenario) -> list[tuple[str, str]]:
    """Ordered pairs of distinct places with no time in ``travel.matrix`` either way."""
    matrix = s.travel.matrix or {}
    ids = location_ids(s)
    missing = []
    for a in ids:
        for b in ids:
            if a != b and b not in matrix.get(a, {}) and a not in matrix.get(b, {}):
                missing.append((a, b))
    return missing


@dataclass(frozen=True)
class TravelTimes:
    """Car minutes between places; ``index[id]`` is the row/column of a place."""

    ids: tuple[str, ...]
    minutes: np.ndarray
    index: dict[str, int]

    def between(self, origin: str, destination: str) -> float:
        return float(self.minutes[self.index[origin], self.index[destination]])


def road_km(s: Scenario, a: tuple[float, float, str], b: tuple[float, float, str]) -> float:
    """Road distance between two places, through a crossing when zones differ."""
    rf = s.travel.road_factor
    if a[2] == b[2]:
        return rf * haversine_km(a[0], a[1], b[0], b[1])
    best = math.inf
    for c in s.travel.crossings:
        if {a[2], b[2]} != set(c.zones):
            continue
        near, far = (c.ends[0], c.ends[1]) if c.zones[0] == a[2] else (c.ends[1], c.ends[0])
        km = (
            rf * haversine_km(a[0], a[1], near.latitude, near.longitude)
            + c.length_km
            + rf * haversine_km(far.latitude, far.longitude, b[0], b[1])
        )
        best = min(best, km)
    return best


def travel_times(s: Scenario) -> TravelTimes:
    """The dense matrix of car minutes for a scenario."""
    ids = location_ids(s)
    index = {k: i for i, k in enumerate(ids)}
    n = len(ids)
    minutes = np.zeros((n, n), dtype=np.float64)
    if s.travel.method == "matrix":
        matrix = s.travel.matrix or {}
        for a in ids:
            for b in ids:
                if a == b:
                    continue
                value = matrix.get(a, {}).get(b)
                if value is None:
                    value = matrix[b][a]
                minutes[index[a], index[b]] = value
    else:
        places = _places(s)
        for a in ids:
            for b in ids:
                if a != b:
                    km = road_km(s, places[a], places[b])
                    minutes[index[a], index[b]] = km / s.travel.speed_kmh * 60.0
    minutes.setflags(write=False)
    return TravelTimes(ids=tuple(ids), minutes=minutes, index=index)
