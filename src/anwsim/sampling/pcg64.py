"""PCG64 streams drawn inside the compiled kernels, bit for bit as NumPy draws them.

The kernels in `anwsim.sampling.kernels` take a ``numpy.random.Generator``; each draw
there is a call through the bit generator's function pointer, which costs about as much
as the PCG64 step itself. The kernels here take the stream's *state* instead, a
``uint64[4]`` array ``[state_hi, state_lo, inc_hi, inc_lo]``, and step PCG64 inline (one
native 128-bit multiply-add). Otherwise they are statement for statement the same
algorithms (NumPy's ziggurats with NumPy's tables, the Poisson of Numba's Generator, the
Marsaglia-Tsang gamma of `kernels`), so from the same stream they return exactly the same
numbers and leave the state array where the generator would be
(``tests/sampling/test_pcg64.py`` checks both against the Generator kernels and NumPy).
What differs is only how a value is computed where that cannot change it: no branch on a
coin flip (the normal's sign, the alias pick, the disposition lookup), constants hoisted
out of loops (a Poisson's per interval, once per sampler: `ArrivalCounts`), ``exp`` in a
loop of its own, and there, with ``inline_exp``, glibc's ``exp`` computed inline where
that is this libm's (`libm_exp`, `inline_exp`), arrivals sorted by another sort.

:func:`seed_states` and :class:`SubstreamSeeder` give the states of many substreams at
once: NumPy's ``SeedSequence(entropy=seed, spawn_key=key)`` mixing and
``generate_state(4, uint64)``, then PCG64's seeding, without building a ``SeedSequence``
and a ``PCG64`` per stream; :func:`pcg64_state` takes an existing ``SeedSequence``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

# NumPy's ziggurat tables, as Numba's own Generator support uses them (copied there from
# numpy/random/src/distributions/ziggurat_constants.h).
from numba.np.random._constants import (
    fe_double,
    fi_double,
    ke_double,
    ki_double,
    we_double,
    wi_double,
    ziggurat_exp_r,
    ziggurat_nor_inv_r,
    ziggurat_nor_r,
)

from anwsim.sampling import libm_exp
from anwsim.sampling.arrivals import _check as _check_expected
from anwsim.sampling.kernels import (
    CONSTANT,
    EMPIRICAL,
    EXPONENTIAL,
    GAMMA,
    LOGNORMAL,
    TRIANGULAR,
)

__all__ = [
    "ArrivalCounts",
    "SubstreamSeeder",
    "alias_index_into",
    "arrival_counts",
    "arrival_times_into",
    "bernoulli_by_into",
    "bernoulli_into",
    "group_order",
    "interval_ends",
    "lognormal_noise_into",
    "pcg64_state",
    "poisson_table",
    "sample_grouped_into",
    "sample_into",
    "sample_ordered_into",
    "searchsorted_by_into",
    "seed_states",
    "uniform_into",
]

_EXP_PASS = not getattr(numba.config, "USING_SVML", False)
"""Lognormal kernels draw all normals first and then take ``exp`` in a loop of its own
(faster: the calls overlap). Not with Intel SVML in use: LLVM would vectorise that loop
with SVML's ``exp``, which may differ from libm's in the last bit."""


@functools.cache
def inline_exp() -> bool:
    """Whether the lognormal kernels may take glibc's ``exp`` from `libm_exp` (vectorised,
    no call per value; their ``inline_exp`` argument): where it is this libm's and the
    kernels take ``exp`` in a pass of its own (`_EXP_PASS`), on glibc 2.28 or later (whose
    ``exp`` it follows). Checked once per process, on first use, so that importing this
    module compiles nothing."""
    return _EXP_PASS and libm_exp.is_glibc_exp() and libm_exp.matches_libm()


_SIGNS = np.array([1.0, -1.0])
_KI_NORMAL = ki_double.astype(np.int64)  # all below 2**52: the same comparisons as uint64
_MASK64 = (1 << 64) - 1
_MASK128 = (1 << 128) - 1
_MULTIPLIER = (2549297995355413924 << 64) + 4865540595714422341
"""PCG's default 128-bit LCG multiplier (``PCG_DEFAULT_MULTIPLIER_128``)."""


def _seeded(words: np.ndarray) -> np.ndarray:
    """PCG64 state after ``pcg64_set_seed`` with the 4 seed words NumPy derives."""
    w = [int(x) for x in words]
    initstate = (w[0] << 64) | w[1]
    inc = ((((w[2] << 64) | w[3]) << 1) | 1) & _MASK128
    state = inc  # one step from state 0
    state = (state + initstate) & _MASK128
    state = (state * _MULTIPLIER + inc) & _MASK128
    return np.array([state >> 64, state & _MASK64, inc >> 64, inc & _MASK64], dtype=np.uint64)


def pcg64_state(seed_sequence: np.random.SeedSequence) -> np.ndarray:
    """The state of ``PCG64(seed_sequence)`` as ``uint64[4]`` for the kernels here."""
    return _seeded(seed_sequence.generate_state(4, np.uint64))


# --------------------------------------------------------------------------- PCG64 step
# Inside a kernel the state is a tuple ``(hi, lo, inc_hi, inc_lo)`` of uint64 values that
# every draw takes and returns, so that it lives in registers: written to an array, LLVM
# would have to reload it after every store into the output column (they might alias).
# Everything is inlined into the kernels (``inline="always"``).


@intrinsic
def _pcg_step(typingctx, hi, lo, inc_hi, inc_lo):  # type: ignore[no-untyped-def]
    """``state * MULTIPLIER + inc`` modulo 2**128, as (hi, lo) of 64 bits."""
    u64 = types.uint64
    sig = types.UniTuple(u64, 2)(u64, u64, u64, u64)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        i128 = ir.IntType(128)
        i64 = ir.IntType(64)
        shift = ir.Constant(i128, 64)
        h, lw, ih, il = (builder.zext(a, i128) for a in args)
        state = builder.or_(builder.shl(h, shift), lw)
        inc = builder.or_(builder.shl(ih, shift), il)
        new = builder.add(builder.mul(state, ir.Constant(i128, _MULTIPLIER)), inc)
        new_lo = builder.trunc(new, i64)
        new_hi = builder.trunc(builder.lshr(new, shift), i64)
        return context.make_tuple(builder, signature.return_type, (new_hi, new_lo))

    return sig, codegen


@numba.njit(cache=True, inline="always")
def load(s: np.ndarray) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    """The state tuple of a ``uint64[4]`` state array."""
    return (s[0], s[1], s[2], s[3])


@numba.njit(cache=True, inline="always")
def store(s: np.ndarray, st: tuple[np.uint64, np.uint64, np.uint64, np.uint64]) -> None:
    """Write a state tuple back into its array (only the state moves; inc is fixed)."""
    s[0] = st[0]
    s[1] = st[1]


@numba.njit(cache=True, inline="always")
def next_uint64(st):  # type: ignore[no-untyped-def]
    """PCG64's next 64-bit output (XSL-RR of the stepped state), as NumPy's next64:
    ``(value, new state)``."""
    hi, lo = _pcg_step(st[0], st[1], st[2], st[3])
    x = hi ^ lo
    rot = hi >> np.uint64(58)
    value = (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63)))
    return value, (hi, lo, st[2], st[3])


@numba.njit(cache=True, inline="always")
def next_double(st):  # type: ignore[no-untyped-def]
    """A uniform on [0, 1), as NumPy's ``next_double`` (the 53 high bits)."""
    r, st = next_uint64(st)
    return np.float64(r >> np.uint64(11)) * (1.0 / 9007199254740992.0), st


# --------------------------------------------------------------------------- SeedSequence

_M32 = np.uint64(0xFFFFFFFF)
_INIT_A = np.uint64(0x43B0D7E5)
_MULT_A = np.uint64(0x931E8875)
_INIT_B = np.uint64(0x8B51F9DD)
_MULT_B = np.uint64(0x58F38DED)
_MIX_MULT_L = np.uint64(0xCA01F9DD)
_MIX_MULT_R = np.uint64(0x4973F715)
_XSHIFT = np.uint64(16)
_POOL_SIZE = 4


def _uint32_words(value: int) -> list[int]:
    """A non-negative int as 32-bit words, least significant first (``[0]`` for 0)."""
    if value < 0:
        raise ValueError(f"entropy and spawn keys must be non-negative, got {value}")
    words = []
    while True:
        words.append(value & 0xFFFFFFFF)
        value >>= 32
        if value == 0:
            return words


@numba.njit(cache=True, inline="always")
def _hashmix(value: np.uint64, hash_const: np.uint64) -> tuple[np.uint64, np.uint64]:
    """SeedSequence's ``hashmix`` in 32-bit arithmetic: (mixed value, next hash const)."""
    value = value ^ hash_const
    hash_const = (hash_const * _MULT_A) & _M32
    value = (value * hash_const) & _M32
    value ^= value >> _XSHIFT
    return value, hash_const


@numba.njit(cache=True, inline="always")
def _mix(x: np.uint64, y: np.uint64) -> np.uint64:
    result = (((_MIX_MULT_L * x) & _M32) - ((_MIX_MULT_R * y) & _M32)) & _M32
    return result ^ (result >> _XSHIFT)


@numba.njit(cache=True)
def _seed_kernel(entropy: np.ndarray, lengths: np.ndarray, out: np.ndarray) -> None:
    """``out[i]``: the PCG64 state of ``PCG64(SeedSequence)`` whose assembled entropy is
    ``entropy[i, :lengths[i]]`` (uint32 words).

    SeedSequence's ``mix_entropy`` into a pool of 4 words, ``generate_state(4, uint64)``
    (8 words, read as little-endian pairs), then PCG64's ``pcg64_set_seed``.
    """
    pool = np.empty(_POOL_SIZE, dtype=np.uint64)
    words = np.empty(8, dtype=np.uint64)
    for row in range(entropy.shape[0]):
        n = lengths[row]
        hash_const = _INIT_A
        for i in range(_POOL_SIZE):
            value = np.uint64(entropy[row, i]) if i < n else np.uint64(0)
            pool[i], hash_const = _hashmix(value, hash_const)
        for i_src in range(_POOL_SIZE):
            for i_dst in range(_POOL_SIZE):
                if i_src != i_dst:
                    value, hash_const = _hashmix(pool[i_src], hash_const)
                    pool[i_dst] = _mix(pool[i_dst], value)
        for i_src in range(_POOL_SIZE, n):
            for i_dst in range(_POOL_SIZE):
                value, hash_const = _hashmix(np.uint64(entropy[row, i_src]), hash_const)
                pool[i_dst] = _mix(pool[i_dst], value)
        hash_const = _INIT_B
        for i_dst in range(8):
            value = pool[i_dst % _POOL_SIZE] ^ hash_const
            hash_const = (hash_const * _MULT_B) & _M32
            value = (value * hash_const) & _M32
            value ^= value >> _XSHIFT
            words[i_dst] = value
        # seed = words64[0:2] (state), words64[2:4] (sequence), each high word first
        init_hi = words[0] | (words[1] << np.uint64(32))
        init_lo = words[2] | (words[3] << np.uint64(32))
        seq_hi = words[4] | (words[5] << np.uint64(32))
        seq_lo = words[6] | (words[7] << np.uint64(32))
        inc_hi = (seq_hi << np.uint64(1)) | (seq_lo >> np.uint64(63))
        inc_lo = (seq_lo << np.uint64(1)) | np.uint64(1)
        # pcg64_srandom_r: state = 0; step; state += initstate; step
        lo = inc_lo + init_lo
        hi = inc_hi + init_hi + (np.uint64(1) if lo < inc_lo else np.uint64(0))
        hi, lo = _pcg_step(hi, lo, inc_hi, inc_lo)  # type: ignore[call-arg]
        out[row, 0] = hi
        out[row, 1] = lo
        out[row, 2] = inc_hi
        out[row, 3] = inc_lo


def seed_states(seed: int, spawn_keys: Sequence[Sequence[int]]) -> np.ndarray:
    """PCG64 states (``uint64[len(spawn_keys), 4]``) of the streams
    ``PCG64(SeedSequence(entropy=seed, spawn_key=key))``, all at once.

    The entropy is assembled as NumPy assembles it: the seed's 32-bit words (least
    significant first), padded with zeros to the pool size of 4 when there is a spawn key,
    then the words of each key in turn.
    """
    run = _uint32_words(int(seed))
    rows = []
    for key in spawn_keys:
        spawn = [w for k in key for w in _uint32_words(int(k))]
        head = run + [0] * (_POOL_SIZE - len(run)) if spawn and len(run) < _POOL_SIZE else run
        rows.append(head + spawn)
    width = max((len(r) for r in rows), default=0)
    entropy = np.zeros((len(rows), width), dtype=np.uint32)
    for i, r in enumerate(rows):
        entropy[i, : len(r)] = r
    lengths = np.array([len(r) for r in rows], dtype=np.int64)
    out = np.empty((len(rows), 4), dtype=np.uint64)
    if rows:
        _seed_kernel(entropy, lengths, out)
    return out


class SubstreamSeeder:
    """The PCG64 states of a fixed list of substreams, spawn keys
    ``(replication, *suffix)``, for any seed and replication: `seed_states` with the
    suffixes' words worked out once."""

    def __init__(self, suffixes: Sequence[Sequence[int]]) -> None:
        words = [[w for k in suffix for w in _uint32_words(int(k))] for suffix in suffixes]
        width = max((len(w) for w in words), default=0)
        self._suffix = np.zeros((len(words), width), dtype=np.uint32)
        for i, w in enumerate(words):
            self._suffix[i, : len(w)] = w
        self._lengths = np.array([len(w) for w in words], dtype=np.int64)

    def __len__(self) -> int:
        return int(self._lengths.shape[0])

    def states(self, seed: int, replication: int) -> np.ndarray:
        """``uint64[len(self), 4]``: row ``i`` is ``seed_states(seed, [(replication,
        *suffixes[i])])[0]``."""
        run = _uint32_words(int(seed))
        head = run + [0] * (_POOL_SIZE - len(run)) + _uint32_words(int(replication))
        m, width = self._suffix.shape
        entropy = np.empty((m, len(head) + width), dtype=np.uint32)
        entropy[:, : len(head)] = head
        entropy[:, len(head) :] = self._suffix
        out = np.empty((m, 4), dtype=np.uint64)
        if m:
            _seed_kernel(entropy, self._lengths + len(head), out)
        return out


# --------------------------------------------------------------------------- distributions
# Translations of numpy/random/src/distributions/distributions.c, statement for statement
# as in numba/np/random/distributions.py (which the Generator kernels run), with the bit
# generator replaced by the state tuple.


@numba.njit(cache=True, inline="always")
def standard_normal(st):  # type: ignore[no-untyped-def]
    """A standard normal by NumPy's ziggurat: ``(value, new state)``."""
    while 1:
        r, st = next_uint64(st)
        idx = r & 0xFF
        r >>= 8
        sign = r & 0x1
        rabs = (r >> 1) & 0x000FFFFFFFFFFFFF
        # NumPy: ``x = rabs * wi[idx]; if sign: x = -x; if rabs < ki[idx]: return x``.
        # Written without the sign branch (a coin flip for the branch predictor):
        # multiplying by -1.0 or 1.0 is exact, and rabs < 2**52 converts exactly, so the
        # value and the comparison are the same.
        x = (np.float64(np.int64(rabs)) * wi_double[idx]) * _SIGNS[sign]
        if np.int64(rabs) < _KI_NORMAL[idx]:
            return x, st
        if idx == 0:
            while 1:
                u1, st = next_double(st)
                u2, st = next_double(st)
                xx = -ziggurat_nor_inv_r * np.log1p(-u1)
                yy = -np.log1p(-u2)
                if yy + yy > xx * xx:
                    if (rabs >> 8) & 0x1:
                        return -(ziggurat_nor_r + xx), st
                    else:
                        return ziggurat_nor_r + xx, st
        else:
            u, st = next_double(st)
            if ((fi_double[idx - 1] - fi_double[idx]) * u + fi_double[idx]) < np.exp(-0.5 * x * x):
                return x, st
    return 0.0, st  # unreachable


@numba.njit(cache=True, inline="always")
def standard_exponential(st):  # type: ignore[no-untyped-def]
    """A standard exponential by NumPy's ziggurat: ``(value, new state)``."""
    while 1:
        ri, st = next_uint64(st)
        ri >>= 3
        idx = ri & 0xFF
        ri >>= 8
        x = ri * we_double[idx]
        if ri < ke_double[idx]:
            return x, st
        else:
            u, st = next_double(st)
            if idx == 0:
                return ziggurat_exp_r - np.log1p(-u), st
            elif (fe_double[idx - 1] - fe_double[idx]) * u + fe_double[idx] < np.exp(-x):
                return x, st
    return 0.0, st  # unreachable


@numba.njit(cache=True)
def _loggam(x: float) -> float:
    a = (
        8.333333333333333e-02,
        -2.777777777777778e-03,
        7.936507936507937e-04,
        -5.952380952380952e-04,
        8.417508417508418e-04,
        -1.917526917526918e-03,
        6.410256410256410e-03,
        -2.955065359477124e-02,
        1.796443723688307e-01,
        -1.39243221690590e00,
    )
    if (x == 1.0) or (x == 2.0):
        return 0.0
    elif x < 7.0:
        n = int(7 - x)
    else:
        n = 0
    x0 = x + n
    x2 = (1.0 / x0) * (1.0 / x0)
    lg2pi = 1.8378770664093453e00  # log(2 * pi)
    gl0 = a[9]
    for k in range(0, 9):
        gl0 *= x2
        gl0 += a[8 - k]
    gl = gl0 / x0 + 0.5 * lg2pi + (x0 - 0.5) * np.log(x0) - x0
    if x < 7.0:
        for _ in range(1, n + 1):
            gl = gl - np.log(x0 - 1.0)
            x0 = x0 - 1.0
    return gl


@numba.njit(cache=True, inline="always")
def poisson_constants(lam: float) -> tuple[float, float, float, float, float, float, float]:
    """What `poisson` computes from the mean before drawing: ``(exp(-lam), 0, ...)`` for
    the multiplication method (``lam < 10``), else PTRS's ``(0, sqrt(lam), log(lam), b, a,
    1/alpha, v_r)``. The same expressions, so the same numbers, whether computed per draw or
    once per interval (`poisson_table`)."""
    if lam >= 10:
        slam = np.sqrt(lam)
        loglam = np.log(lam)
        b = 0.931 + 2.53 * slam
        a = -0.059 + 0.02483 * b
        invalpha = 1.1239 + 1.1328 / (b - 3.4)
        vr = 0.9277 - 3.6224 / (b - 2)
        return 0.0, slam, loglam, b, a, invalpha, vr
    return np.exp(-lam), 0.0, 0.0, 0.0, 0.0, 0.0, 0.0


@numba.njit(cache=True)
def poisson_table(expected: np.ndarray) -> np.ndarray:
    """`poisson_constants` of every mean in ``expected``, one row each (``float64[n, 7]``):
    computed once per sampler, since the means are the same in every replication."""
    table = np.zeros((expected.shape[0], 7))
    for i in range(expected.shape[0]):
        if expected[i] > 0.0:
            c = poisson_constants(expected[i])
            for j in range(7):
                table[i, j] = c[j]
    return table


@numba.njit(cache=True, inline="always")
def poisson(st, lam):  # type: ignore[no-untyped-def]
    """A Poisson count as Numba's ``Generator.poisson`` draws it (PTRS for ``lam >= 10``,
    else multiplication): ``(count, new state)``."""
    return poisson_with(st, lam, poisson_constants(lam))


@numba.njit(cache=True, inline="always")
def poisson_with(st, lam, c):  # type: ignore[no-untyped-def]
    """`poisson` with its constants ``c`` (`poisson_constants` of ``lam``) given."""
    if lam >= 10:
        loglam, b, a, invalpha, vr = c[2], c[3], c[4], c[5], c[6]
        while 1:
            u, st = next_double(st)
            u = u - 0.5
            v, st = next_double(st)
            us = 0.5 - np.fabs(u)
            k = int((2 * a / us + b) * u + lam + 0.43)
            if (us >= 0.07) and (v <= vr):
                return k, st
            if (k < 0) or ((us < 0.013) and (v > us)):
                continue
            if (np.log(v) + np.log(invalpha) - np.log(a / (us * us) + b)) <= (
                -lam + k * loglam - _loggam(k + 1)
            ):
                return k, st
    elif lam == 0:
        return 0, st
    enlam = c[0]
    x = 0
    prod = 1.0
    while 1:
        u, st = next_double(st)
        prod *= u
        if prod > enlam:
            x += 1
        else:
            return x, st
    return 0, st  # unreachable


@numba.njit(cache=True, inline="always")
def gamma_constants(shape: float) -> tuple[float, float, float]:
    """``(d, c, 1 / shape)`` of Marsaglia & Tsang for `standard_gamma_with` (computed once
    per column: the same values `standard_gamma` computes per draw)."""
    a = shape + 1.0 if shape < 1.0 else shape
    d = a - 1.0 / 3.0
    return d, 1.0 / math.sqrt(9.0 * d), 1.0 / shape


@numba.njit(cache=True, inline="always")
def standard_gamma_with(st, small, d, c, inv_shape):  # type: ignore[no-untyped-def]
    """`standard_gamma` with its constants from `gamma_constants` (``small``: shape < 1)."""
    if small:
        u0, st = next_double(st)
        boost = u0**inv_shape
    else:
        boost = 1.0
    while True:
        x, st = standard_normal(st)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u, st = next_double(st)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2:
            return boost * d * v, st
        if math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            return boost * d * v, st


@numba.njit(cache=True, inline="always")
def standard_gamma(st, shape):  # type: ignore[no-untyped-def]
    """Gamma(shape, 1) by Marsaglia & Tsang, exactly as `kernels._standard_gamma`:
    ``(value, new state)``."""
    d, c, inv_shape = gamma_constants(shape)
    return standard_gamma_with(st, shape < 1.0, d, c, inv_shape)


# --------------------------------------------------------------------------- kernels
# State-array twins of the Generator kernels in `kernels` and `arrivals`.


@numba.njit(cache=True)
def uniform_into(s: np.ndarray, out: np.ndarray) -> None:
    """Fill ``out`` with uniforms on [0, 1) (as ``Generator.random(n)``)."""
    st = load(s)
    for i in range(out.shape[0]):
        out[i], st = next_double(st)
    store(s, st)


@numba.njit(cache=True)
def sample_into(
    s: np.ndarray,
    kind: int,
    params: np.ndarray,
    alias_values: np.ndarray,
    alias_prob: np.ndarray,
    alias_index: np.ndarray,
    out: np.ndarray,
    inline_exp: bool = False,
) -> None:
    """`kernels.sample_into` on a state array (``inline_exp``: see `_lognormals`)."""
    n = out.shape[0]
    st = load(s)
    if kind == CONSTANT:
        v = params[0]
        for i in range(n):
            out[i] = v
    elif kind == EXPONENTIAL:
        mean = params[0]
        for i in range(n):
            e, st = standard_exponential(st)
            out[i] = mean * e
    elif kind == LOGNORMAL:
        mu = params[0]
        sigma = params[1]
        if _EXP_PASS:  # the normals, then exp over them: the same expression, faster
            st = _lognormals(st, mu, sigma, inline_exp, out)
        else:
            for i in range(n):
                z, st = standard_normal(st)
                out[i] = math.exp(mu + sigma * z)
    elif kind == GAMMA:
        shape = params[0]
        scale = params[1]
        d, c, inv_shape = gamma_constants(shape)
        small = shape < 1.0
        for i in range(n):
            g, st = standard_gamma_with(st, small, d, c, inv_shape)
            out[i] = scale * g
    elif kind == TRIANGULAR:
        left = params[0]
        mode = params[1]
        right = params[2]
        base = right - left
        ratio = (mode - left) / base
        left_prod = (mode - left) * base
        right_prod = (right - mode) * base
        for i in range(n):
            u, st = next_double(st)
            if u <= ratio:
                out[i] = left + math.sqrt(u * left_prod)
            else:
                out[i] = right - math.sqrt((1.0 - u) * right_prod)
    elif kind == EMPIRICAL:
        m = alias_prob.shape[0]
        pair = _alias_pairs(alias_values, alias_index)
        for i in range(n):
            u, st = next_double(st)
            u = u * m
            slot = int(u)
            if slot >= m:
                slot = m - 1
            out[i] = pair[2 * slot + np.int64(u - slot < alias_prob[slot])]
    else:
        raise ValueError("unknown distribution kind code")
    store(s, st)


@numba.njit(cache=True, inline="always")
def _lognormals(st, a, b, inline, out):  # type: ignore[no-untyped-def]
    """``out[i] = exp(a + b * z_i)`` for standard normals ``z_i`` drawn in order (the
    normals first, then ``exp`` in a loop of its own): the new state.

    ``exp`` is libm's, or, if ``inline`` (see `inline_exp`) and every ``a + b * z_i``
    lies in `libm_exp.in_fast_range`, `libm_exp.exp_fast`: the same numbers, in a loop
    without calls that vectorises. The range is checked in a pass of its own (cheap; in
    the drawing loop it slows that down): one loop that called libm for the rare argument
    outside would not do, as LLVM would call libm for every lane."""
    for i in range(out.shape[0]):
        out[i], st = standard_normal(st)
    fast = inline
    if inline:
        for i in range(out.shape[0]):
            fast &= libm_exp.in_fast_range(a + b * out[i])
    if fast:
        for i in range(out.shape[0]):
            out[i] = libm_exp.exp_fast(a + b * out[i])
    else:
        for i in range(out.shape[0]):
            out[i] = math.exp(a + b * out[i])
    return st


@numba.njit(cache=True, inline="always")
def _alias_pairs(values: np.ndarray, alias_index: np.ndarray) -> np.ndarray:
    """``pair[2k] = values[alias[k]]``, ``pair[2k + 1] = values[k]``: slot ``k`` gives
    ``pair[2k + keep]``. An indexed load instead of a branch on ``keep``, which is a coin
    flip for the branch predictor; the same value is picked."""
    m = alias_index.shape[0]
    pair = np.empty(2 * m, dtype=values.dtype)
    for k in range(m):
        pair[2 * k] = values[alias_index[k]]
        pair[2 * k + 1] = values[k]
    return pair


@numba.njit(cache=True)
def alias_index_into(
    s: np.ndarray, alias_prob: np.ndarray, alias_index: np.ndarray, out: np.ndarray
) -> None:
    """Category indices by an alias table: the EMPIRICAL draw of `sample_into` with values
    ``0..m-1``, written straight into an integer array."""
    m = alias_prob.shape[0]
    pair = _alias_pairs(np.arange(m), alias_index)
    st = load(s)
    for i in range(out.shape[0]):
        u, st = next_double(st)
        u = u * m
        slot = int(u)
        if slot >= m:
            slot = m - 1
        out[i] = pair[2 * slot + np.int64(u - slot < alias_prob[slot])]
    store(s, st)


@numba.njit(cache=True)
def searchsorted_by_into(
    s: np.ndarray, cumulative: np.ndarray, groups: np.ndarray, out: np.ndarray
) -> None:
    """``out[i] = searchsorted(cumulative[groups[i]], u_i, side="right")`` with one uniform
    ``u_i`` per row, in row order (a categorical draw by group)."""
    m = cumulative.shape[1]
    st = load(s)
    for i in range(out.shape[0]):
        u, st = next_double(st)
        g = groups[i]
        # For a sorted row, searchsorted(side="right") is the number of entries <= u;
        # counted without branches (a binary search mispredicts about half its steps).
        k = np.int64(0)
        for j in range(m):
            k += np.int64(cumulative[g, j] <= u)
        out[i] = k
    store(s, st)


@numba.njit(cache=True)
def group_order(groups: np.ndarray, n_groups: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows by group, each group's members in row order (a stable counting sort):
    ``order`` and ``starts`` (group ``g`` is ``order[starts[g]:starts[g + 1]]``). Computed
    once per channel and shared by every per-urgency column.

    One pass per group, each writing every row at the group's next place and moving on
    only for a member: for the six urgencies faster than one pass that keeps a counter
    per group (its loads and stores of the counters wait on one another)."""
    n = groups.shape[0]
    starts = np.zeros(n_groups + 1, dtype=np.int64)
    order = np.empty(n + 1, dtype=np.int64)  # one spare: a non-member may write at n
    p = 0
    for g in range(n_groups):
        starts[g] = p
        for i in range(n):
            order[p] = i
            p += groups[i] == g
    starts[n_groups] = p
    return order[:n], starts


@numba.njit(cache=True)
def sample_ordered_into(
    s: np.ndarray,
    order: np.ndarray,
    starts: np.ndarray,
    kinds: np.ndarray,
    params: np.ndarray,
    alias_values: np.ndarray,
    alias_prob: np.ndarray,
    alias_index: np.ndarray,
    alias_len: np.ndarray,
    out: np.ndarray,
    buf: np.ndarray,
    inline_exp: bool = False,
) -> None:
    """`kernels.sample_grouped_into` on a state array, the grouping (`group_order`) given:
    group by group (0 first), each over its members in row order. ``buf`` is scratch
    space of at least ``len(out)`` float64 (``inline_exp``: see `_lognormals`)."""
    n = out.shape[0]
    for g in range(starts.shape[0] - 1):
        if starts[g + 1] == starts[g]:
            continue
        w = alias_len[g]
        sample_into(
            s,
            kinds[g],
            params[g],
            alias_values[g, :w],
            alias_prob[g, :w],
            alias_index[g, :w],
            buf[starts[g] : starts[g + 1]],
            inline_exp,
        )
    for k in range(n):
        out[order[k]] = buf[k]


@numba.njit(cache=True)
def sample_grouped_into(
    s: np.ndarray,
    groups: np.ndarray,
    n_groups: int,
    kinds: np.ndarray,
    params: np.ndarray,
    alias_values: np.ndarray,
    alias_prob: np.ndarray,
    alias_index: np.ndarray,
    alias_len: np.ndarray,
    out: np.ndarray,
    inline_exp: bool = False,
) -> None:
    """`kernels.sample_grouped_into` on a state array: group by group (0 first), each
    over its members in row order (``inline_exp``: see `_lognormals`)."""
    order, starts = group_order(groups, n_groups)
    buf = np.empty(out.shape[0], dtype=np.float64)
    sample_ordered_into(
        s,
        order,
        starts,
        kinds,
        params,
        alias_values,
        alias_prob,
        alias_index,
        alias_len,
        out,
        buf,
        inline_exp,
    )


@numba.njit(cache=True)
def bernoulli_by_into(s: np.ndarray, p: np.ndarray, groups: np.ndarray, out: np.ndarray) -> None:
    """``out[i] = u_i < p[groups[i]]``, one uniform each (`kernels.draw_bernoulli_by`)."""
    st = load(s)
    for i in range(out.shape[0]):
        u, st = next_double(st)
        out[i] = u < p[groups[i]]
    store(s, st)


@numba.njit(cache=True)
def bernoulli_into(s: np.ndarray, p: float, out: np.ndarray) -> None:
    """``out[i] = u_i < p``, one uniform each (`kernels.draw_bernoulli`)."""
    st = load(s)
    for i in range(out.shape[0]):
        u, st = next_double(st)
        out[i] = u < p
    store(s, st)


@numba.njit(cache=True)
def lognormal_noise_into(
    s: np.ndarray, cv: float, out: np.ndarray, inline_exp: bool = False
) -> None:
    """`kernels.lognormal_noise_into` on a state array: one normal per entry, row by row
    (``out`` is C-contiguous, so that is its flat order; ``inline_exp``: `_lognormals`)."""
    sigma2 = math.log1p(cv * cv)
    sigma = math.sqrt(sigma2)
    _noise_flat_into(s, sigma, sigma2 / 2.0, cv > 0, inline_exp, out.reshape(out.size))


@numba.njit(cache=True)
def _noise_flat_into(
    s: np.ndarray, sigma: float, half: float, noisy: bool, inline_exp: bool, flat: np.ndarray
) -> None:
    """`lognormal_noise_into` on its flat array: ``exp(sigma * z - half)``, or 1 if not
    ``noisy``. A function of its own, since on an array reshaped in the same function
    the loops come out slower."""
    st = load(s)
    if _EXP_PASS:  # the normals first, as in `sample_into`
        if noisy:  # -half + sigma * z: the same sum as sigma * z - half
            st = _lognormals(st, -half, sigma, inline_exp, flat)
        else:
            for i in range(flat.shape[0]):
                _, st = standard_normal(st)
                flat[i] = 1.0
    else:
        for i in range(flat.shape[0]):
            z, st = standard_normal(st)
            flat[i] = math.exp(sigma * z - half) if noisy else 1.0
    store(s, st)


def _check_state(s: np.ndarray) -> None:
    """A kernel reads and writes ``s[0:4]`` unchecked: make sure it is a state array."""
    if not (
        isinstance(s, np.ndarray) and s.dtype == np.uint64 and s.shape == (4,) and s.flags.writeable
    ):
        raise ValueError(
            "a PCG64 state must be a writable uint64 array of shape (4,), got "
            f"{getattr(s, 'dtype', type(s).__name__)} of shape {getattr(s, 'shape', None)}"
        )


def arrival_counts(s: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Pass 1 of `arrivals._arrivals_kernel`: Poisson counts per interval.

    ``expected`` is checked first, once (1-d, finite, non-negative, a total of at most
    `arrivals.MAX_EXPECTED_ARRIVALS`, so the counts fit in int64): ValueError if not.
    For many streams of one intensity, `ArrivalCounts` does the checking once."""
    return ArrivalCounts(expected)(s)


class ArrivalCounts:
    """`arrival_counts` of one fixed intensity: checked and its `poisson_table` built once,
    then drawn for any stream."""

    def __init__(self, expected: np.ndarray) -> None:
        # its own read-only copy: the table is built for these values
        self.expected = np.array(_check_expected(expected, 1.0))
        self.expected.setflags(write=False)
        self.table = poisson_table(self.expected)

    def __call__(self, s: np.ndarray) -> np.ndarray:
        _check_state(s)
        return _arrival_counts(s, self.expected, self.table)


@numba.njit(cache=True)
def _arrival_counts(s: np.ndarray, expected: np.ndarray, table: np.ndarray) -> np.ndarray:
    n_int = expected.shape[0]
    counts = np.zeros(n_int, dtype=np.int64)
    st = load(s)
    for i in range(n_int):
        if expected[i] > 0.0:
            c = table[i]
            counts[i], st = poisson_with(
                st, expected[i], (c[0], c[1], c[2], c[3], c[4], c[5], c[6])
            )
    store(s, st)
    return counts


def interval_ends(n_intervals: int, interval: float) -> np.ndarray:
    """The largest time below each interval's end, ``nextafter((i + 1) * w, i * w)``, as
    `arrivals._arrivals_kernel` clamps its times (computed once per horizon)."""
    i = np.arange(n_intervals, dtype=np.float64)
    return np.nextafter((i + 1.0) * interval, i * interval)


def arrival_times_into(
    s: np.ndarray, counts: np.ndarray, interval: float, lasts: np.ndarray, out: np.ndarray
) -> None:
    """Pass 2 of `arrivals._arrivals_kernel`: uniform times within each interval, drawn
    in the same order and clamped alike (``lasts`` from `interval_ends`), then sorted
    within the interval; written into ``out`` (of length ``counts.sum()``).

    The sort is a different one (any sort gives the same sorted values): by counting
    ranks for up to `_RANK_SORT_MAX` arrivals, else a bucket pass by position within the
    interval and an insertion sort of the ties.
    The arguments are checked first, once (the kernel indexes them unchecked): ValueError
    if they do not fit together.
    """
    _check_state(s)
    if not (isinstance(counts, np.ndarray) and counts.ndim == 1 and counts.dtype == np.int64):
        raise ValueError("counts must be a 1-d int64 array (from arrival_counts)")
    if counts.size and int(counts.min()) < 0:
        raise ValueError("counts must be non-negative")
    interval = float(interval)
    if not (math.isfinite(interval) and interval > 0):
        raise ValueError(f"interval must be finite and positive, got {interval!r}")
    if not (
        isinstance(lasts, np.ndarray) and lasts.ndim == 1 and lasts.shape[0] >= counts.shape[0]
    ):
        raise ValueError("lasts must be a 1-d array with an entry per interval (interval_ends)")
    total = int(counts.sum())
    if not (
        isinstance(out, np.ndarray)
        and out.dtype == np.float64
        and out.ndim == 1
        and out.shape[0] == total
        and out.flags.writeable
    ):
        raise ValueError(
            f"out must be a writable 1-d float64 array of length counts.sum() = {total}"
        )
    _arrival_times_into(s, counts, interval, lasts, out)


_RANK_SORT_MAX = 24
"""Intervals with at most this many arrivals are sorted by counting ranks (faster than an
insertion sort, whose shifts mispredict, up to about this size)."""


@numba.njit(cache=True)
def _arrival_times_into(
    s: np.ndarray, counts: np.ndarray, interval: float, lasts: np.ndarray, out: np.ndarray
) -> None:
    kmax = 0
    for i in range(counts.shape[0]):
        kmax = max(kmax, counts[i])
    tmp = np.empty(kmax, dtype=np.float64)
    fill = np.empty(kmax + 1, dtype=np.int64)
    pos = 0
    st = load(s)
    for i in range(counts.shape[0]):
        k = counts[i]
        if k == 0:
            continue
        start = i * interval
        last = lasts[i]
        for j in range(k):
            u, st = next_double(st)
            t = start + u * interval
            if t > last:  # rounding could reach the end of the interval
                t = last
            tmp[j] = t
        if k <= _RANK_SORT_MAX:
            _rank_sort_into(tmp[:k], out[pos : pos + k])
        else:
            _bucket_sort_into(tmp[:k], start, interval, fill, out[pos : pos + k])
        pos += k
    store(s, st)


@numba.njit(cache=True, inline="always")
def _rank_sort_into(values: np.ndarray, out: np.ndarray) -> None:
    """``out`` = ``values`` sorted: each value goes to its rank, the number of values
    before it in sorted order (ties by position), counted without data-dependent
    branches."""
    k = values.shape[0]
    for j in range(k):
        v = values[j]
        rank = 0
        for q in range(j):
            rank += values[q] <= v
        for q in range(j + 1, k):
            rank += values[q] < v
        out[rank] = v


@numba.njit(cache=True, inline="always")
def _bucket_sort_into(
    values: np.ndarray, start: float, interval: float, fill: np.ndarray, out: np.ndarray
) -> None:
    """``out`` = ``values`` (all in ``[start, start + interval)``) sorted: a bucket pass
    by position within the interval, then an insertion sort of the few ties left.
    ``fill`` is scratch space of at least ``len(values) + 1``."""
    k = values.shape[0]
    # Bucket b = floor((t - start) * k / interval) is non-decreasing in t, so after this
    # pass only the (about one per bucket) ties are out of order.
    scale = k / interval
    fill[: k + 1] = 0
    for j in range(k):
        b = min(max(int((values[j] - start) * scale), 0), k - 1)
        fill[b + 1] += 1
    for b in range(k):
        fill[b + 1] += fill[b]
    for j in range(k):
        v = values[j]
        b = min(max(int((v - start) * scale), 0), k - 1)
        out[fill[b]] = v
        fill[b] += 1
    for j in range(1, k):
        v = out[j]
        m = j - 1
        while m >= 0 and out[m] > v:
            out[m + 1] = out[m]
            m -= 1
        out[m + 1] = v
