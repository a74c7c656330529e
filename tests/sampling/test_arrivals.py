"""Tests of exact non-homogeneous Poisson arrivals against their hour-of-week profile."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from anwsim.sampling.arrivals import count_per_interval, sample_arrivals, sample_arrivals_numpy

HOURS_PER_WEEK = 168
WEEKS = 200
SEED = 8675309


def gp_out_of_hours_profile() -> np.ndarray:
    """Expected contacts per hour-of-week (Monday 00:00 = hour 0) at a GP out-of-hours service.

    Closed on weekdays 08:00-17:00 (the patient's own GP is open), busy weekday evenings,
    quiet nights, and the weekend peak on Saturday and Sunday 10:00-12:00.
    """
    night = [3.0, 2.0, 1.5, 1.2, 1.0, 1.0, 1.2, 2.0]  # 00-08
    weekday = [*night, *([0.0] * 9), 9.0, 8.0, 7.0, 6.5, 6.0, 5.0, 4.0]  # 08-17 closed
    daytime = [6.0, 9.0, 15.0, 16.0, 12.0, 10.0, 9.5, 9.0, 9.0, 8.5, 8.0, 7.0, 6.0]  # 08-21
    weekend = [*night, *daytime, 5.0, 4.0, 3.5]
    profile = np.array(weekday * 5 + weekend * 2, dtype=np.float64)
    assert profile.shape == (HOURS_PER_WEEK,)
    return profile


def pooled_counts(times: np.ndarray, weeks: int) -> np.ndarray:
    per_hour = count_per_interval(times, weeks * HOURS_PER_WEEK, 60.0)
    return per_hour.reshape(weeks, HOURS_PER_WEEK).sum(axis=0)


def gof_pvalue(observed: np.ndarray, profile: np.ndarray) -> float:
    """Chi-square goodness of fit of counts per hour-of-week to a profile's shape.

    Given the total, Poisson counts are multinomial with probabilities proportional to the
    profile, so this is a test of the profile (with k - 1 degrees of freedom). Arrivals in
    an hour where the profile is zero make the fit impossible (p = 0).
    """
    pos = profile > 0
    if np.any(observed[~pos] > 0):
        return 0.0
    obs = observed[pos]
    expected = profile[pos] / profile[pos].sum() * obs.sum()
    return float(stats.chisquare(obs, expected).pvalue)


@pytest.fixture(scope="module")
def many_weeks() -> tuple[np.ndarray, np.ndarray]:
    profile = gp_out_of_hours_profile()
    times = sample_arrivals(np.random.default_rng(SEED), np.tile(profile, WEEKS), 60.0)
    return profile, times


def test_counts_per_hour_of_week_fit_profile(many_weeks: tuple[np.ndarray, np.ndarray]) -> None:
    profile, times = many_weeks
    observed = pooled_counts(times, WEEKS)
    assert np.all(observed[profile == 0] == 0)
    assert gof_pvalue(observed, profile) > 1e-3
    # Each hour's pooled count is Poisson(WEEKS * profile): within 4 SE.
    lam = WEEKS * profile
    assert np.all(np.abs(observed - lam) <= 4 * np.sqrt(lam))


def test_wrong_profiles_fail_the_fit(many_weeks: tuple[np.ndarray, np.ndarray]) -> None:
    profile, times = many_weeks
    observed = pooled_counts(times, WEEKS)
    shifted = np.roll(profile, 1)
    assert gof_pvalue(observed, shifted) < 1e-6
    doubled = profile.copy()
    doubled[5 * 24 + 10] *= 2.0  # Saturday 10:00-11:00
    assert gof_pvalue(observed, doubled) < 1e-6
    # Even a 25 % error in one busy hour is detected with 200 weeks of data.
    bumped = profile.copy()
    bumped[6 * 24 + 11] *= 1.25  # Sunday 11:00-12:00
    assert gof_pvalue(observed, bumped) < 1e-6


def test_sorted_and_within_horizon(many_weeks: tuple[np.ndarray, np.ndarray]) -> None:
    _, times = many_weeks
    assert times.dtype == np.float64 and times.ndim == 1
    assert np.all(np.diff(times) >= 0)
    assert times[0] >= 0.0
    assert times[-1] < WEEKS * HOURS_PER_WEEK * 60.0


def test_uniform_within_the_hour(many_weeks: tuple[np.ndarray, np.ndarray]) -> None:
    _, times = many_weeks
    frac = np.mod(times, 60.0) / 60.0
    assert stats.kstest(frac, "uniform").pvalue > 1e-3


def test_rate_is_read_at_the_arrivals_own_time() -> None:
    # Rate only in odd hours: no arrival ever falls in an even hour.
    expected = np.tile([0.0, 5.0], 24 * 7 * 20)
    times = sample_arrivals(np.random.default_rng(SEED + 1), expected, 60.0)
    assert times.size > 0
    hours = np.floor(times / 60.0).astype(np.int64)
    assert np.all(hours % 2 == 1)
    counts = count_per_interval(times, expected.size, 60.0)
    assert np.all(counts[expected == 0] == 0)
    # The same with quarter-hour intervals and the NumPy counterpart.
    for sampler in (sample_arrivals, sample_arrivals_numpy):
        t = sampler(np.random.default_rng(SEED + 2), expected, 15.0)
        assert t.size > 0
        assert np.all(np.floor(t / 15.0).astype(np.int64) % 2 == 1)


def test_total_count_is_poisson_across_replications() -> None:
    profile = gp_out_of_hours_profile()[5 * 24 : 6 * 24]  # a Saturday
    lam = float(profile.sum())
    reps = 4000
    gen = np.random.default_rng(SEED + 3)
    totals = np.array([sample_arrivals(gen, profile).size for _ in range(reps)], dtype=float)
    # Poisson: mean = variance = lam; mu_4 = lam + 3 lam^2, so Var(s^2) ~ (lam + 2 lam^2)/n.
    se_mean = math.sqrt(lam / reps)
    se_var = math.sqrt((lam + 2 * lam * lam) / reps)
    assert abs(totals.mean() - lam) < 4 * se_mean
    assert abs(totals.var(ddof=1) - lam) < 4 * se_var


def test_numpy_counterpart_same_law() -> None:
    profile = gp_out_of_hours_profile()
    weeks = 100
    times = sample_arrivals_numpy(np.random.default_rng(SEED + 4), np.tile(profile, weeks))
    assert np.all(np.diff(times) >= 0)
    observed = pooled_counts(times, weeks)
    assert gof_pvalue(observed, profile) > 1e-3
    lam = weeks * profile.sum()
    assert abs(times.size - lam) < 4 * math.sqrt(lam)


def test_same_seed_same_bytes() -> None:
    expected = np.tile(gp_out_of_hours_profile(), 4)
    a = sample_arrivals(np.random.default_rng(42), expected)
    b = sample_arrivals(np.random.default_rng(42), expected)
    c = sample_arrivals(np.random.default_rng(43), expected)
    assert a.tobytes() == b.tobytes()
    assert a.tobytes() != c.tobytes()


def test_zero_and_empty_profiles() -> None:
    gen = np.random.default_rng(0)
    assert sample_arrivals(gen, np.zeros(168)).shape == (0,)
    assert sample_arrivals(gen, np.zeros(0)).shape == (0,)
    assert sample_arrivals_numpy(gen, np.zeros(168)).shape == (0,)
    # Python lists and integer arrays are accepted.
    assert sample_arrivals(gen, [0, 0, 0]).shape == (0,)


@pytest.mark.parametrize(
    "bad",
    [[1.0, -0.5, 2.0], [1.0, float("nan")], [float("inf")], [[1.0, 2.0], [3.0, 4.0]]],
)
def test_invalid_profiles_rejected(bad: list) -> None:
    for sampler in (sample_arrivals, sample_arrivals_numpy):
        with pytest.raises(ValueError, match="expected_per_interval"):
            sampler(np.random.default_rng(0), np.asarray(bad))


@pytest.mark.parametrize("interval", [0.0, -60.0, float("nan"), float("inf")])
def test_invalid_interval_rejected(interval: float) -> None:
    with pytest.raises(ValueError, match="interval_minutes"):
        sample_arrivals(np.random.default_rng(0), np.ones(3), interval)


def test_count_per_interval_edges() -> None:
    times = np.array([0.0, 59.999, 60.0, 61.0, 179.9, 180.0, -1.0])
    # Unsorted input is fine; times outside [0, 180) are not counted.
    counts = count_per_interval(times, 3, 60.0)
    np.testing.assert_array_equal(counts, [2, 2, 1])
    assert counts.dtype == np.int64
    np.testing.assert_array_equal(count_per_interval(np.array([]), 2, 30.0), [0, 0])
    with pytest.raises(ValueError):
        count_per_interval(times, -1)


def test_busy_intervals_sorted_and_uniform() -> None:
    # Many arrivals per interval (the kernel's other sorting branch).
    expected = np.tile([200.0, 0.0, 150.0, 40.0], 50)
    times = sample_arrivals(np.random.default_rng(SEED + 5), expected, 60.0)
    assert np.all(np.diff(times) >= 0)
    counts = count_per_interval(times, expected.size, 60.0)
    assert counts.sum() == times.size
    assert np.all(counts[expected == 0] == 0)
    lam = expected.sum()
    assert abs(times.size - lam) < 4 * math.sqrt(lam)
    assert stats.kstest(np.mod(times, 60.0) / 60.0, "uniform").pvalue > 1e-3
