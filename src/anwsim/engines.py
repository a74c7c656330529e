"""The two engines that run the chain's rules, and the default (no heavy imports here)."""

from typing import Literal

Engine = Literal["fast", "simpy"]
ENGINES: tuple[str, ...] = ("fast", "simpy")
"""``fast``: the compiled event loop of `anwsim.engine` (compiles once, then cached);
``simpy``: the SimPy model of `anwsim.model`, the readable reference where a new rule is
written first. Both give the same Outcomes and event trace (tests/engine proves it)."""
DEFAULT_ENGINE: Engine = "fast"
"""The engine everything runs on unless told otherwise."""
