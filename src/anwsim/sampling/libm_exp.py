"""glibc's ``exp`` without the call: the same results bit for bit, vectorisable.

A lognormal draw spends more time in ``exp`` than in its normal: a call into libm per
value, through an indirect jump and the error-handling wrapper. `exp_fast` computes what
glibc 2.28 and later compute on x86-64 with FMA (``__exp_fma``, the ARM
optimized-routines algorithm of ``sysdeps/ieee754/dbl-64/e_exp.c``: a 128-entry table
and a degree-5 polynomial), operation for operation with the same fused multiply-adds,
so it rounds alike wherever glibc takes that path, ``2**-54 <= |x| < 512``
(`in_fast_range`). Outside it (zero, tiny, huge, inf, NaN) the kernels call libm.

The constants are glibc's (``e_exp_data.c``); the table is built from its definition
(`exp_table`) and equals glibc's. Whether all that is libm's ``exp`` depends on the libm:
`matches_libm` is true only if `exp_fast` gives exactly what this process's ``math.exp``
gives on `check_inputs` (every table entry, random mantissas over the whole fast range,
its edges). It is with glibc on a CPU with FMA; with another libm (or glibc's variant for
CPUs without FMA, which differs on a few in ten thousand inputs) the check fails and the
kernels call libm as before. The check runs the compiled code, so it tests the code that
runs, also when that comes from Numba's cache.
"""

from __future__ import annotations

import functools
import math
import os
import struct
from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import cast

import numba
import numpy as np
from llvmlite import ir
from numba import types
from numba.extending import intrinsic

__all__ = ["check_inputs", "exp_fast", "exp_table", "in_fast_range", "is_glibc_exp", "matches_libm"]

_TABLE_BITS = 7
_N = 1 << _TABLE_BITS
# The constants of glibc's ``__exp_data`` (e_exp_data.c).
_INV_LN2_N = float.fromhex("0x1.71547652b82fep0") * _N
_NEG_LN2_HI_N = float.fromhex("-0x1.62e42fefa0000p-8")
_NEG_LN2_LO_N = float.fromhex("-0x1.cf79abc9e3b3ap-47")
_SHIFT = float.fromhex("0x1.8p52")
_C2 = float.fromhex("0x1.ffffffffffdbdp-2")
_C3 = float.fromhex("0x1.555555555543cp-3")
_C4 = float.fromhex("0x1.55555cf172b91p-5")
_C5 = float.fromhex("0x1.1111167a4d017p-7")
_TOP_LOW = 0x3C9  # top 12 bits of 2**-54
_TOP_SPAN = 0x408 - 0x3C9  # up to the top 12 bits of 512


def _bits(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


def exp_table() -> np.ndarray:
    """glibc's ``__exp_data.tab``: for k < 128, with ``H`` the double nearest ``2**(k/128)``,
    ``tab[2k]`` holds ``2**(k/128) / H - 1`` (rounded) and ``tab[2k+1]`` the bits of ``H``
    minus ``k << 45``, so that adding ``ki << 45`` gives the scale ``2**(ki/128)``."""
    table = np.empty(2 * _N, dtype=np.uint64)
    with localcontext() as ctx:
        ctx.prec = 50
        ln2 = Decimal(2).ln()
        for k in range(_N):
            exact = (ln2 * k / _N).exp()
            h = float(exact)  # float(Decimal) rounds to nearest
            table[2 * k] = _bits(float(exact / Decimal(h) - 1))
            table[2 * k + 1] = (_bits(h) - (k << (52 - _TABLE_BITS))) % (1 << 64)
    return table


_TAB = exp_table()


def _fma_typer(typingctx, a, b, c):  # type: ignore[no-untyped-def]
    sig = types.float64(types.float64, types.float64, types.float64)

    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        d = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [d], ir.FunctionType(d, [d, d, d]))
        return builder.call(fn, args)

    return sig, codegen


def _as_uint64_typer(typingctx, x):  # type: ignore[no-untyped-def]
    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], ir.IntType(64))

    return types.uint64(types.float64), codegen


def _as_double_typer(typingctx, u):  # type: ignore[no-untyped-def]
    def codegen(context, builder, signature, args):  # type: ignore[no-untyped-def]
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.uint64), codegen


_fma = cast("Callable[[float, float, float], float]", intrinsic(_fma_typer))
"""``a * b + c`` rounded once (LLVM's ``llvm.fma.f64``: one instruction with FMA)."""
_as_uint64 = cast("Callable[[float], np.uint64]", intrinsic(_as_uint64_typer))
"""The bits of a float64."""
_as_double = cast("Callable[[np.uint64], float]", intrinsic(_as_double_typer))
"""The float64 of 64 bits."""


@numba.njit(cache=True, inline="always")
def in_fast_range(x: float) -> bool:
    """``2**-54 <= |x| < 512``: where `exp_fast` is glibc's ``exp`` (NaN is outside)."""
    top = (_as_uint64(x) >> np.uint64(52)) & np.uint64(0x7FF)
    return bool(top - np.uint64(_TOP_LOW) < np.uint64(_TOP_SPAN))  # unsigned: below wraps


@numba.njit(cache=True, inline="always")
def exp_fast(x: float) -> float:
    """glibc's ``exp`` for `in_fast_range` ``x`` (meaningless elsewhere; no branch, so a
    loop of it vectorises): ``x = k ln2/128 + r`` and
    ``exp(x) = 2**(k/128) (1 + tail + r + C2 r^2 + ... + C5 r^5)``."""
    kd = _fma(x, _INV_LN2_N, _SHIFT)  # k in the low bits of kd
    ki = _as_uint64(kd)
    kd = kd - _SHIFT
    r = _fma(kd, _NEG_LN2_HI_N, x)
    r = _fma(kd, _NEG_LN2_LO_N, r)
    idx = np.int64(ki & np.uint64(_N - 1)) * 2
    tail = _as_double(_TAB[idx])
    scale = _as_double(_TAB[idx + 1] + (ki << np.uint64(52 - _TABLE_BITS)))
    r2 = r * r
    tmp = _fma(r2 * r2, _fma(r, _C5, _C4), _fma(_fma(r, _C3, _C2), r2, tail + r))
    return _fma(scale, tmp, scale)


@numba.njit(cache=True)
def _count_differences(x: np.ndarray) -> int:
    """How many `in_fast_range` ``x[i]`` `exp_fast` and libm's ``exp`` map to different
    bits."""
    bad = 0
    for i in range(x.shape[0]):
        if in_fast_range(x[i]):
            bad += _as_uint64(exp_fast(x[i])) != _as_uint64(math.exp(x[i]))
    return bad


def check_inputs() -> np.ndarray:
    """The inputs `matches_libm` tries: the edges of the fast range, the typical range of
    a lognormal's exponent, and random bit patterns over the whole fast range (so every
    table entry and many rounding cases), with both signs."""
    rng = np.random.default_rng(20250101)
    low, high = math.ldexp(1.0, -54), 512.0
    edges = [low, np.nextafter(low, 1.0), np.nextafter(high, 0.0), high, 0.5, 1.0, 700.0]
    edges += [0.0, math.ldexp(1.0, -60), math.inf, math.nan, -745.2, 709.7, 709.8, 1e-310]
    top = rng.integers(_TOP_LOW, _TOP_LOW + _TOP_SPAN, size=1 << 16, dtype=np.uint64)
    mantissa = rng.integers(0, 1 << 52, size=1 << 16, dtype=np.uint64)
    spread = ((top << np.uint64(52)) | mantissa).view(np.float64)
    typical = rng.uniform(-12.0, 12.0, size=1 << 15)
    x = np.concatenate([np.array(edges), spread, typical])
    return np.concatenate([x, -x])


def is_glibc_exp() -> bool:
    """Whether this process's C library is glibc 2.28 or later, whose ``exp`` `exp_fast`
    follows (`matches_libm` then checks the values)."""
    try:
        name, version = str(os.confstr("CS_GNU_LIBC_VERSION")).split()  # "glibc 2.36"
        major, minor = (int(part) for part in version.split(".")[:2])
    except (AttributeError, OSError, TypeError, ValueError):  # no glibc, or no confstr
        return False
    return name == "glibc" and (major, minor) >= (2, 28)


@functools.cache
def matches_libm() -> bool:
    """Whether `exp_fast` equals this process's libm ``exp`` on every `in_fast_range`
    value of `check_inputs` (computed once per process)."""
    return int(_count_differences(check_inputs())) == 0
