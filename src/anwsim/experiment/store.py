"""The embedded result store: one directory per experiment, written so it can resume.

Layout of ``DIR``::

    manifest.json                       what was asked: resolved scenarios and their
                                        hashes, seed, plan, versions, command line
    kpis/<label>/rep-00000.parquet      one file per finished replication
    hourly/<label>/rep-00000.parquet    busy and staffed minutes per server group and
                                        hour of the week
    events/<label>/rep-00000.parquet    per-patient event log (``--log full``)
    failures/<label>/rep-00000.json     error and traceback of a failed replication
    kpis.parquet, summary.csv, …        the combined results, written at the end

Every file is written under a temporary name in its own directory and renamed into
place (`os.replace` is atomic), so a run killed at any moment leaves only whole files.
A replication counts as done when its KPI file exists; resuming runs only the others,
and the combined results are rebuilt from the per-replication files.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import re
import sys
import tempfile
from collections.abc import Callable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import pandas as pd

from anwsim import __version__
from anwsim.experiment.tasks import TaskResult
from anwsim.scenario import Scenario, scenario_hash
from anwsim.scenario.errors import ScenarioError

PACKAGES = ("numpy", "numba", "simpy", "pandas", "pydantic", "pyarrow", "scipy")
MANIFEST = "manifest.json"
_REP = re.compile(r"^rep-(\d{5,})\.parquet$")


def atomic_write(path: Path, write: Callable[[str], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda tmp: frame.to_parquet(tmp, index=False))


def write_text(text: str, path: Path) -> None:
    def write(tmp: str) -> None:
        Path(tmp).write_text(text, encoding="utf-8")

    atomic_write(path, write)


def versions() -> dict[str, str]:
    """anwsim, Python and the main packages, for the manifest."""
    out = {"anwsim": __version__, "python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = version(name)
        except PackageNotFoundError:  # pragma: no cover
            out[name] = "not installed"
    return out


def scenario_entry(scenario: Scenario, source: str | None) -> dict[str, Any]:
    return {
        "source": source,
        "name": scenario.name,
        "hash": scenario_hash(scenario),
        "scenario": scenario.model_dump(mode="json"),
    }


class ResultStore:
    """A result directory (see the module docstring)."""

    def __init__(self, directory: Path, manifest: dict[str, Any]) -> None:
        self.directory = Path(directory)
        self.manifest = manifest

    # ------------------------------------------------------------------ open / create

    @classmethod
    def create(cls, directory: Path, manifest: dict[str, Any]) -> ResultStore:
        directory = Path(directory)
        if (directory / MANIFEST).exists():
            raise ScenarioError(
                "already holds results; resume it with --resume, or choose another --out",
                file=str(directory),
            )
        full = {
            "anwsim_result_store": 1,
            "versions": versions(),
            "command": sys.argv,
            "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            **manifest,
        }
        write_text(json.dumps(full, indent=2, ensure_ascii=False), directory / MANIFEST)
        return cls(directory, full)

    @classmethod
    def open(cls, directory: Path) -> ResultStore:
        path = Path(directory) / MANIFEST
        try:
            manifest = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ScenarioError(
                "no manifest.json: not an anwsim result directory", file=str(directory)
            ) from None
        except (OSError, json.JSONDecodeError) as exc:
            raise ScenarioError(f"unreadable manifest: {exc}", file=str(path)) from None
        if not isinstance(manifest, dict) or "scenarios" not in manifest:
            raise ScenarioError("not an anwsim result manifest", file=str(path))
        return cls(Path(directory), manifest)

    # ------------------------------------------------------------------ replications

    def _rep_path(self, kind: str, label: str, replication: int, suffix: str = "parquet") -> Path:
        return self.directory / kind / label / f"rep-{replication:05d}.{suffix}"

    def completed(self, label: str) -> set[int]:
        """Replications of ``label`` whose KPIs are on disk."""
        folder = self.directory / "kpis" / label
        if not folder.is_dir():
            return set()
        return {int(m.group(1)) for p in folder.iterdir() if (m := _REP.match(p.name))}

    def save(self, result: TaskResult) -> None:
        """Write one replication's result (or its failure) atomically."""
        failure = self._rep_path("failures", result.label, result.replication, "json")
        if result.ok:
            assert result.kpis is not None
            if result.events is not None:
                write_parquet(
                    result.events, self._rep_path("events", result.label, result.replication)
                )
            if result.hourly is not None:
                write_parquet(
                    result.hourly, self._rep_path("hourly", result.label, result.replication)
                )
            write_parquet(result.kpis, self._rep_path("kpis", result.label, result.replication))
            failure.unlink(missing_ok=True)
        else:
            record = {
                "scenario": result.label,
                "replication": result.replication,
                "seed": result.seed,
                "error": result.error,
                "traceback": result.traceback,
            }
            write_text(json.dumps(record, indent=2), failure)

    def failures(self) -> list[dict[str, Any]]:
        folder = self.directory / "failures"
        if not folder.is_dir():
            return []
        return [json.loads(p.read_text()) for p in sorted(folder.glob("*/rep-*.json"))]

    def load_kpis(self, label: str, replications: range) -> pd.DataFrame:
        frames = [pd.read_parquet(self._rep_path("kpis", label, r)) for r in replications]
        return pd.concat(frames, ignore_index=True)

    def load_hourly(self, label: str, replications: range) -> pd.DataFrame | None:
        """Per-hour busy/staffed minutes of these replications (None if any is missing)."""
        paths = [self._rep_path("hourly", label, r) for r in replications]
        if not all(p.exists() for p in paths):
            return None
        return pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)

    def write_final(self, name: str, frame: pd.DataFrame) -> None:
        """A combined result as Parquet and CSV (``name.parquet``, ``name.csv``)."""
        write_parquet(frame, self.directory / f"{name}.parquet")
        atomic_write(self.directory / f"{name}.csv", lambda tmp: frame.to_csv(tmp, index=False))

    def update_manifest(self, **fields: Any) -> None:
        self.manifest.update(fields)
        write_text(
            json.dumps(self.manifest, indent=2, ensure_ascii=False), self.directory / MANIFEST
        )
