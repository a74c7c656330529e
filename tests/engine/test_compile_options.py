"""How the compiled engine is compiled: the loop and every helper it calls without Numba's
reference counting (with it, three quarters of the loop's time went to atomic increments
and decrements), cached on disk; only `run_chain`, `event_state` and `split_log`, which
allocate, with it."""

from __future__ import annotations

from numba.core.registry import CPUDispatcher

from anwsim.engine import kernel

ALLOCATING = {"run_chain", "split_log", "event_state"}


def dispatchers() -> dict[str, CPUDispatcher]:
    return {name: value for name, value in vars(kernel).items() if isinstance(value, CPUDispatcher)}


def test_the_loop_and_its_helpers_run_without_reference_counting() -> None:
    found = dispatchers()
    assert {"event_loop", "resume", "schedule", "dispatch_staff"} <= set(found)
    for name, dispatcher in found.items():
        nrt = dispatcher.targetoptions.get("_nrt", True)
        assert nrt is (name in ALLOCATING), name


def test_every_kernel_function_is_cached_on_disk() -> None:
    for name, dispatcher in dispatchers().items():
        assert dispatcher._cache.__class__.__name__ == "FunctionCache", name


def test_the_loop_has_no_divisor_checks() -> None:
    """NumPy's error model: no exception paths in the loop (about 10% of its time)."""
    for name, dispatcher in dispatchers().items():
        if name not in ALLOCATING:
            assert dispatcher.targetoptions.get("error_model") == "numpy", name


def test_prefetch_hints_compile_and_change_nothing() -> None:
    import numpy as np
    from numba import njit

    from anwsim.engine.prefetch import prefetch_read, prefetch_write

    @njit
    def touch(a: np.ndarray) -> float:
        total = 0.0
        for i in range(a.shape[0]):
            prefetch_read(a, i, 0)
            prefetch_write(a, i, a.shape[1] - 1)
            prefetch_read(a, a.shape[0] + 100, 0)  # beyond the array: a hint never faults
            total += a[i, 0]
        return total

    a = np.arange(12.0).reshape(4, 3)
    before = a.copy()
    assert touch(a) == 0.0 + 3.0 + 6.0 + 9.0
    assert np.array_equal(a, before)
