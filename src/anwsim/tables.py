"""Terminal tables of experiment results, for a person to read: pure functions from a
result DataFrame to a rich renderable sized to a terminal width, and `render` to text.

Every KPI is labelled in English or Dutch (`anwsim.report.labels`, decimal commas in
Dutch), rounded to its own precision (`Kpi.digits`) and shown with its unit and its
norm (``90% ≤ 30 s``: the share the norm asks for, within the time). A KPI with more
than one group gets a heading line and one indented line per group. A table wider
than the width is split into blocks that each fit, with its key columns repeated: a
comparison into blocks of scenarios (the base in every block), a ranking into blocks of
KPIs (rank, score and scenario in every block), a sweep into blocks of grid points.
"""

from __future__ import annotations

import io
import json
import math
import re
import textwrap
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from rich import box
from rich.console import Console, Group, JustifyMethod, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from anwsim.metrics.definitions import KPIS, RANKING
from anwsim.report import labels as L
from anwsim.scenario.errors import safe_text

DEFAULT_WIDTH = 100

UNITS_IN_LABEL = frozenset({"patients", "1/h", "1/yr", "1/1000/yr"})
"""Units the KPI's label already names ("Patients per year"), so not repeated."""

HEADER_WIDTH = 9
"""Ranking column headers wrap their KPI name at this width."""

Key = tuple[str, str]
"""(kpi, group): one row of a KPI table."""


@dataclass(frozen=True)
class _Line:
    label: str
    key: Key | None  # None: the heading line of a KPI with several groups
    gap: bool = False  # a blank line follows (after a KPI's groups, before a heading)


@dataclass(frozen=True)
class _Column:
    header: str
    cell: Callable[[Key], str]
    justify: JustifyMethod = "right"


def render(renderable: RenderableType, width: int = DEFAULT_WIDTH) -> str:
    """``renderable`` as plain text at ``width`` columns (no colours, no trailing blanks)."""
    console = Console(
        width=width,
        record=True,
        file=io.StringIO(),
        color_system=None,
        highlight=False,
        emoji=False,
    )
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


# ------------------------------------------------------------------ numbers and labels


def digits(kpi: str) -> int:
    """The decimals ``kpi`` is shown with (2 for a name the definitions do not know)."""
    return KPIS[kpi].digits if kpi in KPIS else 2


def _known(value: Any) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def mean_ci(mean: Any, half_width: Any, kpi: str, lang: str) -> str:
    """``61.5 ± 4.2``; the mean alone when there is no half-width (one replication)."""
    text = L.number(float(mean), lang, digits(kpi)) if _known(mean) else "–"
    if _known(half_width) and _known(mean):
        text += f" ± {L.number(float(half_width), lang, digits(kpi))}"
    return text


def norm_text(norm: Any, target: Any, lang: str) -> str:
    """``75% ≤ 2 min`` (a target share and its time), ``≤ 60 min``, or ``""``."""
    if not _known(norm):
        return ""
    text = f"≤ {L.minutes(float(norm), lang)}"
    if _known(target):
        text = f"{L.percent(float(target), lang)} {text}"
    return text


def kpi_label(kpi: str, unit: str, lang: str) -> str:
    """The KPI's name with its unit, e.g. ``Seen within NTS norm (%)``."""
    name = L.kpi(kpi, lang)
    return name if not unit or unit in UNITS_IN_LABEL else f"{name} ({L.unit(unit, lang)})"


def _group_label(group: str, lang: str) -> str:
    return "" if group == "all" else L.group(group, lang)


def _lines(table: pd.DataFrame, lang: str) -> list[_Line]:
    """One line per KPI and group of ``table``, KPIs in order of first appearance."""
    first = table.drop_duplicates(["kpi", "group"])
    lines: list[_Line] = []
    for kpi, rows in first.groupby("kpi", sort=False):
        name = kpi_label(str(kpi), str(rows["unit"].iloc[0]), lang)
        records = rows.to_dict("records")
        only = records[0]
        if len(records) == 1 and only["group"] == "all" and not _known(only["norm"]):
            lines.append(_Line(name, (str(kpi), "all")))
            continue
        lines.append(_Line(name, None))
        for k, r in enumerate(records):
            text = " ".join(
                part
                for part in (
                    _group_label(str(r["group"]), lang),
                    norm_text(r["norm"], r.get("target"), lang),
                )
                if part
            )
            lines.append(_Line(f"  {text}", (str(kpi), str(r["group"])), k == len(records) - 1))
    # a blank line before every heading, too
    return [
        _Line(line.label, line.key, True)
        if k + 1 < len(lines) and lines[k + 1].key is None
        else line
        for k, line in enumerate(lines)
    ]


# ------------------------------------------------------------------ tables that fit


KEY_MIN_WIDTH = 30
"""The KPI column may wrap down to this width before a table is split into blocks."""


def _kpi_table(
    lines: Sequence[_Line], columns: Sequence[_Column], key_width: int | None = None
) -> Table:
    """The KPI column and ``columns``; ``key_width`` caps the KPI column (for measuring:
    in a narrower console rich wraps that column, and only that one)."""
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    table.add_column(Text("KPI"), overflow="fold", max_width=key_width)
    for column in columns:
        table.add_column(Text(column.header), justify=column.justify, no_wrap=True)
    for line in lines:
        cells = [Text("") if line.key is None else Text(c.cell(line.key)) for c in columns]
        table.add_row(Text(line.label), *cells, end_section=line.gap)
    return table


def _builder(lines: Sequence[_Line]) -> Callable[[list[_Column], bool], Table]:
    def build(columns: list[_Column], narrow: bool) -> Table:
        return _kpi_table(lines, columns, KEY_MIN_WIDTH if narrow else None)

    return build


def _width(renderable: RenderableType) -> int:
    console = Console(width=10_000, file=io.StringIO())
    return Measurement.get(console, console.options, renderable).maximum


def _blocks(
    build: Callable[[list[_Column], bool], Table],
    fixed: Sequence[_Column],
    movable: Sequence[_Column],
    width: int,
) -> list[Table]:
    """Tables of the ``fixed`` columns and, in order, as many of ``movable`` as fit in
    ``width`` (at least one), until every movable column is shown; the columns are then
    spread evenly over that many blocks where they still fit. ``build(columns, True)``
    is the table at its narrowest (for measuring), ``build(columns, False)`` as shown."""

    def fits(part: Sequence[_Column]) -> bool:
        return _width(build([*fixed, *part], True)) <= width

    sizes = []
    start = 0
    while start < len(movable):
        take = len(movable) - start
        while take > 1 and not fits(movable[start : start + take]):
            take -= 1
        sizes.append(take)
        start += take
    even = -(-len(movable) // max(len(sizes), 1))
    chunks = [movable[k : k + even] for k in range(0, len(movable), even)] if movable else []
    if len(chunks) != len(sizes) or not all(fits(chunk) for chunk in chunks):
        chunks, start = [], 0
        for take in sizes:
            chunks.append(movable[start : start + take])
            start += take
    return [build([*fixed, *chunk], False) for chunk in chunks]


def _spaced(*parts: RenderableType | None) -> Group:
    """The parts one after another with a blank line between them."""
    out: list[RenderableType] = []
    for part in parts:
        if part is None:
            continue
        if out:
            out.append(Text(""))
        out.append(part)
    return Group(*out)


def _records(table: pd.DataFrame) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Rows by (scenario, kpi, group)."""
    rows: dict[tuple[str, str, str], dict[str, Any]] = {}
    for r in table.to_dict("records"):
        rows[(str(r.get("scenario", "")), str(r["kpi"]), str(r["group"]))] = r
    return rows


# ------------------------------------------------------------------ run, compare, sweep


def summary(table: pd.DataFrame, lang: str = "en", width: int = DEFAULT_WIDTH) -> RenderableType:
    """A run's KPIs, mean ± 95% CI half-width; with several scenarios (a resumed
    comparison or sweep without its differences) one column per scenario."""
    if table.empty:
        return Text(L.t("cli.no_results", lang))
    if "scenario" in table.columns and table["scenario"].nunique() > 1:
        names = {s: s for s in dict.fromkeys(table["scenario"].astype(str))}
        return _by_scenario(table, names, lang, width)
    rows = {(k, g): r for (_, k, g), r in _records(table).items()}

    def cell(key: Key) -> str:
        r = rows.get(key)
        return "" if r is None else mean_ci(r["mean"], r["half_width"], key[0], lang)

    column = _Column(L.t("cli.col.value", lang), cell)
    return _kpi_table(_lines(table, lang), [column])


def _by_scenario(
    table: pd.DataFrame, names: Mapping[str, str], lang: str, width: int
) -> RenderableType:
    rows = _records(table)
    lines = _lines(table, lang)

    def column(label: str) -> _Column:
        def cell(key: Key) -> str:
            r = rows.get((label, *key))
            return "" if r is None else mean_ci(r["mean"], r["half_width"], key[0], lang)

        return _Column(names[label], cell)

    columns = [column(label) for label in names]
    return _spaced(*_blocks(_builder(lines), [], columns, width))


def comparison(table: pd.DataFrame, lang: str = "en", width: int = DEFAULT_WIDTH) -> RenderableType:
    """A comparison: the base (first scenario) as mean ± CI, every other scenario as its
    mean and (Δ ± CI) to the base, ``*`` where the difference is significant (after the
    correction named in ``table.attrs``, said under the table); blocks of scenarios that
    fit ``width``, the base in each."""
    if table.empty:
        return Text(L.t("cli.no_results", lang))
    scenarios = [str(s) for s in dict.fromkeys(table["scenario"])]
    base = scenarios[0]
    rows = _records(table)
    lines = _lines(table, lang)

    def base_cell(key: Key) -> str:
        r = rows.get((base, *key))
        return "" if r is None else mean_ci(r["mean"], r["half_width"], key[0], lang)

    def column(label: str) -> _Column:
        def cell(key: Key) -> str:
            r = rows.get((label, *key))
            if r is None:
                return ""
            n = digits(key[0])
            text = L.number(float(r["mean"]), lang, n) if _known(r["mean"]) else "–"
            diff: Any = r.get("difference")
            hw: Any = r.get("difference_half_width")
            if not _known(diff):
                return text + "  "
            inner = L.signed(float(diff), lang, n)
            if _known(hw):
                inner += f" ± {L.number(float(hw), lang, n)}"
            significant = r.get("significant")
            mark = "*" if _known(significant) and bool(significant) else " "
            return f"{text} ({inner}){mark}"

        return _Column(f"{label}\n{L.t('cli.col.other', lang)}", cell)

    fixed = [_Column(f"{base}\n{L.t('cli.col.base', lang)}", base_cell)]
    movable = [column(s) for s in scenarios[1:]]
    blocks = _blocks(_builder(lines), fixed, movable, width)
    if not movable:
        blocks = [_kpi_table(lines, fixed)]
    notes = [Text(L.t("cli.note.compare", lang, base=base))]
    notes += [Text(line) for line in [significance_line(table, lang)] if line]
    return _spaced(*blocks, *notes)


def significance_line(table: pd.DataFrame, lang: str = "en") -> str:
    """How many comparisons a comparison table holds and what its ``*`` means (the
    correction in ``table.attrs``, as `anwsim.experiment.api.comparison_table` sets it;
    empty for a table without it)."""
    correction = table.attrs.get("correction")
    if correction is None:
        return ""
    n = int(table.attrs.get("comparisons", 0))
    return L.t(f"significance.{correction}", lang, n=L.number(n, lang, 0))


def point_names(table: pd.DataFrame, swept: Sequence[str]) -> dict[str, str]:
    """Each grid point's label (``point-000``) → its swept values,
    ``rosters.hap_a.gp_consult.0.staff=2`` (several joined by ``, ``)."""
    if table.empty or not swept:
        return {}
    points = table.drop_duplicates("scenario").set_index("scenario")[list(swept)]
    return {
        str(label): ", ".join(f"{p}={safe_text(v)}" for p, v in point.items())
        for label, point in points.iterrows()
    }


def wrap_path(text: str, width: int = 16) -> str:
    """A ``path.to.field=value`` name broken after dots into lines of at most ``width``
    (a part longer than that stays whole), each ``, ``-joined item on its own lines."""
    out = []
    for item in text.split(", "):
        path, sep, value = item.partition("=")
        parts = re.findall(r"[^.]+\.?", path) or [""]
        parts[-1] += sep + value  # the value stays with the field it sets
        line = ""
        for part in parts:
            if line and len(line) + len(part) > width:
                out.append(line)
                line = ""
            line += part
        out.append(line)
    return "\n".join(out)


def sweep(
    table: pd.DataFrame, swept: Sequence[str], lang: str = "en", width: int = DEFAULT_WIDTH
) -> RenderableType:
    """A sweep: one column per grid point, named by its swept values, mean ± CI; blocks
    of points that fit ``width``."""
    if table.empty:
        return Text(L.t("cli.no_results", lang))
    names = {label: wrap_path(name) for label, name in point_names(table, swept).items()}
    reps = int(table["replications"].max()) if "replications" in table.columns else 0
    title = Text(L.t("cli.sweep.title", lang, n=len(names), reps=reps))
    note = Text(L.t("cli.sweep.note", lang))
    return _spaced(title, _by_scenario(table, names, lang, width), note)


# ------------------------------------------------------------------ ranking


def ranking_header(kpi: str, group: str, norm: float | None, lang: str = "en") -> list[str]:
    """The lines of a ranking column's header: the KPI's short name with ↑ or ↓ (the
    direction in which it is better; none when it is not scored), the group where it
    tells something, and the norm as the KPI table gives it, e.g. ``NTS ↑``, ``U2``,
    ``≤ 60 min``."""
    key = f"short.{kpi}"
    short = L.t(key, lang) if L.has(key) else (KPIS[kpi].short or kpi) if kpi in KPIS else kpi
    better = KPIS[kpi].better if kpi in KPIS else None
    if better is not None:
        short += " " + L.t(f"better.{better}", lang)
    where = group.removeprefix("role:")
    if where in ("all", "other lines", "emergency line"):
        where = ""
    lines = textwrap.wrap(short, HEADER_WIDTH, break_long_words=False)
    return [*lines, *(part for part in (where, norm_text(norm, None, lang)) if part)]


def first_known(values: Any) -> float | None:
    """The first known value of a column (None if there is none)."""
    if values is None:
        return None
    known = [float(v) for v in values if _known(v) and v == v]
    return known[0] if known else None


def ranking(
    ranked: pd.DataFrame,
    base: str,
    lang: str = "en",
    width: int = DEFAULT_WIDTH,
    comparison: pd.DataFrame | None = None,
) -> RenderableType:
    """Scenarios ranked against ``base`` (`anwsim.experiment.summary.ranking`): rank and
    score first, then the difference to the base per ranked KPI, ``*`` where it is
    significant (when ``comparison`` is given); blocks of KPIs that fit ``width``."""
    if ranked.empty:
        return Text(L.t("cli.nothing_to_rank", lang))
    records = {str(r["scenario"]): r for r in ranked.to_dict("records")}
    rows = _records(comparison) if comparison is not None else {}
    order = list(records)

    def fixed_column(header: str, value: Callable[[str], str], justify: JustifyMethod) -> _Column:
        return _Column(header, lambda key: value(key[0]), justify)

    fixed = [
        fixed_column(L.t("cli.col.rank", lang), lambda s: str(records[s]["rank"]), "right"),
        fixed_column(
            L.t("cli.col.score", lang), lambda s: L.signed(records[s]["score"], lang, 0), "right"
        ),
        fixed_column(L.t("page.col.scenario", lang).lower(), lambda s: s, "left"),
    ]

    def kpi_column(kpi: str, group: str) -> _Column:
        norm = first_known(ranked.get(f"{kpi}:{group}:norm"))

        def cell(key: Key) -> str:
            diff = records[key[0]].get(f"{kpi}:{group}:difference")
            if not _known(diff):
                return ""
            text = L.signed(float(diff), lang, digits(kpi))
            if comparison is None:
                return text
            significant = rows.get((key[0], kpi, group), {}).get("significant")
            return text + ("*" if _known(significant) and bool(significant) else " ")

        return _Column("\n".join(ranking_header(kpi, group, norm, lang)), cell)

    movable = [kpi_column(k, g) for k, g in RANKING if f"{k}:{g}" in ranked.columns]
    lines = [_Line(s, (s, "")) for s in order]

    def build(columns: list[_Column], narrow: bool = False) -> Table:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
        for column in columns:
            table.add_column(Text(column.header), justify=column.justify, no_wrap=True)
        for line in lines:
            assert line.key is not None
            table.add_row(*(Text(c.cell(line.key)) for c in columns))
        return table

    title = Text(L.t("cli.ranking.title", lang, base=base))
    notes = [Text(L.t("cli.ranking.note", lang, base=base))]
    if comparison is not None and significance_line(comparison, lang):
        notes.append(Text(significance_line(comparison, lang)))
    blocks = _blocks(build, fixed, movable, width) if movable else [build(fixed)]
    return _spaced(title, *blocks, *notes)


# ------------------------------------------------------------------ anwsim kpis


def kpi_list(
    lang: str = "en", groups: Mapping[str, Sequence[str]] | None = None, name: str = ""
) -> RenderableType:
    """Every KPI by kind: its code and label, what it measures, its groups (the
    scenario's own when ``groups`` is given), unit, norm, direction and what it divides
    by, as its definition states them."""
    parts: list[RenderableType] = [
        Text(L.t("kpis.title_for", lang, name=name) if name else L.t("kpis.title", lang))
    ]
    names = ["kpis.measures", "kpis.groups", "kpis.unit", "kpis.norm", "kpis.better"]
    names += [f"kpis.denominator.{k.statistic}" for k in KPIS.values()]
    label_width = 2 + max(len(L.t(key, lang)) for key in names)
    for kind in ("access", "workload", "volume"):
        parts.append(Text(L.t(f"kpis.kind.{kind}", lang).upper()))
        for k in (k for k in KPIS.values() if k.kind == kind):
            grid = Table.grid(padding=(0, 2))
            grid.add_column(no_wrap=True, min_width=label_width)
            grid.add_column(overflow="fold")
            if groups is not None:
                shown = ", ".join(groups.get(k.name, [])) or L.t("kpis.none", lang)
            else:
                shown = k.groups
            if k.better is None:
                better = L.t("kpis.neutral", lang, reason=k.neutral_because)
            else:
                better = L.t(f"kpis.{k.better}", lang)
            unit = L.unit(k.unit, lang)
            fields = (
                ("kpis.measures", k.description),
                ("kpis.groups", shown),
                ("kpis.unit", f"{unit} ({k.statistic})"),
                ("kpis.norm", k.norm or L.t("kpis.none", lang)),
                ("kpis.better", better),
                (f"kpis.denominator.{k.statistic}", k.denominator),
            )
            for key, value in fields:
                grid.add_row(Text("  " + L.t(key, lang)), Text(value))
            parts.append(Group(Text(f"{k.name} — {L.kpi(k.name, lang)}"), grid))
    return _spaced(*parts)


def kpi_records(groups: Mapping[str, Sequence[str]] | None = None) -> pd.DataFrame:
    """The KPI definitions as a table (for --json and --csv), one row per KPI."""
    rows = []
    for k in KPIS.values():
        rows.append(
            {
                "kpi": k.name,
                "kind": k.kind,
                "unit": k.unit,
                "statistic": k.statistic,
                "groups": k.groups,
                **({"scenario_groups": list(groups.get(k.name, []))} if groups else {}),
                "description": k.description,
                "numerator": k.numerator,
                "denominator": k.denominator,
                "norm": k.norm,
                "better": k.better,
                "neutral_because": k.neutral_because,
                "digits": k.digits,
            }
        )
    return pd.DataFrame(rows)


# ------------------------------------------------------------------ for scripts


def machine_text(table: pd.DataFrame, fmt: str) -> str:
    """``table`` unrounded, for scripts: ``json`` (a list of records; NaN as null) or
    ``csv`` (a header line, full float precision), ending in a newline."""
    if fmt == "csv":
        return str(table.to_csv(index=False, lineterminator="\n"))
    if fmt != "json":
        raise ValueError(f"format must be json or csv, got {fmt!r}")
    plain = table.astype(object).where(table.notna(), None)
    records = plain.to_dict("records")
    return json.dumps(records, ensure_ascii=False, allow_nan=False, default=_plain) + "\n"


def _plain(value: Any) -> Any:
    """A value json cannot write as it is: numpy scalars and arrays, lists, the rest as text."""
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)
