"""Fault drills for the result store and the local backend: each one breaks something
for real and checks what anwsim does about it.

* ``kill -9`` of a run at several moments (before the first replication is saved, in
  the middle of writing one, between replications, while the combined results are
  written, and a resume killed in turn), then a resume: the KPI table of an
  uninterrupted run, bit for bit;
* a worker process killed in the middle of a run: the pool is replaced, the same table;
  a task that kills its worker every time is reported failed after three deaths; a
  worker killed while it hands a large result over does not hang the run;
* damaged replication files (one truncated, one with a flipped byte that reading does
  not notice), leftover temporary files, a replication file copied from another
  scenario's run: set aside and run again, giving the reference result;
* an edited manifest, another anwsim or numpy version, a label that escapes the
  directory: refused in one line before any work, nothing written;
* two runs into one folder at once: the second refused at once, the first finishes;
* a read-only or full disk (the store's low-level write made to fail): one line, exit
  status 2 before any work and 1 during it, and a resume completes afterwards; an
  ``--out`` inside a regular file: one line before any work;
* result files follow the umask (022 and 077);
* the main process killed: its worker processes end within seconds.

Real kills run the command line in a child process; everything else runs in this one.
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pandas as pd
import psutil
import pytest
import worker_drills  # tests/experiment, on sys.path
from click.testing import CliRunner

import anwsim
from anwsim.cli import main
from anwsim.experiment import backends, runner, store, summarise, tasks
from anwsim.experiment.backends import LocalProcesses
from anwsim.experiment.store import ResultStore, StoreError, check_label
from anwsim.experiment.tasks import Task
from anwsim.scenario import load_scenario

N = 4  # replications of the kill drills
LABEL = "baseline"

HOOKED = """
import sys, time
from pathlib import Path
from anwsim.experiment import store

phase = sys.argv.pop(1)
if phase == "mid-save":  # the KPI file of replication 1 stops half-written
    real_write = store._write_bytes

    def write(path, data):
        p = Path(path)
        if p.name.startswith(".rep-00001.parquet.") and p.parent.parent.name == "kpis":
            with open(path, "wb") as f:
                f.write(data[: len(data) // 2])
                f.flush()
                time.sleep(60)
        real_write(path, data)

    store._write_bytes = write
elif phase in ("final", "slow"):  # a pause after each combined table
    real_final = store.ResultStore.write_final
    pause = 60 if phase == "final" else 0.5

    def write_final(self, name, frame):
        real_final(self, name, frame)
        time.sleep(pause)

    store.ResultStore.write_final = write_final

from anwsim.cli import main

main()
"""
"""A command line whose writes can be held up (first argument: the phase), so that a
kill lands where it should however fast the machine is."""


# --------------------------------------------------------------------------- helpers


def _sets(short: tuple[str, ...]) -> list[str]:
    return [arg for s in short for arg in ("--set", s)]


def _prefix(reference: Any, n: int) -> pd.DataFrame:
    kpis = reference.kpis
    return kpis[kpis["replication"] < n].reset_index(drop=True)


def _assert_reference(out: Path, reference: Any, n: int) -> None:
    """The combined results in ``out`` are those of an uninterrupted run of n reps."""
    expected = _prefix(reference, n)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "kpis.parquet"), expected, check_exact=True)
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "summary.parquet"),
        summarise(expected).reset_index(drop=True),
        check_exact=True,
    )
    assert json.loads((out / "manifest.json").read_text())["replications_done"] == n


def _reps(out: Path, kind: str = "kpis") -> list[int]:
    folder = out / kind / LABEL
    if not folder.is_dir():
        return []
    return sorted(int(p.name[4:9]) for p in folder.glob("rep-*.parquet"))


def _temps(out: Path) -> list[Path]:
    return [p for p in out.rglob(".*.tmp")]


def _tree(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Replications computed in this process (the in-process backend), in order."""
    seen: list[int] = []
    real = tasks.run_replication

    def counting(scenario: Any, replication: int, sampler: Any = None, engine: Any = "fast") -> Any:
        seen.append(replication)
        return real(scenario, replication, sampler, engine=engine)

    monkeypatch.setattr(tasks, "run_replication", counting)
    return seen


@pytest.fixture(scope="module")
def complete(
    tmp_path_factory: pytest.TempPathFactory, baseline_path: Path, short: tuple[str, ...]
) -> Path:
    """A finished 3-replication run (in this process); copy it before damaging it."""
    out = tmp_path_factory.mktemp("complete") / "run"
    anwsim.run(baseline_path, overrides=short, replications=3, workers=1, out=out)
    return out


@pytest.fixture
def copy(complete: Path, tmp_path: Path) -> Path:
    out = tmp_path / "copy"
    shutil.copytree(complete, out)
    return out


class _Child:
    """A command line in a child process, to be killed with SIGKILL."""

    def __init__(self, command: list[str], cwd: Path, log: Path) -> None:
        self.log = log
        with log.open("wb") as err:
            self.proc = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err)

    def kill_when(self, predicate: Callable[[], bool], wait_for: Callable[..., bool]) -> None:
        try:
            hit = wait_for(lambda: predicate() or self.proc.poll() is not None, timeout=120)
            assert hit and self.proc.poll() is None, (
                "the child ended before the moment of the kill: " + self.log.read_text()
            )
            os.kill(self.proc.pid, signal.SIGKILL)
            assert self.proc.wait(timeout=30) == -signal.SIGKILL
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


def _run_command(
    anwsim_cli: Any, baseline_path: Path, short: tuple[str, ...], out: Path
) -> list[str]:
    args = ["run", str(baseline_path), *_sets(short), "--reps", str(N), "--workers", "1"]
    return [*anwsim_cli(*args), "--out", str(out)]


def _hooked(phase: str, baseline_path: Path, short: tuple[str, ...], out: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        HOOKED,
        phase,
        "run",
        str(baseline_path),
        *_sets(short),
        "--reps",
        str(N),
        "--workers",
        "1",
        "--out",
        str(out),
    ]


# --------------------------------------------------------------------------- kill -9


@pytest.mark.parametrize("moment", ["before-first-save", "mid-save", "between", "final"])
def test_kill_9_then_resume_gives_the_uninterrupted_result(
    moment: str,
    reference: Any,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    anwsim_cli: Any,
    wait_for: Callable[..., bool],
    repo_root: Path,
    calls: list[int],
) -> None:
    out = tmp_path / "killed"
    log = tmp_path / "child.err"
    if moment == "before-first-save":
        child = _Child(_run_command(anwsim_cli, baseline_path, short, out), repo_root, log)
        child.kill_when(lambda: (out / "manifest.json").exists(), wait_for)
        assert _reps(out) == [] and not (out / "checksums").exists()
        rerun = list(range(N))
    elif moment == "mid-save":
        child = _Child(_hooked("mid-save", baseline_path, short, out), repo_root, log)
        folder = out / "kpis" / LABEL
        child.kill_when(
            lambda: any(p.stat().st_size > 0 for p in folder.glob(".rep-00001.*.tmp")),
            wait_for,
        )
        # replication 1: checksum record and hourly file written, KPI file half-written
        assert _reps(out) == [0] and _reps(out, "hourly") == [0, 1]
        assert (out / "checksums" / LABEL / "rep-00001.json").exists()
        assert len(_temps(out)) == 1
        rerun = [1, 2, 3]
    elif moment == "between":
        child = _Child(_run_command(anwsim_cli, baseline_path, short, out), repo_root, log)
        child.kill_when(lambda: len(_reps(out)) >= 1, wait_for)
        done = _reps(out)
        assert 1 <= len(done) < N and done == list(range(len(done)))
        rerun = list(range(len(done), N))
    else:
        child = _Child(_hooked("final", baseline_path, short, out), repo_root, log)
        child.kill_when(lambda: (out / "kpis.csv").exists(), wait_for)
        assert _reps(out) == list(range(N))
        assert (out / "kpis.parquet").exists() and not (out / "summary.parquet").exists()
        assert "replications_done" not in json.loads((out / "manifest.json").read_text())
        rerun = []

    summary = anwsim.resume(out, workers=1)
    assert calls == rerun
    _assert_reference(out, reference, N)
    pd.testing.assert_frame_equal(summary, summarise(_prefix(reference, N)), check_exact=True)
    assert _temps(out) == []
    assert not (out / "damaged").exists() and not (out / "foreign").exists()


def test_repeated_kills_of_run_and_resume(
    reference: Any,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    anwsim_cli: Any,
    wait_for: Callable[..., bool],
    repo_root: Path,
) -> None:
    """The run killed after its first replication, a resume killed after the next one,
    another resume killed soon after it started: the last resume still gives the
    uninterrupted result."""
    out = tmp_path / "again"
    log = tmp_path / "child.err"
    _Child(_run_command(anwsim_cli, baseline_path, short, out), repo_root, log).kill_when(
        lambda: len(_reps(out)) >= 1, wait_for
    )
    first = len(_reps(out))
    resume = anwsim_cli("run", "--resume", str(out), "--workers", "1")
    _Child(resume, repo_root, log).kill_when(lambda: len(_reps(out)) > first, wait_for)
    second = _reps(out)
    assert second == list(range(len(second))) and len(second) > first
    started = time.monotonic()
    _Child(resume, repo_root, log).kill_when(lambda: time.monotonic() - started > 0.3, wait_for)
    assert _reps(out) == list(range(len(_reps(out))))
    anwsim.resume(out, workers=1)
    _assert_reference(out, reference, N)


# --------------------------------------------------------------------------- workers


@pytest.fixture
def made_backends(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    made: list[Any] = []
    make = backends.make_backend

    def recording(workers: int | None = None, scheduler: str | None = None, **kw: Any) -> Any:
        backend = make(workers, scheduler, **kw)
        made.append(backend)
        return backend

    monkeypatch.setattr(runner, "make_backend", recording)
    return made


def _gone(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def test_a_killed_worker_is_replaced_and_the_results_are_the_same(
    reference: Any,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    made_backends: list[Any],
) -> None:
    killed: list[int] = []

    def progress(done: int, total: int, note: str) -> None:
        if done >= 1 and not killed:
            pool = made_backends[0]._pool
            pid = sorted(pool._processes)[0]  # a worker, busy with the next replication
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    out = tmp_path / "lost-worker"
    kpis = anwsim.run(
        baseline_path,
        overrides=short,
        replications=reference.replications,
        workers=2,
        out=out,
        progress=progress,
        per_replication=True,
    )
    assert len(killed) == 1 and _gone(killed[0])
    assert made_backends[0].restarts >= 1
    pd.testing.assert_frame_equal(kpis, reference.kpis, check_exact=True)
    _assert_reference(out, reference, reference.replications)
    assert not (out / "failures").exists()


class _KillsItsWorker:
    """Stands in for a scenario: unpickling it in a worker ends that worker."""

    run = SimpleNamespace(seed=1)

    def __reduce__(self) -> Any:
        return (os._exit, (9,))


def test_a_task_that_kills_its_worker_three_times_fails(
    reference: Any, baseline_path: Path, short: tuple[str, ...]
) -> None:
    scenario = load_scenario(baseline_path, list(short))
    good = [Task(LABEL, scenario, r) for r in (0, 1)]
    bad = Task("bad", _KillsItsWorker(), 0)  # type: ignore[arg-type]
    backend = LocalProcesses(2)
    try:
        results = list(backend.run([good[0], bad, good[1]]))
    finally:
        backend.close()
    assert backend.restarts == LocalProcesses.MAX_DEATHS
    by_label = {(r.label, r.replication): r for r in results}
    assert len(results) == 3 and len(by_label) == 3
    failed = by_label[("bad", 0)]
    assert not failed.ok and failed.error is not None
    assert failed.error.startswith("worker process died 3 times")
    for r in (0, 1):
        result = by_label[(LABEL, r)]
        assert result.ok, result.error
        assert result.kpis is not None
        expected = reference.kpis[reference.kpis["replication"] == r].reset_index(drop=True)
        pd.testing.assert_frame_equal(result.kpis, expected, check_exact=True)


HANDOVER = """
import sys
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, sys.argv[1])
import worker_drills
from anwsim.experiment.backends import LocalProcesses
from anwsim.experiment.tasks import Task

scenario = SimpleNamespace(run=SimpleNamespace(seed=1))
tasks = [Task("small", scenario, 0), Task("large", scenario, 0), Task("small", scenario, 1)]
backend = LocalProcesses(2, work=worker_drills.killed_while_handing_over)
folder = Path(backend._folder)
try:
    for result in backend.run(tasks):
        rows = -1 if result.events is None else len(result.events)
        print(result.label, result.replication, result.ok, rows, result.error, flush=True)
finally:
    backend.close()
print("restarts", backend.restarts, "folder left", folder.exists(), flush=True)
"""


@pytest.mark.skipif(not Path("/proc/self/io").exists(), reason="needs Linux's /proc/PID/io")
def test_a_worker_killed_while_handing_over_its_result_does_not_hang_the_run(
    tmp_path: Path,
) -> None:
    """A worker killed (OOM killer, kill -9) while its large result is on its way used
    to leave half a message in the pool's result pipe, and the pool's manager thread
    waited for the rest forever: the run hung (a CI run of 90 minutes). Workers now hand
    results over in files: the run ends and the other results are whole. The large one
    fails after three deaths when its worker dies while writing the file, or comes back
    whole when the file was written before the kill took effect."""
    drills = Path(__file__).parent
    done = subprocess.run(
        [sys.executable, "-c", HANDOVER, str(drills)],
        capture_output=True,
        text=True,
        timeout=240,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    results = sorted(lines[:-1])
    assert results[1:] == ["small 0 True 1024 None", "small 1 True 1024 None"]
    whole = f"large 0 True {worker_drills.LARGE // 8} None"
    if results[0] != whole:
        assert results[0].startswith("large 0 False -1 worker process died 3 times")
        assert lines[-1] == "restarts 3 folder left False"
    assert lines[-1].endswith(" folder left False")
    assert not list(tmp_path.glob("anwsim-results-*"))  # the folder and its files removed


def test_a_result_that_cannot_be_handed_over_fails_only_its_replication() -> None:
    """A worker that cannot write its result file (TMPDIR full, or gone) reports that
    replication failed, naming the folder, and the run goes on; nothing is retried as
    if the worker had died."""
    scenario = SimpleNamespace(run=SimpleNamespace(seed=1))
    backend = LocalProcesses(1, work=worker_drills.killed_while_handing_over)
    shutil.rmtree(backend._folder)
    try:
        results = list(backend.run([Task("small", scenario, 0), Task("small", scenario, 1)]))
    finally:
        backend.close()
    assert sorted((r.replication, r.ok) for r in results) == [(0, False), (1, False)]
    for result in results:
        assert result.error is not None
        assert result.error.startswith(
            f"the worker could not hand its result over in {backend._folder}: "
        ), result.error
    assert backend.restarts == 0


def test_workers_end_when_the_main_process_is_killed(
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    anwsim_cli: Any,
    wait_for: Callable[..., bool],
    repo_root: Path,
) -> None:
    out = tmp_path / "orphans"
    command = anwsim_cli("run", str(baseline_path), *_sets(short), "--reps", "8")
    command += ["--workers", "2", "--out", str(out)]
    proc = subprocess.Popen(
        command, cwd=repo_root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    children: list[psutil.Process] = []
    try:
        parent = psutil.Process(proc.pid)

        def working() -> bool:
            try:
                children[:] = parent.children(recursive=True)
                commands = [" ".join(c.cmdline()) for c in children]
            except psutil.Error:
                return False
            workers = [c for c in commands if "resource_tracker" not in c]
            return len(workers) >= 2 and len(_reps(out)) >= 1

        assert wait_for(lambda: working() or proc.poll() is not None, timeout=120)
        assert proc.poll() is None, "the run ended before its workers could be orphaned"
        pids = [c.pid for c in children]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        assert wait_for(lambda: all(_gone(pid) for pid in pids), timeout=5, interval=0.1), [
            pid for pid in pids if not _gone(pid)
        ]
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for child in children:
            if not _gone(child.pid):
                child.kill()


# --------------------------------------------------------------------------- damaged files


def _silent_flip(path: Path) -> int:
    """Flip one bit of ``path`` where reading the file still works but gives other
    numbers (reading alone cannot tell the damage); returns the offset."""
    data = path.read_bytes()
    before = pd.read_parquet(io.BytesIO(data))
    for offset in range(4, len(data) - 8):
        changed = bytearray(data)
        changed[offset] ^= 0x01
        try:
            after = pd.read_parquet(io.BytesIO(bytes(changed)))
        except Exception:
            continue
        if not after.equals(before):
            path.write_bytes(bytes(changed))
            return offset
    raise AssertionError("no silent flip found")


def test_damaged_files_are_set_aside_and_run_again(
    copy: Path, reference: Any, calls: list[int], capsys: pytest.CaptureFixture[str]
) -> None:
    kpis = copy / "kpis" / LABEL
    (kpis / "rep-00000.parquet").write_bytes((kpis / "rep-00000.parquet").read_bytes()[:500])
    _silent_flip(kpis / "rep-00002.parquet")
    # leftovers of killed writes, also of a manifest
    (kpis / ".rep-00001.parquet.a1b2c3.tmp").write_bytes(b"half a file")
    (copy / ".manifest.json.x9y8z7.tmp").write_bytes(b"{")

    summary = anwsim.resume(copy, workers=1)
    assert sorted(calls) == [0, 2]
    _assert_reference(copy, reference, 3)
    pd.testing.assert_frame_equal(summary, summarise(_prefix(reference, 3)), check_exact=True)
    assert _temps(copy) == []
    for r in (0, 2):
        assert (copy / "damaged" / "kpis" / LABEL / f"rep-{r:05d}.parquet").exists()
        assert (copy / "damaged" / "hourly" / LABEL / f"rep-{r:05d}.parquet").exists()
    assert _reps(copy) == [0, 1, 2] and _reps(copy, "hourly") == [0, 1, 2]
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2
    assert "replication 0 of 'baseline' set aside" in err[0] and "truncated" in err[0]
    assert "replication 2 of 'baseline' set aside" in err[1] and "SHA-256" in err[1]
    assert all(line.endswith("it runs again") for line in err)
    recorded = json.loads((copy / "manifest.json").read_text())["set_aside"]
    assert [(s["replication"], s["moved"][0][1]) for s in recorded] == [
        (0, "damaged/kpis/baseline/rep-00000.parquet"),
        (2, "damaged/kpis/baseline/rep-00002.parquet"),
    ]

    # now whole again: a second resume computes nothing and sets nothing aside
    calls.clear()
    anwsim.resume(copy, workers=1)
    assert calls == []
    assert capsys.readouterr().err == ""


def test_a_damaged_hourly_file_reruns_its_replication(
    copy: Path, complete: Path, reference: Any, calls: list[int]
) -> None:
    path = copy / "hourly" / LABEL / "rep-00001.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    anwsim.resume(copy, workers=1)
    assert calls == [1]
    _assert_reference(copy, reference, 3)
    pd.testing.assert_frame_equal(
        pd.read_parquet(copy / "utilisation_by_hour.parquet"),
        pd.read_parquet(complete / "utilisation_by_hour.parquet"),
        check_exact=True,
    )
    assert (copy / "damaged" / "hourly" / LABEL / "rep-00001.parquet").read_bytes() == data


def test_a_file_from_another_scenario_is_set_aside_and_run_again(
    copy: Path,
    reference: Any,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    calls: list[int],
    capsys: pytest.CaptureFixture[str],
) -> None:
    other = tmp_path / "other"
    anwsim.run(
        baseline_path,
        overrides=[*short, "rosters.hap_a.gp_consult.0.staff=3"],
        replications=2,
        workers=1,
        out=other,
    )
    calls.clear()
    # replication 1 of the other scenario, with its checksum record: the checksum
    # matches, the provenance does not
    for kind in ("kpis", "hourly"):
        shutil.copy(other / kind / LABEL / "rep-00001.parquet", copy / kind / LABEL)
    shutil.copy(other / "checksums" / LABEL / "rep-00001.json", copy / "checksums" / LABEL)
    capsys.readouterr()

    anwsim.resume(copy, workers=1)
    assert calls == [1]
    _assert_reference(copy, reference, 3)
    assert (copy / "foreign" / "kpis" / LABEL / "rep-00001.parquet").read_bytes() == (
        other / "kpis" / LABEL / "rep-00001.parquet"
    ).read_bytes()
    err = capsys.readouterr().err
    assert "replication 1 of 'baseline' set aside" in err and "another scenario" in err
    assert json.loads((copy / "manifest.json").read_text())["set_aside"][0]["replication"] == 1


def test_a_file_of_another_replication_is_set_aside(
    copy: Path, reference: Any, calls: list[int]
) -> None:
    kpis = copy / "kpis" / LABEL
    shutil.copy(kpis / "rep-00000.parquet", kpis / "rep-00002.parquet")
    shutil.copy(kpis / "rep-00000.parquet", kpis / "rep-00009.parquet")  # not planned
    anwsim.resume(copy, workers=1)
    assert calls == [2]
    _assert_reference(copy, reference, 3)
    assert _reps(copy) == [0, 1, 2]
    assert sorted(p.name for p in (copy / "foreign" / "kpis" / LABEL).iterdir()) == [
        "rep-00002.parquet",
        "rep-00009.parquet",
    ]


# --------------------------------------------------------------------------- refusals


def _refused(cli: CliRunner, args: list[str]) -> str:
    result = cli.invoke(main, args)
    assert result.exit_code == 2, (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    return result.stderr


def test_an_edited_manifest_is_refused(cli: CliRunner, copy: Path, calls: list[int]) -> None:
    path = copy / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["scenarios"][LABEL]["scenario"]["run"]["horizon_weeks"] = 3
    path.write_text(json.dumps(manifest, indent=2))
    (copy / "kpis.parquet").unlink()
    before = _tree(copy)
    err = _refused(cli, ["run", "--resume", str(copy), "--workers", "1"])
    assert err.startswith(f"error: {path}: scenario 'baseline' does not match its hash")
    assert calls == [] and _tree(copy) == before


@pytest.mark.parametrize("package", ["anwsim", "numpy"])
def test_another_version_is_refused(
    cli: CliRunner, copy: Path, calls: list[int], package: str
) -> None:
    path = copy / "manifest.json"
    manifest = json.loads(path.read_text())
    real = manifest["versions"][package]
    manifest["versions"][package] = "0.0.1"
    path.write_text(json.dumps(manifest, indent=2))
    err = _refused(cli, ["run", "--resume", str(copy), "--workers", "1"])
    assert err.startswith(f"error: {path}: these results were made with {package} 0.0.1")
    assert f"this is {package} {real}" in err and "new --out" in err
    assert calls == []


@pytest.mark.parametrize("label", ["../../escaped", "a..b", ".hidden", "a/b", "x y", ""])
def test_a_label_that_is_not_a_plain_name_is_refused(
    cli: CliRunner, copy: Path, tmp_path: Path, calls: list[int], label: str
) -> None:
    path = copy / "manifest.json"
    manifest = json.loads(path.read_text())
    manifest["scenarios"] = {label: manifest["scenarios"][LABEL]}
    path.write_text(json.dumps(manifest, indent=2))
    before = _tree(tmp_path)
    err = _refused(cli, ["run", "--resume", str(copy), "--workers", "1"])
    assert err.startswith(f"error: {path}: scenario label {label!r} is not allowed")
    assert calls == [] and _tree(tmp_path) == before
    assert not (tmp_path.parent / "escaped").exists()
    # the report reads the same manifest and refuses it the same way
    err = _refused(cli, ["report", str(copy), "--out", str(tmp_path / "report")])
    assert f"scenario label {label!r} is not allowed" in err
    assert _tree(tmp_path) == before


def test_labels() -> None:
    for good in ("baseline", "point-000", "baseline-2", "a.b", "x=1_y"):
        assert check_label(good) == good
    for bad in ("../x", "..", ".x", "a..b", "a/b", "a\\b", "", "é", "a\nb", None, 3):
        with pytest.raises(StoreError):
            check_label(bad)
    # the labels anwsim makes from file names and scenario names are all plain names
    from anwsim.experiment.api import _label

    for text in ("../../escaped", "a..b", "...", "x/../y", " ", "ok name.v2"):
        check_label(_label(text))


def test_two_runs_into_one_folder(
    cli: CliRunner,
    reference: Any,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    anwsim_cli: Any,
    wait_for: Callable[..., bool],
    repo_root: Path,
    calls: list[int],
) -> None:
    out = tmp_path / "shared"
    first = subprocess.Popen(  # holds the folder for a second or more after its manifest
        _hooked("slow", baseline_path, short, out),
        cwd=repo_root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        assert wait_for(lambda: (out / "manifest.json").exists() or first.poll() is not None, 120)
        assert first.poll() is None
        args = ["run", str(baseline_path), *_sets(short), "--reps", "2", "--workers", "1"]
        for second in ([*args, "--out", str(out)], ["run", "--resume", str(out)]):
            err = _refused(cli, second)
            assert err == (
                f"error: {out}: another anwsim is writing results there; wait until it "
                "ends, or choose another --out\n"
            )
        assert calls == []
        _, stderr = first.communicate(timeout=120)
        assert first.returncode == 0, stderr
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
    _assert_reference(out, reference, N)
    # in this process too: a store being written cannot be created or resumed again
    with ResultStore.resume(out):
        with pytest.raises(StoreError, match="another anwsim is writing"):
            ResultStore.resume(out)
        with pytest.raises(StoreError, match="another anwsim is writing"):
            ResultStore.create(out, {"scenarios": {}})
    ResultStore.resume(out).close()  # free again


def _failing_write(
    monkeypatch: pytest.MonkeyPatch, code: int, when: Callable[[Path], bool]
) -> list[Path]:
    """Make the store's low-level write raise OSError(code) for the paths ``when``
    picks (temporary names: ``.NAME.XXXX.tmp``)."""
    failed: list[Path] = []
    real = store._write_bytes

    def write(path: str, data: bytes) -> None:
        p = Path(path)
        if when(p):
            failed.append(p)
            raise OSError(code, os.strerror(code), path)
        real(path, data)

    monkeypatch.setattr(store, "_write_bytes", write)
    return failed


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_a_disk_that_cannot_be_written_is_refused_before_any_work(
    cli: CliRunner,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    calls: list[int],
    code: int,
) -> None:
    _failing_write(monkeypatch, code, lambda p: True)
    out = tmp_path / "nowhere"
    args = ["run", str(baseline_path), *_sets(short), "--reps", "2", "--workers", "1"]
    err = _refused(cli, [*args, "--out", str(out)])
    assert err == (f"error: {out}: cannot write into the result directory: {os.strerror(code)}\n")
    assert calls == []
    assert not (out / "manifest.json").exists()


@pytest.mark.parametrize(
    "code, where, rerun",
    [
        (errno.EROFS, lambda p: ".rep-00001." in p.name, [1, 2]),  # mid-run
        (errno.ENOSPC, lambda p: p.name.startswith(".summary.csv."), []),  # final tables
    ],
    ids=["read-only-mid-run", "full-at-the-end"],
)
def test_a_disk_failing_during_the_run_ends_in_one_line_and_resume_completes(
    cli: CliRunner,
    reference: Any,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    calls: list[int],
    code: int,
    where: Callable[[Path], bool],
    rerun: list[int],
) -> None:
    out = tmp_path / "disk"
    undo = pytest.MonkeyPatch()
    failed = _failing_write(undo, code, where)
    try:
        args = ["run", str(baseline_path), *_sets(short), "--reps", "3", "--workers", "1"]
        result = cli.invoke(main, [*args, "--out", str(out)])
    finally:
        undo.undo()
    assert result.exit_code == 1, (result.output, result.exception)
    assert failed
    target = failed[0].parent / failed[0].name[1:].rsplit(".", 2)[0]
    assert result.stderr == (
        f"error: could not write {target}: {os.strerror(code)}; the replications saved so far "
        f"are kept: run `anwsim run --resume {out}` to continue\n"
    )
    assert _temps(out) == []

    calls.clear()
    resumed = cli.invoke(main, ["run", "--resume", str(out), "--workers", "1"])
    assert resumed.exit_code == 0, resumed.output
    assert calls == rerun
    _assert_reference(out, reference, 3)


def test_out_inside_a_regular_file_is_refused_before_any_work(
    cli: CliRunner,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    calls: list[int],
) -> None:
    file = tmp_path / "results.txt"
    file.write_text("not a directory\n")
    out = file / "run"
    args = ["run", str(baseline_path), *_sets(short), "--reps", "2", "--workers", "1"]
    err = _refused(cli, [*args, "--out", str(out)])
    assert err == f"error: {out}: cannot create the result directory: {file} is a file\n"
    assert calls == [] and file.read_text() == "not a directory\n"


# --------------------------------------------------------------------------- file modes


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_result_files_follow_the_umask(
    baseline_path: Path, short: tuple[str, ...], tmp_path: Path, umask: int
) -> None:
    out = tmp_path / "modes"
    previous = os.umask(umask)
    try:
        anwsim.run(baseline_path, overrides=short, replications=1, workers=1, out=out)
    finally:
        os.umask(previous)
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) >= 10
    modes = {str(p.relative_to(out)): p.stat().st_mode & 0o777 for p in files}
    assert modes == dict.fromkeys(modes, 0o666 & ~umask)
    folders = {p.stat().st_mode & 0o777 for p in out.rglob("*") if p.is_dir()}
    assert folders == {0o777 & ~umask}
