"""The compiled engine: the chain of ``docs/engine.md`` as a Numba event loop.

`simulate(scenario, demand, trace=False)` returns the same `Outcomes` (and, with
``trace=True``, the same event trace) as the SimPy reference `anwsim.model.simulate`.
"""

from anwsim.engine.run import simulate

__all__ = ["simulate"]
