"""The state-array kernels of `anwsim.sampling.pcg64` draw exactly what the Generator
kernels (and NumPy) draw from the same stream, and leave the stream in the same state."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anwsim.sampling import DemandSampler, pcg64
from anwsim.sampling import kernels as K
from anwsim.sampling.arrivals import sample_arrivals
from anwsim.sampling.demand import Demand, _allocate, _Draw, _fill_channel
from anwsim.sampling.streams import ReplicationStreams, stream_key
from anwsim.scenario import load_scenario
from anwsim.scenario.distributions import (
    Constant,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Triangular,
)

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"
N = 300_000
DISTS = [
    Constant(kind="constant", minutes=3.0),
    Exponential(kind="exponential", mean_minutes=8.0),
    Lognormal(kind="lognormal", mean_minutes=5.5, sd_minutes=2.5),
    Gamma(kind="gamma", mean_minutes=20.0, sd_minutes=10.0),
    Gamma(kind="gamma", mean_minutes=20.0, sd_minutes=30.0),  # shape < 1
    Triangular(kind="triangular", min_minutes=1.0, mode_minutes=2.0, max_minutes=6.0),
    Triangular(kind="triangular", min_minutes=0.0, mode_minutes=0.0, max_minutes=10.0),
    Empirical(kind="empirical", values_minutes=[1, 2, 3, 5, 8], weights=[1, 0, 3, 2, 4]),
    Empirical(kind="empirical", values_minutes=[12.5]),
]


def _state(gen: np.random.Generator) -> np.ndarray:
    s = gen.bit_generator.state["state"]
    m = (1 << 64) - 1
    return np.array([s["state"] >> 64, s["state"] & m, s["inc"] >> 64, s["inc"] & m], np.uint64)


def _pair(seed: int) -> tuple[np.random.Generator, np.ndarray]:
    gen = np.random.default_rng(seed)
    return gen, _state(gen)


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype and a.tobytes() == b.tobytes()


# --------------------------------------------------------------------------- seeding


@pytest.mark.parametrize("seed", [0, 1, 20250101, 2**32 - 1, 2**32, 2**64 + 3, 2**130 + 5])
def test_seed_states_equal_numpy(seed: int) -> None:
    keys = [
        (r, k, *more)
        for r in (0, 1, 7, 2**33)
        for k in (0, 1, 2**31, 2**32 - 1)
        for more in [(), (5,), (2**32 - 1, 1000)]
    ]
    keys += [(), (0,), (2**70,)]
    want = np.stack(
        [
            _state(np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=k))))
            for k in keys
        ]
    )
    assert _same(pcg64.seed_states(seed, keys), want)
    ss = np.random.SeedSequence(entropy=seed, spawn_key=(3, 4))
    assert _same(pcg64.pcg64_state(ss), _state(np.random.Generator(np.random.PCG64(ss))))
    assert pcg64.seed_states(seed, []).shape == (0, 4)
    # The seeder of fixed suffixes gives the same states, for any replication.
    suffixes = [k[1:] for k in keys if k and k[0] == 0 and k[1:]]
    seeder = pcg64.SubstreamSeeder(suffixes)
    for replication in (0, 5, 2**40):
        want = pcg64.seed_states(seed, [(replication, *k) for k in suffixes])
        assert _same(seeder.states(seed, replication), want)


def test_replication_spawn_key_is_the_substreams() -> None:
    streams = ReplicationStreams(99, 4)
    key = streams.spawn_key("patience", stream_key("gp_call"), 2)
    (state,) = pcg64.seed_states(99, [key])
    gen = streams.substream("patience", stream_key("gp_call"), 2)
    assert _same(state, _state(gen))
    with pytest.raises(KeyError):
        streams.spawn_key("no_such_stream")
    with pytest.raises(ValueError):
        streams.spawn_key("patience", -1)


# --------------------------------------------------------------------------- draws


def test_uniforms_equal_numpy() -> None:
    gen, s = _pair(1)
    out = np.empty(N)
    pcg64.uniform_into(s, out)
    assert _same(out, gen.random(N))
    assert _same(s, _state(gen))


@pytest.mark.parametrize("dist", DISTS, ids=lambda d: repr(d).replace(" ", ""))
def test_sample_into_equals_generator_kernel(dist: object) -> None:
    e = K.encode(dist)  # type: ignore[arg-type]
    gen, s = _pair(2)
    a, b = np.empty(N), np.empty(N)
    K.sample_into(gen, e.kind, e.params, e.alias_values, e.alias_prob, e.alias_index, a)
    pcg64.sample_into(s, e.kind, e.params, e.alias_values, e.alias_prob, e.alias_index, b)
    assert _same(a, b)
    assert _same(s, _state(gen))
    # a strided output (a column of a 2-d array) gets the same numbers
    c = np.empty((N // 10, 3))
    K.sample_into(gen, e.kind, e.params, e.alias_values, e.alias_prob, e.alias_index, a[: N // 10])
    pcg64.sample_into(s, e.kind, e.params, e.alias_values, e.alias_prob, e.alias_index, c[:, 1])
    assert _same(a[: N // 10], np.ascontiguousarray(c[:, 1]))


def test_standard_normal_and_exponential_equal_numpy() -> None:
    """Many draws, so that the ziggurats' rare branches (tails, wedges) are taken too."""
    normal = K.encode(Lognormal(kind="lognormal", mean_minutes=1.0, sd_minutes=1.0))
    gen, s = _pair(3)
    out = np.empty(2_000_000)
    mu, sigma = normal.params[0], normal.params[1]
    pcg64.sample_into(s, normal.kind, normal.params, *_no_table(), out)
    assert _same(out, gen.lognormal(mu, sigma, out.size))
    exp = K.encode(Exponential(kind="exponential", mean_minutes=1.0))
    pcg64.sample_into(s, exp.kind, exp.params, *_no_table(), out)
    assert _same(out, gen.exponential(1.0, out.size))
    assert _same(s, _state(gen))


def _no_table() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(1), np.ones(1), np.zeros(1, dtype=np.int64)


def test_lognormal_in_one_pass_gives_the_same_numbers() -> None:
    """With Intel SVML in use the kernels take exp inside the drawing loop; recompiled that
    way here, they must give the same numbers (as the exp pass gives, with libm's exp or
    the inlined one)."""
    e = K.encode(Lognormal(kind="lognormal", mean_minutes=30.0, sd_minutes=15.0))
    sigma2 = math.log1p(0.2 * 0.2)
    saved = pcg64._EXP_PASS
    try:
        pcg64._EXP_PASS = False
        one_pass = numba.njit(pcg64.sample_into.py_func)
        noise = numba.njit(pcg64._noise_flat_into.py_func)
        _, s1 = _pair(4)
        a = np.empty(50_000)
        one_pass(s1, e.kind, e.params, e.alias_values, e.alias_prob, e.alias_index, a)
        m = np.empty((10_000, 4))
        noise(s1, math.sqrt(sigma2), sigma2 / 2.0, True, False, m.reshape(-1))
    finally:
        pcg64._EXP_PASS = saved
    for inline in (False, True):
        _, s2 = _pair(4)
        b = np.empty(50_000)
        pcg64.sample_into(
            s2, e.kind, e.params, e.alias_values, e.alias_prob, e.alias_index, b, inline
        )
        n = np.empty((10_000, 4))
        pcg64.lognormal_noise_into(s2, 0.2, n, inline)
        assert _same(a, b) and _same(m, n) and _same(s1, s2)


def test_grouped_draws_equal_generator_kernel() -> None:
    dists = [
        Lognormal(kind="lognormal", mean_minutes=5.0, sd_minutes=2.0),
        Gamma(kind="gamma", mean_minutes=20.0, sd_minutes=10.0),
        Empirical(kind="empirical", values_minutes=[1, 2, 3]),
        Exponential(kind="exponential", mean_minutes=3.0),
        Constant(kind="constant", minutes=7.0),
        Triangular(kind="triangular", min_minutes=1.0, mode_minutes=4.0, max_minutes=6.0),
    ]
    table = K.encode_table(dists)
    groups = np.random.default_rng(5).choice(6, size=N, p=[0.05, 0.3, 0.1, 0.25, 0.0, 0.3])
    gen, s = _pair(6)
    a, b = np.empty(N), np.empty(N)
    K.sample_grouped_into(gen, groups, 6, *table, a)
    pcg64.sample_grouped_into(s, groups.astype(np.int8), 6, *table, b)
    assert _same(a, b) and _same(s, _state(gen))
    order, starts = pcg64.group_order(groups, 6)
    assert _same(order, np.argsort(groups, kind="stable"))
    assert _same(starts, np.concatenate([[0], np.cumsum(np.bincount(groups, minlength=6))]))


def test_bernoulli_and_noise_equal_generator_kernels() -> None:
    gen, s = _pair(7)
    groups = np.random.default_rng(8).integers(0, 3, size=N)
    p = np.array([0.1, 0.5, 0.97])
    a, b = np.empty(N, dtype=np.bool_), np.empty(N, dtype=np.bool_)
    K.draw_bernoulli_by(gen, p, groups, a)
    pcg64.bernoulli_by_into(s, p, groups, b)
    assert _same(a, b)
    K.draw_bernoulli(gen, 0.3, a)
    pcg64.bernoulli_into(s, 0.3, b)
    assert _same(a, b)
    for cv in (0.1, 0.0):
        x, y = np.empty((N // 4, 4)), np.empty((N // 4, 4))
        K.lognormal_noise_into(gen, cv, x)
        pcg64.lognormal_noise_into(s, cv, y)
        assert _same(x, y)
    assert _same(s, _state(gen))


def test_categorical_draws_equal_the_alias_draw() -> None:
    weights = [23000, 39000, 28000, 13000, 0, 7900, 23000, 35000]
    table = K.encode(
        Empirical(kind="empirical", values_minutes=list(range(len(weights))), weights=weights)
    )
    gen, s = _pair(9)
    values = np.empty(N)
    K.sample_into(gen, *table, values)
    out = np.empty(N, dtype=np.int32)
    pcg64.alias_index_into(s, table.alias_prob, table.alias_index, out)
    assert _same(out, values.astype(np.int32))
    assert _same(s, _state(gen))


def test_searchsorted_by_group_equals_numpy() -> None:
    cumulative = np.array(
        [
            K.cumulative_probabilities(p)
            for p in ([0.2, 0.0, 0.5, 0.3], [0.0, 0.0, 1.0, 0.0], [0.25, 0.25, 0.25, 0.25])
        ]
    )
    groups = np.random.default_rng(10).integers(0, 3, size=N).astype(np.int8)
    gen, s = _pair(11)
    u = gen.random(N)
    out = np.empty(N, dtype=np.int8)
    pcg64.searchsorted_by_into(s, cumulative, groups, out)
    want = np.empty(N, dtype=np.int64)
    for g in range(3):
        want[groups == g] = np.searchsorted(cumulative[g], u[groups == g], side="right")
    assert _same(out, want.astype(np.int8))
    assert _same(s, _state(gen))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 5), max_size=300), st.integers(1, 8))
def test_group_order_is_the_stable_argsort(groups: list[int], n_groups: int) -> None:
    """Also with no rows, one group, and groups without members."""
    g = np.array([x % n_groups for x in groups], dtype=np.int8)
    order, starts = pcg64.group_order(g, n_groups)
    assert _same(order, np.argsort(g, kind="stable").astype(np.int64))
    want = np.concatenate([[0], np.cumsum(np.bincount(g, minlength=n_groups))])
    assert _same(starts, want.astype(np.int64))


TIMES = st.one_of(st.sampled_from([0.0, 0.5, 2.5, 59.9]), st.floats(0.0, 59.99))


@settings(max_examples=300, deadline=None)
@given(st.lists(TIMES, max_size=40))
def test_the_interval_sorts_sort(values: list[float]) -> None:
    """Both sorts of `arrival_times_into` (ranks, buckets), with ties."""
    x = np.array(values, dtype=np.float64)
    want = np.sort(x)
    ranked = np.empty_like(x)
    pcg64._rank_sort_into(x, ranked)
    bucketed = np.empty_like(x)
    pcg64._bucket_sort_into(x, 0.0, 60.0, np.empty(x.size + 1, dtype=np.int64), bucketed)
    assert _same(ranked, want) and _same(bucketed, want)


@pytest.mark.parametrize("k", [0, 1, 2, 24, 25, 60, 500])
def test_arrival_times_equal_sorted_uniforms(k: int) -> None:
    """Intervals of either sort (up to `_RANK_SORT_MAX` arrivals by ranks, more by
    buckets), against the uniforms drawn and sorted by NumPy."""
    counts = np.array([k, 0, 3, k, 1, pcg64._RANK_SORT_MAX], dtype=np.int64)
    gen, s = _pair(13)
    u = gen.random(int(counts.sum()))
    lasts = pcg64.interval_ends(counts.size, 60.0)
    starts = np.repeat(np.arange(counts.size) * 60.0, counts)
    times = np.minimum(starts + u * 60.0, np.repeat(lasts, counts))
    bounds = np.concatenate([[0], np.cumsum(counts)])
    want = np.concatenate([np.sort(times[a:b]) for a, b in itertools.pairwise(bounds)])
    got = np.empty(int(counts.sum()))
    pcg64.arrival_times_into(s, counts, 60.0, lasts, got)
    assert _same(got, want) and _same(s, _state(gen))


@numba.njit(cache=True)
def _numba_poisson_counts(gen: np.random.Generator, expected: np.ndarray) -> np.ndarray:
    """Pass 1 of `arrivals._arrivals_kernel`: Numba's ``Generator.poisson`` per interval."""
    counts = np.zeros(expected.shape[0], dtype=np.int64)
    for i in range(expected.shape[0]):
        if expected[i] > 0.0:
            counts[i] = gen.poisson(expected[i])
    return counts


def test_poisson_table_and_a_reused_arrival_counter() -> None:
    """The constants computed once per interval give the counts computed per draw; an
    `ArrivalCounts` gives every stream the counts `arrival_counts` gives it."""
    expected = np.array([0.0, 0.5, 9.999, 10.0, 250.0])
    table = pcg64.poisson_table(expected)
    assert _same(table[0], np.zeros(7))
    assert _same(table[1, 1:], np.zeros(6)) and table[1, 0] == math.exp(-0.5)
    assert table[3, 0] == 0.0 and table[3, 1] == math.sqrt(10.0) and table[3, 2] == math.log(10.0)
    hours = np.arange(3000)
    expected = 15.0 * (1.1 + np.sin(hours / 30.0)) * (hours % 7 != 0)
    counter = pcg64.ArrivalCounts(expected)
    for seed in (14, 15):
        gen, s = _pair(seed)
        want = _numba_poisson_counts(gen, expected)
        assert _same(counter(s), want) and _same(s, _state(gen))
        _, s2 = _pair(seed)
        assert _same(pcg64.arrival_counts(s2, expected), want)
    with pytest.raises(ValueError, match="finite and non-negative"):
        pcg64.ArrivalCounts(np.array([1.0, -1.0]))


@pytest.mark.parametrize("scale", [0.05, 1.0, 12.0, 400.0])
def test_arrivals_equal_generator_kernel(scale: float) -> None:
    """Counts by the multiplication method and by PTRS (mean >= 10), and hours with more
    than 8 and more than 32 arrivals (bucket pass, formerly a sort call)."""
    hours = np.arange(2000)
    expected = scale * (1.2 + np.sin(hours / 20.0)) * (hours % 13 != 0)
    gen, s = _pair(12)
    want = sample_arrivals(gen, expected, 60.0)
    counts = pcg64.arrival_counts(s, expected)
    got = np.empty(int(counts.sum()))
    pcg64.arrival_times_into(s, counts, 60.0, pcg64.interval_ends(expected.size, 60.0), got)
    assert _same(got, want)
    assert _same(s, _state(gen))


# --------------------------------------------------------------------------- whole Demand


def _demand_with_generators(scenario, replication: int) -> Demand:
    """The Demand drawn with the Generator kernels, as `DemandSampler` drew it before it
    used state arrays (one Generator per substream)."""
    draw = _Draw("numba")
    sampler = DemandSampler(scenario, "numpy")  # for its arrival intensities only
    streams = ReplicationStreams(scenario.run.seed, replication)
    names = list(scenario.demand.channels)
    arrivals = [
        sample_arrivals(streams.substream("arrivals", stream_key(c)), sampler.expected[c])
        for c in names
    ]
    all_arrivals = np.concatenate(arrivals)
    cols = _allocate(scenario, all_arrivals.shape[0])
    start = 0
    for name, times in zip(names, arrivals, strict=True):
        stop = start + times.shape[0]
        key = stream_key(name)
        part = {k: v[start:stop] for k, v in cols.items()}
        _fill_channel(
            scenario, lambda s, *m, key=key: streams.substream(s, key, *m), name, part, draw
        )
        start = stop
    order = np.argsort(all_arrivals, kind="stable")
    return Demand(
        seed=scenario.run.seed,
        replication=replication,
        order=order,
        arrival_minutes=all_arrivals,
        **cols,
    )


X = "{kind: gamma, mean_minutes: 20, sd_minutes: 8}"
Y = "{kind: lognormal, mean_minutes: 12, sd_minutes: 5}"


@pytest.mark.parametrize(
    "overrides",
    [
        [],
        [
            f"ambulance.on_scene_minutes={{conveyed: {X}, not_conveyed: {Y}}}",
            "triage.patience_minutes=none",
            "seh.doctor_assessment_minutes={kind: exponential, mean_minutes: 15}",
            "triage.max_redials=1",
            "travel.noise_cv=0",
        ],
    ],
)
def test_demand_equals_the_generator_path(overrides: list[str]) -> None:
    scenario = load_scenario(BASELINE, ["run.horizon_weeks=3", *overrides])
    fast = DemandSampler(scenario).sample(2)
    slow = _demand_with_generators(scenario, 2)
    assert fast.digest() == slow.digest()
    for name in Demand.column_names():
        assert _same(getattr(fast, name), getattr(slow, name)), name


def test_a_pickled_sampler_draws_the_same_and_rebuilds_its_caches() -> None:
    """Its caches are keyed by id(), which means nothing in another process."""
    import pickle

    scenario = load_scenario(BASELINE, ["run.horizon_weeks=2"])
    for kernels in ("numba", "numpy"):
        sampler = DemandSampler(scenario, kernels)  # type: ignore[arg-type]
        before = sampler.sample(1).digest()
        copy = pickle.loads(pickle.dumps(sampler))
        assert not copy._draw._encoded and not copy._draw._memo
        assert copy.sample(1).digest() == before


def test_arrival_counts_keep_the_intensities_they_were_built_for() -> None:
    expected = np.array([0.5, 12.0, 3.0])
    counter = pcg64.ArrivalCounts(expected)
    expected[:] = 100.0  # the caller's array changes; the counter's does not
    state = np.array([1, 2, 3, 4], dtype=np.uint64)
    again = state.copy()
    assert np.array_equal(counter(state), pcg64.arrival_counts(again, np.array([0.5, 12.0, 3.0])))
    assert not counter.expected.flags.writeable
