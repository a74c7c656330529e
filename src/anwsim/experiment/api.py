"""The experiment API: `run`, `compare` and `sweep`, each returning pandas DataFrames.

The CLI commands of the same names are one call each into these functions. Each
function resolves its scenarios, writes a manifest when given ``out`` (or continues the
one in ``resume``), runs the replications on the chosen backend, and returns tables:

* `run`: KPI means with CI half-widths (or, with ``per_replication=True``, every row);
* `compare`: per KPI, each scenario's mean and CI and the paired difference to the base;
* `sweep`: one tidy row per grid point and KPI, the swept values as columns.
"""

from __future__ import annotations

import itertools
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from anwsim.experiment.runner import (
    DEFAULT_TARGETS,
    ExperimentResult,
    Plan,
    Progress,
    run_experiment,
)
from anwsim.experiment.store import ResultStore, scenario_entry
from anwsim.experiment.summary import paired_differences, summarise
from anwsim.experiment.tasks import LogLevel
from anwsim.model import DEFAULT_ENGINE, ENGINES, Engine
from anwsim.scenario import Scenario, load_scenario, validate_data
from anwsim.scenario.errors import ScenarioError
from anwsim.scenario.loading import apply_override, parse_override

ScenarioLike = str | Path | Scenario


@dataclass
class Settings:
    """How to run: replications or precision, where, and what to keep."""

    replications: int | None = None
    precision: float | None = None
    targets: Sequence[tuple[str, str]] = DEFAULT_TARGETS
    max_replications: int = 200
    workers: int | None = None
    scheduler: str | None = None
    dashboard: str | None = None
    log: LogLevel = "kpis"
    progress: Progress | None = None
    engine: Engine = DEFAULT_ENGINE

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; allowed: {', '.join(ENGINES)}")
        if self.dashboard is not None and self.scheduler != "local":
            raise ValueError(
                "a dashboard is served only by the local Dask cluster (scheduler='local')"
            )


class ReplicationsFailed(RuntimeError):
    """Some replications failed; the others' results are kept (see ``failures``)."""

    def __init__(self, failures: list[dict[str, Any]], result: Any = None) -> None:
        self.failures = failures
        self.result = result
        listed = ", ".join(f"{f['scenario']} #{f['replication']}" for f in failures[:10])
        more = f" and {len(failures) - 10} more" if len(failures) > 10 else ""
        super().__init__(f"{len(failures)} replication(s) failed: {listed}{more}")


def _label(text: str) -> str:
    """A folder-safe label (see `check_label`) made from a file stem or scenario name."""
    label = re.sub(r"[^A-Za-z0-9_.=-]+", "_", text)
    return re.sub(r"\.{2,}", ".", label).strip("._") or "scenario"


def _resolve(item: ScenarioLike, overrides: Sequence[str]) -> tuple[str, Scenario, str | None]:
    if isinstance(item, Scenario):
        if overrides:
            data = item.model_dump(mode="json")
            for text in overrides:
                apply_override(data, *parse_override(text))
            item = validate_data(data)
        return _label(item.name), item, None
    path = Path(item)
    return _label(path.stem), load_scenario(path, overrides), str(path)


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}-{seen[label]}")
    return out


def _with_run_settings(scenario: Scenario, base: Scenario) -> Scenario:
    """``scenario`` with the run settings (seed, horizon, warm-up, start) of ``base``."""
    return scenario.model_copy(update={"run": base.run})


def _plan(settings: Settings, default_replications: int) -> Plan:
    if settings.precision is not None and settings.replications is not None:
        raise ValueError("give replications or precision, not both")
    if settings.precision is not None:
        return Plan(
            precision=settings.precision,
            targets=settings.targets,
            max_replications=settings.max_replications,
        )
    return Plan(replications=settings.replications or default_replications)


Tables = Callable[[ExperimentResult], dict[str, pd.DataFrame]]
"""The combined tables of a finished experiment, by file name."""


def _execute(
    kind: str,
    scenarios: dict[str, Scenario],
    sources: dict[str, str | None],
    plan: Plan,
    settings: Settings,
    out: Path | None,
    extra: dict[str, Any],
    tables: Tables,
) -> tuple[ExperimentResult, dict[str, pd.DataFrame]]:
    """Create the store (if ``out``; refused before any work if it cannot be used), run,
    and write the tables; the store stays locked until its last file is written."""
    if out is None:
        result = _go(scenarios, plan, settings, None)
        made = tables(result)
        _finish(result, made, None)
        return result, made
    manifest = {
        "kind": kind,
        "scenarios": {k: scenario_entry(s, sources[k]) for k, s in scenarios.items()},
        "seed": next(iter(scenarios.values())).run.seed,
        "plan": plan.to_dict(),
        "log": settings.log,
        "engine": settings.engine,
        **extra,
    }
    with ResultStore.create(out, manifest) as store:
        result = _go(scenarios, plan, settings, store)
        made = tables(result)
        _finish(result, made, store)
    return result, made


def _go(
    scenarios: dict[str, Scenario], plan: Plan, settings: Settings, store: ResultStore | None
) -> ExperimentResult:
    result = run_experiment(
        scenarios,
        plan,
        workers=settings.workers,
        scheduler=settings.scheduler,
        dashboard=settings.dashboard,
        store=store,
        log=settings.log,
        progress=settings.progress,
        engine=settings.engine,
    )
    if result.failures and result.kpis.empty:
        raise ReplicationsFailed(result.failures, result)  # no tables can be made
    if store is not None and not result.failures and not result.kpis.empty:
        store.write_final("kpis", result.kpis)
        hourly = [store.load_hourly(label, range(result.replications)) for label in scenarios]
        if all(h is not None for h in hourly):
            store.write_final("utilisation_by_hour", hourly_utilisation(pd.concat(hourly)))
        store.update_manifest(replications_done=result.replications)
    return result


def hourly_utilisation(hourly: pd.DataFrame) -> pd.DataFrame:
    """Busy and staffed minutes per scenario, server group and hour of the week, summed
    over replications, with utilisation = busy / staffed."""
    keys = ["scenario", "group", "role", "site", "hour_of_week"]
    out = hourly.groupby(keys, sort=False)[["staffed_minutes", "busy_minutes"]].sum().reset_index()
    staffed = out["staffed_minutes"].where(out["staffed_minutes"] > 0)
    out["utilisation"] = out["busy_minutes"] / staffed
    return out


def _finish(
    result: ExperimentResult, tables: dict[str, pd.DataFrame], store: ResultStore | None
) -> None:
    if store is not None and not result.failures:
        for name, frame in tables.items():
            store.write_final(name, frame)
    if result.failures:
        raise ReplicationsFailed(result.failures, result)


# --------------------------------------------------------------------------- public API


def run(
    scenario: ScenarioLike,
    *,
    overrides: Sequence[str] = (),
    out: str | Path | None = None,
    per_replication: bool = False,
    **settings: Any,
) -> pd.DataFrame:
    """Run one scenario's replications; returns the KPI summary (mean, CI half-width).

    Settings: ``replications`` (default: the scenario's), or ``precision`` (relative CI
    half-width, e.g. 0.05) with ``targets`` and ``max_replications``; ``workers``,
    ``scheduler`` (``"local"`` or ``"tcp://host:port"``), ``dashboard`` (an address
    for the local cluster's Dask dashboard, e.g. ``"127.0.0.1:8787"``; none by default),
    ``log`` (``"kpis"`` or ``"full"``), ``progress``, ``engine`` (``"fast"``, the compiled
    engine and the default, or ``"simpy"``, the reference model: same results). Raises
    `ReplicationsFailed` if any replication failed.
    """
    s = Settings(**settings)
    label, resolved, source = _resolve(scenario, overrides)
    plan = _plan(s, resolved.run.replications)
    result, made = _execute(
        "run", {label: resolved}, {label: source}, plan, s, _path(out), {}, _run_tables
    )
    summary = made["summary"]
    summary.attrs["replications"] = result.replications
    summary.attrs["decision"] = result.decision
    return result.kpis if per_replication else summary


def compare(
    base: ScenarioLike,
    others: Sequence[ScenarioLike],
    *,
    overrides: Sequence[str] = (),
    out: str | Path | None = None,
    **settings: Any,
) -> pd.DataFrame:
    """Run ``base`` and ``others`` with common random numbers (the base's run settings
    and seed apply to all) and return, per KPI, each scenario's mean and CI and the paired
    difference to the base with its CI (``significant`` when the CI excludes zero)."""
    s = Settings(**settings)
    resolved = [_resolve(item, overrides) for item in [base, *others]]
    labels = _unique([r[0] for r in resolved])
    base_scenario = resolved[0][1]
    scenarios = {
        lab: _with_run_settings(r[1], base_scenario)
        for lab, r in zip(labels, resolved, strict=True)
    }
    sources = {lab: r[2] for lab, r in zip(labels, resolved, strict=True)}
    plan = _plan(s, base_scenario.run.replications)
    result, made = _execute(
        "compare",
        scenarios,
        sources,
        plan,
        s,
        _path(out),
        {"base": labels[0]},
        lambda r: _compare_tables(r, labels[0]),
    )
    table = made["comparison"]
    table.attrs["replications"] = result.replications
    return table


def sweep(
    scenario: ScenarioLike,
    grid: Mapping[str, Sequence[Any]],
    *,
    overrides: Sequence[str] = (),
    out: str | Path | None = None,
    **settings: Any,
) -> pd.DataFrame:
    """Run the full factorial of ``grid`` (field path → values) and return one tidy row
    per grid point and KPI: the swept fields as columns, then mean and CI half-width."""
    s = Settings(**settings)
    if not grid:
        raise ScenarioError("a sweep needs at least one --grid path=v1,v2,...", file="--grid")
    paths = list(grid)
    for p in paths:  # every point runs with the base's run settings (common random numbers)
        if p.split(".")[0] == "run":
            raise ScenarioError(
                "run settings are shared by every grid point and cannot be swept; "
                "use --set for them",
                file="--grid",
                path=p.split("."),
            )
    points = list(itertools.product(*(grid[p] for p in paths)))
    scenarios: dict[str, Scenario] = {}
    sources: dict[str, str | None] = {}
    values: dict[str, dict[str, Any]] = {}
    base_label, base_scenario, source = _resolve(scenario, overrides)
    for k, point in enumerate(points):
        sets = [f"{p}={_yaml_value(v)}" for p, v in zip(paths, point, strict=True)]
        label = f"point-{k:03d}"
        _, resolved, _ = _resolve(scenario, [*overrides, *sets])
        scenarios[label] = _with_run_settings(resolved, base_scenario)
        sources[label] = source
        values[label] = dict(zip(paths, point, strict=True))
    plan = _plan(s, base_scenario.run.replications)
    extra = {"grid": {p: list(grid[p]) for p in paths}, "points": values, "base": base_label}
    _, made = _execute(
        "sweep", scenarios, sources, plan, s, _path(out), extra, lambda r: _sweep_tables(r, values)
    )
    return made["sweep"]


def resume(directory: str | Path, **settings: Any) -> pd.DataFrame:
    """Complete an interrupted run, compare or sweep from its result directory; returns
    what the original call would have returned.

    Refused (`StoreError`, before any work) when another anwsim is writing there, when
    the manifest was edited (a scenario no longer matches its hash, a label is not a
    plain name) or when this anwsim, numpy or numba is not the version the results were
    made with. Damaged or foreign replication files are set aside and run again (each
    named on stderr)."""
    with ResultStore.resume(Path(directory)) as store:
        m = store.manifest
        s = Settings(**{"log": m.get("log", "kpis"), **settings})
        plan = Plan.from_dict(m["plan"])
        for item in store.set_aside:
            print(item.describe(store.directory, plan.replications), file=sys.stderr)
        result = _go(store.scenarios, plan, s, store)
        kind = m.get("kind", "run")
        if kind == "compare":
            made = _compare_tables(result, m["base"])
            table = made["comparison"]
        elif kind == "sweep":
            made = _sweep_tables(result, m["points"])
            table = made["sweep"]
        else:
            made = _run_tables(result)
            table = made["summary"]
        _finish(result, made, store)
    return table


def _run_tables(result: ExperimentResult) -> dict[str, pd.DataFrame]:
    return {"summary": summarise(result.kpis) if not result.kpis.empty else pd.DataFrame()}


def _compare_tables(result: ExperimentResult, base: str) -> dict[str, pd.DataFrame]:
    if result.kpis.empty:
        return {"summary": pd.DataFrame(), "comparison": pd.DataFrame()}
    return {
        "summary": summarise(result.kpis),
        "comparison": comparison_table(result.kpis, base),
    }


def _sweep_tables(
    result: ExperimentResult, points: Mapping[str, Mapping[str, Any]]
) -> dict[str, pd.DataFrame]:
    kpis = result.kpis
    return {"sweep": sweep_table(kpis, points) if not kpis.empty else pd.DataFrame()}


# --------------------------------------------------------------------------- tables


def comparison_table(kpis: pd.DataFrame, base: str) -> pd.DataFrame:
    """Wide comparison: per KPI and group, each scenario's mean and half-width, and for
    every other scenario the paired difference to ``base`` with its half-width."""
    summary = summarise(kpis)
    diffs = paired_differences(kpis, base)
    merged = summary.merge(
        diffs[["scenario", "kpi", "group", "difference", "half_width", "significant"]],
        on=["scenario", "kpi", "group"],
        how="left",
        suffixes=("", "_difference"),
    )
    return merged.rename(columns={"half_width_difference": "difference_half_width"})


def sweep_table(kpis: pd.DataFrame, points: Mapping[str, Mapping[str, Any]]) -> pd.DataFrame:
    summary = summarise(kpis)
    params = pd.DataFrame.from_dict(dict(points), orient="index")
    params.index.name = "scenario"
    return params.reset_index().merge(summary, on="scenario")


def _yaml_value(value: Any) -> str:
    import yaml

    return yaml.safe_dump(value, default_flow_style=True).strip().removesuffix("...").strip()


def _path(out: str | Path | None) -> Path | None:
    return None if out is None else Path(out)
