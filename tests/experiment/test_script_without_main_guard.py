"""A plain script without ``if __name__ == "__main__":`` runs on local worker processes.

Spawned workers used to import the caller's main module again (as ``__mp_main__``), so
an unguarded script started its experiment again in every worker, which died ("worker
process died"). Workers now start without the caller's ``__main__`` (`WorkerContext`):
the script runs once, and the numbers equal those of a run in one process.
"""

from __future__ import annotations

import multiprocessing.spawn
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

import anwsim
from anwsim.experiment import backends
from anwsim.experiment.backends import LocalProcesses
from anwsim.experiment.tasks import Task

REPLICATIONS = 3

SCRIPT = """\
import sys
import anwsim

print("script body ran")
kpis = anwsim.run(
    {baseline!r},
    overrides={short!r},
    replications={replications},
    workers=2,
    per_replication=True,
)
kpis.to_parquet(sys.argv[1])
print("done", kpis["replication"].nunique())
"""


@pytest.fixture(scope="module")
def in_one_process(baseline_path: Path, short: tuple[str, ...]) -> pd.DataFrame:
    return anwsim.run(
        baseline_path, overrides=short, replications=REPLICATIONS, workers=1, per_replication=True
    )


def _write(folder: Path, name: str, baseline: Path, short: tuple[str, ...]) -> Path:
    path = folder / name
    body = SCRIPT.format(baseline=str(baseline), short=list(short), replications=REPLICATIONS)
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


@pytest.mark.parametrize("how", ["script", "module"])
def test_an_unguarded_script_runs_once_and_gives_the_same_numbers(
    tmp_path: Path,
    baseline_path: Path,
    short: tuple[str, ...],
    in_one_process: pd.DataFrame,
    how: str,
) -> None:
    """``python script.py`` and ``python -m script`` (spawn re-runs a module by name)."""
    _write(tmp_path, "plain_script.py", baseline_path, short)
    out = tmp_path / "kpis.parquet"
    start = ["plain_script.py"] if how == "script" else ["-m", "plain_script"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    done = subprocess.run(
        [sys.executable, *start, str(out)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.splitlines() == ["script body ran", f"done {REPLICATIONS}"]  # once
    assert "Traceback" not in done.stderr
    kpis = pd.read_parquet(out)
    pd.testing.assert_frame_equal(
        kpis.reset_index(drop=True), in_one_process.reset_index(drop=True), check_exact=True
    )


def test_the_spawn_launcher_is_left_as_it_was(baseline_path: Path, short: tuple[str, ...]) -> None:
    """The main module is left out only while a worker starts; other code that spawns
    processes gets spawn's own preparation data."""
    original = multiprocessing.spawn.get_preparation_data
    scenario = anwsim.experiment.api._resolve(baseline_path, short)[1]
    backend = LocalProcesses(2)
    try:
        results = list(backend.run([Task("baseline", scenario, r) for r in range(2)]))
    finally:
        backend.close()
    assert sorted(r.replication for r in results) == [0, 1]
    assert all(r.ok for r in results)
    assert multiprocessing.spawn.get_preparation_data is original
    data = backends._without_main(lambda name: {"name": name, "init_main_from_path": "x.py"})
    assert data("w") == {"name": "w"}


def test_a_local_dask_cluster_that_fails_from_a_script_names_the_guard(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Dask's workers import the main module again (Dask's own spawn): from a plain
    script the failure to start says what to add; from the ``anwsim`` command, nothing."""
    import types

    from anwsim import cli

    script = types.ModuleType("__main__")
    script.__file__ = "/somewhere/study.py"
    monkeypatch.setitem(sys.modules, "__main__", script)
    assert backends.guard_hint() == (
        " (Dask's workers import your script again: put its code under "
        '`if __name__ == "__main__":`)'
    )
    script.main = cli.main  # type: ignore[attr-defined]  # the anwsim console script
    assert backends.guard_hint() == ""
    del script.__file__
    assert backends.guard_hint() == ""
