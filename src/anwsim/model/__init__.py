"""The simulation stage: SimPy processes that move a `Demand` through the acute care chain.

`simulate(scenario, demand)` returns `Outcomes`. The model draws no random numbers; the
order of events at equal times is written down in `anwsim.model.clock`.
"""

from anwsim.model.chain import DEFAULT_ENGINE, ENGINES, Engine, simulate
from anwsim.model.outcomes import EXITS, Outcomes

__all__ = ["DEFAULT_ENGINE", "ENGINES", "EXITS", "Engine", "Outcomes", "simulate"]
