"""Run replications of one or more scenarios on a backend, into a result store.

`run_experiment` is what ``anwsim run``, ``compare`` and ``sweep`` stand on. Replication
``r`` of every scenario uses child ``r`` of one seed (common random numbers: the same
patients in every scenario, so comparisons are paired). Results are sorted by scenario
and replication before anything is computed from them, so they are identical for any
backend and number of workers. With a store, every replication is saved as it finishes
and a resumed run computes only what is missing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from anwsim.experiment.backends import Backend, make_backend
from anwsim.experiment.precision import Decision, decide, stop_message, width_note
from anwsim.experiment.store import ResultStore
from anwsim.experiment.tasks import LogLevel, Task, TaskResult
from anwsim.metrics.definitions import PRECISION_TARGETS
from anwsim.model import DEFAULT_ENGINE, Engine
from anwsim.scenario import Scenario

How = tuple[LogLevel, Engine]
"""What every task of a run keeps (log level) and which engine simulates it."""

DEFAULT_TARGETS: tuple[tuple[str, str], ...] = PRECISION_TARGETS
"""KPIs whose precision decides the number of replications when none are named
(declared in `anwsim.metrics.definitions`)."""


@dataclass
class Plan:
    """A fixed number of replications, or a precision with a cap."""

    replications: int | None = None
    precision: float | None = None
    targets: Sequence[tuple[str, str]] = DEFAULT_TARGETS
    max_replications: int = 200

    def __post_init__(self) -> None:
        if (self.replications is None) == (self.precision is None):
            raise ValueError("give either a number of replications or a precision")
        if self.replications is not None and self.replications < 1:
            raise ValueError("replications must be at least 1")
        if self.precision is not None and not 0 < self.precision < 1:
            raise ValueError("precision is a relative half-width between 0 and 1, e.g. 0.05")

    def to_dict(self) -> dict[str, Any]:
        return {
            "replications": self.replications,
            "precision": self.precision,
            "targets": [list(t) for t in self.targets],
            "max_replications": self.max_replications,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        return cls(
            replications=data.get("replications"),
            precision=data.get("precision"),
            targets=[tuple(t) for t in data.get("targets", DEFAULT_TARGETS)],  # type: ignore[misc]
            max_replications=data.get("max_replications", 200),
        )


@dataclass
class ExperimentResult:
    """Per-replication KPIs of every scenario (long table), failures, and the decision
    of the precision procedure when one was asked for (``warning``: why it ended at the
    cap without one, `stop_message`)."""

    kpis: pd.DataFrame
    replications: int
    failures: list[dict[str, Any]] = field(default_factory=list)
    decision: Decision | None = None
    backend: str = ""
    warning: str | None = None


Progress = Callable[[int, int, str], None]
"""progress(done, total, note): called as replications finish."""


class _Collector:
    """Holds finished replications in memory (and in the store, if any)."""

    def __init__(self, labels: Sequence[str], store: ResultStore | None) -> None:
        self.store = store
        self.kpis: dict[tuple[str, int], pd.DataFrame] = {}
        self.failed: dict[tuple[str, int], TaskResult] = {}
        self.labels = labels

    def done(self, label: str) -> set[int]:
        on_disk = self.store.completed(label) if self.store else set()
        return on_disk | {r for (lab, r) in self.kpis if lab == label}

    def add(self, result: TaskResult) -> None:
        if self.store is not None:
            self.store.save(result)
        key = (result.label, result.replication)
        if result.ok:
            assert result.kpis is not None
            self.kpis[key] = result.kpis
            self.failed.pop(key, None)
        else:
            self.failed[key] = result

    def frame(self, label: str, replication: int) -> pd.DataFrame:
        if (label, replication) not in self.kpis:
            self.preload(label, [replication])
        return self.kpis[(label, replication)]

    def preload(self, label: str, replications: Iterable[int]) -> None:
        """Read the KPI frames of these replications that only the store has, in one
        read (a file at a time costs 4 ms each: 13 s to resume 1000), and keep them."""
        wanted = sorted({r for r in replications if (label, r) not in self.kpis})
        if not wanted:
            return
        assert self.store is not None
        for r, frame in zip(wanted, self.store.load_kpis_each(label, wanted), strict=True):
            self.kpis[(label, r)] = frame

    def table(self, n: int) -> pd.DataFrame:
        for label in self.labels:
            self.preload(label, range(n))
        frames = [self.frame(label, r) for label in self.labels for r in range(n)]
        return pd.concat(frames, ignore_index=True)

    def contiguous(self, label: str) -> int:
        done, n = self.done(label), 0
        while n in done:
            n += 1
        return n


def _target_values(
    collector: _Collector, labels: Sequence[str], n: int, targets: Sequence[tuple[str, str]]
) -> list[list[float]]:
    series = []
    for label in labels:
        collector.preload(label, range(n))
        frames = [collector.frame(label, r) for r in range(n)]
        for kpi, group in targets:
            values = []
            for f in frames:
                row = f[(f["kpi"] == kpi) & (f["group"] == group)]
                values.append(float(row["value"].iloc[0]) if len(row) else float("nan"))
            series.append(values)
    return series


def _check_targets(
    collector: _Collector, labels: Sequence[str], targets: Sequence[tuple[str, str]]
) -> None:
    """Raise ValueError for a target that replication 0 has no row for: its half-width
    could never be computed, and the run would go on to the cap for nothing."""
    for label in labels:
        frame = collector.frame(label, 0)
        present = set(zip(frame["kpi"], frame["group"], strict=True))
        missing = [f"{k}:{g}" for k, g in targets if (k, g) not in present]
        if missing:
            raise ValueError(
                f"no KPI {', '.join(missing)} in the results of {label!r}; "
                "a --target is KPI:GROUP as in the KPI table (e.g. within_nts_norm:U2)"
            )


def run_experiment(
    scenarios: Mapping[str, Scenario],
    plan: Plan,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dashboard: str | None = None,
    store: ResultStore | None = None,
    log: LogLevel = "kpis",
    progress: Progress | None = None,
    backend: Backend | None = None,
    engine: Engine = DEFAULT_ENGINE,
) -> ExperimentResult:
    """Run ``plan`` for every scenario (labels are the mapping's keys)."""
    labels = list(scenarios)
    collector = _Collector(labels, store)
    own_backend = backend is None
    backend = backend or make_backend(workers, scheduler, dashboard=dashboard)
    local = workers or os.cpu_count() or 1  # the default runs on all cores
    batch = max(1, local) if scheduler is None else max(1, workers or 4)
    try:
        if plan.replications is not None:
            n = plan.replications
            _run(backend, scenarios, collector, n, (log, engine), progress, "")
            decision = None
        else:
            assert plan.precision is not None
            decision = _run_to_precision(
                backend, scenarios, collector, plan, batch, (log, engine), progress
            )
            n = decision.keep or decision.needed
    finally:
        if own_backend:
            backend.close()
    failures = [
        {"scenario": r.label, "replication": r.replication, "seed": r.seed, "error": r.error}
        for r in collector.failed.values()
    ]
    complete = all(collector.contiguous(label) >= n for label in labels)
    table = collector.table(n) if complete else _partial(collector, labels, n)
    warning = None
    if decision is not None and complete and not failures:
        names = [
            f"{label} {kpi}:{group}" if len(labels) > 1 else f"{kpi}:{group}"
            for label in labels
            for kpi, group in plan.targets
        ]
        warning = stop_message(decision, plan.precision or 0.0, n, names)
    return ExperimentResult(
        table,
        n,
        sorted(failures, key=lambda f: (f["scenario"], f["replication"])),
        decision,
        backend.name,
        warning,
    )


def _partial(collector: _Collector, labels: Sequence[str], n: int) -> pd.DataFrame:
    done = {lab: collector.done(lab) & set(range(n)) for lab in labels}  # one listing each
    for lab in labels:
        collector.preload(lab, done[lab])
    frames = [collector.frame(lab, r) for lab in labels for r in range(n) if r in done[lab]]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def _tasks(
    scenarios: Mapping[str, Scenario], collector: _Collector, upto: int, how: How
) -> list[Task]:
    done = {label: collector.done(label) for label in scenarios}  # one listing each
    return [
        Task(label, scenario, r, how[0], how[1])
        for label, scenario in scenarios.items()
        for r in range(upto)
        if r not in done[label]
    ]


def _run(
    backend: Backend,
    scenarios: Mapping[str, Scenario],
    collector: _Collector,
    upto: int,
    how: How,
    progress: Progress | None,
    note: str,
) -> None:
    tasks = _tasks(scenarios, collector, upto, how)
    total = upto * len(scenarios)
    done = total - len(tasks)
    if progress:
        progress(done, total, note)
    results: Iterator[TaskResult] = backend.run(tasks)
    for result in results:
        collector.add(result)
        done += 1
        if progress:
            progress(done, total, note)


def _run_to_precision(
    backend: Backend,
    scenarios: Mapping[str, Scenario],
    collector: _Collector,
    plan: Plan,
    batch: int,
    how: How,
    progress: Progress | None,
) -> Decision:
    assert plan.precision is not None
    labels = list(scenarios)
    while True:
        n = min(collector.contiguous(label) for label in labels)
        if n >= 1:
            _check_targets(collector, labels, plan.targets)
        series = _target_values(collector, labels, n, plan.targets)
        decision = decide(series, plan.precision, plan.max_replications)
        if decision.solution is not None or n >= plan.max_replications:
            return decision
        if any(collector.failed.get((lab, n)) for lab in labels):
            return decision  # a failed replication blocks the sequence; report it
        upto = min(max(decision.needed, n + batch), plan.max_replications)
        note = width_note(decision, plan.precision)
        _run(backend, scenarios, collector, upto, how, progress, note)
