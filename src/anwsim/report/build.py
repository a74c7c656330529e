"""Make every figure of a result directory and write the report: figure files in the
requested formats, ``report.md`` and ``report.html``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from matplotlib.figure import Figure

from anwsim.experiment.store import write_text
from anwsim.experiment.summary import CORRECTIONS
from anwsim.report import figures as F
from anwsim.report import page, style
from anwsim.report.data import Results
from anwsim.report.labels import LANGS
from anwsim.scenario.errors import ScenarioError

Progress = Callable[[int, int, str], None]
"""progress(done, total, step): called before each step (a figure drawn and saved, then
the summary pages) and once at the end (``done == total``). Saving a figure in three
formats takes seconds, a report of a comparison half a minute or more."""


def _check_lang(lang: str) -> None:
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, got {lang!r}")


def _draw(results: Results, name: str, lang: str) -> Figure:
    with style.context():
        figure = F.FIGURES[name](results, lang)
        F.localise(figure, lang)
    return figure


def make_figures(results: Results, lang: str = "en") -> dict[str, Figure]:
    """Every figure that applies to ``results``, by name (in report order)."""
    _check_lang(lang)
    return {name: _draw(results, name, lang) for name in F.applicable(results)}


def build_report(
    directory: str | Path,
    *,
    formats: Sequence[str] = ("png", "svg", "pdf"),
    lang: str = "en",
    out: str | Path | None = None,
    progress: Progress | None = None,
    correction: str | None = None,
) -> dict[str, Figure]:
    """Write the report of result directory ``directory`` into ``out`` (default
    ``directory/report``): ``<figure>.<format>`` for every figure and format,
    ``report.md`` and ``report.html``, telling ``progress`` (`Progress`) each step.
    Significance (stars, filled markers, the ranking) is after ``correction`` for
    multiple comparisons: ``bh`` (Benjamini–Hochberg), ``holm`` or ``none``
    (`anwsim.experiment.summary.correct`); by default the one the comparison was run
    with (its manifest; ``bh`` when it names none), so that the report's stars are those
    `anwsim compare` printed. Returns the figures by name.

    Raises `ScenarioError` if ``directory`` is not a result directory or ``correction``
    is unknown."""
    bad = [f for f in formats if f not in style.FORMATS]
    if bad or not formats:
        raise ScenarioError(
            f"unknown format {', '.join(bad) or '(none)'}; allowed: {', '.join(style.FORMATS)}",
            file="--format",
        )
    if correction is not None and correction not in CORRECTIONS:
        raise ScenarioError(
            f"unknown correction {correction!r}; allowed: {', '.join(CORRECTIONS)}",
            file="--correction",
        )
    results = Results.open(directory, correction=correction)
    target = Path(out) if out is not None else Path(directory) / "report"
    target.mkdir(parents=True, exist_ok=True)
    _check_lang(lang)
    tell = progress or (lambda done, total, step: None)
    names = F.applicable(results)
    total = len(names) + 1
    figures, files = {}, {}
    for k, name in enumerate(names):  # one at a time, so that progress means something
        tell(k, total, f"figure {name}")
        figures[name] = _draw(results, name, lang)
        files[name] = style.save(figures[name], target / name, formats)
    tell(len(names), total, "report.md and report.html")
    # whole files or none, as every file a result directory holds
    write_text(page.markdown(results, figures, files, lang, target), target / "report.md")
    write_text(page.html_page(results, figures, lang), target / "report.html")
    tell(total, total, "done")
    return figures
