"""How the compiled engine is compiled: the loop and every helper it calls without Numba's
reference counting (with it, three quarters of the loop's time went to atomic increments
and decrements), cached on disk; only `run_chain` and `split_log`, which allocate, with it."""

from __future__ import annotations

from numba.core.registry import CPUDispatcher

from anwsim.engine import kernel

ALLOCATING = {"run_chain", "split_log"}


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
