"""Clock-time blocks with day types: the one way scenarios say *when* something holds.

Opening hours, staff rosters and demand multipliers are all written as blocks::

    {days: [weekday], hours: "17:00-08:00"}           # Mon-Fri evenings and nights
    {days: [weekend, holiday], hours: "08:00-08:00"}  # 24 hours from 08:00

A block starts on every day its ``days`` select, at the first clock time, and ends at the
second. An end at or before the start means the next day (``"23:00-07:00"``); equal times
mean 24 hours. A block belongs to the day it *starts* on: the Friday night shift
``"23:00-07:00"`` on ``[fri]`` runs into Saturday morning.

Day selectors: ``mon`` … ``sun``, ``weekday`` (Mon-Fri), ``weekend`` (Sat, Sun), ``all``
and ``holiday``. A public holiday is a day of its own type: on a holiday only blocks that
list ``holiday`` (or ``all``) start, whatever its weekday.

A roster block may carry a ``name`` (``{name: avond, days: [weekday], hours:
"17:00-23:00", staff: 2}``), so that ``--set`` and ``--grid`` can address it by name
(``rosters.hap_a.gp_consult.avond.staff=3``) as well as by index. A block without a name
dumps without the key, so naming is new and changes no existing scenario's hash.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from anwsim.scenario.distributions import Real, Whole, at_most, shown

DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
DaySelector = Literal[
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "weekday", "weekend", "holiday", "all"
]

DAY_NAMES: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
MINUTES_PER_DAY = 24 * 60
MINUTES_PER_WEEK = 7 * MINUTES_PER_DAY
MAX_STAFF = 10_000
"""Bound of ``staff`` in one block: no site has more people (or vehicles, or places) on
duty in one block."""
MAX_FACTOR = 100.0
"""Bound of a demand multiplier, seasonal factor or growth factor."""

Staff = Annotated[
    Whole,
    Field(ge=0),
    at_most(MAX_STAFF, "a plausibility bound: no site has more on duty in one block"),
]
"""People (or vehicles, or places) on duty: 0 to 10,000."""
Factor = Annotated[
    Real, Field(ge=0), at_most(MAX_FACTOR, "a plausibility bound on a demand factor")
]
"""A demand multiplier: 0 to 100."""
PositiveFactor = Annotated[
    Real, Field(gt=0), at_most(MAX_FACTOR, "a plausibility bound on a demand factor")
]
"""A demand factor above 0, at most 100."""

_HOURS_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _clock_minutes(hours: str, minutes: str, text: str) -> int:
    h, m = int(hours), int(minutes)
    if m >= 60 or h > 24 or (h == 24 and m != 0):
        raise ValueError(f"{text!r} has an impossible clock time; use 00:00 to 24:00")
    return h * 60 + m


def parse_hours(text: object) -> tuple[int, int]:
    """Parse ``"HH:MM-HH:MM"`` into (start minute of day, duration in minutes)."""
    if not isinstance(text, str):
        raise ValueError(f"expected a string 'HH:MM-HH:MM', got {shown(text)}")
    match = _HOURS_RE.match(text)
    if match is None:
        raise ValueError(f"expected 'HH:MM-HH:MM' (e.g. '17:00-08:00'), got {shown(text)}")
    start = _clock_minutes(match.group(1), match.group(2), text)
    end = _clock_minutes(match.group(3), match.group(4), text)
    if start == MINUTES_PER_DAY:
        raise ValueError(f"{text!r} starts at 24:00; write 00:00 on the next day")
    duration = (end - start) % MINUTES_PER_DAY
    if duration == 0:
        duration = MINUTES_PER_DAY
    return start, duration


def _check_hours(value: object) -> str:
    """Validate and normalise to ``HH:MM-HH:MM`` (an end at midnight as ``24:00``), so
    that equal blocks written differently are equal (and hash alike)."""
    start, duration = parse_hours(value)
    end = start + duration
    if end > MINUTES_PER_DAY:
        end -= MINUTES_PER_DAY
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


HoursText = Annotated[str, BeforeValidator(_check_hours)]

_BLOCK_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,63}")


def _block_name(value: str) -> str:
    if not _BLOCK_NAME.fullmatch(value):
        raise ValueError(
            f"{shown(value)} is not a block name; allowed: a letter or '_', then up to 63 "
            "ASCII letters, digits, '_' or '-' (no '.', and not a number, so that a --set "
            "path can name it)"
        )
    return value


BlockName = Annotated[str, AfterValidator(_block_name)]
"""A roster block's name: an ASCII word that starts with a letter or ``_``."""


class TimeBlock(BaseModel):
    """A clock-time interval repeated on the selected day types."""

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    days: Annotated[list[DaySelector], Field(min_length=1, max_length=20)]
    """Day selectors the block starts on: mon … sun, weekday, weekend, holiday, all (1 to
    20). On a public holiday only blocks that list holiday (or all) start."""
    hours: HoursText
    """Clock times "HH:MM-HH:MM"; an end at or before the start is the next day, equal
    times are 24 hours; the block belongs to the day it starts on."""

    def starts_on(self, weekday: int, is_holiday: bool) -> bool:
        """Whether the block starts on a day with this weekday (0 = Monday)."""
        if "all" in self.days:
            return True
        if is_holiday:
            return "holiday" in self.days
        name = DAY_NAMES[weekday]
        group = "weekday" if weekday < 5 else "weekend"
        return name in self.days or group in self.days

    def span(self) -> tuple[int, int]:
        """(start minute of day, duration in minutes)."""
        return parse_hours(self.hours)


class StaffBlock(TimeBlock):
    """A roster line: ``staff`` people (or vehicles, or places) on duty in the block.

    Blocks of one roster that overlap add up, as overlapping shifts do. ``staff``: 0 to
    10,000 (a plausibility bound).
    """

    staff: Staff
    """People (or vehicles, or places) on duty in the block: 0 to 10,000."""
    name: BlockName | None = None
    """Optional; unique within its roster list, so that ``--set`` and ``--grid`` can
    address the block by name (``rosters.hap_a.gp_consult.avond.staff=3``)."""

    @model_serializer(mode="wrap")
    def _without_empty_name(self, handler: SerializerFunctionWrapHandler) -> dict[str, object]:
        """Leave out ``name`` when there is none: the dump (and so the scenario hash) of
        a block without a name is what it was before blocks had names."""
        data: dict[str, object] = handler(self)
        if self.name is None:
            data.pop("name", None)
        return data


class FactorBlock(TimeBlock):
    """A multiplier on demand in the block (e.g. Friday evening x1.2): 0 to 100."""

    factor: Factor
    """The multiplier: 0 to 100."""


ALWAYS: tuple[TimeBlock, ...] = (TimeBlock(days=["all"], hours="00:00-24:00"),)
"""The opening hours of a site that never closes."""
