"""Replications on a Dask cluster: an existing one (``tcp://host:port``, ``tls://…``) or
a `LocalCluster` started for the run (``local``).

Dask reschedules the tasks of a worker that dies, so a lost worker costs time, not
results.

A Dask scheduler runs whatever code its clients submit, so who may connect matters. The
``local`` cluster is closed to everyone but this run:

* its scheduler, workers and nannies listen on the loopback interface only;
* every connection is TLS with mutual authentication, on a key and self-signed
  certificate made in memory for this run (`distributed.Security.temporary`): a client
  or worker without them (any other process on the machine) is refused at the handshake;
* the scheduler's HTTP server (Dask always starts one) binds a random loopback port and
  serves only ``/health``: no dashboard, no JSON state, no proxy to the workers, unless
  asked for with ``dashboard=`` (then on that address, e.g. ``127.0.0.1:8787``).

An address given by the user is trusted as it is: the client connects with Dask's own
configuration (``distributed.comm.tls.*``; a ``tls://`` address needs it), and anyone who
can reach that scheduler can run code on its workers and forge results.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from anwsim.experiment.tasks import Task, TaskResult, execute

LOOPBACK = "127.0.0.1"
HEALTH_ONLY = ["distributed.http.health"]
"""HTTP routes of a local cluster without a dashboard: a liveness probe, nothing else."""


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "a Dask scheduler needs dask.distributed: pip install 'anwsim[dask]'"
        ) from exc
    return distributed


def local_cluster(workers: int, dashboard: str | None = None) -> Any:
    """A `LocalCluster` of ``workers`` single-threaded processes that only this process
    can use (see the module docstring); ``dashboard`` is an address for Dask's
    dashboard, or None for none."""
    distributed = _import_distributed()
    import dask

    try:
        security = distributed.Security.temporary()
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise RuntimeError(
            "a private local Dask cluster needs the cryptography package: "
            "pip install 'anwsim[dask]'"
        ) from exc
    routes = (
        {}
        if dashboard
        else {
            "distributed.scheduler.http.routes": HEALTH_ONLY,
            "distributed.worker.http.routes": HEALTH_ONLY,
        }
    )
    with dask.config.set(routes):
        return distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host=LOOPBACK,
            protocol="tls://",
            security=security,
            dashboard_address=dashboard,
            worker_dashboard_address=None,
            scheduler_kwargs={} if dashboard else {"dashboard_address": f"{LOOPBACK}:0"},
        )


class DaskCluster:
    """Tasks on a Dask cluster: an address, or ``local`` for a private LocalCluster."""

    CONNECT_TIMEOUT = 5.0
    """Seconds to reach a scheduler given by address (Dask's default is 30)."""

    def __init__(self, scheduler: str, workers: int | None, dashboard: str | None = None) -> None:
        """Connect (or start the local cluster); `BackendError` in one line when Dask is
        not installed or the scheduler cannot be reached within `CONNECT_TIMEOUT`."""
        from anwsim.experiment.backends import (
            BackendError,
            children_ignore_interrupt,
            guard_hint,
        )

        self._cluster: Any = None
        try:
            distributed = _import_distributed()
        except RuntimeError as exc:  # dask.distributed not installed
            raise BackendError(f"--scheduler {scheduler}: {exc}") from None
        if scheduler == "local":
            try:
                with children_ignore_interrupt():  # Ctrl-C: one line, not one per worker
                    self._cluster = local_cluster(workers or os.cpu_count() or 1, dashboard)
            except RuntimeError as exc:  # cryptography not installed, or nannies died
                missing = isinstance(exc.__cause__, ImportError)
                hint = "" if missing else guard_hint()
                raise BackendError(f"--scheduler {scheduler}: {exc}{hint}") from None
            self.client = distributed.Client(self._cluster)
            self.name = f"Dask LocalCluster ({len(self._cluster.workers)} workers)"
            return
        try:
            self.client = distributed.Client(scheduler, timeout=self.CONNECT_TIMEOUT)
        except (OSError, ValueError, TypeError) as exc:  # unreachable, bad address, no TLS
            why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise BackendError(
                f"--scheduler {scheduler}: cannot use this Dask scheduler ({why}); give "
                "tcp://host:port of a running one, or 'local'"
            ) from None
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
