"""Replications on a Dask cluster: an existing one (``tcp://host:port``) or a
`LocalCluster` started for the run (``local``).

Dask reschedules the tasks of a worker that dies, so a lost worker costs time, not
results.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from anwsim.experiment.tasks import Task, TaskResult, execute


class DaskCluster:
    """Tasks on a Dask cluster: an address, or ``local`` for a LocalCluster."""

    def __init__(self, scheduler: str, workers: int | None) -> None:
        try:
            from distributed import Client, LocalCluster
        except ImportError as exc:  # pragma: no cover - depends on the install
            raise RuntimeError(
                "a Dask scheduler needs dask.distributed: pip install 'anwsim[dask]'"
            ) from exc
        self._cluster: Any = None
        if scheduler == "local":
            self._cluster = LocalCluster(
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self.client = Client(self._cluster)
            self.name = f"Dask LocalCluster ({len(self._cluster.workers)} workers)"
        else:
            self.client = Client(scheduler)
            self.name = f"Dask at {scheduler}"

    def run(self, tasks: Iterable[Task]) -> Iterator[TaskResult]:
        from distributed import as_completed as dask_completed

        futures = [self.client.submit(execute, task, pure=False) for task in tasks]
        try:
            for future in dask_completed(futures):
                yield future.result()
        finally:
            self.client.cancel(futures)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()
