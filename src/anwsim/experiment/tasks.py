"""The unit of work of every runner: one replication of one scenario, run anywhere.

`execute(task)` is a plain top-level function so that worker processes and Dask workers
can run it. It never raises: a failing replication comes back as a `TaskResult` with
the error and its traceback, so one bad replication cannot kill a batch of hundreds.
A result names the versions of the process that computed it (`result_versions`), which
the result store writes into every replication file.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Literal

import pandas as pd

from anwsim.experiment.eventlog import event_log
from anwsim.experiment.replication import run_replication
from anwsim.metrics import utilisation_by_hour_of_week
from anwsim.model import DEFAULT_ENGINE, Engine
from anwsim.sampling import DemandSampler
from anwsim.scenario import Scenario, scenario_hash

LogLevel = Literal["kpis", "full"]

RESULT_VERSIONS = ("anwsim", "numpy", "numba")
"""The packages whose version can change a replication's numbers: a result directory
never mixes replications computed under different versions of these."""

_VERSIONS: dict[str, str] = {}


def result_versions() -> dict[str, str]:
    """Versions of `RESULT_VERSIONS` in this process (looked up once)."""
    if not _VERSIONS:
        from anwsim import __version__

        found = {"anwsim": __version__}
        for name in RESULT_VERSIONS[1:]:
            try:
                found[name] = version(name)
            except PackageNotFoundError:  # pragma: no cover
                found[name] = "not installed"
        _VERSIONS.update(found)
    return dict(_VERSIONS)


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
    events: pd.DataFrame | None = None
    error: str | None = None
    traceback: str | None = None
    versions: dict[str, str] | None = None  # of the process that computed it
    engine: str | None = None

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


def execute(task: Task) -> TaskResult:
    """Run one task; errors are caught and returned, never raised."""
    seed = task.scenario.run.seed
    try:
        result = run_replication(
            task.scenario, task.replication, _sampler(task.scenario), engine=task.engine
        )
        kpis = result.kpis.copy()
        kpis.insert(0, "scenario", task.label)
        start, end = task.scenario.run.warmup_minutes, result.outcomes.horizon
        hourly = utilisation_by_hour_of_week(result.outcomes, start, end)
        hourly.insert(0, "scenario", task.label)
        hourly.insert(1, "replication", task.replication)
        events = None
        if task.log == "full":
            events = event_log(result.outcomes, run=task.replication)
        return TaskResult(
            task.label,
            task.replication,
            seed,
            kpis=kpis,
            hourly=hourly,
            events=events,
            versions=result_versions(),
            engine=task.engine,
        )
    except Exception as exc:  # a failing replication must not kill the batch
        return TaskResult(
            task.label,
            task.replication,
            seed,
            error=f"{type(exc).__name__}: {exc}",
            traceback=traceback.format_exc(),
        )
