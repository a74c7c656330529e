"""The ``anwsim`` command line: a thin layer over the Python API.

Every command is one call into the library. User mistakes (a bad scenario file, a bad
``--set``) print one line, ``error: FILE:LINE: field.path: what is wrong``, and exit
with status 2; never a traceback.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import yaml

from anwsim import __version__
from anwsim.cli_errors import EXIT_USER_ERROR, F, echo_safe, user_errors
from anwsim.engines import DEFAULT_ENGINE, ENGINES
from anwsim.experiment.corrections import CORRECTIONS, DEFAULT_CORRECTION
from anwsim.memory import keep_freed_memory
from anwsim.scenario import ScenarioError, load_scenario, scenario_hash
from anwsim.scenario.errors import safe_text

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
@click.option(
    "--only",
    metavar="PATH",
    help="Print only the part at this field path, e.g. rosters.hap_a or "
    "rosters.hap_a.gp_consult.0 (a list item by index or by name).",
)
@user_errors
def show(file: Path, overrides: tuple[str, ...], only: str | None) -> None:
    """Print the resolved scenario FILE (after extends, defaults and --set) as YAML."""
    scenario = load_scenario(file, overrides)
    data: Any = scenario.model_dump(mode="json")
    part = ""
    if only is not None:
        from anwsim.scenario.loading import option_label, parse_path
        from anwsim.scenario.tree import select

        source = option_label("--only", only)
        usage = "give --only path.to.field, e.g. --only rosters.hap_a"
        data = select(data, parse_path(only, source, usage), source)
        part = f"; only {only.strip()}"
    echo_safe(f"# {file} resolved; scenario hash {scenario_hash(scenario)}{part}")
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    if not isinstance(data, dict | list):
        text = text.removesuffix("...\n")  # a lone value: no end-of-document marker
    click.echo(text, nl=False)


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
            help="A KPI that --precision applies to (repeatable), e.g. within_nts_norm:U2; "
            "`anwsim kpis FILE` lists them.",
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
        *output_options,
        quiet_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


lang_option = click.option(
    "--lang",
    type=click.Choice(["en", "nl"]),
    default="en",
    show_default=True,
    help="Language of the tables and messages (KPI labels; decimal commas in nl).",
)
json_option = click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Write the whole result table, unrounded, as JSON records on stdout (for scripts).",
)
csv_option = click.option(
    "--csv",
    "as_csv",
    is_flag=True,
    help="Write the whole result table, unrounded, as CSV on stdout (for scripts).",
)
output_options = [lang_option, json_option, csv_option]
quiet_option = click.option(
    "-q", "--quiet", is_flag=True, help="No progress bar and no informational lines on stderr."
)


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
    quiet: bool = False,
) -> dict[str, Any]:
    """The API's settings from the command line. ``--target`` is checked against the
    KPI tables the scenarios will have before any replication runs; ``-q`` drops the
    progress bar (and `_quiet` tells the informational lines)."""
    from anwsim.experiment.runner import DEFAULT_TARGETS

    if reps is not None and precision is not None:
        raise click.UsageError("give --reps or --precision, not both")
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[QUIET_KEY] = quiet
        _machine_format(context.params)  # --json with --csv: refused before any work
    parsed = _checked_targets(targets) if targets else []
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
        "progress": None if quiet else _progress_bar(),
    }


QUIET_KEY = "anwsim.quiet"


def _quiet() -> bool:
    """Whether ``-q`` was given to the running command (informational lines skip)."""
    context = click.get_current_context(silent=True)
    return bool(context is not None and context.meta.get(QUIET_KEY))


def _checked_targets(targets: tuple[str, ...]) -> list[tuple[str, str]]:
    """``--target`` texts as (kpi, group), each checked against the KPI table of every
    scenario of the command (its FILE, or BASE and OTHERS, with --set) before anything
    runs: an unknown KPI or group is one error line with a did-you-mean. On --resume
    the targets come from the manifest, so only the KPI names are checked."""
    from anwsim.metrics.catalogue import check_targets

    context = click.get_current_context(silent=True)
    params = context.params if context is not None else {}
    scenarios = {}
    if not params.get("resume"):
        files = [params.get("file"), params.get("base"), *(params.get("others") or ())]
        overrides = params.get("overrides") or ()
        scenarios = {str(f): load_scenario(f, overrides) for f in files if f is not None}
    return check_targets(targets, scenarios)


ETA_AFTER = 3
"""Replications finished in this run before the progress bar shows a time remaining."""


def _progress_bar() -> Any:
    """A rich progress bar on stderr (replications, time remaining, CI note), silent
    when piped. The time remaining shows once `ETA_AFTER` replications finished in this
    run (the first ones carry the workers' start and, resumed, the jump to what was
    already done)."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    console = Console(stderr=True)
    if not console.is_terminal:
        return None

    class Remaining(TimeRemainingColumn):
        def render(self, task: Any) -> Text:
            if task.completed - task.fields.get("base", 0) < ETA_AFTER:
                return Text("-:--:--", style="progress.remaining")
            return super().render(task)

    bar = Progress(
        TextColumn("replications"),
        BarColumn(),
        MofNCompleteColumn(),
        Remaining(),
        TextColumn("{task.fields[note]}"),
        console=console,
        transient=True,
    )
    task = bar.add_task("run", total=None, note="", base=0)
    first = True

    def update(done: int, total: int, note: str) -> None:
        nonlocal first
        if not bar.live.is_started:
            bar.start()
        if first:  # what was done before (a resume) is no speed of this run
            bar.reset(task, completed=done, total=total, note=note, base=done)
            first = False
        bar.update(task, completed=done, total=total, note=note)
        if done >= total:
            bar.stop()

    return update


def _run_guarded(call: Callable[[], Any], out: Path | None = None) -> Any:
    """Run an experiment call writing into ``out`` (None: nothing is written).

    Failed replications and an OS error while writing results (read-only or full disk)
    print what and where on stderr and exit with status 1 (what was saved is kept;
    ``--resume`` continues). A result directory refused before any work (`StoreError`,
    a `ScenarioError`), bad settings and a backend that cannot be used exit with status
    2 like bad input. Ctrl-C prints how to resume and exits with status 130. A precision
    that ended at its cap is a warning; the last line says where the results are."""
    from anwsim.experiment import ReplicationsFailed
    from anwsim.experiment.api import PrecisionNotReached
    from anwsim.experiment.backends import BackendError
    from anwsim.experiment.store import ResultsNotWritten

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PrecisionNotReached)  # printed below, one line
            table = call()
    except KeyboardInterrupt:
        echo_safe(_interrupted(out), err=True)
        sys.exit(EXIT_INTERRUPTED)
    except BackendError as exc:
        echo_safe(f"error: {exc}", err=True)
        sys.exit(EXIT_USER_ERROR)
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
        if out is not None and (out / "manifest.json").exists():
            echo_safe(
                f"the other replications are kept in {out}; after a fix, "
                f"`anwsim run --resume {_quoted(out)}` runs the failed ones again",
                err=True,
            )
        sys.exit(1)
    except ValueError as exc:  # bad settings (e.g. precision without targets)
        raise click.UsageError(str(exc)) from None
    warning = getattr(table, "attrs", {}).get("precision_warning")
    if warning:
        echo_safe(f"warning: {warning}", err=True)
    if out is not None and (out / "manifest.json").exists() and not _quiet():
        line = f"results in {out}; charts and summary: anwsim report {_quoted(out)}"
        context = click.get_current_context(silent=True)
        if context is None:
            echo_safe(line, err=True)
        else:  # after the command's tables
            context.call_on_close(lambda: echo_safe(line, err=True))
    return table


EXIT_INTERRUPTED = 130
"""Exit status after Ctrl-C (128 + SIGINT), as a shell reports it."""


def _interrupted(out: Path | None) -> str:
    """The line printed after Ctrl-C: what was kept and how to go on."""
    if out is None:
        return "interrupted; nothing was kept (--no-out)"
    if not (out / "manifest.json").exists():
        return f"interrupted before any result was kept in {out}"
    return (
        f"interrupted; what finished is kept in {out}: "
        f"`anwsim run --resume {_quoted(out)}` continues"
    )


def _quoted(path: Path) -> str:
    """``path`` as a shell word (quoted if it holds spaces or other special characters)."""
    import shlex

    return shlex.quote(str(path))


no_out_option = click.option(
    "--no-out",
    is_flag=True,
    help="Write no result directory (without --out, results go to "
    "results/<scenario>-<YYYYmmdd-HHMMSS>/).",
)


def _out(options: dict[str, Any], kind: str, scenario: Path) -> Path | None:
    """The result directory: --out, none with --no-out, or by default
    ``results/<scenario>[-compare|-sweep]-<YYYYmmdd-HHMMSS>`` in the current directory."""
    given, no_out = options.get("out"), options.get("no_out")
    if no_out and given is not None:
        raise click.UsageError("give --out DIR or --no-out, not both")
    if no_out:
        return None
    if given is not None:
        return Path(given)
    from anwsim.experiment.api import default_out

    return default_out(Path(scenario).stem, kind)


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@experiment_options
@click.option(
    "--resume",
    type=click.Path(path_type=Path, file_okay=False),
    help="Finish the run in this result directory.",
)
@click.option("--all-kpis", is_flag=True, help="Print every KPI row, not only the headline ones.")
@no_out_option
@user_errors
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
        if file is not None or options.get("out") or options.get("no_out"):
            raise click.UsageError(
                "--resume takes the scenario and --out from the result directory"
            )
        summary = _run_guarded(lambda: api.resume(resume, **_resume_settings(settings)), out=resume)
    else:
        if file is None:
            raise click.UsageError("give a scenario FILE (or --resume DIR)")
        out = _out(options, "run", file)
        summary = _run_guarded(
            lambda: api.run(file, overrides=overrides, out=out, **settings), out=out
        )
    _print_run(summary, all_kpis, options)


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
        "quiet",
    )
    return {k: options.get(k) for k in keys}


def _resume_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """On resume the plan and log level come from the manifest; where to run, the
    engine and the progress bar are taken from the command line."""
    return {k: settings[k] for k in ("workers", "scheduler", "dashboard", "progress", "engine")}


@main.command()
@click.argument("base", type=click.Path(path_type=Path))
@click.argument("others", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--correction",
    type=click.Choice(list(CORRECTIONS)),
    default=DEFAULT_CORRECTION,
    show_default=True,
    help="Correction of the '*' marks for multiple comparisons: Benjamini–Hochberg (bh), "
    "Holm, or none (the CI excludes zero).",
)
@experiment_options
@no_out_option
@user_errors
def compare(
    base: Path,
    others: tuple[Path, ...],
    overrides: tuple[str, ...],
    correction: str,
    **options: Any,
) -> None:
    """Compare scenarios OTHERS with BASE: means with 95% CIs and paired differences.

    All scenarios run with BASE's run settings and seed, so replication r of each sees
    the same patients. '*' marks a significant difference after --correction for the
    many comparisons (scenarios × KPIs); the note under the table says how many.
    """
    from anwsim.experiment import api

    settings = _settings(**options_for_settings(options))
    out = _out(options, "compare", base)
    table = _run_guarded(
        lambda: api.compare(
            base, list(others), overrides=overrides, out=out, correction=correction, **settings
        ),
        out=out,
    )
    _print_comparison(table, options)


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
@no_out_option
@user_errors
def sweep(file: Path, grids: tuple[str, ...], overrides: tuple[str, ...], **options: Any) -> None:
    """Run scenario FILE over the full factorial of --grid values; print each grid point's
    KPIs (named by its values) with 95% CIs."""
    from anwsim.experiment import api

    grid = _parse_grids(grids)
    settings = _settings(**options_for_settings(options))
    out = _out(options, "sweep", file)
    table = _run_guarded(
        lambda: api.sweep(file, grid, overrides=overrides, out=out, **settings), out=out
    )
    _print_sweep(table, list(grid), options)


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
    """Mask of the rows of ``table`` that the run, compare and sweep tables print: the
    headline KPIs, utilisation per role (not per server group)."""
    from anwsim.metrics.definitions import RUN_SUMMARY, selected

    groups = table["group"].astype(str)
    per_group = (table["kpi"] == "utilisation") & ~groups.str.startswith("role:")
    return selected(table, RUN_SUMMARY) & ~per_group


def unserved_warnings(
    table: Any,
    *,
    by_scenario: bool = False,
    names: dict[str, str] | None = None,
    lang: str = "en",
) -> list[str]:
    """One warning per queue (and scenario) where patients were still waiting when the
    run stopped: the mean ``unserved_patients`` of the queue per replication."""
    from anwsim.report import labels

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
        n = labels.number(float(row.mean), lang, 1)
        lines.append(labels.t("cli.warn.unserved", lang, who=who, n=n, site=site, role=role))
    return lines


def _warn_unserved(
    table: Any,
    *,
    by_scenario: bool = False,
    names: dict[str, str] | None = None,
    lang: str = "en",
) -> None:
    for line in unserved_warnings(table, by_scenario=by_scenario, names=names, lang=lang):
        echo_safe(line, err=True)


def _table_width() -> int:
    """The width the tables fit: ``COLUMNS``, else the terminal's, else (stdout is a
    file or a pipe) 100; at least 40."""
    import os
    import shutil

    from anwsim.tables import DEFAULT_WIDTH

    isatty = getattr(sys.stdout, "isatty", None)
    if "COLUMNS" not in os.environ and not (isatty and isatty()):
        return DEFAULT_WIDTH
    return max(40, shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns)


def _machine_format(options: dict[str, Any]) -> str | None:
    """``json`` or ``csv`` when --json or --csv was given (both: refused, exit 2)."""
    if options.get("as_json") and options.get("as_csv"):
        echo_safe("error: --json, --csv: give one of them, not both", err=True)
        sys.exit(EXIT_USER_ERROR)
    return "json" if options.get("as_json") else "csv" if options.get("as_csv") else None


def _print_run(summary: Any, all_kpis: bool, options: dict[str, Any]) -> None:
    """The end of ``run``: the warnings on stderr, then the table (or --json/--csv)."""
    from anwsim import tables
    from anwsim.experiment.summary import KEYS
    from anwsim.report import labels

    lang = options.get("lang") or "en"
    several = "scenario" in summary.columns and summary["scenario"].nunique() > 1  # a resume
    _warn_unserved(summary, by_scenario=several, lang=lang)
    fmt = _machine_format(options)
    if fmt is not None:
        click.echo(tables.machine_text(summary, fmt), nl=False)
        return
    if "difference" in summary.columns:  # a resumed comparison
        _print_comparison(summary, options, warn=False)
        return
    known = {"scenario", *KEYS, "mean", "half_width", "sd", "replications"}
    swept = [c for c in summary.columns if c not in known]  # a sweep adds its fields
    if several and swept:  # a resumed sweep
        _print_sweep(summary, swept, options, warn=False)
        return
    scenario = summary["scenario"].iloc[0] if "scenario" in summary.columns and len(summary) else ""
    n = int(summary["replications"].max()) if len(summary) else 0
    echo_safe(labels.t("cli.replications", lang, scenario=scenario, n=n))
    shown = summary if all_kpis else summary[_headline(summary)]
    click.echo(format_summary(shown, lang, _table_width()))


def _print_comparison(table: Any, options: dict[str, Any], warn: bool = True) -> None:
    """The end of ``compare``: the comparison, and the ranking of two or more others."""
    from anwsim import tables
    from anwsim.experiment.summary import ranking

    lang = options.get("lang") or "en"
    if warn:
        _warn_unserved(table, by_scenario=True, lang=lang)
    base = str(table["scenario"].iloc[0]) if len(table) else ""
    several = bool(len(table)) and table["scenario"].nunique() > 2
    ranked = ranking(table, base) if several else None
    fmt = _machine_format(options)
    if fmt is not None:
        if ranked is not None and not ranked.empty:
            ranks = ranked[["scenario", "rank", "score"]]
            ranks = ranks.astype({"rank": "Int64", "score": "Int64"})  # the base has none
            table = table.merge(ranks, on="scenario", how="left")
        click.echo(tables.machine_text(table, fmt), nl=False)
        return
    width = _table_width()
    click.echo(format_comparison(table, lang, width))
    if ranked is not None:
        click.echo("")
        click.echo(format_ranking(ranked, base, lang, width, comparison=table))


def _print_sweep(table: Any, swept: list[str], options: dict[str, Any], warn: bool = True) -> None:
    """The end of ``sweep``: one column per grid point, named by its swept values."""
    from anwsim import tables

    lang = options.get("lang") or "en"
    if warn:
        names = tables.point_names(table, swept)
        warned = {label: f"{label} ({name})" for label, name in names.items()}
        _warn_unserved(table, by_scenario=True, names=warned, lang=lang)
    fmt = _machine_format(options)
    if fmt is not None:
        click.echo(tables.machine_text(table, fmt), nl=False)
        return
    width = _table_width()
    shown = table[_headline(table)] if not table.empty else table
    click.echo(tables.render(tables.sweep(shown, swept, lang, width), width))


def format_summary(summary: Any, lang: str = "en", width: int | None = None) -> str:
    """The KPI table of a run: per KPI (and group) mean ± 95% CI half-width, rounded to
    the KPI's precision, with its unit and norm; `anwsim.tables.summary`."""
    from anwsim import tables

    width = width or tables.DEFAULT_WIDTH
    return tables.render(tables.summary(summary, lang, width), width)


def format_comparison(table: Any, lang: str = "en", width: int | None = None) -> str:
    """Per headline KPI: the base's mean ± CI, then each other scenario's mean and its
    paired difference to the base (``*`` where the CI of the difference excludes zero),
    in blocks of scenarios that fit ``width``; `anwsim.tables.comparison`."""
    from anwsim import tables

    width = width or tables.DEFAULT_WIDTH
    if table.empty:
        return tables.render(tables.comparison(table, lang, width), width)
    return tables.render(tables.comparison(table[_headline(table)], lang, width), width)


def format_ranking(
    ranked: Any,
    base: str,
    lang: str = "en",
    width: int | None = None,
    comparison: Any = None,
) -> str:
    """Scenarios ranked by significant improvements minus worsenings against ``base``:
    rank and score first, then the difference per ranked KPI; column labels name the
    KPI, its group and its norm as the KPI table gives it; `anwsim.tables.ranking`."""
    from anwsim import tables

    width = width or tables.DEFAULT_WIDTH
    return tables.render(tables.ranking(ranked, base, lang, width, comparison), width)


def ranking_label(kpi: str, group: str, norm: float | None, lang: str = "en") -> str:
    """A ranking column's label on one line: the KPI's short name with ↑ or ↓, its group
    where it tells something, and its norm with unit, e.g. ``NTS ↑ U2 ≤ 60 min``."""
    from anwsim.tables import ranking_header

    return " ".join(ranking_header(kpi, group, norm, lang))


def _first(values: Any) -> float | None:
    """The first known value of a column (None if there is none)."""
    from anwsim.tables import first_known

    return first_known(values)


@main.command()
@click.argument("file", required=False, type=click.Path(path_type=Path))
@set_option
@lang_option
@json_option
@csv_option
@user_errors
def kpis(
    file: Path | None, overrides: tuple[str, ...], lang: str, as_json: bool, as_csv: bool
) -> None:
    """List every KPI: its name, groups, unit, norm, direction and what it divides by.

    With a scenario FILE the groups are the ones its KPI table will have: what
    --target KPI:GROUP takes.
    """
    from anwsim import tables
    from anwsim.metrics.catalogue import kpi_groups

    groups = kpi_groups(load_scenario(file, overrides)) if file is not None else None
    fmt = _machine_format({"as_json": as_json, "as_csv": as_csv})
    if fmt is not None:
        click.echo(tables.machine_text(tables.kpi_records(groups), fmt), nl=False)
        return
    width = _table_width()
    name = safe_text(file) if file is not None else ""
    click.echo(tables.render(tables.kpi_list(lang, groups, name), width))


def _register_commands() -> None:
    """Commands kept in modules of their own: the report, region set-up and export."""
    from anwsim.cli_export import export
    from anwsim.cli_region import diff, init, schema
    from anwsim.report.command import report

    for command in (report, init, diff, schema, export):
        main.add_command(command)


_register_commands()


if __name__ == "__main__":  # pragma: no cover
    main()
