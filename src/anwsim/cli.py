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


if __name__ == "__main__":  # pragma: no cover
    main()
