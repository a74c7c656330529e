"""The unit of work of every runner: one replication of one scenario, run anywhere.

`execute(task)` is a plain top-level function so that worker processes and Dask workers
can run it. It never raises: a failing replication comes back as a `TaskResult` with
the error and its traceback, so one bad replication cannot kill a batch of hundreds.
A result names the versions of the process that computed it (`result_versions`), which
the result store writes into every replication file, and the digest of its Demand
(`demand_digest`).
"""

from __future__ import annotations

import hashlib
import traceback
from dataclasses import dataclass
from typing import Literal, cast

import numpy as np
import pandas as pd

from anwsim.experiment.eventlog import event_log
from anwsim.experiment.replication import run_replication
from anwsim.experiment.versions import RESULT_VERSIONS, result_versions
from anwsim.metrics import queues_by_hour_of_week, utilisation_by_hour_of_week
from anwsim.model import DEFAULT_ENGINE, Engine
from anwsim.sampling import Demand, DemandSampler
from anwsim.scenario import Scenario, scenario_hash

__all__ = [
    "RESULT_VERSIONS",
    "LogLevel",
    "Task",
    "TaskResult",
    "demand_digest",
    "execute",
    "result_versions",
]

LogLevel = Literal["kpis", "full"]

DIGEST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("arrival_minutes", "float64"),
    ("channel", "int16"),
    ("entry", "int8"),
    ("area", "int32"),
    ("urgency", "int8"),
    ("disposition", "int8"),
)
"""The Demand columns that identify its patients, and the dtype each is hashed as."""


def demand_digest(demand: Demand) -> str:
    """SHA-256 (hex) of the columns that identify a replication's patients (arrival
    minute, channel, entry, area, urgency, disposition, in row order): equal digests mean
    the same patients. About 3 ms for a year of the baseline."""
    digest = hashlib.sha256()
    for name, dtype in DIGEST_COLUMNS:
        column = np.ascontiguousarray(getattr(demand, name), dtype=dtype)
        digest.update(f"{name}:{dtype}:{column.size};".encode())
        digest.update(column.tobytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class Task:
    """Replication ``replication`` of the scenario labelled ``label``."""

    label: str
    scenario: Scenario
    replication: int
    log: LogLevel = "kpis"
    engine: Engine = DEFAULT_ENGINE


@dataclass
class TaskResult:
    label: str
    replication: int
    seed: int
    kpis: pd.DataFrame | None = None
    hourly: pd.DataFrame | None = None
    queues: pd.DataFrame | None = None
    events: pd.DataFrame | None = None
    error: str | None = None
    traceback: str | None = None
    versions: dict[str, str] | None = None  # of the process that computed it
    engine: str | None = None
    demand_digest: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


_SAMPLERS: dict[str, DemandSampler] = {}
"""Per process: one sampler per scenario, so intensities are computed once per worker."""


def _sampler(scenario: Scenario) -> DemandSampler:
    key = scenario_hash(scenario)
    sampler = _SAMPLERS.get(key)
    if sampler is None:
        if len(_SAMPLERS) > 16:
            _SAMPLERS.clear()
        sampler = _SAMPLERS[key] = DemandSampler(scenario)
    return sampler


class _Recorded:
    """A sampler that keeps the Demand it drew, for its digest."""

    def __init__(self, sampler: DemandSampler) -> None:
        self.sampler = sampler
        self.demand: Demand | None = None

    def sample(self, replication: int) -> Demand:
        self.demand = self.sampler.sample(replication)
        return self.demand


def execute(task: Task) -> TaskResult:
    """Run one task; errors are caught and returned, never raised."""
    seed = task.scenario.run.seed
    try:
        sampler = _Recorded(_sampler(task.scenario))
        result = run_replication(
            task.scenario, task.replication, cast(DemandSampler, sampler), engine=task.engine
        )
        digest = demand_digest(sampler.demand) if sampler.demand is not None else None
        kpis = result.kpis.copy()
        kpis.insert(0, "scenario", task.label)
        start, end = task.scenario.run.warmup_minutes, result.outcomes.horizon
        hourly = utilisation_by_hour_of_week(result.outcomes, start, end)
        hourly.insert(0, "scenario", task.label)
        hourly.insert(1, "replication", task.replication)
        queues = queues_by_hour_of_week(result.outcomes, start, end, scenario=task.scenario)
        queues.insert(0, "scenario", task.label)
        queues.insert(1, "replication", task.replication)
        events = None
        if task.log == "full":
            events = event_log(result.outcomes, task.scenario, run=task.replication)
        return TaskResult(
            task.label,
            task.replication,
            seed,
            kpis=kpis,
            hourly=hourly,
            queues=queues,
            events=events,
            versions=result_versions(),
            engine=task.engine,
            demand_digest=digest,
        )
    except Exception as exc:  # a failing replication must not kill the batch
        return TaskResult(
            task.label,
            task.replication,
            seed,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )
