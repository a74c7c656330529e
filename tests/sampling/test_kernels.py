"""Statistical tests of the distribution kernels against theory.

Every tolerance is derived from the standard error of the statistic it checks (4 SE), and
every test uses a fixed seed, so the outcome is deterministic.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, stats

from anwsim.sampling.kernels import (
    CONSTANT,
    EMPIRICAL,
    EXPONENTIAL,
    GAMMA,
    KIND_CODES,
    LOGNORMAL,
    TRIANGULAR,
    build_alias_table,
    cumulative_probabilities,
    draw_bernoulli,
    draw_categorical,
    draw_uniform_into,
    encode,
    sample,
    sample_into,
    sample_numpy,
)
from anwsim.scenario.distributions import (
    Constant,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Triangular,
)

N = 200_000
SEED = 20240601

CONTINUOUS = [
    Exponential(kind="exponential", mean_minutes=5.0),
    Exponential(kind="exponential", mean_minutes=42.0),
    Lognormal(kind="lognormal", mean_minutes=4.5, sd_minutes=2.5),
    Lognormal(kind="lognormal", mean_minutes=30.0, sd_minutes=15.0),
    Gamma(kind="gamma", mean_minutes=10.0, sd_minutes=4.0),
    Gamma(kind="gamma", mean_minutes=20.0, sd_minutes=30.0),  # shape < 1
    Triangular(kind="triangular", min_minutes=1.0, mode_minutes=2.0, max_minutes=6.0),
    Triangular(kind="triangular", min_minutes=0.0, mode_minutes=0.0, max_minutes=10.0),
    Triangular(kind="triangular", min_minutes=2.0, mode_minutes=9.0, max_minutes=9.0),
]
EMPIRICALS = [
    Empirical(kind="empirical", values_minutes=[1, 2, 3, 5, 8], weights=[1, 0, 3, 2, 4]),
    Empirical(kind="empirical", values_minutes=[0.5, 1.5, 10.0]),
]
ALL = CONTINUOUS + EMPIRICALS


def _id(d: object) -> str:
    return repr(d).replace(" ", "")


def _rng(offset: int = 0) -> np.random.Generator:
    return np.random.default_rng(SEED + offset)


def fourth_central_moment(dist: object) -> float:
    """mu_4 = E[(X - mean)^4] from theory, in closed form or by exact integration/sum."""
    if isinstance(dist, Exponential):
        return 9.0 * dist.mean_minutes**4
    if isinstance(dist, Gamma):
        k, theta = dist.shape_scale()
        return 3.0 * k * (k + 2.0) * theta**4
    if isinstance(dist, Lognormal):
        mu, s = dist.log_params()
        m1, m2, m3, m4 = (math.exp(j * mu + j * j * s * s / 2.0) for j in (1, 2, 3, 4))
        return m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1**4
    if isinstance(dist, Triangular):
        a, c, b = dist.min_minutes, dist.mode_minutes, dist.max_minutes
        m = dist.mean()
        pdf = stats.triang(c=(c - a) / (b - a), loc=a, scale=b - a).pdf
        value, _ = integrate.quad(lambda x: (x - m) ** 4 * pdf(x), a, b, points=[c])
        return value
    if isinstance(dist, Empirical):
        m = dist.mean()
        return sum(
            p * (v - m) ** 4 for p, v in zip(dist.probabilities(), dist.values_minutes, strict=True)
        )
    raise TypeError(dist)


def scipy_dist(dist: object) -> stats.rv_continuous:
    if isinstance(dist, Exponential):
        return stats.expon(scale=dist.mean_minutes)
    if isinstance(dist, Lognormal):
        mu, s = dist.log_params()
        return stats.lognorm(s=s, scale=math.exp(mu))
    if isinstance(dist, Gamma):
        k, theta = dist.shape_scale()
        return stats.gamma(a=k, scale=theta)
    if isinstance(dist, Triangular):
        a, c, b = dist.min_minutes, dist.mode_minutes, dist.max_minutes
        return stats.triang(c=(c - a) / (b - a), loc=a, scale=b - a)
    raise TypeError(dist)


def assert_moments(x: np.ndarray, dist: object) -> None:
    n = x.size
    mean, var = dist.mean(), dist.variance()
    mu4 = fourth_central_moment(dist)
    se_mean = math.sqrt(var / n)
    se_var = math.sqrt((mu4 - var**2) / n)
    assert abs(x.mean() - mean) < 4 * se_mean, (x.mean(), mean, se_mean)
    assert abs(x.var(ddof=1) - var) < 4 * se_var, (x.var(ddof=1), var, se_var)


def test_theory_helpers_agree_with_scipy() -> None:
    # Guard the test's own theory: mu_4 = (excess kurtosis + 3) * sigma^4.
    for dist in CONTINUOUS:
        m, v, _, k = scipy_dist(dist).stats(moments="mvsk")
        assert math.isclose(m, dist.mean(), rel_tol=1e-9)
        assert math.isclose(v, dist.variance(), rel_tol=1e-9)
        assert math.isclose(fourth_central_moment(dist), (k + 3) * v * v, rel_tol=1e-7)


@pytest.mark.parametrize("dist", ALL, ids=_id)
def test_mean_and_variance_match_theory(dist: object) -> None:
    x = sample(_rng(), encode(dist), N)
    assert x.dtype == np.float64 and x.shape == (N,)
    assert np.all(x >= 0)
    assert_moments(x, dist)


@pytest.mark.parametrize("dist", ALL, ids=_id)
def test_numpy_counterpart_same_law(dist: object) -> None:
    x = sample_numpy(_rng(1), encode(dist), N)
    assert np.all(x >= 0)
    assert_moments(x, dist)


@pytest.mark.parametrize("dist", CONTINUOUS, ids=_id)
def test_kolmogorov_smirnov(dist: object) -> None:
    x = sample(_rng(2), encode(dist), N)
    result = stats.kstest(x, scipy_dist(dist).cdf)
    assert result.pvalue > 1e-3, result
    # The test has power: the same draws against a 3 % wrong scale fail it.
    wrong = stats.kstest(x / 1.03, scipy_dist(dist).cdf)
    assert wrong.pvalue < 1e-6, wrong


@pytest.mark.parametrize("minutes", [0.0, 3.0, 17.25])
def test_constant_is_exact(minutes: float) -> None:
    d = Constant(kind="constant", minutes=minutes)
    x = sample(_rng(), encode(d), 1000)
    assert np.all(x == minutes)
    assert x.var() == 0.0
    assert np.array_equal(sample_numpy(_rng(), encode(d), 1000), x)


def _empirical_counts(dist: Empirical, x: np.ndarray) -> np.ndarray:
    values = np.asarray(dist.values_minutes)
    assert np.all(np.isin(x, values))
    return np.array([(x == v).sum() for v in values])


def _table_pvalue(counts: np.ndarray, probs: np.ndarray) -> float:
    n = counts.sum()
    if np.any(counts[probs == 0] > 0):
        return 0.0
    pos = probs > 0
    return float(stats.chisquare(counts[pos], n * probs[pos] / probs[pos].sum()).pvalue)


@pytest.mark.parametrize("dist", EMPIRICALS, ids=_id)
def test_empirical_reproduces_its_table(dist: Empirical) -> None:
    x = sample(_rng(3), encode(dist), N)
    counts = _empirical_counts(dist, x)
    p = np.asarray(dist.probabilities())
    freq = counts / N
    se = np.sqrt(p * (1 - p) / N)
    assert np.all(np.abs(freq - p) <= 4 * se), (freq, p)
    assert _table_pvalue(counts, p) > 1e-3
    # A slightly wrong weight vector (5 % more on the most likely value) fails the test.
    wrong = p.copy()
    wrong[np.argmax(p)] *= 1.05
    assert _table_pvalue(counts, wrong / wrong.sum()) < 1e-6


def test_alias_never_draws_zero_weights() -> None:
    values = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    weights = [0.0, 1.0, 0.0, 0.0, 2.0, 0.0, 1e-9, 0.0]
    dist = Empirical(kind="empirical", values_minutes=values, weights=weights)
    enc = encode(dist)
    zero = np.asarray(weights) == 0
    assert np.all(enc.alias_prob[zero] == 0)
    assert np.all(~zero[enc.alias_index[zero]])
    x = sample(_rng(4), enc, N)
    y = sample_numpy(_rng(4), enc, N)
    for draws in (x, y):
        assert set(np.unique(draws)) <= {1.0, 4.0, 6.0}


def test_single_value_empirical() -> None:
    d = Empirical(kind="empirical", values_minutes=[12.5])
    assert np.all(sample(_rng(), encode(d), 100) == 12.5)


def _reconstruct(prob: np.ndarray, alias: np.ndarray) -> np.ndarray:
    n = prob.size
    p = prob.copy()
    np.add.at(p, alias, 1.0 - prob)
    return p / n


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.just(0.0),
            st.floats(min_value=1e-6, max_value=1e6, allow_nan=False, allow_infinity=False),
        ),
        min_size=1,
        max_size=60,
    ).filter(lambda w: sum(w) > 0)
)
def test_alias_table_reconstructs_weights(weights: list[float]) -> None:
    prob, alias = build_alias_table(weights)
    w = np.asarray(weights)
    assert prob.shape == alias.shape == w.shape
    assert np.all((prob >= 0) & (prob <= 1))
    assert np.all((alias >= 0) & (alias < w.size))
    np.testing.assert_allclose(_reconstruct(prob, alias), w / w.sum(), rtol=0, atol=1e-12)
    zero = w == 0
    assert np.all(prob[zero] == 0)
    assert np.all(w[alias[zero]] > 0)


@pytest.mark.parametrize("bad", [[], [-1.0, 2.0], [0.0, 0.0], [1.0, float("nan")], [[1.0, 2.0]]])
def test_alias_table_rejects_bad_weights(bad: list) -> None:
    with pytest.raises(ValueError):
        build_alias_table(bad)


def test_encode_layout() -> None:
    g = encode(Gamma(kind="gamma", mean_minutes=10.0, sd_minutes=5.0))
    assert g.kind == GAMMA == KIND_CODES["gamma"]
    np.testing.assert_allclose(g.params, [4.0, 2.5, 0.0])
    ln = encode(Lognormal(kind="lognormal", mean_minutes=4.5, sd_minutes=2.5))
    assert ln.kind == LOGNORMAL
    s2 = math.log(1 + (2.5 / 4.5) ** 2)
    np.testing.assert_allclose(ln.params, [math.log(4.5) - s2 / 2, math.sqrt(s2), 0.0])
    t = encode(Triangular(kind="triangular", min_minutes=1, mode_minutes=2, max_minutes=6))
    assert t.kind == TRIANGULAR
    np.testing.assert_array_equal(t.params, [1.0, 2.0, 6.0])
    assert encode(Exponential(kind="exponential", mean_minutes=3.0)).kind == EXPONENTIAL
    assert encode(Constant(kind="constant", minutes=3.0)).kind == CONSTANT
    e = encode(Empirical(kind="empirical", values_minutes=[1, 2, 3]))
    assert e.kind == EMPIRICAL and e.alias_values.shape == (3,)
    for enc in (g, ln, t, e):
        assert enc.params.dtype == np.float64 and enc.params.shape == (3,)
        assert enc.alias_values.dtype == np.float64
        assert enc.alias_prob.dtype == np.float64
        assert enc.alias_index.dtype == np.int64
    assert g.alias_values.shape == g.alias_prob.shape == g.alias_index.shape == (1,)
    with pytest.raises(TypeError, match="cannot encode"):
        encode(3.0)  # type: ignore[arg-type]


@pytest.mark.parametrize("dist", ALL, ids=_id)
def test_same_seed_same_draws_and_chunking_invariant(dist: object) -> None:
    enc = encode(dist)
    a = sample(_rng(5), enc, 5000)
    b = sample(_rng(5), enc, 5000)
    assert a.tobytes() == b.tobytes()
    # The kernel advances the generator it is given: two chunks equal one long run.
    g = _rng(5)
    chunks = np.concatenate([sample(g, enc, 1234), sample(g, enc, 5000 - 1234)])
    assert chunks.tobytes() == a.tobytes()
    if enc.kind != CONSTANT:
        assert sample(_rng(6), enc, 5000).tobytes() != a.tobytes()


def test_sample_into_unknown_kind_and_negative_n() -> None:
    enc = encode(Exponential(kind="exponential", mean_minutes=1.0))
    out = np.empty(3)
    with pytest.raises(ValueError):
        sample_into(_rng(), 99, enc.params, enc.alias_values, enc.alias_prob, enc.alias_index, out)
    with pytest.raises(ValueError):
        sample(_rng(), enc, -1)
    assert sample(_rng(), enc, 0).shape == (0,)


def test_uniform_into() -> None:
    out = np.empty(N)
    draw_uniform_into(_rng(7), out)
    assert np.all((out >= 0) & (out < 1))
    assert stats.kstest(out, "uniform").pvalue > 1e-3
    again = np.empty(N)
    draw_uniform_into(_rng(7), again)
    assert again.tobytes() == out.tobytes()


def test_categorical_matches_probabilities() -> None:
    probs = np.array([0.1, 0.0, 0.25, 0.05, 0.6, 0.0])
    cum = cumulative_probabilities(probs)
    assert cum[-1] == 1.0
    out = np.empty(N, dtype=np.int64)
    draw_categorical(_rng(8), cum, out)
    assert out.min() >= 0 and out.max() < probs.size
    counts = np.bincount(out, minlength=probs.size)
    assert counts[1] == 0 and counts[5] == 0
    se = np.sqrt(probs * (1 - probs) / N)
    assert np.all(np.abs(counts / N - probs) <= 4 * se)
    assert _table_pvalue(counts, probs) > 1e-3
    wrong = probs.copy()
    wrong[2], wrong[3] = 0.24, 0.06
    assert _table_pvalue(counts, wrong) < 1e-6


def test_categorical_edge_cases() -> None:
    out = np.empty(1000, dtype=np.int64)
    draw_categorical(_rng(), cumulative_probabilities([0.0, 0.0, 5.0]), out)
    assert np.all(out == 2)
    draw_categorical(_rng(), cumulative_probabilities([3.0]), out)
    assert np.all(out == 0)
    # Unnormalised cumulative totals are scaled by their last element.
    draw_categorical(_rng(9), np.array([1.0, 1.0, 4.0]), out)
    assert set(np.unique(out)) == {0, 2}
    for bad in ([], [0.0, 0.0], [-0.1, 1.1], [np.inf]):
        with pytest.raises(ValueError):
            cumulative_probabilities(bad)


@pytest.mark.parametrize("p", [0.03, 0.3, 0.5])
def test_bernoulli(p: float) -> None:
    out = np.empty(N, dtype=np.bool_)
    draw_bernoulli(_rng(10), p, out)
    assert abs(out.mean() - p) < 4 * math.sqrt(p * (1 - p) / N)


def test_bernoulli_certain_events() -> None:
    out = np.empty(1000, dtype=np.bool_)
    draw_bernoulli(_rng(), 0.0, out)
    assert not out.any()
    draw_bernoulli(_rng(), 1.0, out)
    assert out.all()
