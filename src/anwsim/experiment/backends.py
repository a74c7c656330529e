"""Where replications run: in this process, in local worker processes, or on Dask.

Every backend takes tasks and yields their results as they complete, in any order; the
experiment sorts them by replication afterwards, so results never depend on the backend
or the number of workers (replication ``r`` always uses child ``r`` of the seed).

* ``workers=1``: in this process, one after another.
* ``workers=N``: a `concurrent.futures.ProcessPoolExecutor` with N spawned processes
  (each keeps freed memory for the next replication: `anwsim.memory`).
* ``scheduler="tcp://host:port"``: an existing Dask cluster (`dask.distributed`);
  ``scheduler="local"``: a `LocalCluster` started for the run. Dask reschedules the
  tasks of a worker that dies.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol

from anwsim.experiment.tasks import Task, TaskResult, execute
from anwsim.memory import keep_freed_memory


class Backend(Protocol):
    name: str

    def run(self, tasks: Iterable[Task]) -> Iterator[TaskResult]: ...

    def close(self) -> None: ...


class InProcess:
    name = "in-process"

    def run(self, tasks: Iterable[Task]) -> Iterator[TaskResult]:
        for task in tasks:
            yield execute(task)

    def close(self) -> None:
        pass


def _worker_setup() -> None:
    """Start a local worker: keep freed memory for the next replication, import what a
    replication needs and exempt those long-lived objects from garbage collection (a
    collection then visits only a replication's own objects)."""
    import gc

    import anwsim.engine.run  # noqa: F401

    keep_freed_memory()
    gc.freeze()


class LocalProcesses:
    """A pool of spawned worker processes (safe with threads and Numba)."""

    def __init__(self, workers: int) -> None:
        self.name = f"{workers} local processes"
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=context, initializer=_worker_setup
        )

    def run(self, tasks: Iterable[Task]) -> Iterator[TaskResult]:
        submitted = {self._pool.submit(execute, task): task for task in tasks}
        try:
            for future in as_completed(submitted):
                try:
                    yield future.result()
                except BrokenProcessPool as exc:  # a worker died (killed, out of memory)
                    task = submitted[future]
                    yield TaskResult(
                        task.label,
                        task.replication,
                        task.scenario.run.seed,
                        error=f"worker process died: {exc}",
                    )
        finally:
            for future in submitted:
                future.cancel()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def make_backend(workers: int | None = None, scheduler: str | None = None) -> Backend:
    """The backend for ``--workers`` / ``--scheduler`` (default: all cores locally)."""
    if scheduler:
        from anwsim.experiment.dask_backend import DaskCluster

        return DaskCluster(scheduler, workers)
    n = workers or os.cpu_count() or 1
    if n < 1:
        raise ValueError("workers must be at least 1")
    return InProcess() if n == 1 else LocalProcesses(n)
