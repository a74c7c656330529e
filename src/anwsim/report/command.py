"""``anwsim report RESULTS_DIR``: the click command (registered on the main group in
`anwsim.cli`)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from anwsim.experiment.corrections import CORRECTIONS, DEFAULT_CORRECTION
from anwsim.report import FORMATS
from anwsim.report.labels import LANGS
from anwsim.scenario.errors import ScenarioError

if TYPE_CHECKING:  # the command imports matplotlib only when it runs
    from anwsim.report.build import Progress

EXIT_USER_ERROR = 2


def _formats(ctx: click.Context, param: click.Parameter, value: str) -> tuple[str, ...]:
    del ctx, param
    items = tuple(dict.fromkeys(v.strip().lower() for v in value.split(",") if v.strip()))
    bad = [v for v in items if v not in FORMATS]
    if bad or not items:
        raise click.BadParameter(
            f"{', '.join(bad) or '(none)'}; choose from {', '.join(FORMATS)}, comma-separated"
        )
    return items


@contextmanager
def _progress() -> Iterator[Progress | None]:
    """A rich progress bar on stderr, one step per figure (drawn and saved in every
    format) and one for the summary pages; nothing when stderr is not a terminal."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, SpinnerColumn, TextColumn
    from rich.progress import Progress as Bar

    console = Console(stderr=True)
    if not console.is_terminal:
        yield None
        return
    columns = (SpinnerColumn(), TextColumn("report"), BarColumn(), MofNCompleteColumn())
    with Bar(*columns, TextColumn("{task.description}"), console=console, transient=True) as bar:
        task = bar.add_task("reading the results", total=None)

        def update(done: int, total: int, step: str) -> None:
            bar.update(task, completed=done, total=total, description=step)

        yield update


@click.command("report")
@click.argument("results_dir", type=click.Path(path_type=Path, file_okay=False, exists=True))
@click.option(
    "--format",
    "formats",
    default="png,svg,pdf",
    show_default=True,
    callback=_formats,
    metavar="FMT[,FMT...]",
    help=f"Figure formats, comma-separated: {', '.join(FORMATS)}.",
)
@click.option(
    "--lang",
    type=click.Choice(list(LANGS)),
    default="en",
    show_default=True,
    help="Language of labels, captions and the summary.",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where to write the report (default: RESULTS_DIR/report).",
)
@click.option(
    "--correction",
    type=click.Choice(list(CORRECTIONS)),
    default=None,
    help="Correction of a comparison's significance for multiple comparisons: Holm"
    " (family-wise 5%), Benjamini-Hochberg (false discovery rate 5%) or none."
    f" [default: the one the comparison was run with, else {DEFAULT_CORRECTION}]",
)
def report(
    results_dir: Path,
    formats: tuple[str, ...],
    lang: str,
    out: Path | None,
    correction: str | None,
) -> None:
    """Charts and a one-page summary (Markdown, HTML) of a run, compare or sweep.

    Writes one file per figure and format, report.md and report.html (figures embedded)
    into --out. Per-patient distributions need a run with --log full. A comparison's
    differences are marked significant after --correction; the footers say how many
    comparisons there are.
    """
    from anwsim.report.build import build_report

    target = out if out is not None else results_dir / "report"
    try:
        with _progress() as progress:
            figures = build_report(
                results_dir,
                formats=formats,
                lang=lang,
                out=target,
                progress=progress,
                correction=correction,
            )
    except ScenarioError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(EXIT_USER_ERROR)
    click.echo(
        f"{len(figures)} figure(s) × {len(formats)} format(s), report.md and report.html "
        f"in {target}"
    )
