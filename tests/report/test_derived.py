"""Capacity, offered load and travel times computed from a scenario for the charts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anwsim.report import derived
from anwsim.scenario import Scenario, load_scenario
from anwsim.scenario.schema import MINUTES_PER_YEAR

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
CLOSE_B_AT_NIGHT = (
    'sites.gp_posts.hap_b.opening=[{days: [weekday], hours: "17:00-23:00"},'
    ' {days: [weekend, holiday], hours: "08:00-23:00"}]'
)


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE)


def _role(frame, role: str, column: str) -> np.ndarray:  # type: ignore[no-untyped-def]
    return frame.loc[frame["role"] == role, column].to_numpy()


def test_staffed_by_hour_follows_the_rosters(baseline: Scenario) -> None:
    staffed = derived.staffed_by_hour(baseline)
    triagist = _role(staffed, "triagist", "staff")
    assert triagist.size == 168
    saturday = 5 * 24
    assert triagist[saturday + 11] == 7  # weekend 10-14
    assert triagist[saturday + 9] == 5  # weekend 08-10
    assert triagist[2 * 24 + 10] == 0  # Wednesday office hours: no triage
    assert triagist[2 * 24 + 19] == 4  # weekday 18-22
    consult = _role(staffed, "gp_consult", "staff")
    assert consult[saturday + 11] == 7 and consult[2 * 24 + 3] == 3
    # Sunday's night shift runs into Monday morning of the same regular week
    assert consult[3] == 3
    ambulance = _role(staffed, "ambulance", "staff")
    assert ambulance[12] == 11 and ambulance[3] == 7


def test_needed_triage_load_is_arrivals_times_triage_time(baseline: Scenario) -> None:
    needed = derived.needed_by_hour(baseline)
    triage = _role(needed, "triagist", "load")
    phone = baseline.demand.channels["gp_call"]
    per_week = phone.rate_per_1000_per_year * baseline.region.population / 1000
    per_week *= 7 * 24 * 60 / MINUTES_PER_YEAR
    # every telephone patient takes one triage of 5.5 minutes on average
    assert triage.sum() == pytest.approx(per_week * 5.5 / 60, rel=1e-9)
    assert triage[2 * 24 + 10] == 0  # no GP-post calls in office hours
    consult = _role(needed, "gp_consult", "load")
    assert consult.max() > 0 and (consult >= 0).all()
    assert set(needed["role"]) == set(derived.CAPACITY_ROLES)


def test_travel_to_post_day_and_night(baseline: Scenario) -> None:
    times = derived.representative_times(baseline)
    assert times["evening"] % (24 * 60) == 19 * 60
    assert times["night"] - times["evening"] == 8 * 60
    night = derived.travel_to_post(baseline, times["night"])
    assert set(night["destination"]) == {"hap_a", "hap_b", "hap_c"}
    assert night.loc[night["area"] == "middelburg", "minutes"].iloc[0] == pytest.approx(0.0)
    # with post B closed at night, its areas go to the nearest open post
    closed = load_scenario(BASELINE, [CLOSE_B_AT_NIGHT])
    after = derived.travel_to_post(closed, times["night"])
    assert "hap_b" not in set(after["destination"])
    assert (after["minutes"].to_numpy() >= night["minutes"].to_numpy() - 1e-9).all()
    assert after.loc[after["area"] == "terneuzen", "minutes"].iloc[0] > 15
    evening = derived.travel_to_post(closed, times["evening"])
    assert "hap_b" in set(evening["destination"])
    minutes, share = derived.population_curve(night)
    assert share[0] == 0 and share[-1] == pytest.approx(100.0)
    assert (np.diff(minutes) >= 0).all() and (np.diff(share) >= 0).all()
