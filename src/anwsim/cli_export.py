"""``anwsim export RESULTS_DIR``: the result tables of a run, compare or sweep, rounded,
for a spreadsheet (registered on the main group in `anwsim.cli`)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click

from anwsim.cli_errors import EXIT_USER_ERROR, echo_safe
from anwsim.scenario.errors import ScenarioError, safe_text

EXIT_NOT_WRITTEN = 1
XLSX_NAME = "results.xlsx"


def _fail(message: str, status: int = EXIT_USER_ERROR) -> NoReturn:
    echo_safe(f"error: {message}", err=True)
    sys.exit(status)


def target_path(results_dir: Path, fmt: str, dutch: bool, to: Path | None) -> Path:
    """Where the export goes: for xlsx a file (``--to`` ending in ``.xlsx``, or a
    directory, existing or without a suffix, to hold ``results.xlsx``; default
    ``DIR/results.xlsx``), for csv a folder (default ``DIR/export``, or ``DIR/export-nl``
    with ``--dutch``)."""
    if fmt == "xlsx":
        if to is None:
            return results_dir / XLSX_NAME
        if to.is_dir() or not to.suffix:
            return to / XLSX_NAME
        if to.suffix.lower() != ".xlsx":
            raise ScenarioError(
                f"an xlsx export is one file: give a name ending in .xlsx (not "
                f"{to.suffix}), or a directory",
                file=f"--to {to}",
            )
        return to
    if to is None:
        return results_dir / ("export-nl" if dutch else "export")
    if to.exists() and not to.is_dir():
        raise ScenarioError(
            "a csv export is one file per table: give a directory, not a file",
            file=f"--to {to}",
        )
    return to


@click.command("export")
@click.argument("results_dir", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["xlsx", "csv"]),
    default="xlsx",
    show_default=True,
    help="xlsx: one workbook, a sheet per table; csv: one file per table.",
)
@click.option(
    "--dutch",
    is_flag=True,
    help="CSV as Dutch Excel opens it: ';' between cells, decimal commas, UTF-8 with BOM.",
)
@click.option(
    "--to",
    "to",
    type=click.Path(path_type=Path),
    help="The .xlsx file or the CSV folder (default: in RESULTS_DIR: results.xlsx, "
    "export/ or export-nl/).",
)
def export(results_dir: Path, fmt: str, dutch: bool, to: Path | None) -> None:
    """The result tables of a run, compare or sweep, rounded per KPI, for a spreadsheet.

    Writes the summary, comparison, ranking, sweep and utilisation-by-hour tables that
    RESULTS_DIR holds: one sheet each in an .xlsx workbook, or one CSV file each.
    """
    from anwsim.experiment.export import export as write_export

    if dutch and fmt != "csv":
        _fail(
            "--dutch is for --format csv; an xlsx workbook holds numbers, which Excel "
            "shows with the decimal comma of its own language"
        )
    try:
        target = target_path(results_dir, fmt, dutch, to)
        written = write_export(results_dir, target, fmt=fmt, dutch=dutch)
    except ScenarioError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"could not write {target}: {exc.strerror or exc}", EXIT_NOT_WRITTEN)
    if fmt == "xlsx":
        click.echo(safe_text(f"wrote {written[0]}"))
    else:
        names = ", ".join(p.name for p in written)
        click.echo(safe_text(f"wrote {len(written)} file(s) to {target}: {names}"))
