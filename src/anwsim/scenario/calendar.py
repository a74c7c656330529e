"""Turn clock-time blocks into step functions of simulation time.

Simulation time is minutes since ``run.start_date`` 00:00 (a Monday). The calendar knows
which days are public holidays and evaluates blocks from the day *before* the start, so
that a Sunday-night block is already running at time 0, as it would in steady state.

Everything here is a pure function of the scenario: the model and the sampler read
rosters and opening hours only through these step functions.

`dutch_public_holidays` gives the default ``public_holidays`` of a scenario that lists
none: the days on which an HDS runs its weekend roster.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from anwsim.scenario.timeblocks import MINUTES_PER_DAY, StaffBlock, TimeBlock


@dataclass(frozen=True)
class StepFunction:
    """A piecewise-constant integer function of time.

    ``values[i]`` holds on ``[times[i], times[i+1])``; the last value holds to the horizon.
    ``times[0]`` is always 0.
    """

    times: np.ndarray
    values: np.ndarray
    horizon: float

    def at(self, t: float) -> int:
        """The value at time ``t`` (right-continuous: a change at ``t`` counts)."""
        i = int(np.searchsorted(self.times, t, side="right")) - 1
        return int(self.values[max(i, 0)])

    def intervals(self) -> list[tuple[float, float, int]]:
        """``(start, end, value)`` for every piece, merged where the value repeats."""
        ends = np.append(self.times[1:], self.horizon)
        return [
            (float(s), float(e), int(v))
            for s, e, v in zip(self.times, ends, self.values, strict=True)
            if e > s
        ]

    def integral(self) -> float:
        """Area under the function (e.g. staffed minutes)."""
        ends = np.append(self.times[1:], self.horizon)
        return float(np.sum((ends - self.times) * self.values))

    def values_at(self, times: np.ndarray) -> np.ndarray:
        """`at` of every time in ``times``, at once."""
        i = np.searchsorted(self.times, times, side="right") - 1
        return self.values[np.maximum(i, 0)]

    def zero_while(self, other: StepFunction) -> list[tuple[float, float]]:
        """Intervals where ``other`` is positive and this function is zero."""
        cuts = np.union1d(self.times, other.times)
        ends = np.append(cuts[1:], self.horizon)
        gap = (ends > cuts) & (other.values_at(cuts) > 0) & (self.values_at(cuts) == 0)
        return list(zip(cuts[gap].tolist(), ends[gap].tolist(), strict=True))


class Calendar:
    """The days of a run: weekday and holiday flag for each, and block evaluation."""

    def __init__(self, start_date: dt.date, n_days: int, holidays: Iterable[dt.date] = ()):
        if start_date.weekday() != 0:
            raise ValueError("the calendar starts on a Monday")
        if n_days < 0:
            raise ValueError(f"a calendar has a non-negative number of days, got {n_days}")
        try:  # blocks are evaluated from the day before the start to the horizon
            start_date - dt.timedelta(days=1)
            start_date + dt.timedelta(days=n_days)
        except OverflowError:
            raise ValueError(
                f"a calendar of {n_days} days from {start_date} leaves the years 1 to 9999"
            ) from None
        self.start_date = start_date
        self.n_days = n_days
        self.holidays = frozenset(holidays)
        self.horizon = float(n_days * MINUTES_PER_DAY)
        # Day -1 (the Sunday before the start) to n_days - 1: weekday and holiday flag.
        self._days = np.arange(-1, n_days, dtype=np.int64)
        self._weekdays = self._days % 7
        self._holidays = np.zeros(n_days + 1, dtype=bool)
        for holiday in self.holidays:
            day = (holiday - start_date).days
            if -1 <= day < n_days:
                self._holidays[day + 1] = True

    def date(self, day: int) -> dt.date:
        return self.start_date + dt.timedelta(days=day)

    def is_holiday(self, day: int) -> bool:
        return self.date(day) in self.holidays

    def holiday_flags(self) -> np.ndarray:
        """One bool per day of the horizon."""
        return np.array([self.is_holiday(d) for d in range(self.n_days)], dtype=bool)

    def month_index(self) -> np.ndarray:
        """Calendar month (0 = January) of each day of the horizon."""
        return np.array([self.date(d).month - 1 for d in range(self.n_days)], dtype=np.int64)

    def _occurrences(self, block: TimeBlock) -> tuple[np.ndarray, np.ndarray]:
        """Starts and ends (float64 arrays) of every occurrence of the block, clipped to
        [0, horizon), in order."""
        start_of_day, duration = block.span()
        by_weekday = np.array([block.starts_on(w, False) for w in range(7)])
        starts = np.where(self._holidays, block.starts_on(0, True), by_weekday[self._weekdays])
        s = (self._days[starts] * MINUTES_PER_DAY + start_of_day).astype(np.float64)
        e = np.minimum(s + duration, self.horizon)
        s = np.maximum(s, 0.0)
        keep = e > s
        return s[keep], e[keep]

    def block_intervals(self, block: TimeBlock) -> list[tuple[float, float]]:
        """Every occurrence of the block, clipped to [0, horizon)."""
        s, e = self._occurrences(block)
        return list(zip(s.tolist(), e.tolist(), strict=True))

    def step_function(self, blocks: Sequence[TimeBlock]) -> StepFunction:
        """Sum of the blocks as a step function (``staff`` for staff blocks, else 1)."""
        cuts: list[np.ndarray] = [np.zeros(1)]
        deltas: list[np.ndarray] = [np.zeros(1, dtype=np.int64)]
        for block in blocks:
            weight = block.staff if isinstance(block, StaffBlock) else 1
            if weight == 0:
                continue
            s, e = self._occurrences(block)
            cuts += [s, e]
            deltas += [np.full(s.shape, weight, dtype=np.int64), np.full(e.shape, -weight)]
        every, where = np.unique(np.concatenate(cuts), return_inverse=True)
        change = np.zeros(every.shape, dtype=np.int64)
        np.add.at(change, where, np.concatenate(deltas).astype(np.int64))
        before = every < self.horizon
        times = every[before]
        values = np.cumsum(change[before]).astype(np.int64)
        keep = np.ones(len(times), dtype=bool)
        keep[1:] = values[1:] != values[:-1]
        return StepFunction(times=times[keep], values=values[keep], horizon=self.horizon)

    def crews(self, blocks: Sequence[StaffBlock]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every occurrence of the blocks as a crew: ``(start, end, staff)`` arrays, sorted
        by start, then by the order of the blocks (for the ``replace`` end-of-shift rule).
        A crew cut off by the end of the calendar ends there."""
        found = []
        for order, block in enumerate(blocks):
            if block.staff == 0:
                continue
            for s, e in self.block_intervals(block):
                found.append((s, order, e, block.staff))
        found.sort()
        return (
            np.array([f[0] for f in found], dtype=np.float64),
            np.array([f[2] for f in found], dtype=np.float64),
            np.array([f[3] for f in found], dtype=np.int64),
        )

    def open_function(self, blocks: Sequence[TimeBlock]) -> StepFunction:
        """1 while any of the blocks is running, else 0 (opening hours)."""
        f = self.step_function(blocks)
        values = (f.values > 0).astype(np.int64)
        keep = np.ones(len(values), dtype=bool)
        keep[1:] = values[1:] != values[:-1]
        return StepFunction(times=f.times[keep], values=values[keep], horizon=f.horizon)


LIBERATION_DAY = (5, 5)
"""Bevrijdingsdag, 5 May: an ANW day only in lustrum years (2025, 2030, …)."""


def holiday_years() -> tuple[int, int]:
    """The first and last year for which `dutch_public_holidays` knows the dates (those
    of the ``holidays`` package: from the Algemene termijnenwet of 1965 to 2100)."""
    import holidays

    return holidays.NL.start_year, holidays.NL.end_year


@lru_cache(maxsize=64)
def dutch_public_holidays(first_year: int, last_year: int) -> tuple[dt.date, ...]:
    """The Dutch public holidays of ``first_year`` to ``last_year``, sorted: the days an
    HDS treats as a holiday (its GP posts open 24 hours on a weekend roster).

    Dates from the ``holidays`` package (``holidays.NL``, public and optional
    categories, Koningsdag on the Saturday when 27 April is a Sunday), as listed by the
    baseline scenario: Nieuwjaarsdag, Goede Vrijdag, Eerste and Tweede Paasdag,
    Koningsdag, Bevrijdingsdag in lustrum years only, Hemelvaartsdag, Eerste and Tweede
    Pinksterdag, Eerste and Tweede Kerstdag. Years outside `holiday_years` give none."""
    import holidays
    from holidays.constants import OPTIONAL, PUBLIC

    # Public and optional together: the package has moved Goede Vrijdag and
    # Bevrijdingsdag between the two over its versions; the lustrum rule is ours.
    found = holidays.NL(years=range(first_year, last_year + 1), categories=(PUBLIC, OPTIONAL))
    return tuple(
        sorted(day for day in found if (day.month, day.day) != LIBERATION_DAY or day.year % 5 == 0)
    )


def format_time(minutes: float) -> str:
    """``'week 2 Sat 10:30'`` for a simulation time, for messages."""
    day = int(minutes // MINUTES_PER_DAY)
    minute_of_day = int(minutes - day * MINUTES_PER_DAY)
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    return (
        f"week {day // 7 + 1} {names[day % 7]} {minute_of_day // 60:02d}:{minute_of_day % 60:02d}"
    )
