"""Nobody but this run gets into a ``--scheduler local`` cluster.

The scheduler of a Dask cluster runs whatever code its clients submit, so the local
cluster must refuse every other process on the machine: loopback only, mutual TLS on
credentials made for the run, and an HTTP server that serves a health probe and nothing
else (no dashboard, no JSON state, no proxy) unless a dashboard is asked for.
"""

from __future__ import annotations

import asyncio
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

distributed = pytest.importorskip("distributed")
pytest.importorskip("cryptography")

from anwsim.experiment.dask_backend import LOOPBACK, DaskCluster, local_cluster  # noqa: E402


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    backend = DaskCluster("local", workers=1)
    try:
        yield backend
    finally:
        backend.close()


def _listening(pid: int) -> list[Any]:
    """Listening sockets of a process and its children."""
    root = psutil.Process(pid)
    sockets = []
    for process in [root, *root.children(recursive=True)]:
        try:
            sockets += [c.laddr for c in process.net_connections("inet") if c.status == "LISTEN"]
        except psutil.NoSuchProcess:
            continue
    return sockets


def _http_status(port: int, path: str) -> int:
    try:
        with urllib.request.urlopen(f"http://{LOOPBACK}:{port}{path}", timeout=5) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def test_local_cluster_listens_on_loopback_only_over_tls(cluster: Any) -> None:
    address = cluster._cluster.scheduler_address
    assert address.startswith(f"tls://{LOOPBACK}:")
    sockets = _listening(os.getpid())
    # scheduler, its HTTP server, and per worker a nanny, a worker and its HTTP server
    assert len(sockets) >= 4
    assert {s.ip for s in sockets} == {LOOPBACK}
    worker_addresses = list(cluster.client.scheduler_info()["workers"])
    assert worker_addresses and all(a.startswith(f"tls://{LOOPBACK}:") for a in worker_addresses)


def test_http_server_serves_only_a_health_probe(cluster: Any) -> None:
    port = cluster._cluster.scheduler.http_server.port
    assert port != 8787  # not Dask's well-known dashboard port
    assert _http_status(port, "/health") == 200
    for path in ("/status", "/json/counts.json", "/info/main/workers.html", "/proxy/8788/x"):
        assert _http_status(port, path) == 404, path


async def _foreign_identity(address: str, connection_args: dict[str, Any]) -> Any:
    """What the scheduler tells a foreign process that connects and asks who it is.

    A comm, not a ``distributed.Client``: a Client starts its own IO-loop thread, which on a
    loaded machine can miss Dask's 10 s start-up wait and fail the test for the wrong reason.
    """
    comm = await distributed.comm.connect(address, timeout=3, **connection_args)
    try:
        await comm.write({"op": "identity"})
        return await asyncio.wait_for(comm.read(), 3)
    finally:
        comm.abort()


@pytest.mark.parametrize("credentials", ["none", "plain_tcp", "other_certificate"])
def test_a_foreign_client_is_refused(cluster: Any, credentials: str) -> None:
    address = cluster._cluster.scheduler_address
    connection_args: dict[str, Any] = {}
    if credentials == "plain_tcp":
        address = address.replace("tls://", "tcp://")
    elif credentials == "other_certificate":  # a valid TLS setup, but not ours
        connection_args = distributed.Security.temporary().get_connection_args("client")
    refused = (OSError, TypeError, asyncio.TimeoutError, distributed.comm.core.CommClosedError)
    with pytest.raises(refused):
        asyncio.run(_foreign_identity(address, connection_args))
    # this run's own client still works, and the same probe with its credentials gets in
    assert cluster.client.submit(sum, [1, 2]).result() == 3
    own = cluster.client.security.get_connection_args("client")
    assert asyncio.run(_foreign_identity(cluster._cluster.scheduler_address, own))["type"] == (
        "Scheduler"
    )


def test_dashboard_only_when_asked() -> None:
    cluster = local_cluster(1, dashboard=f"{LOOPBACK}:0")
    try:
        port = cluster.scheduler.http_server.port
        assert _http_status(port, "/json/counts.json") == 200  # Dask's own routes are back
        assert cluster.scheduler_address.startswith(f"tls://{LOOPBACK}:")
    finally:
        cluster.close()


def test_a_dashboard_needs_the_local_cluster(cli: Any, baseline_path: Any) -> None:
    from anwsim.cli import main

    args = ["run", str(baseline_path), "--reps", "1", "--dashboard", "127.0.0.1:8787"]
    result = cli.invoke(main, args)
    assert result.exit_code == 2
    assert "only by the local Dask cluster" in result.output
