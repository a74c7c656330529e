"""The ``anwsim`` command line: a thin layer over the Python API.

Every command is one call into the library. User mistakes (a bad scenario file, a bad
``--set``) print one line, ``error: FILE:LINE: field.path: what is wrong``, and exit
with status 2; never a traceback.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
import yaml

from anwsim import __version__
from anwsim.engines import DEFAULT_ENGINE, ENGINES
from anwsim.memory import keep_freed_memory
from anwsim.scenario import ScenarioError, load_scenario, scenario_hash
from anwsim.scenario.errors import safe_text

F = TypeVar("F", bound=Callable[..., Any])

EXIT_USER_ERROR = 2


def echo_safe(text: object, *, err: bool = False) -> None:
    """Print one line that may hold text from a file, a file name or an option, with
    terminal control characters shown as escapes (`safe_text`), never acted on."""
    click.echo(safe_text(text), err=err)


def _user_errors(func: F) -> F:
    """Turn `ScenarioError` into one line on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ScenarioError as exc:
            echo_safe(f"error: {exc}", err=True)
            sys.exit(EXIT_USER_ERROR)

    return wrapper  # type: ignore[return-value]


set_option = click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a field, e.g. --set run.replications=5 (repeatable).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="anwsim")
def main() -> None:
    """Simulate Dutch out-of-hours (ANW) acute care: GP posts, triage, SEH, ambulances."""
    keep_freed_memory()


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@set_option
def validate(files: tuple[Path, ...], overrides: tuple[str, ...]) -> None:
    """Check scenario FILES; print one line per file, exit 2 if any is invalid."""
    failed = 0
    for file in files:
        try:
            scenario = load_scenario(file, overrides)
        except ScenarioError as exc:
            failed += 1
            echo_safe(f"error: {exc}", err=True)
            continue
        echo_safe(f"ok: {file} ({scenario.name}, hash {scenario_hash(scenario)[:12]})")
    if failed:
        sys.exit(EXIT_USER_ERROR)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@set_option
@_user_errors
def show(file: Path, overrides: tuple[str, ...]) -> None:
    """Print the resolved scenario FILE (after extends and --set) as YAML."""
    scenario = load_scenario(file, overrides)
    echo_safe(f"# {file} resolved; scenario hash {scenario_hash(scenario)}")
    data = scenario.model_dump(mode="json")
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), nl=False)


@main.command()
@click.argument(
    "directory",
    required=False,
    default="scenarios",
    type=click.Path(path_type=Path),
)
def scenarios(directory: Path) -> None:
    """List the scenario files in DIRECTORY (default ./scenarios) with their descriptions."""
    try:
        if not directory.is_dir():
            why = "not a directory" if directory.exists() else "no such directory"
            echo_safe(f"error: {directory}: {why}; give a folder of scenario files", err=True)
            sys.exit(EXIT_USER_ERROR)
        files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    except (OSError, ValueError) as exc:  # e.g. a NUL in the name
        echo_safe(f"error: {directory}: cannot list the directory ({exc})", err=True)
        sys.exit(EXIT_USER_ERROR)
    if not files:
        echo_safe(f"error: {directory}: no scenario files (*.yaml, *.yml) in it", err=True)
        sys.exit(EXIT_USER_ERROR)
    names = [safe_text(f.name) for f in files]
    width = max(len(name) for name in names)
    for name, file in zip(names, files, strict=True):
        try:
            scenario = load_scenario(file)
            text = scenario.description or scenario.name
        except ScenarioError as exc:
            text = f"INVALID — {exc}"
        echo_safe(f"{name:<{width}}  {text}")


def experiment_options(func: F) -> F:
    """Options shared by run, compare and sweep."""
    options = [
        click.option(
            "--reps", type=click.IntRange(min=1), help="Replications (default: run.replications)."
        ),
        click.option(
            "--precision",
            type=click.FloatRange(min=0, max=1, min_open=True, max_open=True),
            help="Add replications until the relative 95% CI half-width of the target KPIs is "
            "at most this (e.g. 0.05); Hoad, Robinson & Davies (2010).",
        ),
        click.option(
            "--target",
            "targets",
            multiple=True,
            metavar="KPI:GROUP",
            help="A KPI that --precision applies to (repeatable), e.g. within_nts_norm:U2.",
        ),
        click.option(
            "--max-reps",
            type=click.IntRange(min=3),
            default=200,
            show_default=True,
            help="Cap for --precision.",
        ),
        click.option(
            "--workers",
            type=click.IntRange(min=1),
            help="Local worker processes (default: all cores).",
        ),
        click.option(
            "--scheduler",
            metavar="ADDR",
            help="Dask scheduler tcp://host:port, or 'local' for a LocalCluster that only "
            "this run can join.",
        ),
        click.option(
            "--dashboard",
            metavar="HOST:PORT",
            help="With --scheduler local: serve Dask's dashboard here, e.g. 127.0.0.1:8787 "
            "(anyone who can reach it sees the cluster's state; off by default).",
        ),
        click.option(
            "--out",
            type=click.Path(path_type=Path, file_okay=False),
            help="Result directory to write.",
        ),
        click.option(
            "--log",
            type=click.Choice(["kpis", "full"]),
            default="kpis",
            show_default=True,
            help="'full' also writes a per-patient event log (vidigi columns).",
        ),
        click.option(
            "--engine",
            type=click.Choice(list(ENGINES)),
            default=DEFAULT_ENGINE,
            show_default=True,
            help="'fast': the compiled engine; 'simpy': the reference model (same results, "
            "many times slower). The compiled engine's first run on a machine compiles for "
            "a few minutes; later runs load the cache.",
        ),
        set_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _settings(
    reps: int | None,
    precision: float | None,
    targets: tuple[str, ...],
    max_reps: int,
    workers: int | None,
    scheduler: str | None,
    dashboard: str | None,
    log: str,
    engine: str = DEFAULT_ENGINE,
) -> dict[str, Any]:
    from anwsim.experiment.runner import DEFAULT_TARGETS

    if reps is not None and precision is not None:
        raise click.UsageError("give --reps or --precision, not both")
    parsed = []
    for text in targets:
        kpi, _, group = text.partition(":")
        if not kpi or not group:
            raise click.UsageError(f"--target needs KPI:GROUP, got {text!r}")
        parsed.append((kpi, group))
    return {
        "replications": reps,
        "precision": precision,
        "targets": parsed or list(DEFAULT_TARGETS),
        "max_replications": max_reps,
        "workers": workers,
        "scheduler": scheduler,
        "dashboard": dashboard,
        "log": log,
        "engine": engine,
        "progress": _progress_bar(),
    }


def _progress_bar() -> Any:
    """A rich progress bar on stderr (replications, ETA, CI note), silent when piped."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    if not console.is_terminal:
        return None
    bar = Progress(
        TextColumn("replications"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        TextColumn("{task.fields[note]}"),
        console=console,
        transient=True,
    )
    task = bar.add_task("run", total=None, note="")

    def update(done: int, total: int, note: str) -> None:
        if not bar.live.is_started:
            bar.start()
        bar.update(task, completed=done, total=total, note=note)
        if done >= total:
            bar.stop()

    return update


def _run_guarded(call: Callable[[], Any]) -> Any:
    """Run an experiment call: failed replications and an OS error while writing results
    (read-only or full disk) print what and where on stderr and exit with status 1 (what
    was saved is kept; ``--resume`` continues). A result directory refused before any
    work (`StoreError`, a `ScenarioError`) exits with status 2 like bad input."""
    from anwsim.experiment import ReplicationsFailed
    from anwsim.experiment.store import ResultsNotWritten

    try:
        return call()
    except ResultsNotWritten as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except ReplicationsFailed as exc:
        click.echo(f"error: {exc}", err=True)
        for failure in exc.failures:
            click.echo(
                f"  {failure['scenario']} replication {failure['replication']} "
                f"(seed {failure['seed']}): {failure['error']}",
                err=True,
            )
        sys.exit(1)
    except ValueError as exc:  # bad settings (e.g. precision without targets)
        raise click.UsageError(str(exc)) from None


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@experiment_options
@click.option(
    "--resume",
    type=click.Path(path_type=Path, file_okay=False),
    help="Finish the run in this result directory.",
)
@click.option("--all-kpis", is_flag=True, help="Print every KPI row, not only the headline ones.")
@_user_errors
def run(
    file: Path | None,
    resume: Path | None,
    all_kpis: bool,
    overrides: tuple[str, ...],
    **options: Any,
) -> None:
    """Run the replications of scenario FILE and print its KPIs with 95% CIs."""
    from anwsim.experiment import api

    settings = _settings(**options_for_settings(options))
    if resume is not None:
        if file is not None or options.get("out"):
            raise click.UsageError(
                "--resume takes the scenario and --out from the result directory"
            )
        summary = _run_guarded(lambda: api.resume(resume, **_resume_settings(settings)))
    else:
        if file is None:
            raise click.UsageError("give a scenario FILE (or --resume DIR)")
        summary = _run_guarded(
            lambda: api.run(file, overrides=overrides, out=options.get("out"), **settings)
        )
    scenario = summary["scenario"].iloc[0] if "scenario" in summary.columns and len(summary) else ""
    n = int(summary["replications"].max()) if len(summary) else 0
    click.echo(f"{scenario} — {n} replication(s)")
    several = "scenario" in summary.columns and summary["scenario"].nunique() > 1  # a resume
    _warn_unserved(summary, by_scenario=several)
    decision = summary.attrs.get("decision")
    if decision is not None and decision.solution is None:
        click.echo(
            f"warning: the asked precision was not reached within {n} replications "
            f"(largest relative half-width {max(decision.widths):.1%}); raise --max-reps",
            err=True,
        )
    if not all_kpis:
        summary = summary[_headline(summary)]
    click.echo(format_summary(summary))


def options_for_settings(options: dict[str, Any]) -> dict[str, Any]:
    keys = (
        "reps",
        "precision",
        "targets",
        "max_reps",
        "workers",
        "scheduler",
        "dashboard",
        "log",
        "engine",
    )
    return {k: options.get(k) for k in keys}


def _resume_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """On resume the plan and log level come from the manifest; where to run, the
    engine and the progress bar are taken from the command line."""
    return {k: settings[k] for k in ("workers", "scheduler", "dashboard", "progress", "engine")}


@main.command()
@click.argument("base", type=click.Path(path_type=Path))
@click.argument("others", nargs=-1, required=True, type=click.Path(path_type=Path))
@experiment_options
@_user_errors
def compare(
    base: Path, others: tuple[Path, ...], overrides: tuple[str, ...], **options: Any
) -> None:
    """Compare scenarios OTHERS with BASE: means with 95% CIs and paired differences.

    All scenarios run with BASE's run settings and seed, so replication r of each sees
    the same patients. '*' marks a difference whose CI excludes zero.
    """
    from anwsim.experiment import api

    settings = _settings(**options_for_settings(options))
    table = _run_guarded(
        lambda: api.compare(
            base, list(others), overrides=overrides, out=options.get("out"), **settings
        )
    )
    _warn_unserved(table, by_scenario=True)
    click.echo(format_comparison(table))
    if len(others) > 1:
        from anwsim.experiment.summary import ranking

        base_label = table["scenario"].iloc[0]
        click.echo("")
        click.echo(format_ranking(ranking(table, base_label), base_label))


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--grid",
    "grids",
    multiple=True,
    required=True,
    metavar="PATH=V1,V2,...",
    help="A field and the values to try (repeatable; the full factorial is run).",
)
@experiment_options
@_user_errors
def sweep(file: Path, grids: tuple[str, ...], overrides: tuple[str, ...], **options: Any) -> None:
    """Run scenario FILE over the full factorial of --grid values; print a tidy table."""
    from anwsim.experiment import api

    grid = _parse_grids(grids)
    settings = _settings(**options_for_settings(options))
    table = _run_guarded(
        lambda: api.sweep(file, grid, overrides=overrides, out=options.get("out"), **settings)
    )
    names = {}
    if not table.empty:
        swept = list(grid)
        for label, point in (
            table.drop_duplicates("scenario").set_index("scenario")[swept].iterrows()
        ):
            values = ", ".join(f"{p}={v}" for p, v in point.items())
            names[str(label)] = f"{label} ({values})"
    _warn_unserved(table, by_scenario=True, names=names)
    shown = table[_headline(table)]
    click.echo(shown.to_string(index=False))


def _parse_grids(grids: tuple[str, ...]) -> dict[str, list[Any]]:
    """``--grid PATH=V1,V2,...`` options as {path: [values]}, each value read as YAML."""
    from anwsim.scenario.loading import option_label, parse_path, parse_value

    usage = "give --grid PATH=V1,V2,..., e.g. --grid demand.growth_factor=1.0,1.1"
    hint = (
        "values are split at commas, so a list or mapping cannot be one; "
        "quote text that is not meant as YAML"
    )
    grid: dict[str, list[Any]] = {}
    for text in grids:
        source = option_label("--grid", text)
        path, sep, values = text.partition("=")
        if not sep or not path.strip() or not values.strip():
            raise ScenarioError(
                f"a field path and one or more values are needed; {usage}", file=source
            )
        parts = parse_path(path, source, usage)
        key = path.strip()
        if key in grid:
            raise ScenarioError(
                "this field is given in two --grid options; give all its values in one",
                file=source,
                path=parts,
            )
        items = values.split(",")
        if any(not item.strip() for item in items):
            raise ScenarioError(
                "a value between commas is empty; give V1,V2,... with no empty values",
                file=source,
                path=parts,
            )
        grid[key] = [parse_value(item, source, parts, hint) for item in items]
    return grid


def _headline(table: Any) -> Any:
    """Mask of the rows of ``table`` that the run, compare and sweep tables print."""
    from anwsim.metrics.definitions import RUN_SUMMARY, selected

    return selected(table, RUN_SUMMARY)


def unserved_warnings(
    table: Any, *, by_scenario: bool = False, names: dict[str, str] | None = None
) -> list[str]:
    """One warning per queue (and scenario) where patients were still waiting when the
    run stopped: the mean ``unserved_patients`` of the queue per replication."""
    if table.empty or "kpi" not in table.columns:
        return []
    rows = table[
        (table["kpi"] == "unserved_patients") & (table["group"] != "all") & (table["mean"] > 0)
    ]
    lines = []
    for row in rows.itertuples():
        site, _, role = str(row.group).rpartition("/")
        who = ""
        if by_scenario and "scenario" in table.columns:
            label = str(row.scenario)
            who = f"{(names or {}).get(label, label)}: "
        lines.append(
            f"warning: {who}{row.mean:,.1f} patients per replication were never served at "
            f"{site} ({role}): check its roster and opening hours"
        )
    return lines


def _warn_unserved(
    table: Any, *, by_scenario: bool = False, names: dict[str, str] | None = None
) -> None:
    for line in unserved_warnings(table, by_scenario=by_scenario, names=names):
        click.echo(line, err=True)


def format_summary(summary: Any) -> str:
    """A plain-text KPI table: value ± CI half-width, unit, and the norm where one exists."""
    lines = [f"{'KPI':<32} {'group':<26} {'value':>18} {'unit':<10} {'norm':>8} {'target':>7}"]
    for row in summary.itertuples():
        if row.kpi == "utilisation" and not str(row.group).startswith("role:"):
            continue
        value = f"{row.mean:,.2f}"
        if row.half_width == row.half_width:  # not NaN
            value += f" ± {row.half_width:,.2f}"
        norm = "" if row.norm != row.norm else f"{row.norm:g}"
        target = "" if row.target != row.target else f"{row.target:g}%"
        lines.append(
            f"{row.kpi:<32} {row.group!s:<26} {value:>18} {row.unit:<10} {norm:>8} {target:>7}"
        )
    return "\n".join(lines)


def format_comparison(table: Any) -> str:
    """Per KPI: the base's mean ± CI, then each other scenario's mean and its paired
    difference to the base (``*`` where the CI of the difference excludes zero)."""
    if table.empty:
        return "(no results)"
    scenarios = list(dict.fromkeys(table["scenario"]))
    headline = table[_headline(table)]
    header = f"{'KPI':<32} {'group':<22} {'unit':<6}" + "".join(f" {s[:24]:>26}" for s in scenarios)
    lines = [header]
    for (kpi, group), rows in headline.groupby(["kpi", "group"], sort=False):
        if kpi == "utilisation" and not str(group).startswith("role:"):
            continue
        cells = []
        by_scenario = rows.set_index("scenario")
        for k, name in enumerate(scenarios):
            if name not in by_scenario.index:
                cells.append(f" {'':>26}")
                continue
            row = by_scenario.loc[name]
            if k == 0:
                text = f"{row['mean']:,.2f}"
                if row["half_width"] == row["half_width"]:
                    text += f" ± {row['half_width']:,.2f}"
            else:
                significant = row["significant"]
                mark = "*" if significant == significant and bool(significant) else " "
                diff = row["difference"]
                hw = row["difference_half_width"]
                text = f"{row['mean']:,.2f} ({diff:+,.2f}"
                text += f" ± {hw:,.2f}){mark}" if hw == hw else f"){mark}"
            cells.append(f" {text:>26}")
        unit = str(rows["unit"].iloc[0])
        lines.append(f"{kpi:<32} {group!s:<22} {unit:<6}" + "".join(cells))
    lines.append("values: mean (difference to the first scenario ± 95% CI); * CI excludes zero")
    return "\n".join(lines)


def format_ranking(ranked: Any, base: str) -> str:
    """Scenarios ranked by significant improvements minus worsenings against ``base``.

    Column labels name the KPI, its group and its norm as the KPI table gives it."""
    from anwsim.metrics.definitions import RANKING

    if ranked.empty:
        return "(nothing to rank)"
    columns = [(k, g) for k, g in RANKING if f"{k}:{g}" in ranked.columns]
    names = [ranking_label(k, g, _first(ranked.get(f"{k}:{g}:norm"))) for k, g in columns]
    widths = [max(len(name), 8) for name in names]
    lines = [
        f"Ranking against {base} (score = significant improvements - worsenings; "
        "cells: difference to the base)",
        f"{'rank':>4} {'scenario':<28} {'score':>5}"
        + "".join(f" {n:>{w}}" for n, w in zip(names, widths, strict=True)),
    ]
    for _, row in ranked.iterrows():
        cells = "".join(
            f" {row.get(f'{k}:{g}:difference', float('nan')):>+{w}.2f}"
            for (k, g), w in zip(columns, widths, strict=True)
        )
        lines.append(f"{row['rank']:>4} {str(row['scenario'])[:28]:<28} {row['score']:>5}{cells}")
    return "\n".join(lines)


def ranking_label(kpi: str, group: str, norm: float | None) -> str:
    """A short column label: the KPI's short name, its group where it tells something,
    and ``≤ norm`` in minutes where the KPI table gives a norm, e.g. ``NTS U2 ≤60m``."""
    from anwsim.metrics.definitions import KPIS

    short = (KPIS[kpi].short or kpi) if kpi in KPIS else kpi
    where = group.removeprefix("role:")
    if where in ("all", "other lines", "emergency line"):
        where = ""
    text = " ".join(part for part in (short, where) if part)
    if norm is not None and norm == norm:  # not NaN
        text += f" ≤{norm:g}m"
    return text


def _first(values: Any) -> float | None:
    """The first known value of a column (None if there is none)."""
    if values is None:
        return None
    known = [float(v) for v in values if v is not None and v == v]
    return known[0] if known else None


def _register_report() -> None:
    from anwsim.report.command import report

    main.add_command(report)


_register_report()


if __name__ == "__main__":  # pragma: no cover
    main()
