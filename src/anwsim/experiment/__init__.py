"""Experiments: replications on local processes or Dask, CIs, comparisons, resumable results."""

from anwsim.experiment.api import ReplicationsFailed, compare, resume, run, sweep
from anwsim.experiment.replication import ReplicationResult, run_replication, run_sequential
from anwsim.experiment.runner import DEFAULT_TARGETS, ExperimentResult, Plan, run_experiment
from anwsim.experiment.summary import paired_differences, summarise

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
