"""Keep freed memory in the process for the next replication (glibc only).

A replication-year allocates and frees a few hundred MB of arrays (Demand columns, the
compiled engine's state, Outcomes, KPI temporaries). glibc hands blocks above a dynamic
threshold straight back to the kernel when they are freed, so the next replication takes
a page fault, and the kernel zeroes a page, for every 4 KiB it touches again: about a
fifth of a replication's time in a worker (measured as system time, 58 ms per
replication-year of the baseline). Raising the mmap and trim thresholds keeps those
blocks in the heap, where the next replication reuses them. The process keeps its peak
footprint instead of shrinking between replications; results do not change.

Applied to the processes anwsim owns: the CLI's and its local worker processes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys

M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD_MAX = 32 * 1024 * 1024  # glibc's upper bound on 64-bit systems
TRIM_THRESHOLD = 2**31 - 1  # mallopt takes a C int
TOP_PAD = 64 * 1024 * 1024

_applied = False


def keep_freed_memory() -> bool:
    """Tune glibc's malloc once per process; False where there is no glibc (macOS,
    Windows, musl), where nothing changes."""
    global _applied
    if _applied:
        return True
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    ok = all(
        mallopt(param, value) == 1
        for param, value in (
            (M_MMAP_THRESHOLD, MMAP_THRESHOLD_MAX),
            (M_TRIM_THRESHOLD, TRIM_THRESHOLD),
            (M_TOP_PAD, TOP_PAD),
        )
    )
    _applied = ok
    return ok
