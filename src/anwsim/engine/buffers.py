"""Result arrays reused across replications once nothing holds them any more.

A replication's `Outcomes` columns are views of a few large arrays (about 85 MB for a
replication-year of the baseline). Fresh ones cost a page fault per page on first
write, and memory the caches have not seen. A pool keeps its arrays and hands one out
again only when its reference count says that no Outcomes, view or copy-free export
(pandas, Arrow, a memoryview) still refers to it: results never share memory with a
later replication's. A runner drops each replication's Outcomes before the next one,
or (a loop that assigns the next result to the same name) just after it: keeping two
of each lets those alternate.
"""

from __future__ import annotations

import sys
import threading

import numpy as np


def _reference_counts(held: list[np.ndarray]) -> list[int]:
    """`sys.getrefcount` of each array in ``held``, counted the same way every time."""
    return [sys.getrefcount(flat) for flat in held]


_UNREFERENCED = _reference_counts([np.empty(0)])[0]
"""What `_reference_counts` gives for an array nobody but the pool's list holds
(measured, not assumed: the interpreter's own references differ between versions)."""

HEADROOM = 1.125
"""A new array has room for this many times the elements asked for, so that the next
replications (a few percent more or fewer patients) fit in it."""


class BufferPool:
    """Flat arrays by name, ``keep`` of each at most, handed out as C-contiguous views."""

    def __init__(self, keep: int = 2) -> None:
        self._keep = keep
        self._held: dict[str, list[np.ndarray]] = {}
        self._lock = threading.Lock()

    def take(self, name: str, shape: tuple[int, ...], dtype: type) -> np.ndarray:
        """An uninitialised C-contiguous array of ``shape`` and ``dtype``: a view of an
        unreferenced pooled array of that dtype with room for it, or of a new one."""
        size = 1
        for extent in shape:
            size *= extent
        kind = np.dtype(dtype)
        with self._lock:
            held = self._held.setdefault(name, [])
            for flat, count in zip(held, _reference_counts(held), strict=True):
                if count == _UNREFERENCED and flat.dtype == kind and flat.shape[0] >= size:
                    return flat[:size].reshape(shape)
            flat = np.empty(int(size * HEADROOM) + 1, dtype=kind)
            held.append(flat)
            if len(held) > self._keep:
                del held[0]  # still alive while a result refers to it; no longer reused
            return flat[:size].reshape(shape)
