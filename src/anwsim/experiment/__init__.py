"""Experiments: replications on local processes or Dask, CIs, comparisons, resumable results.

The names below are imported on first use, so that reading a result directory
(`anwsim.experiment.store`, `anwsim.experiment.summary`, as the report does) imports
nothing of the runner, the model or the sampling stage.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anwsim.experiment.api import ReplicationsFailed, compare, resume, run, sweep
    from anwsim.experiment.replication import ReplicationResult, run_replication, run_sequential
    from anwsim.experiment.runner import DEFAULT_TARGETS, ExperimentResult, Plan, run_experiment
    from anwsim.experiment.summary import paired_differences, summarise

_LAZY = {
    "ReplicationsFailed": "anwsim.experiment.api",
    "compare": "anwsim.experiment.api",
    "resume": "anwsim.experiment.api",
    "run": "anwsim.experiment.api",
    "sweep": "anwsim.experiment.api",
    "ReplicationResult": "anwsim.experiment.replication",
    "run_replication": "anwsim.experiment.replication",
    "run_sequential": "anwsim.experiment.replication",
    "DEFAULT_TARGETS": "anwsim.experiment.runner",
    "ExperimentResult": "anwsim.experiment.runner",
    "Plan": "anwsim.experiment.runner",
    "run_experiment": "anwsim.experiment.runner",
    "paired_differences": "anwsim.experiment.summary",
    "summarise": "anwsim.experiment.summary",
}

__all__ = [
    "DEFAULT_TARGETS",
    "ExperimentResult",
    "Plan",
    "ReplicationResult",
    "ReplicationsFailed",
    "compare",
    "paired_differences",
    "resume",
    "run",
    "run_experiment",
    "run_replication",
    "run_sequential",
    "summarise",
    "sweep",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'anwsim.experiment' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
