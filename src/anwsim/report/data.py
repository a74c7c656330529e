"""What a report reads from a result directory: the manifest, the KPIs per replication,
the busy and staffed minutes per hour of the week, and (``--log full``) the event logs.

`Results.open(directory)` reads a run, compare or sweep written by `anwsim.experiment`.
It works on finished and on interrupted directories (it then reads the per-replication
KPI files). Everything else is computed on demand and cached: the summary (mean and
t-based 95% CI per KPI), the paired differences to the base scenario, the validated
scenarios, and per-patient times from the event logs.

Event logs carry times only, not urgencies. Because a replication's patients depend on
nothing but the scenario, the seed and the replication number, the report draws the
replication's `Demand` again (sampling only, no simulation; well under a second for a
year) and takes each patient's urgency and entry from it; the arrival times are checked
against the log's, and if they do not match, urgencies are left unknown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from anwsim.experiment.store import ResultStore
from anwsim.experiment.summary import paired_differences, summarise
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

HourlySource = Literal["replications", "pooled", "simulated"]


@dataclass(frozen=True)
class Hourly:
    """Busy and staffed minutes per server group and hour of the week of one scenario.

    ``frame`` has the columns of `anwsim.metrics.utilisation_by_hour_of_week` plus
    ``replication`` (-1 when only totals over replications are stored); ``source`` says
    where it came from: the per-replication files of the store, the pooled table
    ``utilisation_by_hour.parquet``, or a fresh simulation of replication 0."""

    frame: pd.DataFrame
    source: HourlySource


def _rep_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if _REP.match(p.name))


class Results:
    """A result directory opened for reporting."""

    def __init__(self, directory: Path, manifest: dict[str, Any], kpis: pd.DataFrame) -> None:
        self.directory = Path(directory)
        self.manifest = manifest
        self.kpis = kpis
        self._scenarios: dict[str, Scenario] = {}
        self._patients: dict[str, pd.DataFrame | None] = {}
        self._hourly: dict[str, Hourly] = {}
        self.notes: list[str] = []
        """Things the reader should know (incomplete runs, failed replications)."""

    # ------------------------------------------------------------------ open

    @classmethod
    def open(cls, directory: str | Path) -> Results:
        """Read ``directory``; raises `ScenarioError` if it is not a result directory or
        holds no finished replication."""
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
                for p in _rep_files(directory / "kpis" / label):
                    frame = pd.read_parquet(p)
                    if "scenario" not in frame.columns:
                        frame.insert(0, "scenario", label)
                    frames.append(frame)
            if not frames:
                raise ScenarioError("holds no finished replication yet", file=str(directory))
            kpis = pd.concat(frames, ignore_index=True)
            notes.append("incomplete")
        if "scenario" not in kpis.columns:
            kpis.insert(0, "scenario", next(iter(manifest["scenarios"])))
        if (directory / "failures").is_dir() and any((directory / "failures").rglob("*.json")):
            notes.append("failures")
        results = cls(directory, manifest, kpis)
        results.notes = notes
        return results

    # ------------------------------------------------------------------ what was run

    @property
    def kind(self) -> str:
        return str(self.manifest.get("kind", "run"))

    @property
    def labels(self) -> list[str]:
        """Scenario labels in the order they were given (those with results)."""
        present = set(self.kpis["scenario"])
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
        """Paired differences (other − base) per KPI and group, with CI half-widths."""
        if len(self.labels) < 2:
            return pd.DataFrame()
        return paired_differences(self.kpis, self.base)

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

    def _read_patients(self, label: str) -> pd.DataFrame | None:
        files = _rep_files(self.directory / "events" / label)
        if not files:
            return None
        from anwsim.sampling import DemandSampler

        scenario = self.scenario(label)
        sampler = DemandSampler(scenario)
        start, end = scenario.run.warmup_minutes, scenario.run.horizon_minutes
        emergency = [URGENCIES.index(u) for u in scenario.triage.emergency_line_urgencies]
        amb_map = np.array(
            [AMBULANCE_URGENCIES.index(scenario.ambulance.urgency_map[u]) for u in URGENCIES]  # type: ignore[index]
        )
        frames = []
        for path in files:
            replication = int(_REP.match(path.name).group(1))  # type: ignore[union-attr]
            log = pd.read_parquet(
                path,
                columns=["entity_id", "event", "time", "resource_id"],
                filters=[("event", "in", list(EVENT_COLUMNS))],
            )
            wide = log.pivot_table(
                index="entity_id", columns="event", values="time", aggfunc="first"
            ).rename(columns=EVENT_COLUMNS)
            for column in EVENT_COLUMNS.values():
                if column not in wide.columns:
                    wide[column] = np.nan
            handover = log[log["event"] == "handover_begins"].set_index("entity_id")["resource_id"]
            wide["seh"] = handover.reindex(wide.index).fillna(-1).astype(np.int64)
            wide = wide[(wide["arrival"] >= start) & (wide["arrival"] < end)]
            ids = wide.index.to_numpy(dtype=np.int64)
            demand = sampler.sample(replication)
            urgency = np.full(ids.size, -1, dtype=np.int64)
            entry = np.full(ids.size, -1, dtype=np.int64)
            if ids.size and ids.max() < len(demand.arrival_minutes):
                same = np.allclose(demand.arrival_minutes[ids], wide["arrival"].to_numpy())
                if same:
                    urgency = demand.urgency[ids].astype(np.int64)
                    entry = demand.entry[ids].astype(np.int64)
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

    def _read_hourly(self, label: str) -> Hourly:
        for folder in ("hourly", "utilisation_by_hour"):
            files = _rep_files(self.directory / folder / label)
            if files:
                frames = []
                for path in files:
                    frame = pd.read_parquet(path)
                    if "replication" not in frame.columns:
                        frame["replication"] = int(_REP.match(path.name).group(1))  # type: ignore[union-attr]
                    frames.append(frame)
                return Hourly(pd.concat(frames, ignore_index=True), "replications")
        pooled = self.directory / "utilisation_by_hour.parquet"
        if pooled.exists():
            frame = pd.read_parquet(pooled)
            if "scenario" in frame.columns:
                frame = frame[frame["scenario"] == label]
            if not frame.empty:
                return Hourly(frame.assign(replication=-1), "pooled")
        from anwsim.experiment import run_replication
        from anwsim.metrics import utilisation_by_hour_of_week

        scenario = self.scenario(label)
        result = run_replication(scenario, 0)
        frame = utilisation_by_hour_of_week(
            result.outcomes, scenario.run.warmup_minutes, result.outcomes.horizon
        )
        return Hourly(frame.assign(replication=0), "simulated")
