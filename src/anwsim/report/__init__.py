"""Charts and a one-page report for policy notes, from a result directory.

``build_report(directory, formats=("png", "svg", "pdf"), lang="nl")`` writes every
figure that applies to a run, compare or sweep, plus ``report.md`` and ``report.html``
(headline table, figures with captions, provenance), and returns the figures by name.
``make_figures(Results.open(directory), lang)`` makes them without writing anything.

Modules: `data` (reading a result directory), `derived` (capacity, offered load and
travel times computed from the resolved scenario), `figures` (one function per chart),
`page` (Markdown and HTML summary), `style` (one look: rcParams, Okabe–Ito palette,
hatches and markers for black-and-white print), `labels` (every word in English and
Dutch), `command` (the ``anwsim report`` click command).

The names below are imported on first use, so that importing the command (and so the
CLI) does not load matplotlib.
"""

from typing import Any

FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
"""Figure formats a report can write."""

_LAZY = {
    "Results": "anwsim.report.data",
    "build_report": "anwsim.report.build",
    "make_figures": "anwsim.report.build",
    "caption": "anwsim.report.style",
}

__all__ = ["FORMATS", "Results", "build_report", "caption", "make_figures"]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'anwsim.report' has no attribute {name!r}")
