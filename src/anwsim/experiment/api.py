"""The experiment API: `run`, `compare` and `sweep`, each returning pandas DataFrames.

The CLI commands of the same names are one call each into these functions. Each
function resolves its scenarios, writes a manifest when given ``out`` (or continues the
one in ``resume``), runs the replications on the chosen backend, and returns tables:

* `run`: KPI means with CI half-widths (or, with ``per_replication=True``, every row);
* `compare`: per KPI, each scenario's mean and CI and the paired difference to the base;
* `sweep`: one tidy row per grid point and KPI, the swept values as columns.

Settings are keyword-only and typed; the command line's names ``reps``, ``max_reps`` and
``target`` are accepted as aliases, and any other unknown keyword is a `TypeError` that
names the allowed ones. With a precision that ends at its cap unconfirmed, a
`PrecisionNotReached` warning says why.
"""

from __future__ import annotations

import datetime as dt
import difflib
import functools
import inspect
import itertools
import re
import sys
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

import pandas as pd

from anwsim.experiment import runner
from anwsim.experiment.backends import Backend
from anwsim.experiment.runner import (
    DEFAULT_TARGETS,
    ExperimentResult,
    Plan,
    Progress,
    run_experiment,
)
from anwsim.experiment.store import ResultStore, scenario_entry
from anwsim.experiment.summary import (
    CORRECTIONS,
    DEFAULT_CORRECTION,
    correct,
    paired_differences,
    summarise,
)
from anwsim.experiment.tasks import LogLevel
from anwsim.model import DEFAULT_ENGINE, ENGINES, Engine
from anwsim.scenario import Scenario, load_scenario, validate_data
from anwsim.scenario.errors import ScenarioError
from anwsim.scenario.loading import apply_override, parse_override

ScenarioLike = str | Path | Scenario
Overrides = str | Sequence[str]
"""``--set`` texts: one ``"path=value"`` string or a sequence of them."""
Targets = str | Sequence[str | tuple[str, str]]
"""Precision targets: ``"kpi:group"``, a ``(kpi, group)`` pair, or a sequence of either."""
ProgressLike = bool | Progress | None
"""``True``: a progress bar (`tqdm.auto`: a widget in Jupyter, text on a terminal);
``None``/``False``: none; a callable ``progress(done, total, note)``: called as
replications finish."""

LOG_LEVELS = ("kpis", "full")
ALIASES = {"reps": "replications", "max_reps": "max_replications", "target": "targets"}
"""The command line's names, accepted as keywords of `run`, `compare`, `sweep`."""

P = ParamSpec("P")
R = TypeVar("R")


class PrecisionNotReached(UserWarning):
    """A precision run ended at its cap without a confirmed solution (the message says
    whether the precision was met but not confirmed, or not met)."""


def _whole(value: object, name: str, low: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"{name} must be a whole number of at least {low}, got {value!r}")


def _parse_targets(targets: Targets) -> tuple[tuple[str, str], ...]:
    """Targets as (kpi, group) pairs, from ``"kpi:group"`` texts or pairs (one or many)."""
    if isinstance(targets, str):
        items: list[Any] = [targets]
    elif (
        isinstance(targets, tuple)
        and len(targets) == 2
        and all(isinstance(t, str) and ":" not in t for t in targets)
    ):
        items = [targets]  # one (kpi, group) pair
    else:
        items = list(targets)
    pairs = []
    for item in items:
        if isinstance(item, str):
            kpi, _, group = item.partition(":")
        elif isinstance(item, Sequence) and len(item) == 2:
            kpi, group = item
        else:
            kpi = group = ""
        if not (isinstance(kpi, str) and isinstance(group, str) and kpi and group):
            raise ValueError(
                f"a target is 'KPI:GROUP' or (KPI, GROUP), e.g. 'within_nts_norm:U2'; got {item!r}"
            )
        pairs.append((kpi, group))
    if not pairs:
        raise ValueError("precision needs at least one target, e.g. 'within_nts_norm:U2'")
    return tuple(pairs)


@dataclass
class Settings:
    """How to run: replications or precision, where, and what to keep (checked: a wrong
    value is a ValueError naming the setting and what is allowed)."""

    replications: int | None = None
    precision: float | None = None
    targets: Targets = DEFAULT_TARGETS
    max_replications: int = 200
    workers: int | None = None
    scheduler: str | None = None
    dashboard: str | None = None
    log: LogLevel = "kpis"
    progress: ProgressLike = None
    engine: Engine = DEFAULT_ENGINE
    pairs: tuple[tuple[str, str], ...] = field(init=False, default=())

    @classmethod
    def of(cls, arguments: Mapping[str, Any]) -> Settings:
        """The settings among a function's arguments (its ``locals()``): `run`,
        `compare` and `sweep` take every setting as a typed keyword."""
        return cls(**{f.name: arguments[f.name] for f in fields(cls) if f.init})

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; allowed: {', '.join(ENGINES)}")
        if self.log not in LOG_LEVELS:
            raise ValueError(f"unknown log {self.log!r}; allowed: {', '.join(LOG_LEVELS)}")
        if self.replications is not None:
            _whole(self.replications, "replications", 1)
        if self.precision is not None and not (
            isinstance(self.precision, int | float)
            and not isinstance(self.precision, bool)
            and 0 < self.precision < 1
        ):
            raise ValueError(
                "precision is a relative half-width between 0 and 1, e.g. 0.05; "
                f"got {self.precision!r}"
            )
        _whole(self.max_replications, "max_replications", 3)
        if self.workers is not None:
            _whole(self.workers, "workers", 1)
        if self.scheduler is not None and not isinstance(self.scheduler, str):
            raise ValueError(f"scheduler is 'local' or 'tcp://host:port', got {self.scheduler!r}")
        if not (self.progress in (None, True, False) or callable(self.progress)):
            raise ValueError(
                "progress is True (a progress bar), None or False (none), or a callable "
                f"progress(done, total, note); got {self.progress!r}"
            )
        self.pairs = _parse_targets(self.targets)
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


def _overrides(overrides: Overrides) -> tuple[str, ...]:
    """One ``"path=value"`` string is one override (not a sequence of characters)."""
    if isinstance(overrides, str):
        return (overrides,)
    items = tuple(overrides)
    bad = [o for o in items if not isinstance(o, str)]
    if bad:
        raise TypeError(f"overrides are 'path=value' strings, got {bad[0]!r}")
    return items


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
            targets=settings.pairs,
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
    """Start the backend (a Dask scheduler that cannot be reached is refused before any
    file is written), create the store (if ``out``; refused before any work if it cannot
    be used), run, and write the tables; the store stays locked until its last file is
    written."""
    with _backend(settings) as backend:
        return _execute_on(kind, scenarios, sources, plan, settings, out, extra, tables, backend)


@contextmanager
def _backend(settings: Settings) -> Iterator[Backend]:
    backend = runner.make_backend(
        settings.workers, settings.scheduler, dashboard=settings.dashboard
    )
    try:
        yield backend
    finally:
        backend.close()


def _execute_on(
    kind: str,
    scenarios: dict[str, Scenario],
    sources: dict[str, str | None],
    plan: Plan,
    settings: Settings,
    out: Path | None,
    extra: dict[str, Any],
    tables: Tables,
    backend: Backend,
) -> tuple[ExperimentResult, dict[str, pd.DataFrame]]:
    if out is None:
        result = _go(scenarios, plan, settings, None, backend)
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
        result = _go(scenarios, plan, settings, store, backend)
        made = tables(result)
        _finish(result, made, store)
    return result, made


class _Bar:
    """``progress=True``: a `tqdm.auto` bar (a widget in Jupyter, text elsewhere)."""

    def __init__(self) -> None:
        self._bar: Any = None

    def __call__(self, done: int, total: int, note: str) -> None:
        if self._bar is None:
            from tqdm.auto import tqdm

            self._bar = tqdm(total=total, initial=done, desc="replications", unit="rep")
        bar = self._bar
        if bar.total != total:  # a precision run asks for more: a new stretch to go
            bar.reset(total=total)
            bar.n = bar.last_print_n = bar.initial = done
        else:
            bar.update(done - bar.n)
        bar.set_postfix_str(note, refresh=False)
        bar.refresh()

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


@contextmanager
def _reporting(progress: ProgressLike) -> Iterator[Progress | None]:
    """The progress callable for a run; a bar made here is closed when the run ends."""
    if progress is True:
        bar = _Bar()
        try:
            yield bar
        finally:
            bar.close()
    else:
        yield progress or None


def _go(
    scenarios: dict[str, Scenario],
    plan: Plan,
    settings: Settings,
    store: ResultStore | None,
    backend: Backend | None = None,
) -> ExperimentResult:
    with _reporting(settings.progress) as progress:
        result = run_experiment(
            scenarios,
            plan,
            workers=settings.workers,
            scheduler=settings.scheduler,
            dashboard=settings.dashboard,
            store=store,
            log=settings.log,
            progress=progress,
            backend=backend,
            engine=settings.engine,
        )
    if result.failures and result.kpis.empty:
        raise ReplicationsFailed(result.failures, result)  # no tables can be made
    if store is not None and not result.failures and not result.kpis.empty:
        store.write_final("kpis", result.kpis)
        hourly = [store.load_hourly(label, range(result.replications)) for label in scenarios]
        if all(h is not None for h in hourly):
            store.write_final("utilisation_by_hour", hourly_utilisation(pd.concat(hourly)))
        queues = [store.load_queues(label, range(result.replications)) for label in scenarios]
        if all(q is not None for q in queues):
            store.write_final("queues_by_hour", pooled_queues(pd.concat(queues)))
        store.update_manifest(
            replications_done=result.replications, demand_digests=store.demand_digests()
        )
    return result


def pooled_queues(queues: pd.DataFrame) -> pd.DataFrame:
    """Waiting per scenario, queue and hour of the week, summed over replications, with
    ``mean_waiting`` = waiting ÷ observed minutes (the mean number waiting) and
    ``mean_wait`` = wait minutes ÷ waits started (NaN where none began)."""
    keys = ["scenario", "site", "role", "hour_of_week"]
    sums = ["observed_minutes", "waiting_minutes", "waits_started", "wait_minutes"]
    out = queues.groupby(keys, sort=False)[sums].sum().reset_index()
    out["mean_waiting"] = out["waiting_minutes"] / out["observed_minutes"].where(
        out["observed_minutes"] > 0
    )
    out["mean_wait"] = out["wait_minutes"] / out["waits_started"].where(out["waits_started"] > 0)
    return out


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


def _keywords(func: Callable[P, R]) -> Callable[P, R]:
    """Accept the command line's names (`ALIASES`) and turn any other unknown keyword
    into a TypeError that names the allowed ones (with a did-you-mean)."""
    params = inspect.signature(func).parameters
    allowed = [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    aliases = {a: n for a, n in ALIASES.items() if n in allowed}

    @functools.wraps(func)
    def call(*args: P.args, **kwargs: P.kwargs) -> R:
        for alias, name in aliases.items():
            if alias in kwargs:
                if name in kwargs:
                    raise TypeError(f"{func.__name__}() got {name}= and its alias {alias}=")
                kwargs[name] = kwargs.pop(alias)
        unknown = [k for k in kwargs if k not in params]
        if unknown:
            raise TypeError(_unknown_keyword(func.__name__, unknown[0], allowed, aliases))
        return func(*args, **kwargs)

    return call


def _unknown_keyword(
    function: str, name: str, allowed: Sequence[str], aliases: Mapping[str, str]
) -> str:
    close = difflib.get_close_matches(name, [*allowed, *aliases], n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    text = f"{function}() got an unexpected keyword argument {name!r}{hint}; allowed: "
    text += ", ".join(allowed)
    if aliases:
        text += f" (aliases: {', '.join(f'{a}={n}' for a, n in aliases.items())})"
    if function == "resume" and name in Settings.__dataclass_fields__:
        text += "; the plan and log level come from the result directory's manifest"
    return text


@_keywords
def run(
    scenario: ScenarioLike,
    *,
    overrides: Overrides = (),
    out: str | Path | None = None,
    per_replication: bool = False,
    replications: int | None = None,
    precision: float | None = None,
    targets: Targets = DEFAULT_TARGETS,
    max_replications: int = 200,
    workers: int | None = None,
    scheduler: str | None = None,
    dashboard: str | None = None,
    log: LogLevel = "kpis",
    progress: ProgressLike = None,
    engine: Engine = DEFAULT_ENGINE,
) -> pd.DataFrame:
    """Run one scenario's replications; returns the KPI summary (mean, CI half-width),
    or with ``per_replication=True`` every replication's rows.

    ``overrides``: ``"path=value"`` texts as ``--set`` (one string or a list);
    ``out``: a result directory to write (none by default); ``replications`` (default:
    the scenario's ``run.replications``; alias ``reps``), or ``precision`` (relative CI
    half-width, e.g. 0.05) of ``targets`` (``"kpi:group"`` or pairs) up to
    ``max_replications`` (alias ``max_reps``); ``workers`` (default: all cores);
    ``scheduler`` (``"local"`` or ``"tcp://host:port"``); ``dashboard`` (an address for
    the local cluster's Dask dashboard, e.g. ``"127.0.0.1:8787"``; none by default);
    ``log`` (``"kpis"`` or ``"full"``); ``progress`` (`ProgressLike`); ``engine``
    (``"fast"``, the compiled engine, or ``"simpy"``, the reference model: same results).
    Raises `ReplicationsFailed` if any replication failed.
    """
    s = Settings.of(locals())
    label, resolved, source = _resolve(scenario, _overrides(overrides))
    plan = _plan(s, resolved.run.replications)
    result, made = _execute(
        "run", {label: resolved}, {label: source}, plan, s, _path(out), {}, _run_tables
    )
    summary = made["summary"]
    table = result.kpis if per_replication else summary
    _describe(table, result)
    return table


@_keywords
def compare(
    base: ScenarioLike,
    others: ScenarioLike | Sequence[ScenarioLike],
    *,
    overrides: Overrides = (),
    out: str | Path | None = None,
    correction: str = DEFAULT_CORRECTION,
    replications: int | None = None,
    precision: float | None = None,
    targets: Targets = DEFAULT_TARGETS,
    max_replications: int = 200,
    workers: int | None = None,
    scheduler: str | None = None,
    dashboard: str | None = None,
    log: LogLevel = "kpis",
    progress: ProgressLike = None,
    engine: Engine = DEFAULT_ENGINE,
) -> pd.DataFrame:
    """Run ``base`` and ``others`` (one scenario or a list) with common random numbers
    (the base's run settings and seed apply to all) and return, per KPI, each scenario's
    mean and CI and the paired difference to the base with its CI and p-value.
    ``significant`` is after ``correction`` for multiple comparisons (``"bh"``
    Benjamini–Hochberg, ``"holm"``, or ``"none"``: the CI excludes zero; the uncorrected
    flag stays as ``significant_uncorrected``), as in the report. Settings as in `run`."""
    _check_correction(correction)
    s = Settings.of(locals())
    sets = _overrides(overrides)
    listed = [others] if isinstance(others, str | Path | Scenario) else list(others)
    resolved = [_resolve(item, sets) for item in [base, *listed]]
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
        {"base": labels[0], "correction": correction},
        lambda r: _compare_tables(r, labels[0], correction),
    )
    table = made["comparison"]
    _describe(table, result)
    return table


@_keywords
def sweep(
    scenario: ScenarioLike,
    grid: Mapping[str, Sequence[Any]],
    *,
    overrides: Overrides = (),
    out: str | Path | None = None,
    replications: int | None = None,
    precision: float | None = None,
    targets: Targets = DEFAULT_TARGETS,
    max_replications: int = 200,
    workers: int | None = None,
    scheduler: str | None = None,
    dashboard: str | None = None,
    log: LogLevel = "kpis",
    progress: ProgressLike = None,
    engine: Engine = DEFAULT_ENGINE,
) -> pd.DataFrame:
    """Run the full factorial of ``grid`` (field path → list of values) and return one
    tidy row per grid point and KPI: the swept fields as columns, then mean and CI
    half-width. Settings as in `run`."""
    s = Settings.of(locals())
    sets = _overrides(overrides)
    if not grid:
        raise ScenarioError("a sweep needs at least one --grid path=v1,v2,...", file="--grid")
    paths = list(grid)
    for p in paths:  # every point runs with the base's run settings (common random numbers)
        if isinstance(grid[p], str | bytes) or not isinstance(grid[p], Sequence):
            raise TypeError(f"grid[{p!r}] must be a list of values, e.g. [1, 2], not {grid[p]!r}")
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
    base_label, base_scenario, source = _resolve(scenario, sets)
    for k, point in enumerate(points):
        point_sets = [f"{p}={_yaml_value(v)}" for p, v in zip(paths, point, strict=True)]
        label = f"point-{k:03d}"
        _, resolved, _ = _resolve(scenario, [*sets, *point_sets])
        scenarios[label] = _with_run_settings(resolved, base_scenario)
        sources[label] = source
        values[label] = dict(zip(paths, point, strict=True))
    plan = _plan(s, base_scenario.run.replications)
    extra = {"grid": {p: list(grid[p]) for p in paths}, "points": values, "base": base_label}
    result, made = _execute(
        "sweep", scenarios, sources, plan, s, _path(out), extra, lambda r: _sweep_tables(r, values)
    )
    table = made["sweep"]
    _describe(table, result)
    return table


@_keywords
def resume(
    directory: str | Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    dashboard: str | None = None,
    progress: ProgressLike = None,
    engine: Engine = DEFAULT_ENGINE,
) -> pd.DataFrame:
    """Complete an interrupted run, compare or sweep from its result directory; returns
    what the original call would have returned. The plan (replications or precision)
    and the log level come from the directory's manifest; the settings here say where
    to run, as in `run`.

    Refused (`StoreError`, before any work) when another anwsim is writing there, when
    the manifest was edited (a scenario no longer matches its hash, a label is not a
    plain name) or when this anwsim, numpy or numba is not the version the results were
    made with. Damaged or foreign replication files are set aside and run again (each
    named on stderr)."""
    with ResultStore.resume(Path(directory)) as store:
        m = store.manifest
        s = Settings(
            workers=workers,
            scheduler=scheduler,
            dashboard=dashboard,
            progress=progress,
            engine=engine,
            log=m.get("log", "kpis"),
        )
        plan = Plan.from_dict(m["plan"])
        for item in store.set_aside:
            print(item.describe(store.directory, plan.replications), file=sys.stderr)
        result = _go(store.scenarios, plan, s, store)
        kind = m.get("kind", "run")
        if kind == "compare":
            # directories written before corrections were offered marked the raw CI
            made = _compare_tables(result, m["base"], m.get("correction", "none"))
            table = made["comparison"]
        elif kind == "sweep":
            made = _sweep_tables(result, m["points"])
            table = made["sweep"]
        else:
            made = _run_tables(result)
            table = made["summary"]
        _finish(result, made, store)
    _describe(table, result)
    return table


def _describe(table: pd.DataFrame, result: ExperimentResult) -> None:
    """What a returned table says about its run, in ``table.attrs``: the replications,
    the precision decision and, when it ended at its cap, why (``precision_warning``)."""
    table.attrs["replications"] = result.replications
    table.attrs["decision"] = result.decision
    table.attrs["precision_warning"] = result.warning
    if result.warning:  # stacklevel: the caller of run/compare/sweep/resume
        warnings.warn(result.warning, PrecisionNotReached, stacklevel=4)


def default_out(name: str, kind: str = "run", root: str | Path = "results") -> Path:
    """Where the command line keeps a run given no ``--out``:
    ``root/<name>[-compare|-sweep]-<YYYYmmdd-HHMMSS>`` (``name``: the base scenario's
    file stem), with ``-2``, ``-3``, … if that directory exists already."""
    suffix = "" if kind == "run" else f"-{kind}"
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    first = Path(root) / f"{_label(name)}{suffix}-{stamp}"
    path, k = first, 1
    while path.exists():
        k += 1
        path = first.with_name(f"{first.name}-{k}")
    return path


def _run_tables(result: ExperimentResult) -> dict[str, pd.DataFrame]:
    return {"summary": summarise(result.kpis) if not result.kpis.empty else pd.DataFrame()}


def _check_correction(correction: Any) -> None:
    if correction not in CORRECTIONS:
        raise ValueError(f"correction is one of {', '.join(CORRECTIONS)}, got {correction!r}")


def _compare_tables(
    result: ExperimentResult, base: str, correction: str
) -> dict[str, pd.DataFrame]:
    if result.kpis.empty:
        return {"summary": pd.DataFrame(), "comparison": pd.DataFrame()}
    return {
        "summary": summarise(result.kpis),
        "comparison": comparison_table(result.kpis, base, correction),
    }


def _sweep_tables(
    result: ExperimentResult, points: Mapping[str, Mapping[str, Any]]
) -> dict[str, pd.DataFrame]:
    kpis = result.kpis
    return {"sweep": sweep_table(kpis, points) if not kpis.empty else pd.DataFrame()}


# --------------------------------------------------------------------------- tables


def comparison_table(
    kpis: pd.DataFrame, base: str, correction: str = DEFAULT_CORRECTION
) -> pd.DataFrame:
    """Wide comparison: per KPI and group, each scenario's mean and half-width, and for
    every other scenario the paired difference to ``base`` with its half-width, p-value
    and significance after ``correction`` (named in ``attrs["correction"]``)."""
    summary = summarise(kpis)
    diffs = correct(paired_differences(kpis, base), correction)
    columns = ["difference", "half_width", "p_value", "p_adjusted", "significant"]
    merged = summary.merge(
        diffs[["scenario", "kpi", "group", *columns, "significant_uncorrected"]],
        on=["scenario", "kpi", "group"],
        how="left",
        suffixes=("", "_difference"),
    )
    table = merged.rename(columns={"half_width_difference": "difference_half_width"})
    table.attrs["correction"] = correction
    table.attrs["comparisons"] = int(diffs["p_value"].notna().sum())
    return table


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
