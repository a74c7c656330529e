"""Experiments: replications of a scenario, summaries with confidence intervals."""

from anwsim.experiment.replication import ReplicationResult, run_replication, run_sequential
from anwsim.experiment.summary import summarise

__all__ = ["ReplicationResult", "run_replication", "run_sequential", "summarise"]
