"""Writing results to a directory: a manifest and Parquet files, each written atomically.

Layout of ``DIR``::

    manifest.json                  scenario (resolved), hash, seed, versions, command
    kpis/rep-00000.parquet         the KPI table of replication 0, …
    outcomes/rep-00000.parquet     per-patient outcomes (when asked for)
    resources/rep-00000.parquet    busy/capacity change points per server group

Every file is written to a temporary name in the same directory and renamed into place,
so an interrupted run never leaves a half-written file behind.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
import tempfile
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from anwsim import __version__
from anwsim.experiment.replication import ReplicationResult
from anwsim.scenario import Scenario, scenario_hash

PACKAGES = ("numpy", "numba", "simpy", "pandas", "pydantic", "pyarrow", "scipy")


def _atomic_write(path: Path, write: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """Write a DataFrame to Parquet atomically."""
    _atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def versions() -> dict[str, str]:
    out = {"anwsim": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover
            out[name] = "not installed"
    return out


def write_manifest(
    directory: Path, scenario: Scenario, source: str, **extra: Any
) -> dict[str, Any]:
    """Write ``manifest.json``: the provenance of everything in the directory."""
    manifest = {
        "scenario_file": source,
        "scenario_name": scenario.name,
        "scenario_hash": scenario_hash(scenario),
        "seed": scenario.run.seed,
        "versions": versions(),
        "command": sys.argv,
        "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **extra,
        "scenario": scenario.model_dump(mode="json"),
    }
    text = json.dumps(manifest, indent=2, ensure_ascii=False)

    def write(tmp: str) -> None:
        Path(tmp).write_text(text, encoding="utf-8")

    _atomic_write(directory / "manifest.json", write)
    return manifest


def write_replication(directory: Path, result: ReplicationResult, outcomes: bool) -> None:
    """Write one replication's KPIs (and, if asked, outcomes and resource logs)."""
    name = f"rep-{result.replication:05d}.parquet"
    if outcomes:
        write_parquet(result.outcomes.to_frame(), directory / "outcomes" / name)
        write_parquet(result.outcomes.resources.to_frame(), directory / "resources" / name)
    write_parquet(result.kpis, directory / "kpis" / name)
