"""Numba-compiled sampling kernels for the scenario's duration distributions.

A scenario distribution (`anwsim.scenario.distributions`) is a pydantic model; Numba
cannot take those. :func:`encode` turns one into an :class:`EncodedDistribution`, plain
NumPy data of the same types for every kind, so that one compiled kernel
(:func:`sample_into`) draws from any of them:

===========  ====  =======================================================
kind         code  ``params``
===========  ====  =======================================================
constant     0     ``[minutes, 0, 0]``
exponential  1     ``[mean, 0, 0]``
lognormal    2     ``[mu, sigma, 0]`` of the *logarithm* of the duration
gamma        3     ``[shape, scale, 0]``
triangular   4     ``[left, mode, right]``
empirical    5     unused; the alias table (Vose) holds the distribution
===========  ====  =======================================================

For every kind but the empirical one the alias arrays have length 1, so that all
encodings have the same Numba types and a kernel compiles once.

The kernels take a ``numpy.random.Generator`` (Numba supports passing one into a jitted
function; the generator's state advances exactly as if drawn from Python, so a stream
can be continued in Python afterwards). They draw one value at a time in a fixed order,
so the same generator state always gives the same draws. :func:`sample_numpy` is a
vectorised pure-NumPy counterpart for benchmarks; it draws from the same distributions
but not the same numbers.

Besides durations, the demand builder needs categorical choices (area, urgency,
disposition) and yes/no events: :func:`draw_categorical` and :func:`draw_bernoulli`.

`anwsim.sampling.demand.DemandSampler` draws with the twins of these kernels in
`anwsim.sampling.pcg64`, which take a stream's PCG64 state instead of its Generator and
return the same numbers about twice as fast; the kernels here are their reference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import numba
import numpy as np

from anwsim.scenario.distributions import (
    Constant,
    Empirical,
    Exponential,
    Gamma,
    Lognormal,
    Triangular,
)

__all__ = [
    "CONSTANT",
    "EMPIRICAL",
    "EXPONENTIAL",
    "GAMMA",
    "KIND_CODES",
    "LOGNORMAL",
    "TRIANGULAR",
    "EncodedDistribution",
    "build_alias_table",
    "check_encoded",
    "cumulative_probabilities",
    "draw_bernoulli",
    "draw_categorical",
    "draw_uniform_into",
    "encode",
    "sample",
    "sample_into",
    "sample_numpy",
]

CONSTANT = 0
EXPONENTIAL = 1
LOGNORMAL = 2
GAMMA = 3
TRIANGULAR = 4
EMPIRICAL = 5

KIND_CODES: dict[str, int] = {
    "constant": CONSTANT,
    "exponential": EXPONENTIAL,
    "lognormal": LOGNORMAL,
    "gamma": GAMMA,
    "triangular": TRIANGULAR,
    "empirical": EMPIRICAL,
}
"""Kind name (as in scenario files) to its integer code."""


class EncodedDistribution(NamedTuple):
    """A distribution as Numba-friendly arrays; build it with :func:`encode`.

    Being a ``NamedTuple`` of an int and arrays, it can also be passed whole into a
    jitted function.
    """

    kind: int
    params: np.ndarray  # float64[3]
    alias_values: np.ndarray  # float64[n]; n == 1 unless empirical
    alias_prob: np.ndarray  # float64[n]
    alias_index: np.ndarray  # int64[n]


def build_alias_table(weights: np.ndarray | list[float]) -> tuple[np.ndarray, np.ndarray]:
    """Vose's alias table for drawing index ``i`` with probability ``weights[i] / sum``.

    Returns ``(prob, alias)``: draw a slot ``i`` uniformly, keep it with probability
    ``prob[i]``, else take ``alias[i]``. Entries of weight zero get ``prob == 0`` and an
    alias of positive weight, so they are never drawn.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or w.size == 0:
        raise ValueError("weights must be a non-empty 1-d sequence")
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError("weights must be finite and non-negative")
    total = float(w.sum())
    if not total > 0:
        raise ValueError("weights must have a positive sum")
    n = w.size
    scaled = w / total * n
    prob = np.zeros(n, dtype=np.float64)
    alias = np.arange(n, dtype=np.int64)
    # Zero-weight entries go last so they are popped (and paired with a large entry) first.
    small = [i for i in range(n) if 0.0 < scaled[i] < 1.0] + [
        i for i in range(n) if scaled[i] == 0.0
    ]
    large = [i for i in range(n) if scaled[i] >= 1.0]
    while small and large:
        s = small.pop()
        g = large.pop()
        prob[s] = scaled[s]
        alias[s] = g
        scaled[g] = (scaled[g] + scaled[s]) - 1.0
        (small if scaled[g] < 1.0 else large).append(g)
    # What is left has scaled weight 1 up to rounding.
    for i in large + small:
        prob[i] = 1.0
        alias[i] = i
    zero = w == 0.0
    if np.any(zero & (prob > 0.0)):  # pragma: no cover - cannot happen, kept as a guard
        prob[zero] = 0.0
        alias[zero] = int(np.argmax(w))
    return prob, alias


_NO_TABLE_VALUES = np.zeros(1, dtype=np.float64)
_NO_TABLE_PROB = np.ones(1, dtype=np.float64)
_NO_TABLE_INDEX = np.zeros(1, dtype=np.int64)


def _simple(kind: int, a: float, b: float = 0.0, c: float = 0.0) -> EncodedDistribution:
    return EncodedDistribution(
        kind,
        np.array([a, b, c], dtype=np.float64),
        _NO_TABLE_VALUES.copy(),
        _NO_TABLE_PROB.copy(),
        _NO_TABLE_INDEX.copy(),
    )


def check_encoded(e: EncodedDistribution) -> EncodedDistribution:
    """``e``, once checked to be a distribution the kernels can draw from: a known kind,
    finite parameters that make sense for it (durations non-negative, a positive mean,
    shape and scale), alias arrays that fit together. ValueError if not: the kernels
    check nothing per draw, and a distribution built around validation
    (``model_construct``) must not reach them with NaN or a negative scale."""
    names = {code: name for name, code in KIND_CODES.items()}
    if e.kind not in names:
        raise ValueError(f"unknown distribution kind code {e.kind!r}")
    name = names[e.kind]
    p = np.asarray(e.params, dtype=np.float64)
    if p.shape != (3,) or not np.all(np.isfinite(p)):
        raise ValueError(f"the {name} distribution needs 3 finite parameters, got {e.params!r}")
    problem = {
        CONSTANT: "minutes must be >= 0" if not p[0] >= 0 else None,
        EXPONENTIAL: "the mean must be > 0" if not p[0] > 0 else None,
        LOGNORMAL: "sigma must be >= 0" if not p[1] >= 0 else None,
        GAMMA: "shape and scale must be > 0" if not (p[0] > 0 and p[1] > 0) else None,
        TRIANGULAR: "need 0 <= left <= mode <= right and left < right"
        if not (0 <= p[0] <= p[1] <= p[2] and p[0] < p[2])
        else None,
        EMPIRICAL: None,
    }[e.kind]
    if problem is not None:
        raise ValueError(f"the {name} distribution's parameters {p.tolist()}: {problem}")
    n = e.alias_prob.shape[0]
    if not (
        n >= 1
        and e.alias_values.shape == e.alias_prob.shape == e.alias_index.shape == (n,)
        and np.all(np.isfinite(e.alias_values))
        and np.all((e.alias_prob >= 0) & (e.alias_prob <= 1))
        and np.all((e.alias_index >= 0) & (e.alias_index < n))
    ):
        raise ValueError(
            f"the {name} distribution's alias table does not fit together (values finite, "
            "probabilities in [0, 1], indices within the table)"
        )
    if e.kind == EMPIRICAL and np.any(e.alias_values < 0):
        raise ValueError("the empirical distribution's values must be >= 0")
    return e


def encode(
    dist: Constant | Exponential | Lognormal | Gamma | Triangular | Empirical,
) -> EncodedDistribution:
    """Encode a scenario distribution for the kernels (done once per scenario, not per draw),
    checked by `check_encoded`."""
    try:
        encoded = _encode(dist)
    except (OverflowError, ZeroDivisionError) as exc:  # parameters built around validation
        raise ValueError(f"cannot encode {type(dist).__name__}: {exc}") from None
    return check_encoded(encoded)


def _encode(
    dist: Constant | Exponential | Lognormal | Gamma | Triangular | Empirical,
) -> EncodedDistribution:
    if isinstance(dist, Constant):
        return _simple(CONSTANT, dist.minutes)
    if isinstance(dist, Exponential):
        return _simple(EXPONENTIAL, dist.mean_minutes)
    if isinstance(dist, Lognormal):
        mu, sigma = dist.log_params()
        return _simple(LOGNORMAL, mu, sigma)
    if isinstance(dist, Gamma):
        shape, scale = dist.shape_scale()
        return _simple(GAMMA, shape, scale)
    if isinstance(dist, Triangular):
        return _simple(TRIANGULAR, dist.min_minutes, dist.mode_minutes, dist.max_minutes)
    if isinstance(dist, Empirical):
        prob, alias = build_alias_table(dist.probabilities())
        return EncodedDistribution(
            EMPIRICAL,
            np.zeros(3, dtype=np.float64),
            np.asarray(dist.values_minutes, dtype=np.float64),
            prob,
            alias,
        )
    raise TypeError(
        f"cannot encode {type(dist).__name__}; expected one of "
        "Constant, Exponential, Lognormal, Gamma, Triangular, Empirical"
    )


@numba.njit(cache=True, inline="always")
def _standard_gamma(gen: np.random.Generator, shape: float) -> float:
    """A Gamma(shape, 1) draw by Marsaglia & Tsang (2000), as NumPy does it.

    Written out here because Numba's ``Generator.gamma`` is about twice as slow as this
    inlined loop; the law is the same (tests check moments and the KS distance).
    """
    if shape < 1.0:
        # Gamma(a) = Gamma(a + 1) * U^(1/a)
        boost = gen.random() ** (1.0 / shape)
        shape += 1.0
    else:
        boost = 1.0
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = gen.standard_normal()
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = gen.random()
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2:
            return boost * d * v
        if math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            return boost * d * v


@numba.njit(cache=True)
def sample_into(
    gen: np.random.Generator,
    kind: int,
    params: np.ndarray,
    alias_values: np.ndarray,
    alias_prob: np.ndarray,
    alias_index: np.ndarray,
    out: np.ndarray,
) -> None:
    """Fill ``out`` (float64, 1-d) with draws of the encoded distribution."""
    n = out.shape[0]
    if kind == CONSTANT:
        v = params[0]
        for i in range(n):
            out[i] = v
    elif kind == EXPONENTIAL:
        mean = params[0]
        for i in range(n):
            out[i] = gen.exponential(mean)
    elif kind == LOGNORMAL:
        mu = params[0]
        sigma = params[1]
        for i in range(n):
            out[i] = math.exp(mu + sigma * gen.standard_normal())
    elif kind == GAMMA:
        shape = params[0]
        scale = params[1]
        for i in range(n):
            out[i] = scale * _standard_gamma(gen, shape)
    elif kind == TRIANGULAR:
        left = params[0]
        mode = params[1]
        right = params[2]
        base = right - left
        ratio = (mode - left) / base
        left_prod = (mode - left) * base
        right_prod = (right - mode) * base
        for i in range(n):
            # Inverse CDF: one uniform per draw.
            u = gen.random()
            if u <= ratio:
                out[i] = left + math.sqrt(u * left_prod)
            else:
                out[i] = right - math.sqrt((1.0 - u) * right_prod)
    elif kind == EMPIRICAL:
        m = alias_prob.shape[0]
        for i in range(n):
            u = gen.random() * m
            slot = int(u)
            if slot >= m:
                slot = m - 1
            if u - slot < alias_prob[slot]:
                out[i] = alias_values[slot]
            else:
                out[i] = alias_values[alias_index[slot]]
    else:
        raise ValueError("unknown distribution kind code")


def sample(gen: np.random.Generator, encoded: EncodedDistribution, n: int) -> np.ndarray:
    """``n`` draws of an encoded distribution as a new float64 array (compiled kernel)."""
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    out = np.empty(int(n), dtype=np.float64)
    sample_into(
        gen,
        encoded.kind,
        encoded.params,
        encoded.alias_values,
        encoded.alias_prob,
        encoded.alias_index,
        out,
    )
    return out


def sample_numpy(gen: np.random.Generator, encoded: EncodedDistribution, n: int) -> np.ndarray:
    """Vectorised pure-NumPy counterpart of :func:`sample` (same law, other numbers)."""
    if n < 0:
        raise ValueError(f"n must be non-negative, got {n}")
    kind, p = encoded.kind, encoded.params
    if kind == CONSTANT:
        return np.full(n, p[0], dtype=np.float64)
    if kind == EXPONENTIAL:
        return gen.exponential(p[0], n)
    if kind == LOGNORMAL:
        return gen.lognormal(p[0], p[1], n)
    if kind == GAMMA:
        return gen.gamma(p[0], p[1], n)
    if kind == TRIANGULAR:
        return gen.triangular(p[0], p[1], p[2], n)
    if kind == EMPIRICAL:
        m = encoded.alias_prob.shape[0]
        u = gen.random(n) * m
        slot = np.minimum(u.astype(np.int64), m - 1)
        keep = (u - slot) < encoded.alias_prob[slot]
        idx = np.where(keep, slot, encoded.alias_index[slot])
        return encoded.alias_values[idx]
    raise ValueError(f"unknown distribution kind code {kind}")


@numba.njit(cache=True)
def draw_uniform_into(gen: np.random.Generator, out: np.ndarray) -> None:
    """Fill ``out`` (float64) with uniforms on [0, 1)."""
    for i in range(out.shape[0]):
        out[i] = gen.random()


@numba.njit(cache=True)
def draw_categorical(
    gen: np.random.Generator, cumulative_probs: np.ndarray, out_int: np.ndarray
) -> None:
    """Fill ``out_int`` with category indices, one uniform per draw.

    ``cumulative_probs`` is non-decreasing with last element the total (normally 1; see
    :func:`cumulative_probabilities`). Category ``k`` is drawn when
    ``cum[k-1] <= u < cum[k]``, found by binary search; a zero-probability category is
    never drawn.
    """
    m = cumulative_probs.shape[0]
    total = cumulative_probs[m - 1]
    for i in range(out_int.shape[0]):
        u = gen.random() * total
        lo = 0
        hi = m - 1
        while lo < hi:  # first k with cum[k] > u
            mid = (lo + hi) // 2
            if cumulative_probs[mid] > u:
                hi = mid
            else:
                lo = mid + 1
        out_int[i] = lo


@numba.njit(cache=True)
def draw_bernoulli(gen: np.random.Generator, p: float, out_bool: np.ndarray) -> None:
    """Fill ``out_bool`` with independent events of probability ``p`` (one uniform each)."""
    for i in range(out_bool.shape[0]):
        out_bool[i] = gen.random() < p


def cumulative_probabilities(probs: np.ndarray | list[float]) -> np.ndarray:
    """Normalised cumulative probabilities for :func:`draw_categorical` (last is exactly 1)."""
    p = np.asarray(probs, dtype=np.float64)
    if p.ndim != 1 or p.size == 0:
        raise ValueError("probabilities must be a non-empty 1-d sequence")
    if not np.all(np.isfinite(p)) or np.any(p < 0):
        raise ValueError("probabilities must be finite and non-negative")
    total = float(p.sum())
    if not total > 0:
        raise ValueError("probabilities must have a positive sum")
    cum = np.cumsum(p / total)
    # Pin the tail: from the last positive category on, the cumulative value is exactly 1,
    # so rounding can never leave room for a trailing zero-probability category.
    last = int(np.flatnonzero(p > 0)[-1])
    cum[last:] = 1.0
    return cum


@numba.njit(cache=True)
def sample_grouped_into(
    gen: np.random.Generator,
    groups: np.ndarray,
    n_groups: int,
    kinds: np.ndarray,
    params: np.ndarray,
    alias_values: np.ndarray,
    alias_prob: np.ndarray,
    alias_index: np.ndarray,
    alias_len: np.ndarray,
    out: np.ndarray,
) -> None:
    """Draw ``out[i]`` from the distribution of group ``groups[i]``, group by group.

    Group ``g`` uses ``kinds[g]``, ``params[g]`` and the first ``alias_len[g]`` entries of
    row ``g`` of the padded alias tables. Groups are drawn in order 0, 1, …, each over its
    members in row order (see `anwsim.sampling.demand` for what that means for common
    random numbers).
    """
    n = out.shape[0]
    # Counting sort of the rows by group (members keep their row order), then one
    # contiguous draw per group, then scatter back: three passes over the rows.
    counts = np.zeros(n_groups, dtype=np.int64)
    for i in range(n):
        counts[groups[i]] += 1
    starts = np.zeros(n_groups, dtype=np.int64)
    for g in range(1, n_groups):
        starts[g] = starts[g - 1] + counts[g - 1]
    fill = starts.copy()
    order = np.empty(n, dtype=np.int64)
    for i in range(n):
        g = groups[i]
        order[fill[g]] = i
        fill[g] += 1
    buf = np.empty(n, dtype=np.float64)
    for g in range(n_groups):
        m = counts[g]
        if m == 0:
            continue
        w = alias_len[g]
        sample_into(
            gen,
            kinds[g],
            params[g],
            alias_values[g, :w],
            alias_prob[g, :w],
            alias_index[g, :w],
            buf[starts[g] : starts[g] + m],
        )
    for k in range(n):
        out[order[k]] = buf[k]


@numba.njit(cache=True)
def draw_bernoulli_by(
    gen: np.random.Generator, p: np.ndarray, groups: np.ndarray, out: np.ndarray
) -> None:
    """``out[i] = u_i < p[groups[i]]``: one uniform per draw, probability by group."""
    for i in range(out.shape[0]):
        out[i] = gen.random() < p[groups[i]]


@numba.njit(cache=True)
def lognormal_noise_into(gen: np.random.Generator, cv: float, out: np.ndarray) -> None:
    """Fill the 2-d ``out`` with mean-one lognormal factors of the given CV (1 if cv=0).

    One standard normal per entry is drawn whatever ``cv`` is, so the stream is consumed
    alike in every scenario.
    """
    sigma2 = math.log1p(cv * cv)
    sigma = math.sqrt(sigma2)
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            z = gen.standard_normal()
            out[i, j] = math.exp(sigma * z - sigma2 / 2.0) if cv > 0 else 1.0


def encode_table(dists: Sequence[Any]) -> tuple[np.ndarray, ...]:
    """Encode one distribution per group into the padded arrays `sample_grouped_into`
    takes: kinds, params, alias values, alias probabilities, alias indices, lengths."""
    encoded = [encode(d) for d in dists]
    width = max(e.alias_prob.shape[0] for e in encoded)
    g = len(encoded)
    kinds = np.array([e.kind for e in encoded], dtype=np.int64)
    params = np.stack([e.params for e in encoded])
    values = np.zeros((g, width))
    prob = np.zeros((g, width))
    index = np.zeros((g, width), dtype=np.int64)
    for k, e in enumerate(encoded):
        m = e.alias_prob.shape[0]
        values[k, :m], prob[k, :m], index[k, :m] = e.alias_values, e.alias_prob, e.alias_index
    lengths = np.array([e.alias_prob.shape[0] for e in encoded], dtype=np.int64)
    return kinds, params, values, prob, index, lengths
