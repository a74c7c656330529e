"""Dutch public holidays: the default of a scenario that lists none, from `holidays`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from anwsim.scenario import Scenario, ScenarioError, canonical_json, load_scenario
from anwsim.scenario.calendar import Calendar, dutch_public_holidays, holiday_years
from anwsim.scenario.intensity import scenario_calendar

WriteVariant = Callable[..., Path]
D = dt.date


def test_2025_is_the_baselines_own_list(baseline: Scenario) -> None:
    listed = [d for d in baseline.public_holidays if d.year == 2025]
    assert list(dutch_public_holidays(2025, 2025)) == listed
    assert len(listed) == 11


def test_the_anw_days_of_2026() -> None:
    assert dutch_public_holidays(2026, 2026) == (
        D(2026, 1, 1),  # Nieuwjaarsdag
        D(2026, 4, 3),  # Goede Vrijdag
        D(2026, 4, 5),  # Eerste Paasdag
        D(2026, 4, 6),  # Tweede Paasdag
        D(2026, 4, 27),  # Koningsdag (a Monday)
        D(2026, 5, 14),  # Hemelvaartsdag
        D(2026, 5, 24),  # Eerste Pinksterdag
        D(2026, 5, 25),  # Tweede Pinksterdag
        D(2026, 12, 25),  # Eerste Kerstdag
        D(2026, 12, 26),  # Tweede Kerstdag
    )


@pytest.mark.parametrize(
    ("year", "counted"), [(2025, True), (2026, False), (2029, False), (2030, True)]
)
def test_liberation_day_counts_in_lustrum_years_only(year: int, counted: bool) -> None:
    assert (D(year, 5, 5) in dutch_public_holidays(year, year)) is counted


def test_kings_day_on_a_sunday_moves_to_the_saturday() -> None:
    assert D(2025, 4, 26) in dutch_public_holidays(2025, 2025)  # 27 April 2025 is a Sunday
    assert D(2025, 4, 27) not in dutch_public_holidays(2025, 2025)


def test_years_outside_the_package_give_none() -> None:
    first, last = holiday_years()
    assert (first, last) == (1966, 2100)
    assert dutch_public_holidays(last + 1, last + 5) == ()


def test_a_scenario_without_holidays_gets_the_dutch_ones_of_its_years(
    write_variant: WriteVariant,
) -> None:
    s = load_scenario(write_variant("public_holidays: null\n"))
    # 2025-01-06 + 52 weeks + a week of rosters after the horizon: 2025 and 2026.
    assert s.public_holidays == list(dutch_public_holidays(2025, 2026))
    assert D(2025, 4, 21) in s.public_holidays and D(2026, 12, 26) in s.public_holidays
    easter_monday = (D(2025, 4, 21) - s.run.start_date).days
    assert scenario_calendar(s).is_holiday(easter_monday)


def test_the_holidays_follow_the_run(write_variant: WriteVariant) -> None:
    path = write_variant("public_holidays: null\n")
    s = load_scenario(path, ["run.start_date=2030-01-07", "run.horizon_weeks=2"])
    assert s.public_holidays == list(dutch_public_holidays(2030, 2030))
    assert D(2030, 5, 5) in s.public_holidays
    # A start on 31 December: the day before it (blocks start there) is in the old year.
    s = load_scenario(path, ["run.start_date=2029-12-31", "run.horizon_weeks=2"])
    assert s.public_holidays == list(dutch_public_holidays(2029, 2030))


def test_an_explicit_list_overrides_and_an_empty_one_means_none(
    write_variant: WriteVariant,
) -> None:
    listed = load_scenario(write_variant("public_holidays: [2025-03-03]\n"))
    assert listed.public_holidays == [D(2025, 3, 3)]
    none = load_scenario(write_variant("public_holidays: []\n", name="none.yaml"))
    assert none.public_holidays == []
    assert not Calendar(none.run.start_date, 7, none.public_holidays).holiday_flags().any()


def test_the_default_is_in_the_dump_so_the_hash_sees_the_dates(
    write_variant: WriteVariant, baseline: Scenario
) -> None:
    defaulted = load_scenario(write_variant("public_holidays: null\n"))
    again = Scenario.model_validate(defaulted.model_dump(mode="json"))
    assert again.public_holidays == defaulted.public_holidays
    assert canonical_json(again) == canonical_json(defaulted)
    assert '"public_holidays":["2025-01-01","2025-04-18"' in canonical_json(baseline)


def test_a_run_past_the_known_years_must_list_its_holidays(write_variant: WriteVariant) -> None:
    path = write_variant("public_holidays: null\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, ["run.start_date=2100-06-07"])
    assert caught.value.path == ("public_holidays",)
    assert "known for 1966 to 2100 only" in caught.value.message
    assert "give public_holidays" in caught.value.message
    listed = load_scenario(path, ["run.start_date=2100-06-07", "public_holidays=[2100-12-25]"])
    assert listed.public_holidays == [D(2100, 12, 25)]


def test_a_bad_run_is_reported_as_such_not_as_holidays(write_variant: WriteVariant) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write_variant("public_holidays: null\n"), ["run.start_date=2025-01-07"])
    assert caught.value.path == ("run", "start_date")
    assert "must be a Monday" in caught.value.message
