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
from anwsim.scenario import ScenarioError, load_scenario, scenario_hash

F = TypeVar("F", bound=Callable[..., Any])

EXIT_USER_ERROR = 2


def _user_errors(func: F) -> F:
    """Turn `ScenarioError` into one line on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ScenarioError as exc:
            click.echo(f"error: {exc}", err=True)
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
            click.echo(f"error: {exc}", err=True)
            continue
        click.echo(f"ok: {file} ({scenario.name}, hash {scenario_hash(scenario)[:12]})")
    if failed:
        sys.exit(EXIT_USER_ERROR)


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@set_option
@_user_errors
def show(file: Path, overrides: tuple[str, ...]) -> None:
    """Print the resolved scenario FILE (after extends and --set) as YAML."""
    scenario = load_scenario(file, overrides)
    click.echo(f"# {file} resolved; scenario hash {scenario_hash(scenario)}")
    data = scenario.model_dump(mode="json")
    click.echo(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100), nl=False)


@main.command()
@click.argument(
    "directory",
    required=False,
    default="scenarios",
    type=click.Path(path_type=Path, file_okay=False),
)
def scenarios(directory: Path) -> None:
    """List the scenario files in DIRECTORY (default ./scenarios) with their descriptions."""
    files = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    if not files:
        click.echo(f"error: no scenario files (*.yaml) in {directory}", err=True)
        sys.exit(EXIT_USER_ERROR)
    width = max(len(f.name) for f in files)
    for file in files:
        try:
            scenario = load_scenario(file)
            text = scenario.description or scenario.name
        except ScenarioError as exc:
            text = f"INVALID — {exc}"
        click.echo(f"{file.name:<{width}}  {text}")


@main.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--reps", type=click.IntRange(min=1), help="Replications (default: run.replications)."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Write the manifest, KPIs, outcomes and resource logs to this directory.",
)
@click.option("--all-kpis", is_flag=True, help="Print every KPI row, not only the headline ones.")
@set_option
@_user_errors
def run(
    file: Path, reps: int | None, out: Path | None, all_kpis: bool, overrides: tuple[str, ...]
) -> None:
    """Run the replications of scenario FILE and print its KPIs with 95% CIs."""
    from anwsim.experiment import run_sequential, summarise
    from anwsim.experiment.store import write_manifest, write_replication

    scenario = load_scenario(file, overrides)
    n = reps or scenario.run.replications
    if out is not None:
        if (out / "manifest.json").exists():
            raise click.UsageError(f"{out} already holds results; choose another --out")
        write_manifest(out, scenario, str(file), replications=n)

    def progress(result: Any) -> None:
        click.echo(f"replication {result.replication + 1}/{n} done", err=True)
        if out is not None:
            write_replication(out, result, outcomes=True)

    kpis = run_sequential(scenario, range(n), on_result=progress)
    summary = summarise(kpis)
    if not all_kpis:
        summary = summary[summary["kpi"].isin(HEADLINE_KPIS)]
    click.echo(
        f"{scenario.name} — {n} replication(s), {scenario.run.horizon_weeks} weeks "
        f"(warm-up {scenario.run.warmup_weeks:g}), seed {scenario.run.seed}, "
        f"hash {scenario_hash(scenario)[:12]}"
    )
    click.echo(format_summary(summary))
    if out is not None:
        summarise(kpis).to_csv(out / "summary.csv", index=False)
        click.echo(f"results written to {out}", err=True)


HEADLINE_KPIS = (
    "answer_time_mean",
    "answered_within_urgent_norm",
    "answered_within_norm",
    "abandoned_callers",
    "within_nts_norm",
    "travel_to_post_within_norm",
    "ambulance_response_within_norm",
    "call_to_seh_within_norm",
    "handoff_delay_mean",
    "door_to_doctor_mean",
    "utilisation",
    "contacts_per_gp_hour",
    "overtime_minutes_per_shift",
    "seh_occupancy",
    "gp_contacts_per_1000",
    "gp_contact_share",
    "seh_visits_per_year",
    "ambulance_rides_per_year",
)


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


if __name__ == "__main__":  # pragma: no cover
    main()
