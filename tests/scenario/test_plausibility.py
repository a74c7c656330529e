"""Plausibility bounds: every number of a scenario is finite, of the right kind and within
a bound no planner exceeds, and the compiled kernels check what they are given.

Each refusal is a `ScenarioError` at the field's path whose message names what is
allowed; the shipped scenarios are unaffected (they validate, and to the hash a round
trip through their own dump gives).
"""

from __future__ import annotations

import copy
import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from anwsim.sampling import DemandSampler, pcg64
from anwsim.sampling.arrivals import MAX_EXPECTED_ARRIVALS, sample_arrivals
from anwsim.sampling.kernels import EncodedDistribution, check_encoded, encode
from anwsim.scenario import Scenario, ScenarioError, scenario_hash
from anwsim.scenario.calendar import Calendar
from anwsim.scenario.distributions import Constant, Exponential, Gamma, Lognormal
from anwsim.scenario.loading import load_scenario, resolve_data, validate_data

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
BASELINE = ROOT / "scenarios" / "baseline.yaml"

Path_ = tuple[str | int, ...]


@pytest.fixture(scope="module")
def data() -> dict[str, Any]:
    """The baseline's resolved data. Do not mutate: `variant` copies it."""
    resolved, _ = resolve_data(BASELINE)
    return resolved


def _set(data: dict[str, Any], path: Path_, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(data)
    node: Any = out
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return out


def refused(data: dict[str, Any], *changes: tuple[Path_, Any]) -> ScenarioError:
    """The error of the baseline with the changes; fails if it validates."""
    for path, value in changes:
        data = _set(data, path, value)
    with pytest.raises(ScenarioError) as info:
        validate_data(data)
    return info.value


def accepted(data: dict[str, Any], *changes: tuple[Path_, Any]) -> Scenario:
    for path, value in changes:
        data = _set(data, path, value)
    return validate_data(data)


# --------------------------------------------------------------------------- shipped scenarios


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_scenarios_validate_and_round_trip(path: Path) -> None:
    """Every shipped scenario is within the bounds, and its dump (as stored in a result
    manifest) validates back to the same hash."""
    scenario = load_scenario(path)
    again = validate_data(scenario.model_dump(mode="json"))
    assert scenario_hash(again) == scenario_hash(scenario)


# --------------------------------------------------------------------------- upper bounds

AREA = ("region", "areas", "goes")
CHANNEL = ("demand", "channels", "gp_call")
BLOCK = ("rosters", "hds", "triagist", 0)


@pytest.mark.parametrize(
    ("path", "value", "bound"),
    [
        ((*AREA, "population"), 1e30, "50,000,000"),
        ((*AREA, "population"), 10**30, "50,000,000"),
        ((*AREA, "population"), 50_000_001, "50,000,000"),
        ((*CHANNEL, "rate_per_1000_per_year"), 1e30, "1,000,000"),
        ((*CHANNEL, "rate_per_1000_per_year"), 1e6 + 1, "1,000,000"),
        (("demand", "growth_factor"), 1e30, "at most 100 "),
        (("demand", "seasonal_factors"), [1] * 11 + [101], "at most 100 "),
        (("demand", "profiles", "gp_anw", "multipliers", 0, "factor"), 1e3, "at most 100 "),
        ((*BLOCK, "staff"), 10_001, "10,000"),
        ((*BLOCK, "staff"), 2**63, "10,000"),
        ((*BLOCK, "staff"), 2**70, "10,000"),
        (("gp", "consult_minutes", "default", "mean_minutes"), 1e308, "525,960"),
        (("gp", "consult_minutes", "default", "sd_minutes"), 525_961, "525,960"),
        (("triage", "redial_delay_minutes"), {"kind": "constant", "minutes": 1e7}, "525,960"),
        (("norms", "nts_minutes", "U2"), 1e7, "525,960"),
        (("norms", "answer_minutes"), 1e300, "525,960"),
        (("norms", "urgent_answer_seconds"), 1e9, "31,557,600"),
        (("ambulance", "neighbour_response_minutes"), 1e12, "525,960"),
        (("travel", "crossings", 0, "length_km"), 1001, "1,000"),
        (("demand", "profiles", "seh_24h", "day_hours", "all", 0), 1e10, "1,000,000,000"),
        (("run", "horizon_weeks"), 10**30, "520"),
        (("run", "replications"), 2**70, "100000"),
        (("run", "seed"), 2**63, "9223372036854775808"),
        (("run", "drain_days"), 1e9, "365"),
    ],
)
def test_upper_bounds(data: dict[str, Any], path: Path_, value: Any, bound: str) -> None:
    error = refused(data, (path, value))
    assert error.path is not None
    assert error.path[: len(path)] == path or path[: len(error.path)] == error.path
    assert bound in error.message, error.message
    assert "\n" not in str(error)


def test_bound_messages_say_it_is_a_plausibility_bound(data: dict[str, Any]) -> None:
    error = refused(data, ((*BLOCK, "staff"), 20_000))
    assert error.path == (*BLOCK, "staff")
    assert error.message == (
        "must be at most 10,000 (a plausibility bound: no site has more on duty in one "
        "block), got 20000"
    )


def test_values_at_the_bounds_are_accepted(data: dict[str, Any]) -> None:
    s = accepted(
        data,
        ((*AREA, "population"), 50_000_000),
        ((*BLOCK, "staff"), 10_000),
        (("gp", "consult_minutes", "default"), {"kind": "constant", "minutes": 525_960}),
        (("demand", "seasonal_factors"), [1] * 11 + [100]),
        (("travel", "crossings", 0, "length_km"), 1000),
    )
    assert s.region.areas["goes"].population == 50_000_000


def test_region_population_bound(data: dict[str, Any]) -> None:
    areas = data["region"]["areas"]
    changes = [(("region", "areas", a, "population"), 9_000_000) for a in list(areas)]
    error = refused(data, *changes)
    assert error.path == ("region",)
    assert "100,000,000" in error.message


def test_demand_volume_bound(data: dict[str, Any]) -> None:
    """Each number plausible, together too many patients: refused by the cross-check."""
    error = refused(data, ((*CHANNEL, "rate_per_1000_per_year"), 400_000))
    assert error.path == ("demand", "channels")
    assert "patients a year" in error.message and "at most 1e+08" in error.message


def test_patience_may_be_endless_but_other_durations_may_not(data: dict[str, Any]) -> None:
    endless = {"kind": "constant", "minutes": 1e9}
    s = accepted(data, (("triage", "patience_minutes"), endless))
    assert isinstance(s.triage.patience_minutes, Constant)
    assert s.triage.patience_minutes.minutes == 1e9
    error = refused(data, (("triage", "supervision_minutes"), endless))
    assert error.path == ("triage", "supervision_minutes", "minutes")
    assert "525,960" in error.message
    error = refused(data, (("triage", "patience_minutes"), {"kind": "constant", "minutes": 1e10}))
    assert error.path == ("triage", "patience_minutes", "minutes")
    assert "1,000,000,000" in error.message and "patience_minutes: none" in error.message
    # Outside a scenario's patience the one-year bound holds again.
    with pytest.raises(ValueError, match="525,960"):
        Constant(kind="constant", minutes=1e9)


@pytest.mark.parametrize(
    ("mean", "sd"), [(1e-300, 500_000.0), (1.0, 101.0), (500_000.0, 1e-300), (100.0, 1e-5)]
)
@pytest.mark.parametrize("kind", ["lognormal", "gamma"])
def test_coefficient_of_variation_bound(
    data: dict[str, Any], kind: str, mean: float, sd: float
) -> None:
    dist = {"kind": kind, "mean_minutes": mean, "sd_minutes": sd}
    error = refused(data, (("gp", "consult_minutes", "default"), dist))
    assert error.path == ("gp", "consult_minutes", "default")
    assert "between 1e-06 and 100 times" in error.message


def test_speed_must_be_at_least_walking_pace(data: dict[str, Any]) -> None:
    error = refused(data, (("travel", "speed_kmh"), 1e-300))
    assert error.path == ("travel", "speed_kmh")
    assert "greater than or equal to 1" in error.message


def test_collections_are_bounded(data: dict[str, Any]) -> None:
    block = data["rosters"]["hds"]["triagist"][0]
    error = refused(data, (("rosters", "hds", "triagist"), [block] * 1001))
    assert error.path == ("rosters", "hds", "triagist")
    assert "at most 1000" in error.message


# --------------------------------------------------------------------------- NaN and inf


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(
    "path",
    [
        (*AREA, "latitude"),
        (*AREA, "longitude"),
        (*AREA, "population"),
        (*CHANNEL, "rate_per_1000_per_year"),
        (*CHANNEL, "urgency_mix", "U3"),
        ("demand", "profiles", "seh_24h", "day_hours", "all", 5),
        ("demand", "growth_factor"),
        (*BLOCK, "staff"),
        ("gp", "consult_minutes", "default", "mean_minutes"),
        ("triage", "patience_minutes", "mean_minutes"),
        ("triage", "redial_percent"),
        ("travel", "crossings", 0, "length_km"),
        ("travel", "crossings", 0, "ends", 0, "latitude"),
        ("travel", "road_factor"),
        ("travel", "noise_cv"),
        ("norms", "nts_minutes", "U1"),
        ("norms", "urgent_answer_seconds"),
        ("run", "warmup_weeks"),
        ("run", "drain_days"),
        ("run", "replications"),
    ],
)
def test_nan_and_inf_refused(data: dict[str, Any], path: Path_, bad: float) -> None:
    error = refused(data, (path, bad))
    assert error.path == path


def test_nan_and_inf_refused_in_a_travel_matrix(data: dict[str, Any]) -> None:
    places = [*data["region"]["areas"], *data["sites"]["gp_posts"], *data["sites"]["sehs"]]
    places += list(data["sites"]["ambulance_stations"])
    matrix = {a: {b: 10.0 for b in places if b != a} for a in places}
    travel = {"method": "matrix", "matrix": matrix}
    assert accepted(data, (("travel",), travel)).travel.method == "matrix"
    for bad, allowed in ((math.nan, "finite"), (math.inf, "finite"), (1e5, "10,080")):
        row = {**matrix["goes"], "hulst": bad}
        error = refused(data, (("travel",), {**travel, "matrix": {**matrix, "goes": row}}))
        assert error.path == ("travel", "matrix", "goes", "hulst")
        assert allowed in error.message


# --------------------------------------------------------------------------- kinds of value


@pytest.mark.parametrize("flag", [True, False])
@pytest.mark.parametrize(
    "path",
    [
        (*BLOCK, "staff"),
        (*AREA, "population"),
        (*AREA, "latitude"),
        (*CHANNEL, "rate_per_1000_per_year"),
        (*CHANNEL, "urgency_mix", "U3"),
        ("demand", "growth_factor"),
        ("demand", "profiles", "seh_24h", "day_hours", "all", 5),
        ("gp", "consult_minutes", "default", "mean_minutes"),
        ("triage", "max_redials"),
        ("norms", "answer_minutes"),
        ("run", "replications"),
        ("run", "horizon_weeks"),
        ("run", "seed"),
        ("run", "start_date"),
    ],
)
def test_booleans_are_not_numbers(data: dict[str, Any], path: Path_, flag: bool) -> None:
    error = refused(data, (path, flag))
    assert error.path == path
    assert f"got {str(flag).lower()} (a yes/no value)" in error.message


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((*BLOCK, "staff"), "5"),
        ((*AREA, "population"), "23000"),
        (("gp", "consult_minutes", "default", "mean_minutes"), "20"),
        (("run", "replications"), "ten"),
    ],
)
def test_text_is_not_a_number(data: dict[str, Any], path: Path_, text: str) -> None:
    error = refused(data, (path, text))
    assert error.path == path
    assert f"got the text {text!r}" in error.message


def test_whole_and_real_numbers_are_interchangeable_where_exact(data: dict[str, Any]) -> None:
    s = accepted(
        data,
        ((*BLOCK, "staff"), 2.0),
        (("gp", "consult_minutes", "default"), {"kind": "constant", "minutes": 5}),
        (("travel", "speed_kmh"), "6.0e1"),  # YAML 1.1 reads an unsigned exponent as text
    )
    staff = s.rosters["hds"]["triagist"][0].staff
    assert staff == 2 and type(staff) is int
    minutes = s.gp.consult_minutes["default"].mean()
    assert minutes == 5.0 and type(minutes) is float
    assert s.travel.speed_kmh == 60.0
    error = refused(data, ((*BLOCK, "staff"), 2.5))
    assert "expected a whole number, got 2.5" in error.message


@pytest.mark.parametrize("value", [1, 0, "yes", "true"])
def test_flags_are_true_or_false(data: dict[str, Any], value: Any) -> None:
    error = refused(data, (("ambulance", "dispatch_while_returning"), value))
    assert error.path == ("ambulance", "dispatch_while_returning")


@pytest.mark.parametrize(
    ("path", "text", "why"),
    [
        (("name",), "two\nlines", "control character"),
        (("name",), "nul\x00", "control character"),
        (("region", "areas", "goes", "name"), "x" * 201, "at most 200"),
        (("region", "areas", "goes", "name"), "", "at least 1"),
        (("description",), "bell\x07", "control character"),
        (("sites", "sehs", "seh_1", "name"), "SEH \u202e1", "control character"),
        (("description",), "y" * 2001, "at most 2000"),
        (("sites", "gp_posts", "hap_a", "when_closed"), "z" * 65, "1 to 64 ASCII letters"),
        (("sites", "gp_posts", "hap_a", "zone"), "noord zone", "is not an id"),
    ],
)
def test_names_are_one_line_of_text(data: dict[str, Any], path: Path_, text: str, why: str) -> None:
    error = refused(data, (path, text))
    assert error.path == path
    assert why in error.message


def test_unicode_names_are_fine(data: dict[str, Any]) -> None:
    s = accepted(data, (("name",), "Zorgcoördinatie Zeeuws-Vlaanderen — ’s nachts 🚑"))
    assert s.name.endswith("🚑")


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("start", [dt.date(9999, 12, 27), dt.date(1, 1, 1), dt.date(1899, 12, 25)])
def test_start_date_at_the_edges_of_the_calendar(data: dict[str, Any], start: dt.date) -> None:
    error = refused(data, (("run", "start_date"), start))
    assert error.path == ("run", "start_date")
    assert "between 1900-01-01 and 2199-12-31" in error.message


@pytest.mark.parametrize("start", [dt.date(1900, 1, 1), dt.date(2199, 12, 30)])
def test_start_dates_within_the_bounds_run_the_longest_horizon(
    data: dict[str, Any], start: dt.date
) -> None:
    s = accepted(
        data,
        (("run", "start_date"), start),
        (("run", "horizon_weeks"), 520),
        (("run", "drain_days"), 365),
        (("public_holidays",), [start + dt.timedelta(days=1)]),
    )
    cal = Calendar(s.run.start_date, s.run.n_days + 365, s.public_holidays)
    assert cal.date(cal.n_days) > start


@pytest.mark.parametrize("holiday", [dt.date(9999, 12, 31), dt.date(1, 1, 1)])
def test_public_holidays_are_bounded(data: dict[str, Any], holiday: dt.date) -> None:
    error = refused(data, (("public_holidays",), [holiday]))
    assert error.path == ("public_holidays", 0)
    assert "between 1900-01-01 and 2199-12-31" in error.message


@pytest.mark.parametrize("value", [20250106, 1.5, True])
def test_a_date_is_not_a_number(data: dict[str, Any], value: Any) -> None:
    error = refused(data, (("run", "start_date"), value))
    assert error.path == ("run", "start_date")


def test_a_calendar_never_leaves_the_years_1_to_9999() -> None:
    with pytest.raises(ValueError, match="leaves the years"):
        Calendar(dt.date(9999, 12, 27), 14)
    with pytest.raises(ValueError, match="leaves the years"):
        Calendar(dt.date(1, 1, 1), 7)


# --------------------------------------------------------------------------- profiles


def test_multipliers_that_zero_the_whole_week_are_refused(data: dict[str, Any]) -> None:
    profile = {
        "day_hours": {"all": [1.0] * 24},
        "multipliers": [{"days": ["all"], "hours": "00:00-24:00", "factor": 0}],
    }
    error = refused(data, (("demand", "profiles", "seh_24h"), profile))
    assert error.path == ("demand", "profiles", "seh_24h", "multipliers")


def test_holiday_weights_on_another_scale_are_refused(data: dict[str, Any]) -> None:
    profile = {"day_hours": {"all": [1e-6] * 24}, "holiday_hours": [1e6] * 24}
    error = refused(data, (("demand", "profiles", "seh_24h"), profile))
    assert error.path == ("demand", "profiles", "seh_24h", "holiday_hours")
    assert "at most 1e+06 times" in error.message


# --------------------------------------------------------------------------- kernels' checks


@pytest.fixture(scope="module")
def short() -> Scenario:
    return load_scenario(BASELINE, ["run.horizon_weeks=1", "run.warmup_weeks=0"])


def _with_rate(s: Scenario, rate: float) -> Scenario:
    """``s`` with gp_call's rate replaced by `model_construct` (no validation)."""
    old = s.demand.channels["gp_call"]
    channel = type(old).model_construct(**{**dict(old), "rate_per_1000_per_year": rate})
    channels = {**s.demand.channels, "gp_call": channel}
    return s.model_copy(update={"demand": s.demand.model_copy(update={"channels": channels})})


def _with_population(s: Scenario, population: int) -> Scenario:
    old = s.region.areas["goes"]
    area = type(old).model_construct(**{**dict(old), "population": population})
    region = s.region.model_copy(update={"areas": {**s.region.areas, "goes": area}})
    return s.model_copy(update={"region": region})


@pytest.mark.parametrize("rate", [1e30, math.inf, math.nan, -5.0])
@pytest.mark.parametrize("kernels", ["numba", "numpy"])
def test_sampler_refuses_an_absurd_rate_built_around_validation(
    short: Scenario, rate: float, kernels: str
) -> None:
    bad = _with_rate(short, rate)
    # (0 x inf in the intensities is NaN: numpy may warn before the kernel's check.)
    with np.errstate(invalid="ignore"), pytest.raises(ValueError, match="expected_per_interval"):
        DemandSampler(bad, kernels=kernels).sample(0)  # type: ignore[arg-type]


@pytest.mark.parametrize("population", [10**30, 2**70])
def test_sampler_refuses_an_absurd_population_built_around_validation(
    short: Scenario, population: int
) -> None:
    with pytest.raises(ValueError, match="expected_per_interval"):
        DemandSampler(_with_population(short, population)).sample(0)


def test_sampler_still_samples_a_plausible_scenario(short: Scenario) -> None:
    assert len(DemandSampler(short).sample(0)) > 0


def test_arrival_kernels_check_their_input() -> None:
    state = pcg64.seed_states(1, [(0,)])[0]
    with pytest.raises(ValueError, match="2\\*\\*53"):
        pcg64.arrival_counts(state, np.full(3, MAX_EXPECTED_ARRIVALS))
    with pytest.raises(ValueError, match="2\\*\\*53"):
        sample_arrivals(np.random.default_rng(0), np.array([1e30]))
    with pytest.raises(ValueError, match="finite and non-negative"):
        pcg64.arrival_counts(state, np.array([1.0, math.nan]))
    with pytest.raises(ValueError, match="state"):
        pcg64.arrival_counts(np.zeros(2, dtype=np.uint64), np.ones(3))
    counts = pcg64.arrival_counts(state, np.full(4, 5.0))
    lasts = pcg64.interval_ends(4, 60.0)
    with pytest.raises(ValueError, match=r"counts\.sum"):
        pcg64.arrival_times_into(state, counts, 60.0, lasts, np.empty(int(counts.sum()) - 1))
    with pytest.raises(ValueError, match="non-negative"):
        pcg64.arrival_times_into(state, -counts, 60.0, lasts, np.empty(0))
    with pytest.raises(ValueError, match="interval"):
        pcg64.arrival_times_into(state, counts, math.nan, lasts, np.empty(int(counts.sum())))
    out = np.empty(int(counts.sum()))
    pcg64.arrival_times_into(state, counts, 60.0, lasts, out)
    assert np.all(np.diff(out) >= 0)


@pytest.mark.parametrize(
    "dist",
    [
        Exponential.model_construct(kind="exponential", mean_minutes=math.nan),
        Exponential.model_construct(kind="exponential", mean_minutes=-1.0),
        Constant.model_construct(kind="constant", minutes=math.inf),
        Lognormal.model_construct(kind="lognormal", mean_minutes=1e-300, sd_minutes=1e300),
        Gamma.model_construct(kind="gamma", mean_minutes=10.0, sd_minutes=0.0),
        Gamma.model_construct(kind="gamma", mean_minutes=10.0, sd_minutes=math.nan),
    ],
)
def test_encoding_refuses_distributions_built_around_validation(dist: Any) -> None:
    with pytest.raises(ValueError):
        encode(dist)


def test_hand_made_encodings_are_checked() -> None:
    one = np.ones(1)
    bad_index = EncodedDistribution(5, np.zeros(3), one, one, np.array([3]))
    with pytest.raises(ValueError, match="alias table"):
        check_encoded(bad_index)
    with pytest.raises(ValueError, match="unknown distribution kind"):
        check_encoded(EncodedDistribution(9, np.zeros(3), one, one, np.zeros(1, dtype=np.int64)))
