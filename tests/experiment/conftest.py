"""Shared fixtures for the experiment tests: a short baseline, a reference run, helpers.

A two-week baseline (half a week of warm-up) takes about a second per replication, so
the tests run real replications of the real scenario. The reference run (6 replications
in this process, written to a result directory) is made once per session; the other
backends, the resumed runs and the failure tests are compared with it.
"""

from __future__ import annotations

import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

import anwsim

SHORT = ("run.horizon_weeks=2", "run.warmup_weeks=0.5")
"""Overrides that make the baseline quick: 2 weeks, of which half a week of warm-up."""

REFERENCE_REPLICATIONS = 6
LABEL = "baseline"
"""The label of ``scenarios/baseline.yaml`` in result directories (the file's stem)."""

RESULT_FILE = re.compile(r"^rep-\d{5}\.parquet$")
TEMP_FILE = re.compile(r"^\..*\.tmp$")


@dataclass(frozen=True)
class Reference:
    """An uninterrupted in-process run of the short baseline."""

    directory: Path
    kpis: pd.DataFrame  # per replication, as returned by anwsim.run(per_replication=True)
    summary: pd.DataFrame  # summary.parquet of the result directory
    replications: int


@pytest.fixture(scope="session")
def short() -> tuple[str, ...]:
    return SHORT


@pytest.fixture(scope="session")
def reference(tmp_path_factory: pytest.TempPathFactory, baseline_path: Path) -> Reference:
    """6 replications of the short baseline on 1 worker (in this process), with ``out``."""
    directory = tmp_path_factory.mktemp("reference") / "run"
    kpis = anwsim.run(
        baseline_path,
        overrides=SHORT,
        replications=REFERENCE_REPLICATIONS,
        workers=1,
        out=directory,
        per_replication=True,
    )
    summary = pd.read_parquet(directory / "summary.parquet")
    return Reference(directory, kpis, summary, REFERENCE_REPLICATIONS)


@pytest.fixture(scope="session")
def anwsim_cli() -> Callable[..., list[str]]:
    """The argv that runs the ``anwsim`` command line in a fresh interpreter."""

    def command(*args: str) -> list[str]:
        return [sys.executable, "-c", "from anwsim.cli import main; main()", *args]

    return command


def _result_files(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if RESULT_FILE.match(p.name))


def _temp_files(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if TEMP_FILE.match(p.name))


@pytest.fixture(scope="session")
def result_files() -> Callable[[Path], list[str]]:
    """Names of the finished replication files (``rep-NNNNN.parquet``) in a folder."""
    return _result_files


@pytest.fixture(scope="session")
def temp_files() -> Callable[[Path], list[str]]:
    """Names of temporary files (``.NAME.XXXX.tmp``) in a folder."""
    return _temp_files


def _wait_for(predicate: Callable[[], bool], timeout: float, interval: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture(scope="session")
def wait_for() -> Callable[..., bool]:
    """``wait_for(predicate, timeout)``: poll until true; returns whether it became true."""
    return _wait_for
