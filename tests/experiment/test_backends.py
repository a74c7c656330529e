"""The same experiment gives the same numbers on every backend.

Replication r always uses child r of the seed, and results are sorted by scenario and
replication before anything is computed from them, so 1 worker (in this process), 2
spawned local processes, a Dask LocalCluster, and a Dask cluster that loses a worker in
the middle of the run must all give identical KPI tables, bit for bit.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import psutil
import pytest

import anwsim
from anwsim.experiment import backends, runner, summarise


@pytest.fixture
def backend_names(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Records the name of every backend the runner makes (to prove which one ran)."""
    names: list[str] = []
    make = backends.make_backend

    def recording(workers: int | None = None, scheduler: str | None = None, **kw: Any) -> Any:
        backend = make(workers, scheduler, **kw)
        names.append(backend.name)
        return backend

    monkeypatch.setattr(runner, "make_backend", recording)
    return names


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_reference_table_is_sorted_and_complete(reference: Any) -> None:
    kpis = reference.kpis
    n = reference.replications
    assert list(kpis.columns[:3]) == ["scenario", "kpi", "group"]
    assert set(kpis["scenario"]) == {"baseline"}
    # one block of rows per replication, in replication order
    reps = kpis["replication"].to_numpy()
    assert (np.diff(reps) >= 0).all()
    assert sorted(set(reps)) == list(range(n))
    rows = kpis.groupby("replication").size()
    assert rows.nunique() == 1 and rows.iloc[0] > 50
    assert not kpis.duplicated(["replication", "kpi", "group"]).any()
    # replications differ from each other (they use different seeds' children)
    u3 = kpis[(kpis["kpi"] == "call_to_doctor_mean") & (kpis["group"] == "U3")]["value"]
    assert u3.nunique() == n
    # the combined file on disk is the table returned
    pd.testing.assert_frame_equal(
        pd.read_parquet(reference.directory / "kpis.parquet"), kpis, check_exact=True
    )
    pd.testing.assert_frame_equal(
        reference.summary, summarise(kpis).reset_index(drop=True), check_exact=True
    )


def _assert_same_as_reference(kpis: pd.DataFrame, directory: Path, reference: Any) -> None:
    pd.testing.assert_frame_equal(kpis, reference.kpis, check_exact=True)
    pd.testing.assert_frame_equal(
        pd.read_parquet(directory / "kpis.parquet"),
        pd.read_parquet(reference.directory / "kpis.parquet"),
        check_exact=True,
    )
    pd.testing.assert_frame_equal(
        pd.read_parquet(directory / "summary.parquet"), reference.summary, check_exact=True
    )
    assert (directory / "summary.csv").read_bytes() == (
        reference.directory / "summary.csv"
    ).read_bytes()
    for name in ("utilisation_by_hour.parquet",):
        pd.testing.assert_frame_equal(
            pd.read_parquet(directory / name),
            pd.read_parquet(reference.directory / name),
            check_exact=True,
        )


def test_two_local_processes_match_one_worker(
    reference: Any,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    backend_names: list[str],
) -> None:
    out = tmp_path / "two"
    kpis = anwsim.run(
        baseline_path,
        overrides=short,
        replications=reference.replications,
        workers=2,
        out=out,
        per_replication=True,
    )
    assert backend_names == ["2 local processes"]
    _assert_same_as_reference(kpis, out, reference)


def test_dask_local_cluster_matches_one_worker(
    reference: Any,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    backend_names: list[str],
) -> None:
    pytest.importorskip("distributed")
    out = tmp_path / "dask"
    kpis = anwsim.run(
        baseline_path,
        overrides=short,
        replications=reference.replications,
        scheduler="local",
        workers=2,
        out=out,
        per_replication=True,
    )
    assert backend_names == ["Dask LocalCluster (2 workers)"]
    _assert_same_as_reference(kpis, out, reference)


def test_dask_cluster_survives_a_killed_worker(
    reference: Any, baseline_path: Path, short: tuple[str, ...]
) -> None:
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    killed: list[tuple[str, int, int]] = []
    calls: list[int] = []
    try:
        pids: dict[str, int] = client.run(os.getpid)
        assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()

        def progress(done: int, total: int, note: str) -> None:
            calls.append(done)
            if done < 1 or killed:
                return
            # kill a worker in the middle of a replication (or, if none is running one,
            # a worker holding results that were not fetched yet: they must be redone)
            running = {a: k for a, k in client.processing().items() if k}
            holding = {a: k for a, k in client.has_what().items() if k}
            addr = next((a for a in pids if a in running), None)
            addr = addr or next((a for a in pids if a in holding), next(iter(pids)))
            os.kill(pids[addr], signal.SIGKILL)
            work = len(running.get(addr, ())) + len(holding.get(addr, ()))
            killed.append((addr, pids[addr], work))

        kpis = anwsim.run(
            baseline_path,
            overrides=short,
            replications=reference.replications,
            scheduler=cluster.scheduler_address,
            progress=progress,
            per_replication=True,
        )
        assert len(killed) == 1
        _, pid, in_hand = killed[0]
        assert in_hand >= 1, "the killed worker held no task and no result"
        # every replication was reported once, none lost or duplicated
        assert calls == list(range(reference.replications + 1))
        pd.testing.assert_frame_equal(kpis, reference.kpis, check_exact=True)
        pd.testing.assert_frame_equal(summarise(kpis), summarise(reference.kpis), check_exact=True)
        # the process really died (its nanny may have started a new one)
        assert not _alive(pid)
    finally:
        client.close()
        cluster.close()
