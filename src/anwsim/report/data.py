"""What a report reads from a result directory: the manifest, the KPIs per replication,
the busy and staffed minutes and the queues per hour of the week, and (``--log full``)
the event logs.

`Results.open(directory)` reads a run, compare or sweep written by `anwsim.experiment`.
It works on finished and on interrupted directories (it then reads the per-replication
KPI files). Everything else is computed on demand and cached: the summary (mean and
t-based 95% CI per KPI), the paired differences to the base scenario, the validated
scenarios, and per-patient times from the event logs.

The report only reads: it never samples or simulates (it imports nothing of
`anwsim.model`, `anwsim.sampling` or the runner). Each patient's urgency and entry come
from the event log's ``urgency`` and ``entry`` columns; a log written before they
existed gives urgency and entry -1 (unknown) and the note ``no_urgency``. A directory
without per-hour workload tables gives `Hourly` with ``source == "missing"`` (an empty
frame) and the note ``no_hourly``; one without queue tables gives ``queues`` None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from anwsim.experiment.store import ResultStore, read_parquets
from anwsim.experiment.summary import DEFAULT_CORRECTION, correct, paired_differences, summarise
from anwsim.scenario import ENTRIES, URGENCIES, Scenario, validate_data
from anwsim.scenario.errors import ScenarioError
from anwsim.scenario.schema import AMBULANCE_URGENCIES

_REP = re.compile(r"^rep-(\d{5,})\.parquet$")

EVENT_COLUMNS: dict[str, str] = {
    "arrival": "arrival",
    "triage_wait_begins": "wait_start",
    "triage_begins": "answer",
    "ambulance_wait_begins": "incident",
    "ambulance_on_scene": "on_scene",
    "ambulance_at_seh": "at_seh",
    "handover_begins": "handover",
}
"""Events of the vidigi log the report uses, and the column each becomes."""

QUEUE_COLUMNS: tuple[str, ...] = (
    "replication",
    "site",
    "role",
    "hour_of_week",
    "observed_minutes",
    "waiting_minutes",
    "waits_started",
    "wait_minutes",
)
"""Columns of `Results.queues`."""

HOURLY_COLUMNS: tuple[str, ...] = (
    "group",
    "role",
    "site",
    "hour_of_week",
    "staffed_minutes",
    "busy_minutes",
    "utilisation",
    "replication",
)
"""Columns of `Hourly.frame` (those of `anwsim.metrics.utilisation_by_hour_of_week`)."""

HourlySource = Literal["replications", "pooled", "missing"]


@dataclass(frozen=True)
class Hourly:
    """Busy and staffed minutes per server group and hour of the week of one scenario.

    ``frame`` has the columns of `anwsim.metrics.utilisation_by_hour_of_week` plus
    ``replication`` (-1 when only totals over replications are stored); ``source`` says
    where it came from: the per-replication files of the store, the pooled table
    ``utilisation_by_hour.parquet``, or ``missing`` (the directory has neither: the frame
    is empty, and a figure must say that the tables are missing)."""

    frame: pd.DataFrame
    source: HourlySource


def _rep_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _REP.match(p.name))


def _with_column(frame: pd.DataFrame, column: str, value: object) -> pd.DataFrame:
    """``frame`` with ``column`` set to ``value`` where a table lacks it (files written
    before the column existed: the column is missing, or empty in their rows)."""
    if column not in frame.columns:
        frame.insert(0, column, value)
    elif frame[column].isna().any():  # some files have it: first, as in the others
        frame.insert(0, column, frame.pop(column).fillna(value))
    return frame


def _read_replications(files: list[Path]) -> pd.DataFrame:
    """Per-replication tables as one frame (one read, `read_parquets`), each row with
    its ``replication``: from the file's name (``rep-NNNNN``) for tables written before
    they carried the column."""
    frame = read_parquets(files)
    if "replication" in frame.columns and not frame["replication"].isna().any():
        return frame
    frames = []
    for path in files:
        one = pd.read_parquet(path)
        if "replication" not in one.columns:
            one["replication"] = int(_REP.match(path.name).group(1))  # type: ignore[union-attr]
        frames.append(one)
    return pd.concat(frames, ignore_index=True)


class Results:
    """A result directory opened for reporting."""

    def __init__(
        self,
        directory: Path,
        manifest: dict[str, Any],
        kpis: pd.DataFrame,
        correction: str = DEFAULT_CORRECTION,
    ) -> None:
        self.directory = Path(directory)
        self.correction = correction
        """Correction for multiple comparisons of `differences` (holm, bh or none)."""
        self.manifest = manifest
        self.kpis = kpis
        self._scenarios: dict[str, Scenario] = {}
        self._patients: dict[str, pd.DataFrame | None] = {}
        self._hourly: dict[str, Hourly] = {}
        self._queues: dict[str, pd.DataFrame | None] = {}
        self.notes: list[str] = []
        """Things the reader should know (incomplete runs, failed replications)."""

    # ------------------------------------------------------------------ open

    @classmethod
    def open(cls, directory: str | Path, correction: str | None = None) -> Results:
        """Read ``directory``; raises `ScenarioError` if it is not a result directory or
        holds no finished replication. ``correction``: see `differences`; by default the
        one the comparison was run with (its manifest), else `DEFAULT_CORRECTION`."""
        directory = Path(directory)
        path = directory / "manifest.json"
        manifest = ResultStore.open(directory).manifest
        if not isinstance(manifest.get("scenarios"), dict):
            raise ScenarioError("not an anwsim result manifest", file=str(path))
        notes = []
        combined = directory / "kpis.parquet"
        if combined.exists():
            kpis = pd.read_parquet(combined)
        else:
            frames = []
            for label in manifest["scenarios"]:
                files = _rep_files(directory / "kpis" / label)
                if files:
                    frames.append(_with_column(read_parquets(files), "scenario", label))
            if not frames:
                raise ScenarioError("holds no finished replication yet", file=str(directory))
            kpis = pd.concat(frames, ignore_index=True)
            notes.append("incomplete")
        if "scenario" not in kpis.columns:
            kpis.insert(0, "scenario", next(iter(manifest["scenarios"])))
        if (directory / "failures").is_dir() and any((directory / "failures").rglob("*.json")):
            notes.append("failures")
        chosen = correction or manifest.get("correction") or DEFAULT_CORRECTION
        results = cls(directory, manifest, kpis, chosen)
        if results.hourly_missing:
            notes.append("no_hourly")
        if not any(_rep_files(directory / "queues" / label) for label in results.labels):
            notes.append("no_queues")
        if results.has_events and not results._logs_have_patients():
            notes.append("no_urgency")
        results.notes = notes
        return results

    # ------------------------------------------------------------------ what was run

    @property
    def kind(self) -> str:
        return str(self.manifest.get("kind", "run"))

    @property
    def labels(self) -> list[str]:
        """Scenario labels in the order they were given (those with results)."""
        present = set(self.kpis["scenario"].unique())
        return [label for label in self.manifest["scenarios"] if label in present]

    @property
    def base(self) -> str:
        """The scenario others are compared with: the compare's base, else the first."""
        base = self.manifest.get("base")
        return base if self.kind == "compare" and base in self.labels else self.labels[0]

    @property
    def replications(self) -> dict[str, int]:
        counts = self.kpis.groupby("scenario")["replication"].nunique()
        return {label: int(counts.get(label, 0)) for label in self.labels}

    @property
    def points(self) -> dict[str, dict[str, Any]]:
        """Sweep: the swept values of every point (empty for run and compare)."""
        return dict(self.manifest.get("points") or {})

    @property
    def demand_digests(self) -> dict[str, dict[int, str]]:
        """Per scenario and replication, the digest of its Demand (SHA-256 of the
        columns that identify its patients: `anwsim.experiment.tasks.demand_digest`), as
        the finished run collected them into the manifest; empty for directories written
        before digests existed or not finished."""
        found = self.manifest.get("demand_digests")
        if not isinstance(found, dict):
            return {}
        return {
            str(label): {int(r): str(d) for r, d in reps.items()}
            for label, reps in found.items()
            if isinstance(reps, dict)
        }

    def scenario(self, label: str) -> Scenario:
        """The resolved scenario of ``label`` as it was run (from the manifest)."""
        if label not in self._scenarios:
            self._scenarios[label] = validate_data(self.manifest["scenarios"][label]["scenario"])
        return self._scenarios[label]

    # ------------------------------------------------------------------ KPIs

    @cached_property
    def summary(self) -> pd.DataFrame:
        """Mean, CI half-width, unit, norm and target per scenario, KPI and group."""
        return summarise(self.kpis)

    @cached_property
    def differences(self) -> pd.DataFrame:
        """Paired differences (other − base) per KPI and group, with CI half-widths and
        p-values, corrected for multiple comparisons by `correction`
        (`anwsim.experiment.summary.correct`): ``significant`` is the corrected flag."""
        if len(self.labels) < 2:
            return pd.DataFrame()
        return correct(paired_differences(self.kpis, self.base), self.correction)

    def kpi(self, kpi: str, groups: list[str] | None = None) -> pd.DataFrame:
        """Summary rows of one KPI (optionally some groups), scenarios in order."""
        rows = self.summary[self.summary["kpi"] == kpi]
        if groups is not None:
            rows = rows[rows["group"].isin(groups)]
        return rows

    def value(self, label: str, kpi: str, group: str) -> tuple[float, float]:
        """(mean, CI half-width) of one KPI; NaNs when absent."""
        s = self.summary
        rows = s[(s["scenario"] == label) & (s["kpi"] == kpi) & (s["group"] == group)]
        if rows.empty:
            return float("nan"), float("nan")
        return float(rows["mean"].iloc[0]), float(rows["half_width"].iloc[0])

    # ------------------------------------------------------------------ event logs

    @property
    def has_events(self) -> bool:
        return all(_rep_files(self.directory / "events" / label) for label in self.labels)

    def patients(self, label: str) -> pd.DataFrame | None:
        """Per-patient times of ``label`` from its event logs (None without ``--log full``).

        One row per patient whose first contact falls in the measured window (after the
        warm-up, before the horizon), pooled over replications. Columns: ``replication``,
        ``urgency`` (0..5, -1 if unknown), ``entry`` (index in `ENTRIES`),
        ``emergency_line``, ``ambulance_urgency`` (0 A1, 1 A2, 2 B, -1 none or unknown),
        ``seh`` (SEH of the handover, -1 none) and the minutes ``answer_wait``,
        ``response``, ``to_seh`` and ``handoff`` (NaN where the step did not happen)."""
        if label not in self._patients:
            self._patients[label] = self._read_patients(label)
        return self._patients[label]

    def _logs_have_patients(self) -> bool:
        """Whether every event log has the ``urgency`` and ``entry`` columns."""
        for label in self.labels:
            for path in _rep_files(self.directory / "events" / label):
                if not {"urgency", "entry"} <= set(pq.read_schema(path).names):
                    return False
        return True

    def _read_patients(self, label: str) -> pd.DataFrame | None:
        files = _rep_files(self.directory / "events" / label)
        if not files:
            return None
        scenario = self.scenario(label)
        start, end = scenario.run.warmup_minutes, scenario.run.horizon_minutes
        emergency = [URGENCIES.index(u) for u in scenario.triage.emergency_line_urgencies]
        amb_map = np.array(
            [AMBULANCE_URGENCIES.index(scenario.ambulance.urgency_map[u]) for u in URGENCIES]  # type: ignore[index]
        )
        sehs = list(scenario.sites.sehs)
        frames = []
        for path in files:
            replication = int(_REP.match(path.name).group(1))  # type: ignore[union-attr]
            names = set(pq.read_schema(path).names)
            known = {"urgency", "entry"} <= names
            columns = ["entity_id", "event", "time", "resource_id"]
            columns += ["site"] if "site" in names else []
            columns += ["urgency", "entry"] if known else []
            log = pd.read_parquet(
                path, columns=columns, filters=[("event", "in", list(EVENT_COLUMNS))]
            )
            wide = log.pivot_table(
                index="entity_id", columns="event", values="time", aggfunc="first"
            ).rename(columns=EVENT_COLUMNS)
            for column in EVENT_COLUMNS.values():
                if column not in wide.columns:
                    wide[column] = np.nan
            handover = log[log["event"] == "handover_begins"].set_index("entity_id")
            if "site" in names:  # the SEH by id
                seh = _codes(handover["site"], sehs)
            else:  # logs before site names: resource_id was the SEH's index
                seh = handover["resource_id"].astype("float64")
            wide["seh"] = seh.reindex(wide.index).fillna(-1).astype(np.int64)
            wide = wide[(wide["arrival"] >= start) & (wide["arrival"] < end)]
            urgency = np.full(len(wide), -1, dtype=np.int64)
            entry = np.full(len(wide), -1, dtype=np.int64)
            if known:
                first = log[log["event"] == "arrival"].drop_duplicates("entity_id")
                first = first.set_index("entity_id").reindex(wide.index)
                urgency = _codes(first["urgency"], list(URGENCIES)).to_numpy()
                entry = _codes(first["entry"], list(ENTRIES)).to_numpy()
            ambulance = np.where(
                np.isfinite(wide["incident"].to_numpy()) & (urgency >= 0),
                amb_map[np.maximum(urgency, 0)],
                -1,
            )
            frames.append(
                pd.DataFrame(
                    {
                        "replication": replication,
                        "urgency": urgency,
                        "entry": entry,
                        "emergency_line": np.isin(urgency, emergency),
                        "ambulance_urgency": ambulance,
                        "seh": wide["seh"].to_numpy(),
                        "answer_wait": (wide["answer"] - wide["wait_start"]).to_numpy(),
                        "response": (wide["on_scene"] - wide["incident"]).to_numpy(),
                        "to_seh": (wide["at_seh"] - wide["incident"]).to_numpy(),
                        "handoff": (wide["handover"] - wide["at_seh"]).to_numpy(),
                    }
                )
            )
        out = pd.concat(frames, ignore_index=True)
        phone = ENTRIES.index("phone")
        # Answer waits are those of telephone patients (as in the KPI).
        out.loc[(out["entry"] >= 0) & (out["entry"] != phone), "answer_wait"] = np.nan
        return out

    # ------------------------------------------------------------------ workload per hour

    def hourly(self, label: str) -> Hourly:
        """Busy and staffed minutes per group and hour of the week (see `Hourly`)."""
        if label not in self._hourly:
            self._hourly[label] = self._read_hourly(label)
        return self._hourly[label]

    @property
    def hourly_missing(self) -> list[str]:
        """Labels whose per-hour workload tables are missing (neither per replication
        nor pooled): their `hourly` is empty with ``source == "missing"``."""
        return [label for label in self.labels if not self._has_hourly(label)]

    def _has_hourly(self, label: str) -> bool:
        if label in self._hourly:
            return self._hourly[label].source != "missing"
        if any(_rep_files(self.directory / f / label) for f in ("hourly", "utilisation_by_hour")):
            return True
        pooled = self.directory / "utilisation_by_hour.parquet"
        if not pooled.exists():
            return False
        if "scenario" not in pq.read_schema(pooled).names:
            return pq.read_metadata(pooled).num_rows > 0
        frame = pd.read_parquet(pooled, columns=["scenario"])
        return bool((frame["scenario"] == label).any())

    def _read_hourly(self, label: str) -> Hourly:
        for folder in ("hourly", "utilisation_by_hour"):
            files = _rep_files(self.directory / folder / label)
            if files:
                return Hourly(_read_replications(files), "replications")
        pooled = self.directory / "utilisation_by_hour.parquet"
        if pooled.exists():
            frame = pd.read_parquet(pooled)
            if "scenario" in frame.columns:
                frame = frame[frame["scenario"] == label]
            if not frame.empty:
                return Hourly(frame.assign(replication=-1), "pooled")
        return Hourly(pd.DataFrame({c: [] for c in HOURLY_COLUMNS}), "missing")

    # ------------------------------------------------------------------ queues per hour

    def queues(self, label: str) -> pd.DataFrame | None:
        """Waiting per queue and hour of the week of ``label``, one row per replication,
        queue and hour (from ``queues/<label>/rep-NNNNN.parquet``; None when the
        directory has no queue tables, e.g. one written before they existed).

        Columns ``replication, site, role, hour_of_week, observed_minutes,
        waiting_minutes, waits_started, wait_minutes`` (see
        `anwsim.metrics.queues.queues_by_hour_of_week`): the mean number waiting in an
        hour is ``waiting_minutes / observed_minutes``, the mean wait of the waits that
        began in it ``wait_minutes / waits_started``."""
        if label not in self._queues:
            self._queues[label] = self._read_queues(label)
        return self._queues[label]

    def _read_queues(self, label: str) -> pd.DataFrame | None:
        files = _rep_files(self.directory / "queues" / label)
        if not files:
            return None
        return _read_replications(files)[list(QUEUE_COLUMNS)]


def _codes(values: pd.Series, names: list[str]) -> pd.Series:
    """Index of each value in ``names`` (-1: missing or not a name), same index."""
    codes = pd.Categorical(values.astype("object"), categories=names).codes
    return pd.Series(codes.astype(np.int64), index=values.index)
