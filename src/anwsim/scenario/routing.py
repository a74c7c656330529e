"""Where patients and vehicles go: nearest open post or SEH, and travel times.

A pure function of the scenario and its calendar (no state, no randomness), so that
the model (`anwsim.model`, `anwsim.engine`) and the report (`anwsim.report.derived`)
apply the same rule.

Rules (applied at the moment a patient sets off):

* **GP post**: the post nearest (by car time) to the patient's area. If it is closed,
  its ``when_closed`` decides: ``nearest_open`` → the nearest open post, or, if no post
  is open, the nearest open SEH; a post id → that post if open, else the nearest open
  post; an SEH id → that SEH (or the nearest open SEH if it is closed too).
* **SEH**: the SEH nearest to where the patient is (for ambulance rides: the nearest
  that takes ambulances). If it is closed, its ``when_closed`` decides: ``nearest_open``
  or an SEH id (if that one is closed too, the nearest open SEH). With every SEH closed,
  the nearest SEH (the patient waits there).

Travel time of a trip = car minutes from the matrix × the patient's pre-drawn noise
for that leg (÷ the urgent speed factor for A1/A2 ambulance rides).
"""

from __future__ import annotations

from bisect import bisect_right

import numpy as np

from anwsim.scenario.calendar import Calendar
from anwsim.scenario.schema import Scenario
from anwsim.scenario.travel import TravelTimes, travel_times


class OpenHours:
    """Fast ``is_open(t)`` from a site's opening step function."""

    def __init__(self, times: np.ndarray, values: np.ndarray) -> None:
        self._times = [float(t) for t in times]
        self._values = [int(v) > 0 for v in values]

    def is_open(self, t: float) -> bool:
        return self._values[bisect_right(self._times, t) - 1]

    def open_at(self, t: np.ndarray) -> np.ndarray:
        """`is_open` at every time of ``t`` at once (booleans)."""
        index = np.searchsorted(np.asarray(self._times), t, side="right") - 1
        return np.asarray(self._values, dtype=bool)[index]


class Routing:
    """Places, opening hours and travel of one scenario (model and report)."""

    def __init__(self, scenario: Scenario, calendar: Calendar) -> None:
        self.scenario = scenario
        self.travel: TravelTimes = travel_times(scenario)
        self.area_ids = list(scenario.region.areas)
        self.post_ids = list(scenario.sites.gp_posts)
        self.seh_ids = list(scenario.sites.sehs)
        self.station_ids = list(scenario.sites.ambulance_stations)
        index = self.travel.index
        self.area_place = np.array([index[a] for a in self.area_ids], dtype=np.int64)
        self.post_place = np.array([index[p] for p in self.post_ids], dtype=np.int64)
        self.seh_place = np.array([index[s] for s in self.seh_ids], dtype=np.int64)
        self.station_place = np.array([index[s] for s in self.station_ids], dtype=np.int64)
        sites = scenario.sites
        self.post_open = [
            OpenHours(*_arrays(calendar.open_function(sites.gp_posts[p].opening)))
            for p in self.post_ids
        ]
        self.seh_open = [
            OpenHours(*_arrays(calendar.open_function(sites.sehs[s].opening))) for s in self.seh_ids
        ]
        self.intake = [sites.sehs[s].ambulance_intake for s in self.seh_ids]
        minutes = self.travel.minutes
        # For every place, posts and SEHs from nearest to farthest (ties by listed order).
        self._posts_by_distance = np.argsort(minutes[:, self.post_place], axis=1, kind="stable")
        self._sehs_by_distance = np.argsort(minutes[:, self.seh_place], axis=1, kind="stable")

    def minutes(self, origin_place: int, destination_place: int) -> float:
        return float(self.travel.minutes[origin_place, destination_place])

    # ------------------------------------------------------------------ GP posts

    def nearest_post(self, place: int) -> int:
        return int(self._posts_by_distance[place, 0])

    def nearest_open_post(self, place: int, t: float) -> int | None:
        for p in self._posts_by_distance[place]:
            if self.post_open[p].is_open(t):
                return int(p)
        return None

    def nearest_open_posts(self, places: np.ndarray, t: np.ndarray) -> np.ndarray:
        """`nearest_open_post` for every (place, time) pair at once (-1: none open)."""
        places = np.asarray(places, dtype=np.int64)
        if not self.post_ids or places.size == 0:
            return np.full(places.shape, -1, dtype=np.int64)
        is_open = np.stack([hours.open_at(t) for hours in self.post_open])  # post × pair
        ranked = self._posts_by_distance[places]  # pair × rank
        found = is_open[ranked, np.arange(places.size)[:, None]]
        first = np.argmax(found, axis=1)
        nearest = ranked[np.arange(places.size), first]
        return np.where(found.any(axis=1), nearest, -1).astype(np.int64)

    def post_for(self, place: int, t: float) -> tuple[str, int]:
        """``('post', p)`` or ``('seh', s)``: where a patient at ``place`` goes for a consult."""
        if not self.post_ids:
            return "seh", self.seh_for(place, t)
        p0 = self.nearest_post(place)
        if self.post_open[p0].is_open(t):
            return "post", p0
        target = self.scenario.sites.gp_posts[self.post_ids[p0]].when_closed
        if target in self.scenario.sites.sehs:
            s = self.seh_ids.index(target)
            return "seh", s if self.seh_open[s].is_open(t) else self.seh_for(place, t)
        if target in self.scenario.sites.gp_posts:
            p = self.post_ids.index(target)
            if self.post_open[p].is_open(t):
                return "post", p
        nearest = self.nearest_open_post(place, t)
        if nearest is not None:
            return "post", nearest
        return "seh", self.seh_for(place, t)

    # ------------------------------------------------------------------ SEHs

    def seh_for(self, place: int, t: float, *, by_ambulance: bool = False) -> int:
        """The SEH a patient at ``place`` is taken to at time ``t`` (ambulances only go
        to SEHs with ``ambulance_intake``)."""
        order = [s for s in self._sehs_by_distance[place] if not by_ambulance or self.intake[s]]
        if not order:  # no SEH takes ambulances: the nearest SEH after all
            order = list(self._sehs_by_distance[place])
        s0 = int(order[0])
        if self.seh_open[s0].is_open(t):
            return s0
        target = self.scenario.sites.sehs[self.seh_ids[s0]].when_closed
        if target != "nearest_open":
            s = self.seh_ids.index(target)
            if self.seh_open[s].is_open(t) and s in order:
                return s
        for s in order:
            if self.seh_open[s].is_open(t):
                return int(s)
        return s0


def _arrays(f: object) -> tuple[np.ndarray, np.ndarray]:
    return f.times, f.values  # type: ignore[attr-defined]
