"""`libm_exp.exp_fast` is libm's ``exp`` bit for bit where the kernels use it, and the
lognormal kernels draw the same numbers with it as with libm."""

from __future__ import annotations

import math
import struct

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from anwsim.sampling import kernels as K
from anwsim.sampling import libm_exp, pcg64
from anwsim.scenario.distributions import Lognormal

LOW, HIGH = math.ldexp(1.0, -54), 512.0

needs_glibc_exp = pytest.mark.skipif(
    not libm_exp.matches_libm(),
    reason="exp_fast is not this libm's exp here, so the kernels do not use it",
)


def _bits(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


@numba.njit(cache=True)
def _exp_fast_each(x: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    for i in range(x.shape[0]):
        out[i] = libm_exp.exp_fast(x[i])
    return out


@numba.njit(cache=True)
def _in_range_each(x: np.ndarray) -> np.ndarray:
    out = np.empty(x.shape[0], dtype=np.bool_)
    for i in range(x.shape[0]):
        out[i] = libm_exp.in_fast_range(x[i])
    return out


def _libm_exp(x: np.ndarray) -> np.ndarray:
    return np.array([math.exp(v) for v in x])


def test_the_fast_range_is_2_to_the_minus_54_up_to_512() -> None:
    tiny = math.ldexp(1.0, -1074)
    inside = [LOW, np.nextafter(HIGH, 0.0), 1.0]
    outside = [np.nextafter(LOW, 0.0), HIGH, 0.0, tiny, 1e300, math.inf, math.nan]
    x = np.array(inside + outside)
    want = np.arange(x.size) < len(inside)
    assert np.array_equal(_in_range_each(x), want)
    assert np.array_equal(_in_range_each(-x), want)


def test_the_table_holds_two_to_the_k_over_128() -> None:
    """``tab[2k+1] + (k << 45)`` is the double nearest ``2**(k/128)``; ``tab[2k]`` its
    relative error, below half an ulp."""
    table = libm_exp.exp_table()
    for k in range(128):
        scale = struct.unpack("<d", struct.pack("<Q", (int(table[2 * k + 1]) + (k << 45)) % 2**64))
        tail = struct.unpack("<d", struct.pack("<Q", int(table[2 * k])))[0]
        assert scale[0] == pytest.approx(2.0 ** (k / 128), rel=1e-15)
        assert abs(tail) <= 2.0**-53


@needs_glibc_exp
def test_exp_fast_is_libm_exp_on_the_check_inputs_and_beyond() -> None:
    x = libm_exp.check_inputs()
    x = x[_in_range_each(x)]
    more = np.random.default_rng(1).normal(2.0, 3.0, 200_000)
    for values in (x, more):
        assert np.array_equal(
            _exp_fast_each(values).view(np.uint64), _libm_exp(values).view(np.uint64)
        )


@needs_glibc_exp
@settings(max_examples=2000, deadline=None)
@given(st.floats(min_value=LOW, max_value=np.nextafter(HIGH, 0.0)), st.booleans())
def test_exp_fast_is_libm_exp_anywhere_in_the_range(x: float, negative: bool) -> None:
    x = -x if negative else x
    assert _bits(float(_exp_fast_each(np.array([x]))[0])) == _bits(math.exp(x))


@pytest.mark.parametrize(
    ("mu", "sigma"),
    [(1.5, 0.4), (0.0, 1e-20), (0.0, 200.0)],  # typical; all arguments tiny; some > 512
    ids=["typical", "tiny", "huge"],
)
def test_lognormal_kernels_draw_the_same_with_either_exp(mu: float, sigma: float) -> None:
    """With ``inline_exp`` (taken only where `pcg64.inline_exp`) the lognormal kernels give
    the Generator kernel's numbers, also when some arguments leave the fast range."""
    e = K.encode(Lognormal(kind="lognormal", mean_minutes=1.0, sd_minutes=1.0))
    params = np.array([mu, sigma, 0.0])
    n = 50_000
    gen = np.random.default_rng(7)
    want = np.empty(n)
    K.sample_into(gen, e.kind, params, e.alias_values, e.alias_prob, e.alias_index, want)
    for inline in (False, True):
        s = _state_of(np.random.default_rng(7))
        got = np.empty(n)
        pcg64.sample_into(
            s, e.kind, params, e.alias_values, e.alias_prob, e.alias_index, got, inline
        )
        assert got.tobytes() == want.tobytes()
        assert np.array_equal(s, _state_of(gen))


@pytest.mark.parametrize("cv", [0.1, 0.0, 1e6])
def test_noise_is_the_same_with_either_exp(cv: float) -> None:
    gen = np.random.default_rng(8)
    want = np.empty((20_000, 4))
    K.lognormal_noise_into(gen, cv, want)
    for inline in (False, True):
        s = _state_of(np.random.default_rng(8))
        got = np.empty((20_000, 4))
        pcg64.lognormal_noise_into(s, cv, got, inline)
        assert got.tobytes() == want.tobytes()
        assert np.array_equal(s, _state_of(gen))


def _state_of(gen: np.random.Generator) -> np.ndarray:
    s = gen.bit_generator.state["state"]
    m = (1 << 64) - 1
    return np.array([s["state"] >> 64, s["state"] & m, s["inc"] >> 64, s["inc"] & m], np.uint64)


@pytest.mark.parametrize(
    ("reported", "expected"),
    [("glibc 2.36", True), ("glibc 2.28", True), ("glibc 2.27", False), ("musl 1.2", False)],
)
def test_the_inline_exp_is_only_for_glibc_2_28_or_later(
    monkeypatch: pytest.MonkeyPatch, reported: str, expected: bool
) -> None:
    monkeypatch.setattr(libm_exp.os, "confstr", lambda name: reported)
    assert libm_exp.is_glibc_exp() is expected


def test_no_glibc_version_means_no_inline_exp(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise ValueError(name)

    monkeypatch.setattr(libm_exp.os, "confstr", missing)
    assert libm_exp.is_glibc_exp() is False
