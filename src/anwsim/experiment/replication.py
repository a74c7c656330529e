"""One replication from scenario to KPI table, and a sequential batch of them.

`run_replication` is the unit of work every runner (sequential here; parallel and
distributed in later stages) executes: sample the replication's Demand, simulate it,
compute its KPIs. Replication ``r`` always uses child ``r`` of the scenario's seed, so
the result depends on nothing but the scenario, the seed and ``r``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import pandas as pd

from anwsim.metrics import kpi_table
from anwsim.model import DEFAULT_ENGINE, Engine, Outcomes, simulate
from anwsim.sampling import DemandSampler
from anwsim.scenario import Scenario


@dataclass(frozen=True)
class ReplicationResult:
    replication: int
    kpis: pd.DataFrame
    outcomes: Outcomes


def run_replication(
    scenario: Scenario,
    replication: int,
    sampler: DemandSampler | None = None,
    engine: Engine = DEFAULT_ENGINE,
) -> ReplicationResult:
    """Sample, simulate (on ``engine``) and measure replication ``replication``."""
    sampler = sampler or DemandSampler(scenario)
    demand = sampler.sample(replication)
    outcomes = simulate(scenario, demand, engine=engine)
    return ReplicationResult(replication, kpi_table(scenario, outcomes), outcomes)


def run_sequential(
    scenario: Scenario,
    replications: Iterable[int],
    on_result: Callable[[ReplicationResult], None] | None = None,
) -> pd.DataFrame:
    """Run replications one after another; returns all their KPI rows."""
    sampler = DemandSampler(scenario)
    frames = []
    for r in replications:
        result = run_replication(scenario, r, sampler)
        if on_result is not None:
            on_result(result)
        frames.append(result.kpis)
    return pd.concat(frames, ignore_index=True)
