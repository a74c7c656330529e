"""The schema: unit conversions, derived values and the baseline's headline figures."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from pydantic import ValidationError

from anwsim.scenario import DISPOSITIONS, URGENCIES, Scenario, load_scenario
from anwsim.scenario.distributions import (
    Constant,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Triangular,
)
from anwsim.scenario.schema import (
    ALLOWED_DISPOSITIONS,
    Channel,
    Norms,
    Profile,
    Run,
    for_urgency,
    fraction,
)

# --------------------------------------------------------------------------- baseline figures


def test_baseline_population(baseline: Scenario) -> None:
    # figures.md §8: Zeeland minus Tholen ≈ 364k; the sum of the twelve municipalities.
    assert baseline.region.population == 363_913
    assert len(baseline.region.areas) == 12


def test_baseline_contact_type_split(baseline: Scenario) -> None:
    """gp_call's dispositions plus the walk-ins give the 40/51/9 split of figures.md §9:
    telephone (advice, call-back, direct SEH or ambulance) / consult / home visit."""
    call = baseline.demand.channels["gp_call"]
    walk_in = baseline.demand.channels["gp_walk_in"]
    assert walk_in.entry == "walk_in_gp"
    shares = dict.fromkeys(("telephone", "consult", "home_visit"), 0.0)
    for urgency, u_pct in call.urgency_mix.items():
        mix = call.disposition_mix.get(urgency) or call.disposition_mix["default"]
        for disposition, d_pct in mix.items():
            group = disposition if disposition in ("consult", "home_visit") else "telephone"
            shares[group] += u_pct / 100 * d_pct / 100
    assert sum(shares.values()) == pytest.approx(1.0, abs=1e-9)
    calls = call.rate_per_1000_per_year
    walk_ins = walk_in.rate_per_1000_per_year  # every walk-in is a consult
    total = calls + walk_ins
    assert total == pytest.approx(250.0)  # §2: 250 contacts per 1000 per year
    split = {
        "telephone": shares["telephone"] * calls / total,
        "consult": (shares["consult"] * calls + walk_ins) / total,
        "home_visit": shares["home_visit"] * calls / total,
    }
    assert split["telephone"] == pytest.approx(0.40, abs=0.02)
    assert split["consult"] == pytest.approx(0.51, abs=0.02)
    assert split["home_visit"] == pytest.approx(0.09, abs=0.02)


def test_baseline_mixes_are_fractions(baseline: Scenario) -> None:
    for channel in baseline.demand.channels.values():
        assert sum(channel.urgency_fractions()) == pytest.approx(1.0, abs=1e-4)
        for urgency, share in zip(URGENCIES, channel.urgency_fractions(), strict=True):
            if share > 0:
                fractions = channel.disposition_fractions(urgency)
                assert sum(fractions) == pytest.approx(1.0, abs=1e-4)
                allowed = ALLOWED_DISPOSITIONS[channel.entry]
                for disposition, f in zip(DISPOSITIONS, fractions, strict=True):
                    assert f == 0 or disposition in allowed


def test_baseline_sites(baseline: Scenario) -> None:
    sites = baseline.sites
    assert sorted(sites.gp_posts) == ["hap_a", "hap_b", "hap_c"]
    assert sorted(sites.sehs) == ["seh_1", "seh_2"]
    assert len(sites.ambulance_stations) == 7
    assert sites.kind_of("hap_b") == "gp_posts"
    assert sites.kind_of("seh_1") == "sehs"
    assert sites.kind_of("hds") == "triage_centres"
    assert sites.kind_of("spoedpost_goes") == "integrated_posts"
    assert sites.kind_of("amb_hulst") == "ambulance_stations"
    assert sites.kind_of("goes") is None  # an area, not a site
    assert set(sites.located()) == {*sites.gp_posts, *sites.sehs, *sites.ambulance_stations}


def test_baseline_norms_are_the_defaults(baseline: Scenario) -> None:
    # baseline.yaml: "Norms: the defaults of anwsim ... Listed here so a planner sees them."
    assert baseline.norms == Norms()


# --------------------------------------------------------------------------- unit conversions


def _channel(**changes: object) -> Channel:
    data: dict[str, object] = {
        "entry": "phone",
        "rate_per_1000_per_year": 241.1,
        "profile": "p",
        "urgency_mix": {"U2": 25, "U3": 75},
        "disposition_mix": {"U2": {"seh": 100}, "default": {"advice": 40, "consult": 60}},
    }
    data.update(changes)
    return Channel.model_validate(data)


@pytest.mark.parametrize("population", [1, 1000, 363_913, 17_900_000])
@pytest.mark.parametrize("rate", [0.5, 8.9, 241.1, 1000.0])
def test_rate_per_minute(rate: float, population: int) -> None:
    channel = _channel(rate_per_1000_per_year=rate)
    assert channel.rate_per_minute(population) == rate * population / 1000 / (365.25 * 24 * 60)


def test_rate_per_minute_of_baseline_gp_calls(baseline: Scenario) -> None:
    call = baseline.demand.channels["gp_call"]
    per_minute = call.rate_per_minute(baseline.region.population)
    # 241.1 per 1000 per year x 363,913 people = 87,739.4 calls a year.
    assert per_minute * 525_960 == pytest.approx(87_739.42, rel=1e-6)


def test_percent_fractions() -> None:
    assert fraction(0) == 0.0
    assert fraction(100) == 1.0
    assert fraction(7.7) == pytest.approx(0.077, abs=1e-15)
    channel = _channel()
    assert channel.urgency_fractions() == [0.0, 0.0, 0.25, 0.75, 0.0, 0.0]
    assert channel.disposition_fractions("U2") == [0.0, 0.0, 0.0, 0.0, 0.0, 1.0]
    # U3 has no row of its own: the default row
    assert channel.disposition_fractions("U3") == [0.4, 0.0, 0.6, 0.0, 0.0, 0.0]
    no_default = _channel(disposition_mix={"U2": {"seh": 100}, "U3": {"advice": 100}})
    assert no_default.disposition_fractions("U5") == [0.0] * 6


def test_mix_tolerance() -> None:
    _channel(urgency_mix={"U3": 99.995, "U4": 0.0})  # within 0.01 of 100
    with pytest.raises(ValidationError, match=r"sums to 99\.98%"):
        _channel(urgency_mix={"U3": 99.98})


def test_zero_share_of_a_forbidden_disposition_is_allowed() -> None:
    _channel(entry="walk_in_seh", disposition_mix={"default": {"seh": 100, "consult": 0}})
    with pytest.raises(ValidationError, match="consult not possible for entry 'walk_in_seh'"):
        _channel(entry="walk_in_seh", disposition_mix={"default": {"seh": 99, "consult": 1}})


def test_urgency_without_disposition_row() -> None:
    with pytest.raises(ValidationError, match="no entry for U3"):
        _channel(disposition_mix={"U2": {"seh": 100}})


@pytest.mark.parametrize(("mean", "sd"), [(5.5, 2.5), (156, 98), (20.2, 15.5), (1, 10)])
def test_lognormal_log_params_round_trip(mean: float, sd: float) -> None:
    mu, sigma = Lognormal(kind="lognormal", mean_minutes=mean, sd_minutes=sd).log_params()
    assert math.exp(mu + sigma**2 / 2) == pytest.approx(mean, rel=1e-12)
    assert math.exp(mu + sigma**2 / 2) * math.sqrt(math.expm1(sigma**2)) == pytest.approx(
        sd, rel=1e-12
    )


def test_lognormal_of_baseline_stay_matches_its_comment(baseline: Scenario) -> None:
    stay = for_urgency(baseline.seh.length_of_stay_minutes, "U3")
    assert isinstance(stay, Lognormal)
    mu, sigma = stay.log_params()
    # baseline.yaml: "median 130 min; lognormal with sigma 0.6 => mean 156 min, sd 98 min".
    # (mean 156 and sd 98 give sigma 0.58 and median 132: close enough for a fit.)
    assert math.exp(mu) == pytest.approx(130, rel=0.02)
    assert sigma == pytest.approx(0.6, abs=0.03)


@pytest.mark.parametrize(("mean", "sd"), [(20, 10), (2, 1), (5, 2.5), (3, 6)])
def test_gamma_shape_scale(mean: float, sd: float) -> None:
    shape, scale = Gamma(kind="gamma", mean_minutes=mean, sd_minutes=sd).shape_scale()
    assert shape == pytest.approx((mean / sd) ** 2, rel=1e-12)
    assert shape * scale == pytest.approx(mean, rel=1e-12)
    assert shape * scale**2 == pytest.approx(sd**2, rel=1e-12)


def test_distribution_moments() -> None:
    assert Constant(kind="constant", minutes=4).variance() == 0
    assert Exponential(kind="exponential", mean_minutes=8).variance() == 64
    tri = Triangular(kind="triangular", min_minutes=1, mode_minutes=2, max_minutes=6)
    assert tri.mean() == 3
    assert tri.variance() == pytest.approx((1 + 36 + 4 - 6 - 2 - 12) / 18)
    emp = Empirical(kind="empirical", values_minutes=[1, 5, 15], weights=[2, 1, 1])
    assert emp.probabilities() == [0.5, 0.25, 0.25]
    assert emp.mean() == 0.5 + 1.25 + 3.75
    assert Empirical(kind="empirical", values_minutes=[2, 4]).mean() == 3


def test_monthly_factors_have_mean_one(baseline_path: Path) -> None:
    factors = [1.3, 1.2, 1.1, 1.0, 0.9, 0.9, 0.8, 0.8, 0.9, 1.0, 1.1, 1.2]
    s = load_scenario(baseline_path, [f"demand.seasonal_factors={factors}"])
    monthly = s.demand.monthly_factors()
    assert len(monthly) == 12
    assert sum(monthly) / 12 == pytest.approx(1.0, abs=1e-12)
    # proportions are kept: January / July as given
    assert monthly[0] / monthly[6] == pytest.approx(1.3 / 0.8, rel=1e-12)
    assert monthly[0] == pytest.approx(1.3 / (sum(factors) / 12), rel=1e-12)


def test_monthly_factors_of_baseline_are_flat(baseline: Scenario) -> None:
    assert baseline.demand.monthly_factors() == [1.0] * 12


def test_run_minutes(baseline: Scenario) -> None:
    assert baseline.run.horizon_minutes == 52 * 7 * 24 * 60 == 524_160
    assert baseline.run.warmup_minutes == 10_080
    run = Run(horizon_weeks=3, warmup_weeks=0.5)
    assert run.horizon_minutes == 30_240.0
    assert run.warmup_minutes == 5_040.0


def test_profile_day_hours_precedence(baseline: Scenario) -> None:
    profile = baseline.demand.profiles["gp_anw"]
    assert profile.day_hours is not None
    week = profile.week_weights()
    assert len(week) == 168
    assert week[0:24] == profile.day_hours["mon"]  # single day beats weekday
    for day in (1, 2, 3, 4):
        assert week[day * 24 : day * 24 + 24] == profile.day_hours["weekday"]
    for day in (5, 6):
        assert week[day * 24 : day * 24 + 24] == profile.day_hours["weekend"]


def test_profile_needs_every_day() -> None:
    with pytest.raises(ValidationError, match="no weights for sat, sun"):
        Profile(day_hours={"weekday": [1.0] * 24})
    with pytest.raises(ValidationError, match="all zero"):
        Profile(hour_of_week=[0.0] * 168)


def test_public_holidays_are_dates(baseline: Scenario) -> None:
    assert len(baseline.public_holidays) == 12
    assert all(d.year in (2025, 2026) for d in baseline.public_holidays)
    assert baseline.run.start_date.weekday() == 0
