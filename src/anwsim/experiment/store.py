"""The embedded result store: one directory per experiment, written so it can resume.

Layout of ``DIR``::

    manifest.json                       what was asked: resolved scenarios and their
                                        hashes, seed, plan, versions, command line
    kpis/<label>/rep-00000.parquet      one file per finished replication
    hourly/<label>/rep-00000.parquet    busy and staffed minutes per server group and
                                        hour of the week
    queues/<label>/rep-00000.parquet    waiting per queue and hour of the week
                                        (`anwsim.metrics.queues`)
    events/<label>/rep-00000.parquet    per-patient event log (``--log full``)
    checksums/<label>/rep-00000.json    SHA-256 and size of each file of the replication
    failures/<label>/rep-00000.json     error and traceback of a failed replication
    damaged/<kind>/<label>/…            files a resume found damaged (set aside)
    foreign/<kind>/<label>/…            files a resume found to belong elsewhere
    kpis.parquet, summary.csv, …        the combined results, written at the end
    .lock                               held (flock) by the run or resume writing here

Every file is written under a temporary name in its own directory and renamed into
place (`os.replace` is atomic), so a run killed at any moment leaves only whole files;
temporary files (``.NAME.XXXX.tmp``) left by a killed write are removed when a store is
created or resumed. Files get the mode ``0o666`` less the umask, like any other file.

**Provenance.** Every replication file carries, in its Parquet schema metadata (key
``anwsim``), the scenario hash, label, replication, seed, kind and the versions of
anwsim, numpy and numba (and the engine) it was computed with, and the digest of the
replication's Demand (``demand_digest``: `anwsim.experiment.tasks.demand_digest`),
which a finished run also collects into the manifest (``demand_digests``).

**Kinds.** ``manifest["replication_kinds"]`` lists the files every replication has
(``kpis``, ``hourly``, ``queues``, and ``events`` with ``--log full``). A store written
before that key existed has no queue tables: it is read, verified and resumed with
the kinds it was written with (``kpis``, ``hourly``, ``events`` with ``--log full``),
and a resume adds no queue table to it, so that its replications stay alike.

**Checksums.** A replication is saved as: its checksum record (SHA-256 of the bytes of
each of its files), then its event log, hourly and queue files, then its KPI file
last. A replication counts as done when its KPI file exists. Reading a Parquet file
back does not catch every flipped byte (a flipped bit in a number decodes to another
number), so a resume checks every done replication against its record, and the
provenance of every file against the manifest. A replication with a damaged file
(truncated, changed, no record) has its files moved to ``damaged/``, one with a file of
another scenario, replication, seed or version to ``foreign/``; either way it runs
again, and the resume says so on stderr and in the manifest (``set_aside``).

**Refusals** (`StoreError`, one line, before any work): an ``--out`` that cannot be
created or written, a directory another anwsim is writing to, an existing store for
``--out``, and on resume a manifest whose scenario no longer matches its hash, a label
that is not a plain name, or versions of anwsim, numpy or numba other than the
manifest's (the results would mix; start again with a new ``--out``). An OS error
while writing results is `ResultsNotWritten`: what and where, and that
``anwsim run --resume DIR`` continues.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import io
import json
import os
import platform
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from anwsim import __version__
from anwsim.experiment.lock import DirectoryLock, LockHeld
from anwsim.experiment.versions import RESULT_VERSIONS, result_versions
from anwsim.scenario import Scenario, scenario_hash, validate_data
from anwsim.scenario.errors import ScenarioError

if TYPE_CHECKING:  # not at run time: reading a store must not import the model
    from anwsim.experiment.tasks import TaskResult

PACKAGES = ("numpy", "numba", "simpy", "pandas", "pydantic", "pyarrow", "scipy")
MANIFEST = "manifest.json"
STORE_FORMAT = 1
CHECKSUMS = "sha256"
"""``manifest["checksums"]``: the replication files carry provenance metadata and have
SHA-256 checksum records (a store without it was written before they existed)."""
KINDS = ("kpis", "hourly", "queues", "events")
"""The per-replication files, by folder (``events`` only with ``--log full``; a store's
own list is `replication_kinds`)."""
METADATA_KEY = b"anwsim"
_REP = re.compile(r"^rep-(\d{5,})\.parquet$")
_TEMP = re.compile(r"^\..*\.tmp$")
_TOP_TEMP = re.compile(r"^\.(manifest\.json|probe|[A-Za-z_]+\.(parquet|csv))\.[^.]+\.tmp$")
_LABEL = re.compile(r"[A-Za-z0-9_.=-]+")


class StoreError(ScenarioError):
    """The result directory cannot be used (one line; the CLI exits with status 2)."""


class ResultsNotWritten(RuntimeError):
    """An OS error (read-only or full disk, …) while writing results into a store."""

    def __init__(self, path: Path, directory: Path, error: OSError) -> None:
        self.path = path
        self.directory = directory
        self.error = error
        reason = error.strerror or str(error)
        super().__init__(
            f"could not write {path}: {reason}; the replications saved so far are kept: "
            f"run `anwsim run --resume {directory}` to continue"
        )


# --------------------------------------------------------------------------- labels


def replication_kinds(manifest: dict[str, Any]) -> list[str]:
    """The files every replication of the store with ``manifest`` has: its
    ``replication_kinds``, or for a store written before that key, what it was written
    with (no queue tables)."""
    listed = manifest.get("replication_kinds")
    if isinstance(listed, list) and all(kind in KINDS for kind in listed):
        return [str(kind) for kind in listed]
    return ["kpis", "hourly"] + (["events"] if manifest.get("log") == "full" else [])


def _new_kinds(manifest: dict[str, Any]) -> list[str]:
    return ["kpis", "hourly", "queues"] + (["events"] if manifest.get("log") == "full" else [])


def check_label(label: Any, where: str | Path | None = None) -> str:
    """``label`` if it is a plain name (``[A-Za-z0-9_.=-]+``, not starting with ``.``,
    no ``..``), which is safe as a folder name; else `StoreError`."""
    if (
        not isinstance(label, str)
        or not _LABEL.fullmatch(label)
        or label.startswith(".")
        or ".." in label
    ):
        raise StoreError(
            f"scenario label {label!r} is not allowed: a label is letters, digits and "
            "_ . = - (not starting with '.', no '..')",
            file=None if where is None else str(where),
        )
    return label


# --------------------------------------------------------------------------- low-level writes


def _read_umask() -> int | None:
    """The umask from ``/proc/self/status`` (reading it changes nothing, unlike
    `os.umask`, so no thread can see a wrong umask meanwhile)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return None


def _import_umask() -> int:
    found = _read_umask()
    if found is None:  # pragma: no cover - no /proc (not Linux): set and restore once
        found = os.umask(0o022)
        os.umask(found)
    return found


_UMASK_AT_IMPORT = _import_umask()


def file_mode() -> int:
    """The mode a new file gets: ``0o666`` less the (current) umask."""
    umask = _read_umask()
    return 0o666 & ~(_UMASK_AT_IMPORT if umask is None else umask)


def _write_bytes(path: str, data: bytes) -> None:
    """The one place the store writes file content (tests make it fail like a full or
    read-only disk)."""
    with open(path, "wb") as file:
        file.write(data)


def atomic_write(path: Path, write: Callable[[str], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, file_mode())  # mkstemp made it 0600
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bytes(data: bytes, path: Path) -> None:
    atomic_write(path, lambda tmp: _write_bytes(tmp, data))


def parquet_bytes(frame: pd.DataFrame, provenance: dict[str, Any] | None = None) -> bytes:
    """``frame`` as Parquet (as `DataFrame.to_parquet` writes it), with ``provenance``
    as JSON under the schema metadata key ``anwsim``."""
    table = pa.Table.from_pandas(frame, preserve_index=False)
    if provenance is not None:
        metadata = dict(table.schema.metadata or {})
        metadata[METADATA_KEY] = json.dumps(provenance, sort_keys=True).encode("utf-8")
        table = table.replace_schema_metadata(metadata)
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def read_parquets(paths: list[Path]) -> pd.DataFrame:
    """The Parquet files ``paths`` as one frame, rows in the order of the files (what
    ``pd.concat`` of each file's `pd.read_parquet` gives, about 4× faster: one Arrow
    dataset read of the list, `_read_together`); read one by one where that read would
    not give the same (`_read_together` says when)."""
    whole = _read_together(paths)
    return _concat_each(paths) if whole is None else whole


def _read_together(paths: list[Path]) -> pd.DataFrame | None:
    """One Arrow dataset read of ``paths`` (it keeps the list's order), or None where it
    would differ from reading each file: fewer than two files, or schemas that differ
    (written by another version, or a column typed null in a file with no rows: a dataset
    takes its columns from the first file and drops the others' extra ones). Folders
    named ``key=value`` in the paths (a label or an output folder may be so named) are
    not read as partition columns. Comparing the footers' schemas costs about 5% of the
    read."""
    if len(paths) < 2 or not _same_schema(paths):
        return None
    try:
        return pd.read_parquet([str(p) for p in paths], partitioning=None)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return None


def _concat_each(paths: list[Path]) -> pd.DataFrame:
    return pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)


def _same_schema(paths: list[Path]) -> bool:
    """Whether every file has the first one's columns and types (metadata aside)."""
    first = pq.read_schema(paths[0])
    return all(pq.read_schema(p).equals(first, check_metadata=False) for p in paths[1:])


def read_parquets_each(paths: list[Path], key: str, values: Sequence[int]) -> list[pd.DataFrame]:
    """Each file of ``paths`` as its own frame (what `pd.read_parquet` of it gives), from
    one `_read_together` of them all split where column ``key`` steps from one of
    ``values`` (ascending, one per file) to the next. Files it cannot read together or
    split so (schemas that differ, no such column, a file without rows) are read one by
    one."""
    whole = _read_together(paths)
    if whole is not None and key in whole.columns and len(values) == len(paths):
        column = whole[key].to_numpy()
        starts = np.searchsorted(column, values, side="left")
        ends = np.searchsorted(column, values, side="right")
        if (
            bool(np.all(column[1:] >= column[:-1]))
            and starts[0] == 0
            and ends[-1] == len(column)
            and bool(np.all(starts[1:] == ends[:-1]))
            and bool(np.all(ends > starts))
        ):
            return [
                whole.iloc[a:b].reset_index(drop=True) for a, b in zip(starts, ends, strict=True)
            ]
    return [pd.read_parquet(p) for p in paths]


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    write_bytes(parquet_bytes(frame), path)


def write_text(text: str, path: Path) -> None:
    write_bytes(text.encode("utf-8"), path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


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


# --------------------------------------------------------------------------- directory checks


def _unusable(directory: Path, exc: OSError, doing: str) -> StoreError:
    reason = exc.strerror or str(exc)
    for parent in [directory, *directory.parents]:
        if parent.exists():
            if not parent.is_dir():
                reason = f"{parent} is a file" if parent != directory else "it is a file"
            break
    return StoreError(f"cannot {doing} the result directory: {reason}", file=str(directory))


def _prepare(directory: Path) -> None:
    """Create ``directory`` and write and remove a probe file in it, so that an
    unusable ``--out`` is refused before any replication runs."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise _unusable(directory, exc, "create") from None
    try:
        fd, probe = tempfile.mkstemp(prefix=".probe.", suffix=".tmp", dir=directory)
        os.close(fd)
        try:
            _write_bytes(probe, b"anwsim can write here\n")
        finally:
            Path(probe).unlink(missing_ok=True)
    except OSError as exc:
        raise _unusable(directory, exc, "write into") from None


def _lock(directory: Path) -> DirectoryLock:
    try:
        return DirectoryLock(directory)
    except LockHeld:
        raise StoreError(
            "another anwsim is writing results there; wait until it ends, or choose another --out",
            file=str(directory),
        ) from None
    except OSError as exc:
        raise _unusable(directory, exc, "lock") from None


def remove_temporary_files(directory: Path) -> list[Path]:
    """Delete temporary files (``.NAME.XXXX.tmp``) left by killed writes: those of the
    store's own files in ``directory`` and every one in the store's folders (nothing
    else of a directory that holds other things too is touched)."""
    found = [p for p in directory.iterdir() if _TOP_TEMP.match(p.name)]
    for top in (*KINDS, "checksums", "failures"):
        if (directory / top).is_dir():
            for folder in (directory / top).iterdir():
                if folder.is_dir():
                    found += [p for p in folder.iterdir() if _TEMP.match(p.name)]
    removed = []
    for path in found:
        if path.is_file():
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


@dataclass(frozen=True)
class SetAside:
    """A replication a resume found damaged or foreign: its files were moved away."""

    label: str
    replication: int
    reason: str
    moved: tuple[tuple[str, str], ...]  # (from, to), relative to the store

    def describe(self, directory: Path, planned: int | None = None) -> str:
        """One line for stderr; ``planned``: the plan's number of replications (None for
        a precision plan)."""
        files = ", ".join(f"{a} -> {b}" for a, b in self.moved)
        if planned is None:
            then = "it runs again if the precision asks for it"
        elif self.replication < planned:
            then = "it runs again"
        else:
            then = f"it is not one of the {planned} replications planned"
        return (
            f"warning: {directory}: replication {self.replication} of {self.label!r} set "
            f"aside ({self.reason}; moved {files}); {then}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "scenario": self.label,
            "replication": self.replication,
            "reason": self.reason,
            "moved": [list(m) for m in self.moved],
        }


class ResultStore:
    """A result directory (see the module docstring).

    `create` and `resume` hold the directory's lock until `close` (or the end of a
    ``with`` block); `open` only reads.
    """

    def __init__(
        self, directory: Path, manifest: dict[str, Any], lock: DirectoryLock | None = None
    ) -> None:
        self.directory = Path(directory)
        self.manifest = manifest
        self._lock = lock
        self.scenarios: dict[str, Scenario] = {}
        self.set_aside: list[SetAside] = []

    def close(self) -> None:
        """Release the lock (nothing is left unwritten: every write is complete)."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ open / create

    @classmethod
    def create(cls, directory: Path, manifest: dict[str, Any]) -> ResultStore:
        """A new store in ``directory`` (created if need be), locked for this process."""
        directory = Path(directory)
        _prepare(directory)
        lock = _lock(directory)
        try:
            for label in manifest.get("scenarios", {}):
                check_label(label)
            path = directory / MANIFEST
            if path.exists():
                raise StoreError(
                    "already holds results; resume it with --resume, or choose another --out",
                    file=str(directory),
                )
            remove_temporary_files(directory)
            full = {
                "anwsim_result_store": STORE_FORMAT,
                "checksums": CHECKSUMS,
                "versions": versions(),
                "command": sys.argv,
                "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
                "replication_kinds": _new_kinds(manifest),
                **manifest,
            }
            _create_exclusively(path, json.dumps(full, indent=2, ensure_ascii=False))
        except BaseException:
            lock.release()
            raise
        return cls(directory, full, lock)

    @classmethod
    def open(cls, directory: Path) -> ResultStore:
        """Read a store's manifest (no lock; only its labels are checked, since they
        become folder names): for looking at results."""
        return cls(Path(directory), _read_manifest(Path(directory)))

    @classmethod
    def resume(cls, directory: Path) -> ResultStore:
        """Lock a store to continue it: check its manifest (format, versions, labels,
        scenario hashes), remove temporary files and set aside damaged and foreign
        replication files (`set_aside`; recorded in the manifest)."""
        directory = Path(directory)
        _read_manifest(directory)  # a directory without a store is refused untouched
        _prepare(directory)
        lock = _lock(directory)
        try:
            store = cls(directory, _read_manifest(directory), lock)  # read under the lock
            store.scenarios = store._check_manifest()
            remove_temporary_files(directory)
            store.set_aside = store._verify()
            if store.set_aside:
                earlier = list(store.manifest.get("set_aside", []))
                store.update_manifest(set_aside=earlier + [s.to_dict() for s in store.set_aside])
        except BaseException:
            lock.release()
            raise
        return store

    def _check_manifest(self) -> dict[str, Scenario]:
        path = self.directory / MANIFEST
        m = self.manifest
        if m.get("anwsim_result_store") != STORE_FORMAT or m.get("checksums") != CHECKSUMS:
            raise StoreError(
                "written by another anwsim (result store format "
                f"{m.get('anwsim_result_store')!r}, checksums {m.get('checksums')!r}); this one "
                f"({__version__}) resumes format {STORE_FORMAT} with {CHECKSUMS} checksums only: "
                "run it again with a new --out",
                file=str(path),
            )
        found = m.get("versions")
        recorded: dict[str, Any] = found if isinstance(found, dict) else {}
        current = result_versions()
        differ = [k for k in RESULT_VERSIONS if recorded.get(k) != current[k]]
        if differ:
            was = ", ".join(f"{k} {recorded.get(k)}" for k in differ)
            now = ", ".join(f"{k} {current[k]}" for k in differ)
            raise StoreError(
                f"these results were made with {was}, this is {now}: resuming would mix "
                "results of different versions; run it again with a new --out",
                file=str(path),
            )
        entries = m["scenarios"]
        if not isinstance(entries, dict) or not entries:
            raise StoreError("not an anwsim result manifest: no scenarios", file=str(path))
        scenarios = {}
        for label, entry in entries.items():
            check_label(label, path)
            if not isinstance(entry, dict) or "scenario" not in entry or "hash" not in entry:
                raise StoreError(f"scenario {label!r} has no scenario or hash", file=str(path))
            try:
                scenario = validate_data(entry["scenario"])
            except ScenarioError as exc:
                raise StoreError(
                    f"scenario {label!r} is not valid: {exc.message}", file=str(path)
                ) from None
            if scenario_hash(scenario) != entry["hash"]:
                raise StoreError(
                    f"scenario {label!r} does not match its hash: the manifest was edited "
                    "after the run started, and its results would mix with the stored ones; "
                    "run the edited scenario with a new --out",
                    file=str(path),
                )
            scenarios[label] = scenario
        return scenarios

    # ------------------------------------------------------------------ replications

    def _rep_path(self, kind: str, label: str, replication: int, suffix: str = "parquet") -> Path:
        check_label(label, self.directory / MANIFEST)
        return self.directory / kind / label / f"rep-{replication:05d}.{suffix}"

    def _record_path(self, label: str, replication: int) -> Path:
        return self._rep_path("checksums", label, replication, "json")

    def completed(self, label: str) -> set[int]:
        """Replications of ``label`` whose KPIs are on disk."""
        folder = self.directory / "kpis" / label
        if not folder.is_dir():
            return set()
        return {int(m.group(1)) for p in folder.iterdir() if (m := _REP.match(p.name))}

    def _provenance(self, label: str, replication: int, seed: int) -> dict[str, Any]:
        entry = self.manifest.get("scenarios", {}).get(label, {})
        return {
            "label": label,
            "replication": replication,
            "seed": seed,
            "scenario_hash": entry.get("hash"),
        }

    def _write(self, path: Path, data: bytes) -> None:
        try:
            write_bytes(data, path)
        except OSError as exc:
            raise ResultsNotWritten(path, self.directory, exc) from exc

    def save(self, result: TaskResult) -> None:
        """Write one replication's result (or its failure) atomically."""
        failure = self._rep_path("failures", result.label, result.replication, "json")
        if result.ok:
            assert result.kpis is not None
            identity = self._provenance(result.label, result.replication, result.seed)
            identity["versions"] = result.versions or result_versions()
            identity["engine"] = result.engine
            identity["demand_digest"] = result.demand_digest
            kinds = replication_kinds(self.manifest)
            blobs = {
                kind: parquet_bytes(frame, {**identity, "kind": kind})
                for kind, frame in (
                    ("events", result.events),
                    ("hourly", result.hourly),
                    ("queues", result.queues),
                    ("kpis", result.kpis),
                )
                if frame is not None and kind in kinds
            }
            record = {
                **identity,
                "files": {
                    kind: {"sha256": hashlib.sha256(blob).hexdigest(), "bytes": len(blob)}
                    for kind, blob in blobs.items()
                },
            }
            # the record first and the KPI file last: a KPI file on disk always has its
            # record and the other files of its replication beside it
            self._write(
                self._record_path(result.label, result.replication),
                json.dumps(record, indent=2).encode("utf-8"),
            )
            for kind, blob in blobs.items():
                self._write(self._rep_path(kind, result.label, result.replication), blob)
            try:
                failure.unlink(missing_ok=True)
            except OSError as exc:
                raise ResultsNotWritten(failure, self.directory, exc) from exc
        else:
            record = {
                "scenario": result.label,
                "replication": result.replication,
                "seed": result.seed,
                "error": result.error,
                "traceback": result.traceback,
            }
            self._write(failure, json.dumps(record, indent=2).encode("utf-8"))

    def failures(self) -> list[dict[str, Any]]:
        folder = self.directory / "failures"
        if not folder.is_dir():
            return []
        out = []
        for path in sorted(folder.glob("*/rep-*.json")):
            try:
                out.append(json.loads(path.read_text(encoding="utf-8")))
            except (OSError, ValueError):  # damaged: the replication runs again anyway
                continue
        return out

    def load_kpis(self, label: str, replications: range) -> pd.DataFrame:
        return read_parquets([self._rep_path("kpis", label, r) for r in replications])

    def load_kpis_each(self, label: str, replications: Sequence[int]) -> list[pd.DataFrame]:
        """The KPI frame of each of these replications (as `load_kpis` of it alone
        gives), from one read of them all."""
        paths = [self._rep_path("kpis", label, r) for r in replications]
        return read_parquets_each(paths, "replication", replications)

    def load_hourly(self, label: str, replications: range) -> pd.DataFrame | None:
        """Per-hour busy/staffed minutes of these replications (None if any is missing)."""
        paths = [self._rep_path("hourly", label, r) for r in replications]
        if not all(p.exists() for p in paths):
            return None
        return read_parquets(paths)

    def load_queues(self, label: str, replications: range) -> pd.DataFrame | None:
        """Waiting per queue and hour of these replications (None if any is missing)."""
        paths = [self._rep_path("queues", label, r) for r in replications]
        if not all(p.exists() for p in paths):
            return None
        return read_parquets(paths)

    def demand_digests(self) -> dict[str, dict[str, str]]:
        """``{label: {replication: digest}}`` from the provenance of the KPI files (a
        file without one, written before digests existed, is left out)."""
        out: dict[str, dict[str, str]] = {}
        for label in self.manifest.get("scenarios", {}):
            found = {}
            for r in sorted(self.completed(label)):
                digest = read_provenance(self._rep_path("kpis", label, r)).get("demand_digest")
                if isinstance(digest, str):
                    found[str(r)] = digest
            out[label] = found
        return out

    def write_final(self, name: str, frame: pd.DataFrame) -> None:
        """A combined result as Parquet and CSV (``name.parquet``, ``name.csv``)."""
        self._write(self.directory / f"{name}.parquet", parquet_bytes(frame))
        self._write(self.directory / f"{name}.csv", frame.to_csv(index=False).encode("utf-8"))

    def update_manifest(self, **fields: Any) -> None:
        self.manifest.update(fields)
        text = json.dumps(self.manifest, indent=2, ensure_ascii=False)
        self._write(self.directory / MANIFEST, text.encode("utf-8"))

    # ------------------------------------------------------------------ verification

    def _verify(self) -> list[SetAside]:
        """Check every done replication (see the module docstring); move the files of a
        bad one to ``damaged/`` or ``foreign/`` so that it runs again."""
        kinds = replication_kinds(self.manifest)
        out = []
        for label, scenario in self.scenarios.items():
            for r in sorted(self.completed(label)):
                expected = self._provenance(label, r, scenario.run.seed)
                expected["versions"] = {
                    k: self.manifest.get("versions", {}).get(k) for k in RESULT_VERSIONS
                }
                problems = self._check_replication(label, r, kinds, expected)
                if problems:
                    out.append(self._set_aside(label, r, problems))
        return out

    def _check_replication(
        self, label: str, r: int, kinds: list[str], expected: dict[str, Any]
    ) -> dict[str, tuple[str, str]]:
        """{kind: (where, reason)} for each bad file of replication ``r`` (where is
        ``damaged`` or ``foreign``)."""
        record: dict[str, Any] = {}
        try:
            loaded = json.loads(self._record_path(label, r).read_text(encoding="utf-8"))
            record = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            pass
        files = record.get("files") if isinstance(record.get("files"), dict) else {}
        problems: dict[str, tuple[str, str]] = {}
        for kind in kinds:
            path = self._rep_path(kind, label, r)
            name = path.relative_to(self.directory)
            if not path.exists():
                problems[kind] = ("damaged", f"{name} is missing")
                continue
            foreign = _foreign(path, {**expected, "kind": kind})
            if foreign:
                problems[kind] = ("foreign", f"{name} {foreign}")
                continue
            want = files.get(kind, {}) if isinstance(files, dict) else {}
            if not isinstance(want, dict) or "sha256" not in want:
                problems[kind] = ("damaged", f"{name} has no checksum record")
            elif want.get("bytes") not in (None, path.stat().st_size):
                size = path.stat().st_size
                problems[kind] = (
                    "damaged",
                    f"{name} has {size} bytes, not {want['bytes']} (truncated?)",
                )
            elif _sha256(path) != want["sha256"]:
                problems[kind] = ("damaged", f"{name} does not match its SHA-256 checksum")
        return problems

    def _set_aside(self, label: str, r: int, problems: dict[str, tuple[str, str]]) -> SetAside:
        moved = []
        where = next(iter(problems.values()))[0]
        for kind in KINDS:
            path = self._rep_path(kind, label, r)
            if not path.exists():
                continue
            folder = problems.get(kind, (where, ""))[0]
            target = _free_name(self.directory / folder / kind / label / path.name)
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(path, target)
            except OSError as exc:
                raise ResultsNotWritten(target, self.directory, exc) from exc
            moved.append(
                (str(path.relative_to(self.directory)), str(target.relative_to(self.directory)))
            )
        self._record_path(label, r).unlink(missing_ok=True)
        reason = "; ".join(reason for _, reason in problems.values())
        return SetAside(label, r, reason, tuple(moved))


def read_provenance(path: Path) -> dict[str, Any]:
    """The provenance a replication file carries (empty if none or unreadable)."""
    try:
        raw = (pq.read_schema(path).metadata or {}).get(METADATA_KEY)
        found = json.loads(raw) if raw is not None else {}
    except Exception:  # damaged or not Parquet: nothing to read
        return {}
    return found if isinstance(found, dict) else {}


def _foreign(path: Path, expected: dict[str, Any]) -> str | None:
    """Why the Parquet file at ``path`` belongs to another scenario, replication, seed or
    version (None if it is ours, or if it cannot be read: then the checksum decides)."""
    try:
        metadata = pq.read_schema(path).metadata or {}
    except Exception:  # damaged: not for this check to say
        return None
    raw = metadata.get(METADATA_KEY)
    if raw is None:
        return "carries no anwsim provenance"
    try:
        found = json.loads(raw)
    except ValueError:
        return None  # a damaged footer; the checksum will say so
    if not isinstance(found, dict):
        return None
    for key in ("scenario_hash", "label", "replication", "seed", "kind", "versions"):
        got, want = found.get(key), expected.get(key)
        if got != want:
            if key == "scenario_hash":
                return f"belongs to another scenario (hash {str(got)[:12]}, not {str(want)[:12]})"
            return f"belongs to {key} {got!r}, not {want!r}"
    return None


def _free_name(path: Path) -> Path:
    if not path.exists():
        return path
    n = 1
    while (candidate := path.with_name(f"{path.name}.{n}")).exists():
        n += 1
    return candidate


def _read_manifest(directory: Path) -> dict[str, Any]:
    path = directory / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise StoreError(
            "no manifest.json: not an anwsim result directory", file=str(directory)
        ) from None
    except NotADirectoryError:
        raise StoreError("not a directory", file=str(directory)) from None
    except (OSError, ValueError) as exc:
        raise StoreError(f"unreadable manifest: {exc}", file=str(path)) from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("scenarios"), dict):
        raise StoreError("not an anwsim result manifest", file=str(path))
    for label in manifest["scenarios"]:  # labels become folder names: never a path
        check_label(label, path)
    return manifest


def create_exclusively(path: Path, data: bytes) -> None:
    """Write ``path`` whole, raising `FileExistsError` if it exists: a complete
    temporary file is linked to the name (``link`` never replaces), or, where hard links
    are not supported, the name is created with ``O_EXCL`` and written. A run killed
    meanwhile leaves at most a temporary file, never a part of ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        _write_bytes(tmp, data)
        os.chmod(tmp, file_mode())
        try:
            os.link(tmp, path)
        except FileExistsError:
            raise
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
                raise
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            os.close(fd)
            _write_bytes(str(path), data)
    finally:
        Path(tmp).unlink(missing_ok=True)


def _create_exclusively(path: Path, text: str) -> None:
    """The manifest of a new store, or `StoreError` if the directory already has one."""
    try:
        create_exclusively(path, text.encode("utf-8"))
    except FileExistsError:
        raise StoreError(
            "already holds results; resume it with --resume, or choose another --out",
            file=str(path.parent),
        ) from None
    except OSError as exc:
        raise _unusable(path.parent, exc, "write into") from None
