"""A run killed half-way and resumed gives the same results as an uninterrupted run.

``anwsim run --out DIR`` runs in a child process that is killed with SIGKILL once a
few replications are on disk; ``anwsim run --resume DIR`` then finishes it. Every
replication must be computed exactly once (the files written before the kill are not
touched again), and the combined results must equal those of the reference run, which
ran the same 6 replications without interruption.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path
from typing import Any

import pandas as pd


def _manifest(directory: Path) -> dict[str, Any]:
    return json.loads((directory / "manifest.json").read_text(encoding="utf-8"))


def test_killed_run_resumes_to_the_same_results(
    reference: Any,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    anwsim_cli,
    result_files,
    temp_files,
    wait_for,
    repo_root: Path,
) -> None:
    n = reference.replications
    out = tmp_path / "killed"
    folder = out / "kpis" / "baseline"
    sets = [arg for s in short for arg in ("--set", s)]
    command = anwsim_cli("run", str(baseline_path), *sets, "--out", str(out))
    command += ["--workers", "1", "--reps", str(n)]
    with (tmp_path / "first.err").open("wb") as err:
        proc = subprocess.Popen(command, cwd=repo_root, stdout=subprocess.DEVNULL, stderr=err)
        try:
            started = wait_for(
                lambda: len(result_files(folder)) >= 2 or proc.poll() is not None, timeout=120
            )
            assert started and proc.poll() is None, (
                "the run ended (or never wrote a replication) before it could be killed: "
                + (tmp_path / "first.err").read_text()
            )
            os.kill(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=30) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    # What the killed run left: whole replication files, perhaps a temporary file, a
    # manifest, and no combined results.
    before = result_files(folder)
    assert 2 <= len(before) < n, before
    assert before == [f"rep-{r:05d}.parquet" for r in range(len(before))]
    assert set(os.listdir(folder)) <= set(before) | set(temp_files(folder))
    for name in before:
        frame = pd.read_parquet(folder / name)
        assert set(frame["replication"]) == {int(name[4:9])}
    stats = {name: os.stat(folder / name) for name in before}
    manifest = _manifest(out)
    assert manifest["kind"] == "run" and "replications_done" not in manifest
    assert not (out / "kpis.parquet").exists() and not (out / "summary.csv").exists()

    # A kill during a write leaves a temporary file; plant one for a missing replication
    # (with garbage in it) so that the resume is seen to ignore it whatever the timing.
    planted = folder / f".rep-{n - 1:05d}.parquet.x1y2z3.tmp"
    planted.write_bytes(b"not a parquet file")
    assert temp_files(folder) and planted.name in temp_files(folder)

    resumed = subprocess.run(
        anwsim_cli("run", "--resume", str(out), "--workers", "1"),
        cwd=repo_root,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert f"baseline — {n} replication(s)" in resumed.stdout

    # each replication exactly once; the ones written before the kill were not redone
    after = result_files(folder)
    assert after == [f"rep-{r:05d}.parquet" for r in range(n)]
    assert set(os.listdir(folder)) <= set(after) | set(temp_files(folder))
    for name, stat in stats.items():
        now = os.stat(folder / name)
        assert (now.st_ino, now.st_mtime_ns) == (stat.st_ino, stat.st_mtime_ns), name
    assert not (out / "failures").exists()

    # the combined results equal the uninterrupted run's, bit for bit
    kpis = pd.read_parquet(out / "kpis.parquet")
    expected = pd.read_parquet(reference.directory / "kpis.parquet")
    pd.testing.assert_frame_equal(kpis, expected, check_exact=True)
    pd.testing.assert_frame_equal(kpis, reference.kpis, check_exact=True)
    assert sorted(kpis["replication"].unique()) == list(range(n))
    assert not kpis.duplicated(["replication", "kpi", "group"]).any()
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "summary.parquet"), reference.summary, check_exact=True
    )
    assert (out / "summary.csv").read_bytes() == (reference.directory / "summary.csv").read_bytes()
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "utilisation_by_hour.parquet"),
        pd.read_parquet(reference.directory / "utilisation_by_hour.parquet"),
        check_exact=True,
    )
    assert result_files(out / "hourly" / "baseline") == after

    # the manifest is intact: the same scenario, seed and plan, and now complete
    final, original = _manifest(out), _manifest(reference.directory)
    assert final["anwsim_result_store"] == 1
    for key in ("kind", "seed", "plan", "log"):
        assert final[key] == original[key], key
    assert final["plan"]["replications"] == n
    assert final["scenarios"].keys() == {"baseline"}
    assert final["scenarios"]["baseline"]["hash"] == original["scenarios"]["baseline"]["hash"]
    assert (
        final["scenarios"]["baseline"]["scenario"] == original["scenarios"]["baseline"]["scenario"]
    )
    assert final["replications_done"] == n
    assert final["started"] == manifest["started"]
