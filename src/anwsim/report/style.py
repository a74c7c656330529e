"""One look for every chart: an rcParams context, a colour-blind-safe palette, and a
distinct hatch, marker and line style per scenario so that figures print in black and
white.

Colours are the Okabe–Ito palette (Okabe & Ito 2008), safe for the common forms of
colour blindness. Scenario *k* always has the same colour, hatch, marker and line style
in every figure of a report. Figures are made without pyplot (``Figure`` with an Agg
canvas), so building a report never touches a global figure manager or backend.
"""

from __future__ import annotations

import io
import weakref
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib as mpl
from cycler import cycler
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from anwsim.report import FORMATS as _FORMATS

OKABE_ITO: dict[str, str] = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
}

SCENARIO_COLOURS: tuple[str, ...] = (
    OKABE_ITO["blue"],
    OKABE_ITO["orange"],
    OKABE_ITO["bluish_green"],
    OKABE_ITO["vermillion"],
    OKABE_ITO["reddish_purple"],
    OKABE_ITO["sky_blue"],
    OKABE_ITO["black"],
    OKABE_ITO["yellow"],
)
"""Scenario colours in order; the first (the base) is blue. Yellow, weak on white, last."""

HATCHES: tuple[str, ...] = ("", "///", "...", "xxx", "\\\\\\", "ooo", "+++", "---")
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES: tuple[Any, ...] = (
    "-",
    (0, (5, 2)),
    (0, (1, 1.5)),
    (0, (5, 1.5, 1, 1.5)),
    (0, (8, 2, 2, 2, 2, 2)),
    (0, (3, 1)),
    (0, (1, 3)),
    (0, (10, 3)),
)
PALETTE = len(SCENARIO_COLOURS)
"""Colours (and hatches, markers, line styles) in one round of the palette."""
DISTINCT_LOOKS = PALETTE * PALETTE
"""Scenarios 0..63 each get a look no other scenario has (see `look`); beyond, the
looks repeat (and the names on the axes or in the legend tell them apart)."""
ROWS_FROM = 8
"""From this many scenarios on (one more than a line panel holds), bar charts draw a
row per scenario (horizontal bars, names on the axis) instead of side-by-side bars with
a legend to look up."""
LINES_PER_PANEL = 7
"""Cumulative (line) charts draw at most this many scenarios per panel (the base is
repeated in each further panel as a grey reference); more panels when there are more."""

INK = "#222222"
"""Bar edges, hatches, norm lines and text: near-black."""
NEEDED_FILL = "#BBBBBB"
MISSING_HATCH = "#C8C8C8"

SEQUENTIAL_CMAP = "cividis"
"""Utilisation heatmaps: perceptually uniform, colour-blind safe, monotone in grey."""
DIVERGING_CMAP = "PuOr_r"
"""Differences: purple (lower) to orange (higher), colour-blind safe; the sign is also
shown by markers, because a diverging map is ambiguous in black and white."""

WIDTH_IN = 6.5
"""Figure width in inches: one text column of an A4 policy note with 2.5 cm margins."""

RC: dict[str, Any] = {
    "font.family": "DejaVu Sans",
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 8.5,
    "axes.labelcolor": INK,
    "axes.edgecolor": INK,
    "axes.linewidth": 0.6,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=SCENARIO_COLOURS),
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.5,
    "xtick.labelsize": 7.5,
    "ytick.labelsize": 7.5,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "legend.fontsize": 7.5,
    "legend.frameon": False,
    "legend.handlelength": 2.6,
    "lines.linewidth": 1.4,
    "lines.markersize": 4.5,
    "patch.linewidth": 0.6,
    "hatch.linewidth": 0.6,
    "errorbar.capsize": 2.5,
    "image.cmap": SEQUENTIAL_CMAP,
    "figure.dpi": 100,
    "figure.facecolor": "white",
    "figure.titlesize": 10,
    "figure.titleweight": "bold",
    "savefig.dpi": 200,
    "savefig.facecolor": "white",
    "pdf.fonttype": 42,
    "ps.fonttype": 42,
    "svg.fonttype": "path",
    "svg.hashsalt": "anwsim",
    # Scenario and site names are text, never TeX: a "$" must not start mathtext.
    "text.parse_math": False,
}
"""The report's rcParams. Apply with `context()` while making *and* saving figures."""


@contextmanager
def context() -> Iterator[None]:
    """The report style as an rcParams context (leaves the global settings alone)."""
    with mpl.rc_context(RC):  # type: ignore[arg-type]
        yield


@dataclass(frozen=True)
class Look:
    """How scenario *k* is drawn everywhere."""

    colour: str
    hatch: str
    marker: str
    linestyle: Any


def look(k: int) -> Look:
    """Scenario *k*'s colour, hatch, marker and line style.

    The first 8 take the i-th of each list. From then on round ``j = k // 8`` shifts
    the hatch by ``j``, the marker by ``3j`` and the line style by ``5j`` against the
    colour (``k % 8``): as 1, 3 and 5 are invertible mod 8, each of the pairs colour +
    hatch, colour + marker and colour + line style is different for every k < 64, so a
    bar chart, a line chart and a black-and-white print all tell 64 scenarios apart."""
    i, j = k % PALETTE, (k // PALETTE) % PALETTE
    return Look(
        SCENARIO_COLOURS[i],
        HATCHES[(i + j) % PALETTE],
        MARKERS[(i + 3 * j) % PALETTE],
        LINESTYLES[(i + 5 * j) % PALETTE],
    )


def bar_style(k: int) -> dict[str, Any]:
    """Keyword arguments of `Axes.bar` for scenario *k*: colour, hatch and edge."""
    s = look(k)
    return {
        "color": s.colour,
        "hatch": s.hatch or None,
        "edgecolor": INK,
        "linewidth": 0.5,
        "error_kw": {"ecolor": INK, "elinewidth": 0.9, "capsize": 2.5, "capthick": 0.9},
    }


def line_style(k: int, *, markers: bool = True, markevery: Any = None) -> dict[str, Any]:
    """Keyword arguments of `Axes.plot` for scenario *k*."""
    s = look(k)
    out: dict[str, Any] = {"color": s.colour, "linestyle": s.linestyle}
    if markers:
        out.update(
            marker=s.marker,
            markersize=4,
            markerfacecolor="white" if k % 2 else s.colour,
            markeredgecolor=s.colour,
            markeredgewidth=0.9,
        )
        if markevery is not None:
            out["markevery"] = markevery
    return out


def new_figure(height: float, width: float = WIDTH_IN) -> Figure:
    """A figure with an Agg canvas and constrained layout (call inside `context()`)."""
    fig = Figure(figsize=(width, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def norm_line(
    ax: Axes,
    value: float,
    *,
    vertical: bool = False,
    gid: str,
    label: str | None = None,
    span: tuple[float, float] | None = None,
    style: str = "--",
) -> None:
    """A norm (or target) as a thin near-black line, tagged ``gid`` for tests and SVG.

    ``span`` limits a horizontal line to x from..to (e.g. one bar group)."""
    kwargs: dict[str, Any] = {"color": INK, "linestyle": style, "linewidth": 1.0, "zorder": 4}
    if vertical:
        line = ax.axvline(value, **kwargs)
    elif span is not None:
        (line,) = ax.plot(list(span), [value, value], **kwargs)
    else:
        line = ax.axhline(value, **kwargs)
    line.set_gid(gid)
    if label is not None:
        line.set_label(label)


def note(ax: Axes, text: str) -> None:
    """A short remark inside an axes (e.g. why a panel is empty)."""
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        fontsize=7.5,
        color=INK,
        wrap=True,
    )


# --------------------------------------------------------------------------- captions

_CAPTIONS: weakref.WeakKeyDictionary[Figure, str] = weakref.WeakKeyDictionary()


def set_caption(fig: Figure, text: str) -> None:
    """Attach the caption (what is shown, the data source, definitions) to a figure."""
    _CAPTIONS[fig] = text


def caption(fig: Figure) -> str:
    """The caption attached by `set_caption` (empty if none)."""
    return _CAPTIONS.get(fig, "")


# --------------------------------------------------------------------------- output

FORMATS = _FORMATS


def save(fig: Figure, stem: Path, formats: Sequence[str]) -> list[Path]:
    """Write ``stem.<format>`` for every format, each whole or not at all (a temporary
    file renamed into place, so an interrupted report leaves no half-written figure);
    returns the paths written."""
    from anwsim.experiment.store import atomic_write

    paths = []
    with context():
        for fmt in formats:
            path = stem.with_name(f"{stem.name}.{fmt}")
            metadata = {"Creator": "anwsim"} if fmt in ("pdf", "svg") else None

            def write(tmp: str, fmt: str = fmt, metadata: Any = metadata) -> None:
                fig.savefig(tmp, format=fmt, bbox_inches="tight", metadata=metadata)

            atomic_write(path, write)
            paths.append(path)
    return paths


def png_bytes(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (for the HTML summary)."""
    buffer = io.BytesIO()
    with context():
        fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()
