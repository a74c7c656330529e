"""Clock-time blocks as step functions of simulation time (minutes since Monday 00:00)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from pydantic import ValidationError

from anwsim.scenario import Scenario
from anwsim.scenario.calendar import Calendar, StepFunction, format_time
from anwsim.scenario.timeblocks import ALWAYS, StaffBlock, TimeBlock, parse_hours

MONDAY = dt.date(2025, 1, 6)
H = 60
DAY = 24 * H
WEEK = 7 * DAY
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def at(day: int, hour: float, week: int = 0) -> float:
    """Simulation minute of ``hour`` o'clock on ``day`` (0 = Monday) of ``week``."""
    return week * WEEK + day * DAY + hour * H


def block(days: list[str], hours: str, staff: int | None = None) -> TimeBlock:
    if staff is None:
        return TimeBlock(days=days, hours=hours)  # type: ignore[arg-type]
    return StaffBlock(days=days, hours=hours, staff=staff)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- hours text


@pytest.mark.parametrize(
    ("text", "start", "duration"),
    [
        ("17:00-08:00", 17 * H, 15 * H),
        ("23:00-07:00", 23 * H, 8 * H),
        ("08:00-08:00", 8 * H, 24 * H),
        ("00:00-24:00", 0, 24 * H),
        ("17:00-24:00", 17 * H, 7 * H),
        ("17:00-00:00", 17 * H, 7 * H),
        ("7:30-9:15", 7 * H + 30, 105),
        (" 10:00 - 14:00 ", 10 * H, 4 * H),
    ],
)
def test_parse_hours(text: str, start: int, duration: int) -> None:
    assert parse_hours(text) == (start, duration)


@pytest.mark.parametrize(
    "text", ["17-8", "25:00-08:00", "17:60-18:00", "24:00-08:00", "24:30-08:00", "", "noon", 17]
)
def test_parse_hours_rejects(text: object) -> None:
    with pytest.raises(ValueError):
        parse_hours(text)


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("7:30-9:15", "07:30-09:15"),
        (" 17:00 - 08:00 ", "17:00-08:00"),
        ("17:00-00:00", "17:00-24:00"),
        ("00:00-00:00", "00:00-24:00"),
        ("08:00-08:00", "08:00-08:00"),
        ("23:00-07:00", "23:00-07:00"),
    ],
)
def test_hours_text_is_normalised(text: str, canonical: str) -> None:
    b = block(["mon"], text)
    assert b.hours == canonical
    assert b.span() == parse_hours(text)


def test_unknown_day_selector() -> None:
    with pytest.raises(ValidationError):
        block(["weekdays"], "17:00-08:00")


# --------------------------------------------------------------------------- step functions


def test_friday_night_block_runs_into_saturday() -> None:
    cal = Calendar(MONDAY, 7)
    f = cal.step_function([block(["fri"], "23:00-07:00", 1)])
    assert f.intervals() == [
        (0.0, at(FRI, 23), 0),
        (at(FRI, 23), at(SAT, 7), 1),
        (at(SAT, 7), WEEK, 0),
    ]
    assert f.at(at(FRI, 22.99)) == 0
    assert f.at(at(FRI, 23)) == 1
    assert f.at(at(SAT, 6.99)) == 1
    assert f.at(at(SAT, 7)) == 0
    assert f.at(at(THU, 23.5)) == 0
    assert f.integral() == 8 * H


def test_overlapping_blocks_add_up() -> None:
    cal = Calendar(MONDAY, 7)
    f = cal.step_function([block(["mon"], "08:00-12:00", 2), block(["mon"], "10:00-14:00", 3)])
    assert [f.at(at(MON, h)) for h in (7, 8, 9, 10, 11, 12, 13, 14)] == [0, 2, 2, 5, 5, 3, 3, 0]
    assert f.integral() == 2 * 4 * H + 3 * 4 * H


def test_holiday_on_a_weekday_starts_only_holiday_blocks() -> None:
    wednesday = MONDAY + dt.timedelta(days=WED)
    cal = Calendar(MONDAY, 7, [wednesday])
    assert cal.is_holiday(WED) and not cal.is_holiday(TUE)
    assert cal.holiday_flags().tolist() == [False, False, True, False, False, False, False]
    weekday = block(["weekday"], "17:00-08:00")
    holiday = block(["weekend", "holiday"], "08:00-08:00")
    wed_only = block(["wed"], "12:00-13:00")
    everyday = block(["all"], "03:00-04:00")
    assert [s for s, _ in cal.block_intervals(weekday)] == [at(d, 17) for d in (MON, TUE, THU, FRI)]
    assert [s for s, _ in cal.block_intervals(holiday)] == [
        0.0,  # Sunday's block before the start, clipped
        at(WED, 8),
        at(SAT, 8),
        at(SUN, 8),
    ]
    assert cal.block_intervals(wed_only) == []
    assert len(cal.block_intervals(everyday)) == 7  # "all" starts on a holiday too
    opening = cal.open_function([weekday, holiday])
    assert opening.at(at(WED, 7)) == 1  # Tuesday night still running
    assert opening.at(at(WED, 12)) == 1  # the holiday block
    assert opening.at(at(TUE, 12)) == 0
    assert opening.at(at(THU, 7)) == 1
    assert opening.at(at(THU, 12)) == 0
    staff = cal.step_function([weekday, holiday])
    assert staff.at(at(THU, 7)) == 1  # only the holiday block; no weekday block on Wed


def test_sunday_night_block_of_day_before_start_runs_at_time_zero() -> None:
    cal = Calendar(MONDAY, 7)
    f = cal.step_function([block(["sun"], "22:00-06:00", 2), block(["sat"], "22:00-06:00", 5)])
    assert f.at(0.0) == 2
    assert f.times[0] == 0.0 and f.values[0] == 2
    assert f.at(at(MON, 6)) == 0
    # Sunday 22:00 of the first week runs to the horizon and is clipped there.
    assert f.intervals()[-1] == (at(SUN, 22), WEEK, 2)
    assert f.integral() == 2 * 6 * H + 5 * 8 * H + 2 * 2 * H


def test_day_before_start_can_be_a_holiday() -> None:
    sunday_before = MONDAY - dt.timedelta(days=1)
    cal = Calendar(MONDAY, 7, [sunday_before])
    assert cal.step_function([block(["sun"], "22:00-06:00", 1)]).at(0.0) == 0
    assert cal.step_function([block(["holiday"], "22:00-06:00", 1)]).at(0.0) == 1


def test_equal_times_mean_24_hours() -> None:
    cal = Calendar(MONDAY, 7)
    b = block(["mon"], "08:00-08:00")
    assert b.span() == (8 * H, DAY)
    assert cal.block_intervals(b) == [(at(MON, 8), at(TUE, 8))]


def test_always_open() -> None:
    cal = Calendar(MONDAY, 14)
    f = cal.open_function(list(ALWAYS))
    assert f.intervals() == [(0.0, 2 * WEEK, 1)]
    assert f.integral() == 2 * WEEK


def test_zero_staff_blocks_are_ignored() -> None:
    cal = Calendar(MONDAY, 7)
    f = cal.step_function([block(["all"], "00:00-24:00", 0)])
    assert f.intervals() == [(0.0, WEEK, 0)]
    assert f.integral() == 0.0


def test_zero_while() -> None:
    cal = Calendar(MONDAY, 7)
    opening = cal.open_function([block(["mon"], "08:00-20:00")])
    staff = cal.step_function([block(["mon"], "10:00-12:00", 1), block(["mon"], "14:00-22:00", 1)])
    assert staff.zero_while(opening) == [(at(MON, 8), at(MON, 10)), (at(MON, 12), at(MON, 14))]
    assert opening.zero_while(staff) == [(at(MON, 20), at(MON, 22))]


def test_step_function_merges_repeated_values() -> None:
    cal = Calendar(MONDAY, 7)
    f = cal.step_function([block(["mon"], "08:00-10:00", 1), block(["mon"], "10:00-12:00", 1)])
    assert f.intervals() == [
        (0.0, at(MON, 8), 0),
        (at(MON, 8), at(MON, 12), 1),
        (at(MON, 12), WEEK, 0),
    ]
    assert isinstance(f, StepFunction)
    assert np.all(np.diff(f.values) != 0)


def _hand_minutes(hours: str) -> int:
    """Duration of an "HH:MM-HH:MM" block, worked out without the library."""
    start, end = hours.split("-")
    h1, m1 = (int(x) for x in start.split(":"))
    h2, m2 = (int(x) for x in end.split(":"))
    minutes = (h2 * 60 + m2) - (h1 * 60 + m1)
    return minutes if minutes > 0 else minutes + 24 * 60


DAYS_PER_WEEK = {"all": 7, "weekday": 5, "weekend": 2, "holiday": 0, "mon": 1, "fri": 1}


def test_staffed_minutes_of_baseline_triagists_in_a_week(baseline: Scenario) -> None:
    """In a week without holidays, each block works duration x staff x days it starts on
    (a Sunday block cut at the horizon is made up by the one carried in from day -1)."""
    blocks = baseline.rosters["hds"]["triagist"]
    expected = 0
    for b in blocks:
        days = sum(DAYS_PER_WEEK[d] for d in b.days)
        expected += _hand_minutes(b.hours) * b.staff * days
    # baseline.yaml: weekday 17-18 x3, 18-22 x4, 22-24 x2; every day 0-2 x2, 2-8 x1;
    # weekend 8-10 x5, 10-14 x7, 14-18 x6, 18-22 x5, 22-24 x3.
    by_hand = (
        5 * (1 * 3 + 4 * 4 + 2 * 2) * 60
        + 7 * (2 * 2 + 6 * 1) * 60
        + 2 * (2 * 5 + 4 * 7 + 4 * 6 + 4 * 5 + 2 * 3) * 60
    )
    assert by_hand == 21_660  # 361 triagist-hours a week
    assert expected == by_hand
    cal = Calendar(baseline.run.start_date, 7, [])
    assert cal.step_function(blocks).integral() == expected
    # and 52 such weeks without holidays:
    assert Calendar(baseline.run.start_date, 364, []).step_function(blocks).integral() == (
        52 * expected
    )


def test_baseline_triagists_at_a_few_times(baseline: Scenario) -> None:
    cal = Calendar(baseline.run.start_date, 7, [])
    f = cal.step_function(baseline.rosters["hds"]["triagist"])
    assert f.at(at(MON, 0)) == 2  # all 00-02
    assert f.at(at(MON, 3)) == 1
    assert f.at(at(MON, 12)) == 0  # office hours: no triage
    assert f.at(at(TUE, 19)) == 4
    assert f.at(at(SAT, 11)) == 7
    assert f.at(at(SUN, 23)) == 3


def test_calendar_months_and_dates() -> None:
    cal = Calendar(dt.date(2025, 1, 27), 14)
    assert cal.date(5) == dt.date(2025, 2, 1)
    assert cal.month_index().tolist() == [0] * 5 + [1] * 9
    assert cal.horizon == 14 * DAY


def test_calendar_must_start_on_monday() -> None:
    with pytest.raises(ValueError, match="Monday"):
        Calendar(dt.date(2025, 1, 7), 7)


@pytest.mark.parametrize(
    ("minutes", "text"),
    [
        (0, "week 1 Mon 00:00"),
        (at(SAT, 10.5), "week 1 Sat 10:30"),
        (at(TUE, 23, week=1), "week 2 Tue 23:00"),
    ],
)
def test_format_time(minutes: float, text: str) -> None:
    assert format_time(minutes) == text
