"""A first run keeps its result: without ``--out`` results go to
``results/<scenario>-<YYYYmmdd-HHMMSS>/`` and the command ends saying where and how to
make the report; ``--no-out`` writes nothing; Ctrl-C says how to resume (exit 130); a
backend that cannot be used is one line; ``anwsim report`` tells its progress."""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner

from anwsim.cli import main
from anwsim.experiment import api
from anwsim.experiment.dask_backend import DaskCluster
from anwsim.report import command

SHORT = ["--set", "run.horizon_weeks=2", "--set", "run.warmup_weeks=0.5"]
STAMP = r"\d{8}-\d{6}"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty current directory (default results go to ./results)."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _only_result(here: Path) -> Path:
    made = sorted((here / "results").iterdir())
    assert len(made) == 1, made
    return Path("results") / made[0].name


def _last_line(result: Any, out: Path) -> None:
    assert result.stderr.splitlines()[-1] == (
        f"results in {out}; charts and summary: anwsim report {out}"
    )


# --------------------------------------------------------------------------- default --out


def test_run_without_out_keeps_its_results(cli: CliRunner, here: Path, baseline_path: Path) -> None:
    result = cli.invoke(main, ["run", str(baseline_path), *SHORT, "--reps", "2", "--workers", "1"])
    assert result.exit_code == 0, result.output
    out = _only_result(here)
    assert re.fullmatch(rf"baseline-{STAMP}", out.name)
    assert (here / out / "manifest.json").is_file()
    summary = pd.read_csv(here / out / "summary.csv")
    assert summary["replications"].max() == 2
    _last_line(result, out)


@pytest.mark.parametrize("kind", ["compare", "sweep"])
def test_compare_and_sweep_are_named_after_the_base(
    cli: CliRunner, here: Path, baseline_path: Path, kind: str
) -> None:
    other = [str(baseline_path)] if kind == "compare" else ["--grid", "demand.growth_factor=1,1.1"]
    args = [kind, str(baseline_path), *other, *SHORT, "--reps", "1", "--workers", "1"]
    result = cli.invoke(main, args)
    assert result.exit_code == 0, result.output
    out = _only_result(here)
    assert re.fullmatch(rf"baseline-{kind}-{STAMP}", out.name)
    assert (here / out / f"{'comparison' if kind == 'compare' else 'sweep'}.csv").is_file()
    _last_line(result, out)


def test_no_out_writes_nothing(cli: CliRunner, here: Path, baseline_path: Path) -> None:
    args = ["run", str(baseline_path), *SHORT, "--reps", "1", "--workers", "1", "--no-out"]
    result = cli.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert list(here.iterdir()) == []
    assert "results in" not in result.stderr
    both = cli.invoke(main, [*args, "--out", "x"])
    assert both.exit_code == 2
    assert "give --out DIR or --no-out, not both" in both.stderr
    resumed = cli.invoke(main, ["run", "--resume", "x", "--no-out"])
    assert resumed.exit_code == 2
    assert "--resume takes the scenario and --out from the result directory" in resumed.stderr


def test_given_out_is_named_at_the_end(cli: CliRunner, here: Path, baseline_path: Path) -> None:
    out = Path("my results")
    args = ["run", str(baseline_path), *SHORT, "--reps", "1", "--workers", "1", "--out", str(out)]
    result = cli.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines()[-1] == (
        "results in my results; charts and summary: anwsim report 'my results'"
    )


def test_a_second_run_in_the_same_second_gets_its_own_folder(
    here: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Frozen(dt.datetime):
        @classmethod
        def now(cls, tz: Any = None) -> Frozen:
            return cls(2026, 3, 4, 5, 6, 7)

    monkeypatch.setattr(api.dt, "datetime", Frozen)
    first = api.default_out("baseline")
    assert first == Path("results/baseline-20260304-050607")
    first.mkdir(parents=True)
    assert api.default_out("baseline") == Path("results/baseline-20260304-050607-2")
    assert api.default_out("my file", "sweep") == Path("results/my_file-sweep-20260304-050607")


# --------------------------------------------------------------------------- Ctrl-C


def test_interrupted_cli_calls_say_how_to_go_on(
    cli: CliRunner, here: Path, baseline_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> Any:
        out = kwargs.get("out")
        if out is not None:
            Path(out).mkdir(parents=True)
            (Path(out) / "manifest.json").write_text("{}")
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "run", interrupted)
    kept = cli.invoke(main, ["run", str(baseline_path), "--out", "r"])
    assert kept.exit_code == 130
    assert kept.stderr == (
        "interrupted; what finished is kept in r: `anwsim run --resume r` continues\n"
    )
    nothing = cli.invoke(main, ["run", str(baseline_path), "--no-out"])
    assert nothing.exit_code == 130
    assert nothing.stderr == "interrupted; nothing was kept (--no-out)\n"


@pytest.mark.parametrize("workers", ["1", "2"])
def test_ctrl_c_prints_one_line_and_exits_130(
    tmp_path: Path, baseline_path: Path, workers: str
) -> None:
    """A real Ctrl-C: SIGINT to the whole process group, as a terminal sends it (the
    workers get it too, and must not print tracebacks)."""
    out = tmp_path / "interrupted"
    args = ["run", str(baseline_path), *SHORT, "--reps", "400", "--workers", workers]
    command = [sys.executable, "-c", "from anwsim.cli import main; main()", *args]
    process = subprocess.Popen(
        [*command, "--out", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    kpis = out / "kpis" / "baseline"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if kpis.is_dir() and len(list(kpis.glob("rep-*.parquet"))) >= 2:
            break
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert stderr == (
        f"interrupted; what finished is kept in {out}: `anwsim run --resume {out}` continues\n"
    )
    assert 2 <= len(list(kpis.glob("rep-*.parquet"))) < 400


# --------------------------------------------------------------------------- Dask


def test_local_dask_without_dask_is_one_line(
    cli: CliRunner, here: Path, baseline_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed fails
    result = cli.invoke(main, ["run", str(baseline_path), "--reps", "1", "--scheduler", "local"])
    assert result.exit_code == 2
    assert result.stderr == (
        "error: --scheduler local: a Dask scheduler needs dask.distributed: "
        "pip install 'anwsim[dask]'\n"
    )
    assert not (here / "results").exists()  # refused before anything was written


def test_an_unreachable_scheduler_is_one_line_and_quick(
    cli: CliRunner, here: Path, baseline_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert DaskCluster.CONNECT_TIMEOUT == 5.0
    monkeypatch.setattr(DaskCluster, "CONNECT_TIMEOUT", 1.0)
    address = "tcp://127.0.0.1:1"
    started = time.monotonic()
    result = cli.invoke(main, ["run", str(baseline_path), "--reps", "1", "--scheduler", address])
    took = time.monotonic() - started
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: --scheduler {address}: cannot use this Dask scheduler (Timed out trying "
        f"to connect to {address} after 1 s); give tcp://host:port of a running one, or "
        "'local'\n"
    )
    assert took < 10
    assert not (here / "results").exists()
    bad = cli.invoke(main, ["run", str(baseline_path), "--reps", "1", "--scheduler", "foo"])
    assert bad.exit_code == 2
    assert bad.stderr.startswith("error: --scheduler foo: cannot use this Dask scheduler (")


# --------------------------------------------------------------------------- precision


def test_a_precision_at_its_cap_is_one_true_warning(
    cli: CliRunner, here: Path, baseline_path: Path
) -> None:
    args = ["run", str(baseline_path), *SHORT, "--precision", "0.05", "--max-reps", "4"]
    result = cli.invoke(main, [*args, "--target", "within_nts_norm:U2", "--workers", "1"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        line for line in warnings if line.startswith("warning: precision 5% holds at 4 ")
    ]
    assert len(warnings) == 1
    assert "not reached" not in result.stderr


# --------------------------------------------------------------------------- report


def test_the_report_tells_each_step(
    cli: CliRunner, here: Path, baseline_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["run", str(baseline_path), *SHORT, "--reps", "2", "--workers", "1", "--out", "r"]
    assert cli.invoke(main, args).exit_code == 0
    steps: list[tuple[int, int, str]] = []
    real = command._progress
    with real() as none:
        assert none is None  # stderr is not a terminal here: no bar

    @contextmanager
    def recording() -> Iterator[Any]:
        yield lambda *step: steps.append(step)

    monkeypatch.setattr(command, "_progress", recording)
    result = cli.invoke(main, ["report", "r", "--format", "png"])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    figures = sorted(p.stem for p in (here / "r" / "report").glob("*.png"))
    n = len(figures)
    assert n >= 3
    assert [s[:2] for s in steps] == [(k, n + 1) for k in range(n + 2)]
    assert sorted(s[2] for s in steps[:n]) == [f"figure {name}" for name in figures]
    assert [s[2] for s in steps[n:]] == ["report.md and report.html", "done"]


def test_the_report_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    from rich.console import Console

    monkeypatch.setattr(Console, "is_terminal", property(lambda self: True))
    with command._progress() as update:
        assert update is not None
        update(0, 2, "figure phone")
        update(2, 2, "done")
