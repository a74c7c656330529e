"""The result store and failing replications.

A failing replication is recorded (error, traceback, seed) without stopping the batch;
the API raises `ReplicationsFailed` naming it, the CLI exits with status 1 and names it,
and a resume reruns only that replication. ``--log full`` writes a vidigi-style event
log per replication. User mistakes at the command line exit with status 2.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import anwsim
from anwsim.cli import main
from anwsim.experiment import ReplicationsFailed, summarise, tasks
from anwsim.experiment.store import ResultStore, atomic_write
from anwsim.experiment.tasks import Task, execute
from anwsim.scenario import load_scenario

SEED = 20201103  # run.seed of scenarios/baseline.yaml
FAILING = 1


class Injected(RuntimeError):
    pass


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Replications run in this process (the in-process backend), in order."""
    seen: list[int] = []
    real = tasks.run_replication

    def counting(
        scenario: Any, replication: int, sampler: Any = None, engine: str = "simpy"
    ) -> Any:
        seen.append(replication)
        return real(scenario, replication, sampler, engine=engine)

    monkeypatch.setattr(tasks, "run_replication", counting)
    return seen


@pytest.fixture
def failing(monkeypatch: pytest.MonkeyPatch, calls: list[int]) -> list[int]:
    """Replication 1 raises; the others run normally. Returns the replications run."""
    counting = tasks.run_replication

    def fail_one(
        scenario: Any, replication: int, sampler: Any = None, engine: str = "simpy"
    ) -> Any:
        if replication == FAILING:
            calls.append(replication)
            raise Injected(f"injected failure in replication {replication}")
        return counting(scenario, replication, sampler, engine=engine)

    monkeypatch.setattr(tasks, "run_replication", fail_one)
    return calls


def _sets(short: tuple[str, ...]) -> list[str]:
    return [arg for s in short for arg in ("--set", s)]


def _reference_prefix(reference: Any, n: int) -> pd.DataFrame:
    kpis = reference.kpis
    return kpis[kpis["replication"] < n].reset_index(drop=True)


# --------------------------------------------------------------------------- tasks


def test_execute_returns_a_failure_instead_of_raising(
    baseline_path: Path, short: tuple[str, ...], failing: list[int]
) -> None:
    scenario = load_scenario(baseline_path, list(short))
    result = execute(Task("x", scenario, FAILING))
    assert not result.ok
    assert (result.label, result.replication, result.seed) == ("x", FAILING, SEED)
    assert result.kpis is None and result.events is None
    assert result.error == "Injected: injected failure in replication 1"
    assert result.traceback is not None and "Injected" in result.traceback
    assert "fail_one" in result.traceback


# --------------------------------------------------------------------------- API


def test_failed_replication_is_recorded_and_resume_reruns_only_it(
    reference: Any,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    failing: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    out = tmp_path / "failed"
    with pytest.raises(ReplicationsFailed) as caught:
        anwsim.run(baseline_path, overrides=short, replications=3, workers=1, out=out)
    # the batch went on after the failure
    assert failing == [0, 1, 2]
    error = caught.value
    assert error.failures == [
        {
            "scenario": "baseline",
            "replication": 1,
            "seed": SEED,
            "error": "Injected: injected failure in replication 1",
        }
    ]
    assert str(error) == "1 replication(s) failed: baseline #1"
    # the others' results are kept, in memory and on disk
    kept = error.result.kpis
    assert sorted(kept["replication"].unique()) == [0, 2]
    assert sorted(os.listdir(out / "kpis" / "baseline")) == [
        "rep-00000.parquet",
        "rep-00002.parquet",
    ]
    for r in (0, 2):
        pd.testing.assert_frame_equal(
            pd.read_parquet(out / "kpis" / "baseline" / f"rep-{r:05d}.parquet"),
            reference.kpis[reference.kpis["replication"] == r].reset_index(drop=True),
            check_exact=True,
        )
    record = json.loads((out / "failures" / "baseline" / "rep-00001.json").read_text())
    assert record["scenario"] == "baseline" and record["replication"] == 1
    assert record["seed"] == SEED
    assert record["error"] == "Injected: injected failure in replication 1"
    assert "Traceback (most recent call last)" in record["traceback"]
    assert ResultStore.open(out).failures() == [record]
    # no combined results from an incomplete run
    assert not (out / "kpis.parquet").exists() and not (out / "summary.parquet").exists()

    # fixed: a resume reruns replication 1 only, and the result is the uninterrupted one
    failing.clear()
    monkeypatch.setattr(tasks, "run_replication", _counting_only(failing))
    summary = anwsim.resume(out, workers=1)
    assert failing == [1]
    assert not (out / "failures" / "baseline" / "rep-00001.json").exists()
    assert ResultStore.open(out).failures() == []
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "kpis.parquet"), _reference_prefix(reference, 3), check_exact=True
    )
    pd.testing.assert_frame_equal(
        summary, summarise(_reference_prefix(reference, 3)), check_exact=True
    )
    assert summary["replications"].max() == 3
    assert json.loads((out / "manifest.json").read_text())["replications_done"] == 3

    # resuming a finished run computes nothing and returns the same summary
    failing.clear()
    again = anwsim.resume(out, workers=1)
    assert failing == []
    pd.testing.assert_frame_equal(again, summary, check_exact=True)


def _counting_only(seen: list[int]) -> Any:
    from anwsim.experiment.replication import run_replication

    def counting(
        scenario: Any, replication: int, sampler: Any = None, engine: str = "simpy"
    ) -> Any:
        seen.append(replication)
        return run_replication(scenario, replication, sampler)

    return counting


def test_failed_replication_without_a_store(
    baseline_path: Path, short: tuple[str, ...], failing: list[int]
) -> None:
    with pytest.raises(ReplicationsFailed) as caught:
        anwsim.run(baseline_path, overrides=short, replications=2, workers=1)
    assert [f["replication"] for f in caught.value.failures] == [FAILING]
    assert failing == [0, 1]


@pytest.fixture
def all_failing(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(scenario: Any, replication: int, sampler: Any = None, engine: str = "simpy") -> Any:
        raise Injected(f"injected failure in replication {replication}")

    monkeypatch.setattr(tasks, "run_replication", fail)


def test_compare_with_every_replication_failed_raises_replications_failed(
    baseline_path: Path, short: tuple[str, ...], all_failing: None
) -> None:
    """Not a KeyError from summarising an empty table (fixed in api._go)."""
    with pytest.raises(ReplicationsFailed) as caught:
        anwsim.compare(baseline_path, [baseline_path], overrides=short, replications=1, workers=1)
    assert [(f["scenario"], f["replication"]) for f in caught.value.failures] == [
        ("baseline", 0),
        ("baseline-2", 0),
    ]


def test_resume_with_every_replication_failed_raises_replications_failed(
    baseline_path: Path, short: tuple[str, ...], tmp_path: Path, all_failing: None
) -> None:
    out = tmp_path / "all-failed"
    with pytest.raises(ReplicationsFailed):
        anwsim.run(baseline_path, overrides=short, replications=2, workers=1, out=out)
    assert not (out / "kpis").exists()
    assert len(ResultStore.open(out).failures()) == 2
    with pytest.raises(ReplicationsFailed) as caught:
        anwsim.resume(out, workers=1)
    assert [f["replication"] for f in caught.value.failures] == [0, 1]


# --------------------------------------------------------------------------- CLI


def test_cli_exits_1_and_names_the_failed_replication(
    cli: CliRunner,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    failing: list[int],
    monkeypatch: pytest.MonkeyPatch,
    reference: Any,
) -> None:
    out = tmp_path / "cli-failed"
    args = ["run", str(baseline_path), *_sets(short), "--reps", "3", "--workers", "1"]
    result = cli.invoke(main, [*args, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert failing == [0, 1, 2]
    lines = result.stderr.splitlines()
    assert lines[0] == "error: 1 replication(s) failed: baseline #1"
    assert lines[1] == (
        f"  baseline replication 1 (seed {SEED}): Injected: injected failure in replication 1"
    )
    assert "Traceback" not in result.stderr
    assert sorted(os.listdir(out / "kpis" / "baseline")) == [
        "rep-00000.parquet",
        "rep-00002.parquet",
    ]

    # resumed after the fix, from the command line
    failing.clear()
    monkeypatch.setattr(tasks, "run_replication", _counting_only(failing))
    resumed = cli.invoke(main, ["run", "--resume", str(out), "--workers", "1"])
    assert resumed.exit_code == 0, resumed.output
    assert failing == [1]
    assert resumed.stdout.startswith("baseline — 3 replication(s)\n")
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "kpis.parquet"), _reference_prefix(reference, 3), check_exact=True
    )


def test_log_full_writes_an_event_log(
    cli: CliRunner,
    baseline_path: Path,
    short: tuple[str, ...],
    tmp_path: Path,
    reference: Any,
) -> None:
    out = tmp_path / "full"
    args = ["run", str(baseline_path), *_sets(short), "--reps", "1", "--workers", "1"]
    result = cli.invoke(main, [*args, "--log", "full", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads((out / "manifest.json").read_text())["log"] == "full"
    assert os.listdir(out / "events" / "baseline") == ["rep-00000.parquet"]
    log = pd.read_parquet(out / "events" / "baseline" / "rep-00000.parquet")
    assert list(log.columns) == [
        "entity_id",
        "pathway",
        "event_type",
        "event",
        "time",
        "resource",
        "resource_id",
        "unique_resource_id",
        "site",
        "urgency",
        "entry",
        "run",
    ]
    assert (log["run"] == 0).all()
    assert set(log["event_type"]) == {
        "arrival_departure",
        "queue",
        "resource_use",
        "resource_use_end",
    }
    assert np.isfinite(log["time"]).all()
    # every patient arrives once and departs once, first and last, in time order
    patients = log["entity_id"].unique()
    assert len(patients) > 3000
    np.testing.assert_array_equal(np.sort(patients), np.arange(len(patients)))
    counts = log.groupby("entity_id")["event"].value_counts().unstack(fill_value=0)
    assert (counts["arrival"] == 1).all() and (counts["depart"] == 1).all()
    by_patient = log.groupby("entity_id", sort=False)
    assert by_patient["time"].apply(lambda t: t.is_monotonic_increasing).all()
    assert (by_patient["event"].first() == "arrival").all()
    assert (by_patient["event"].last() == "depart").all()
    # each use of a resource ends after it begins (a consult ends after it starts)
    begins = log[log["event"] == "consult_begins"].set_index("entity_id")["time"]
    ends = log[log["event"] == "consult_complete"].set_index("entity_id")["time"]
    assert len(begins) > 100 and begins.index.equals(ends.index)
    assert (ends >= begins).all()
    # the KPIs of the replication are the ones a --log kpis run computes
    pd.testing.assert_frame_equal(
        pd.read_parquet(out / "kpis.parquet"), _reference_prefix(reference, 1), check_exact=True
    )


def test_out_on_an_existing_result_directory_is_refused(
    cli: CliRunner, baseline_path: Path, short: tuple[str, ...], reference: Any, calls: list[int]
) -> None:
    manifest = (reference.directory / "manifest.json").read_bytes()
    files = sorted(p.relative_to(reference.directory) for p in reference.directory.rglob("*"))
    args = ["run", str(baseline_path), *_sets(short), "--reps", "1", "--workers", "1"]
    result = cli.invoke(main, [*args, "--out", str(reference.directory)])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {reference.directory}: already holds results")
    assert result.stderr.count("\n") == 1 and "--resume" in result.stderr
    assert "Traceback" not in result.stderr
    assert calls == []  # refused before any replication ran
    assert (reference.directory / "manifest.json").read_bytes() == manifest
    assert sorted(p.relative_to(reference.directory) for p in reference.directory.rglob("*")) == (
        files
    )


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--reps", "3", "--precision", "0.05"], "give --reps or --precision, not both"),
        (
            ["--precision", "0.05", "--target", "within_nts_norm"],
            "error: --target within_nts_norm: give KPI:GROUP, e.g. within_nts_norm:U2",
        ),
    ],
)
def test_usage_errors_exit_2(
    cli: CliRunner, baseline_path: Path, extra: list[str], message: str, calls: list[int]
) -> None:
    result = cli.invoke(main, ["run", str(baseline_path), *extra])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert calls == []


def test_resume_with_a_scenario_file_is_a_usage_error(
    cli: CliRunner, baseline_path: Path, reference: Any
) -> None:
    result = cli.invoke(main, ["run", str(baseline_path), "--resume", str(reference.directory)])
    assert result.exit_code == 2
    assert "--resume takes the scenario and --out from the result directory" in result.stderr


def test_resume_of_a_directory_without_manifest(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(main, ["run", "--resume", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path}: no manifest.json: not an anwsim result directory\n"


# --------------------------------------------------------------------------- store


def test_temporary_files_never_count_as_results(tmp_path: Path) -> None:
    store = ResultStore.create(tmp_path / "s", {"scenarios": {}})
    folder = tmp_path / "s" / "kpis" / "a"
    folder.mkdir(parents=True)
    for name in (
        "rep-00000.parquet",
        ".rep-00001.parquet.abc123.tmp",
        "rep-00002.parquet.tmp",
        "rep-2.parquet",
        "notes.txt",
    ):
        (folder / name).write_bytes(b"")
    assert store.completed("a") == {0}
    assert store.completed("missing") == set()


def test_atomic_write_leaves_nothing_behind_when_the_write_fails(tmp_path: Path) -> None:
    target = tmp_path / "d" / "file.parquet"

    def broken(tmp: str) -> None:
        Path(tmp).write_bytes(b"half")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        atomic_write(target, broken)
    assert os.listdir(tmp_path / "d") == []

    atomic_write(target, lambda tmp: Path(tmp).write_bytes(b"whole"))
    assert os.listdir(tmp_path / "d") == ["file.parquet"]
    assert target.read_bytes() == b"whole"


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """The arguments of every `pd.read_parquet` call from now on."""
    calls: list[object] = []
    real = pd.read_parquet

    def spy(path: object, *args: object, **kwargs: object) -> pd.DataFrame:
        calls.append(path)
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pd, "read_parquet", spy)
    return calls


def test_read_parquets_keeps_the_order_of_the_files_and_reads_mixed_schemas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One dataset read of many files gives what per-file reads concatenated give, in
    the order of the list (not of the names); files whose schemas differ still load;
    a folder named ``key=value`` (a label may be) adds no column."""
    from anwsim.experiment.store import read_parquets, write_parquet

    folder = tmp_path / "beds=12"  # a label with '=': not a Hive partition
    folder.mkdir()
    paths = []
    for r in range(6):
        frame = pd.DataFrame(
            {"scenario": [f"s{r}"] * 3, "replication": r, "value": np.arange(3) / (r + 1)}
        )
        paths.append(folder / f"rep-{r:05d}.parquet")
        write_parquet(frame, paths[-1])
    shuffled = [paths[i] for i in (4, 0, 5, 2, 1, 3)]
    expected = pd.concat([pd.read_parquet(p) for p in shuffled], ignore_index=True)
    calls = _counting_reads(monkeypatch)
    got = read_parquets(shuffled)
    assert len(calls) == 1 and isinstance(calls[0], list)  # one read of them all
    pd.testing.assert_frame_equal(got, expected, check_exact=True)
    assert list(got.columns) == ["scenario", "replication", "value"]
    assert got["replication"].drop_duplicates().tolist() == [4, 0, 5, 2, 1, 3]

    # a file without rows has a null-typed text column: the one-dataset read fails on it
    empty = tmp_path / "rep-empty.parquet"
    write_parquet(pd.DataFrame({"scenario": [], "replication": [], "value": []}), empty)
    mixed = [empty, *paths[:2]]
    expected = pd.concat([pd.read_parquet(p) for p in mixed], ignore_index=True)
    pd.testing.assert_frame_equal(read_parquets(mixed), expected, check_exact=True)
    assert len(read_parquets(mixed)) == 6

    # a later file with a column the first lacks (another version wrote it): a dataset
    # read would drop that column; the concatenation keeps it, NaN where it is missing
    wider = tmp_path / "rep-wider.parquet"
    write_parquet(
        pd.DataFrame({"scenario": ["w"], "replication": 9, "value": [0.5], "extra": [1.5]}), wider
    )
    mixed = [paths[0], wider]
    got = read_parquets(mixed)
    pd.testing.assert_frame_equal(
        got, pd.concat([pd.read_parquet(p) for p in mixed], ignore_index=True), check_exact=True
    )
    assert got["extra"].isna().tolist() == [True, True, True, False]


def test_read_parquets_each_gives_each_file_as_its_own_read_gives(tmp_path: Path) -> None:
    """Split by the replication column where it can be; file by file where it cannot
    (no such column, a file without rows): the frames equal per-file reads either way."""
    from anwsim.experiment.store import read_parquets_each, write_parquet

    def files(name: str, rows: list[int], with_key: bool = True) -> list[Path]:
        out = []
        for r, k in enumerate(rows):
            frame = pd.DataFrame({"kpi": [f"k{i}" for i in range(k)], "value": np.arange(k) / 7})
            if with_key:
                frame["replication"] = r
            out.append(tmp_path / f"{name}-{r}.parquet")
            write_parquet(frame, out[-1])
        return out

    wider = files("d", [2, 3])
    frame = pd.read_parquet(wider[1])
    frame["n"] = np.arange(3)  # a column the first file lacks (another version wrote it)
    write_parquet(frame, wider[1])
    cases = (
        files("a", [3, 1, 4]),
        files("b", [2, 2], with_key=False),
        files("c", [2, 0, 1]),
        wider,
        files("e", [1]),
    )
    for paths in cases:
        got = read_parquets_each(paths, "replication", list(range(len(paths))))
        assert len(got) == len(paths)
        for frame, path in zip(got, paths, strict=True):
            pd.testing.assert_frame_equal(frame, pd.read_parquet(path), check_exact=True)
    assert read_parquets_each([], "replication", []) == []
