"""The sampling stage: named random streams and the per-replication `Demand`.

Everything that does not depend on the state of the system is drawn here, by
Numba-compiled kernels, so that the model only moves patients.
"""

from anwsim.sampling.demand import (
    LEGS,
    Demand,
    DemandSampler,
    expected_arrivals,
    sample_demand,
    sample_demand_batch,
)
from anwsim.sampling.streams import STREAM_NAMES, ReplicationStreams, stream_key

__all__ = [
    "LEGS",
    "STREAM_NAMES",
    "Demand",
    "DemandSampler",
    "ReplicationStreams",
    "expected_arrivals",
    "sample_demand",
    "sample_demand_batch",
    "stream_key",
]
