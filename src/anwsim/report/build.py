"""Make every figure of a result directory and write the report: figure files in the
requested formats, ``report.md`` and ``report.html``."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib.figure import Figure

from anwsim.report import figures as F
from anwsim.report import page, style
from anwsim.report.data import Results
from anwsim.report.labels import LANGS
from anwsim.scenario.errors import ScenarioError


def make_figures(results: Results, lang: str = "en") -> dict[str, Figure]:
    """Every figure that applies to ``results``, by name (in report order)."""
    if lang not in LANGS:
        raise ValueError(f"language must be one of {', '.join(LANGS)}, got {lang!r}")
    figures = {}
    with style.context():
        for name in F.applicable(results):
            figures[name] = F.FIGURES[name](results, lang)
            F.localise(figures[name], lang)
    return figures


def build_report(
    directory: str | Path,
    *,
    formats: Sequence[str] = ("png", "svg", "pdf"),
    lang: str = "en",
    out: str | Path | None = None,
) -> dict[str, Figure]:
    """Write the report of result directory ``directory`` into ``out`` (default
    ``directory/report``): ``<figure>.<format>`` for every figure and format,
    ``report.md`` and ``report.html``. Returns the figures by name.

    Raises `ScenarioError` if ``directory`` is not a result directory."""
    bad = [f for f in formats if f not in style.FORMATS]
    if bad or not formats:
        raise ScenarioError(
            f"unknown format {', '.join(bad) or '(none)'}; allowed: {', '.join(style.FORMATS)}",
            file="--format",
        )
    results = Results.open(directory)
    target = Path(out) if out is not None else Path(directory) / "report"
    target.mkdir(parents=True, exist_ok=True)
    figures = make_figures(results, lang)
    files = {name: style.save(fig, target / name, formats) for name, fig in figures.items()}
    (target / "report.md").write_text(
        page.markdown(results, figures, files, lang, target), encoding="utf-8"
    )
    (target / "report.html").write_text(page.html_page(results, figures, lang), encoding="utf-8")
    return figures
