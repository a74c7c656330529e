"""`simulate` on the SimPy model: the tests of tests/model hold the reference to its rules
(the compiled engine, the default elsewhere, is held to the same by tests/engine)."""

from __future__ import annotations

from typing import Any

from anwsim.model import simulate as simulate_any


def simulate(*args: Any, **kwargs: Any) -> Any:
    """`anwsim.model.simulate` with ``engine="simpy"``."""
    return simulate_any(*args, engine="simpy", **kwargs)
