"""Read scenario files: YAML with ``extends``, CSV side files and ``--set`` overrides.

Loading is the only place that touches the file system. It

1. reads each file with `safe_files.read_regular_file` (regular files only, never
   blocking on a FIFO or device, at most 5 MB of YAML or 50 MB of CSV) and parses it
   once with `yaml_loader` (data only: no tags, no code; nesting, alias expansion and
   base-60 numbers bounded or refused), keeping the line of every key so errors can
   point at it;
2. follows ``extends: other.yaml`` (relative to the file; at most `MAX_EXTENDS` files)
   and deep-merges the child over its parent: mappings merge key by key, everything
   else (lists included) is replaced, and ``null`` removes a key;
3. reads the CSV side files a file names into inline data, as its YAML would hold
   them: ``region.areas_csv``, ``travel.matrix_csv``, ``rosters_csv``,
   ``sites.opening_csv`` and ``demand.profiles_csv`` (``,`` or ``;`` separated, the
   latter with decimal commas, as Dutch Excel saves them; see the loaders);
4. applies ``--set path.to.field=value`` overrides (values parsed as YAML);
5. validates the result into an immutable `Scenario`.

Any mistake becomes one `ScenarioError` naming file, line, field path and what is
allowed.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import os
import re
import types
import typing
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Tag, ValidationError

from anwsim.scenario import yaml_loader
from anwsim.scenario.errors import CheckFailure, ScenarioError, format_path
from anwsim.scenario.safe_files import (
    MAX_CSV_BYTES,
    MAX_YAML_BYTES,
    UnreadableFile,
    read_regular_file,
)
from anwsim.scenario.schema import Scenario
from anwsim.scenario.tree import find_named, no_such_item

Key = tuple[str | int, ...]
Where = tuple[str, int | None]


class _Replace(dict):  # type: ignore[type-arg]
    """A mapping that replaces, rather than merges into, what it overrides."""


# --------------------------------------------------------------------------- YAML with lines


MAX_NODES = yaml_loader.MAX_NODES
"""Most values a scenario may have with aliases expanded (over its whole extends chain)."""

MAX_DEPTH = yaml_loader.MAX_DEPTH
"""Most collections nested in one another, in a file and in a ``--set`` value."""

MAX_EXTENDS = 32
"""Most files in one ``extends`` chain (the file itself included)."""


def _walk_nodes(node: yaml.Node, prefix: Key, file: str, out: dict[Key, Where]) -> None:
    """Record the line of every key and list item; refuse duplicate and complex keys.

    The composer has bounded the depth and the expanded size, so this stays small."""
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise ScenarioError(
                    "a key must be a plain name, not a list or mapping",
                    file=file,
                    line=key_node.start_mark.line + 1,
                    path=prefix,
                )
            key = key_node.value
            if key in seen:
                raise ScenarioError(
                    f"key {key!r} appears twice",
                    file=file,
                    line=key_node.start_mark.line + 1,
                    path=(*prefix, key),
                )
            seen.add(key)
            out[(*prefix, key)] = (file, key_node.start_mark.line + 1)
            _walk_nodes(value_node, (*prefix, key), file, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            out[(*prefix, i)] = (file, item.start_mark.line + 1)
            _walk_nodes(item, (*prefix, i), file, out)


def _path_of(node: yaml.Node, target: yaml.Node, prefix: Key = ()) -> Key | None:
    """The first path at which ``target`` appears in the tree of ``node``."""
    if node is target:
        return prefix
    pairs: list[tuple[str | int, yaml.Node]] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if key_node is target:
                return prefix
            pairs.append((str(key_node.value), value_node))
    elif isinstance(node, yaml.SequenceNode):
        pairs = list(enumerate(node.value))
    for key, child in pairs:
        found = _path_of(child, target, (*prefix, key))
        if found is not None:
            return found
    return None


def _decode(raw: bytes, encoding: str) -> str:
    """UTF-8 text; a byte that is not UTF-8 raises ValueError naming its line."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save it as UTF-8"
        ) from None


def _read_text(path: Path) -> str:
    """The text of a YAML file; raises `UnreadableFile` (with a ready reason)."""
    raw = read_regular_file(path, limit=MAX_YAML_BYTES, kind="YAML")
    try:
        return _decode(raw, "utf-8")
    except ValueError as exc:
        raise UnreadableFile(str(exc)) from None


def parse_yaml(
    text: str, file: str, budget: int | None = None
) -> tuple[dict[str, Any], dict[Key, Where], int]:
    """Parse YAML ``text`` of ``file``: its data, the line of every key, and its size
    (values with aliases expanded), refusing more than ``budget`` (`MAX_NODES`) values."""
    try:
        node, data, size = yaml_loader.compose(
            text, MAX_NODES if budget is None else budget, MAX_NODES
        )
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        line = mark.line + 1 if mark is not None else None
        position = getattr(exc, "position", None)  # a reader error: a forbidden character
        if line is None and isinstance(position, int):
            line = text.count("\n", 0, position) + 1
        raise ScenarioError(f"not valid YAML: {problem}", file=file, line=line) from None
    except yaml_loader.YamlLimitError as exc:
        raise ScenarioError(exc.message, file=file, line=exc.line, path=exc.path or None) from None
    except yaml_loader.YamlValueError as exc:  # e.g. a date 2025-02-30
        bad_path = _path_of(exc.root, exc.node) if exc.root is not None else None
        raise ScenarioError(
            f"not a valid value: {exc.message}",
            file=file,
            line=exc.node.start_mark.line + 1,
            path=bad_path,
        ) from None
    if data is None:
        raise ScenarioError("the file is empty", file=file)
    if not isinstance(data, dict):
        raise ScenarioError(
            f"the top level must be a mapping of fields, not a {type(data).__name__}",
            file=file,
            line=1,
        )
    assert node is not None  # data is a mapping, so the document has a node
    lines: dict[Key, Where] = {(): (file, 1)}
    _walk_nodes(node, (), file, lines)
    return data, lines, size


def read_yaml(path: Path, budget: int | None = None) -> tuple[dict[str, Any], dict[Key, Where]]:
    """Parse one YAML file into data and the line of every key."""
    file = str(path)
    try:
        text = _read_text(path)
    except UnreadableFile as exc:
        message = "file not found" if exc.missing else f"cannot read file: {exc.reason}"
        raise ScenarioError(message, file=file) from None
    data, lines, _ = parse_yaml(text, file, budget)
    return data, lines


# --------------------------------------------------------------------------- side files


def _shown(value: Any) -> str:
    """``repr(value)``, shortened to at most 60 characters."""
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."


SEPARATORS = (",", ";")
"""CSV separators read: ``,``, or ``;`` as Dutch Excel saves (then with decimal commas)."""

_EXCEL_SEP = re.compile(r'^"?sep=(.)"?\s*$')
"""Excel's optional first line naming the separator (``sep=;``)."""


@dataclass(frozen=True)
class _CsvRows:
    """The rows of a side file: (line, {column: cell}), its header and its separator."""

    rows: list[tuple[int, dict[str, str]]]
    header: list[str]
    separator: str

    @property
    def decimal_comma(self) -> bool:
        """Numbers are written with a decimal comma (only in a ``;`` file)."""
        return self.separator == ";"


def _separator(first_line: str) -> str:
    """``;`` if the header line has more ``;`` than ``,`` (Dutch Excel), else ``,``."""
    return ";" if first_line.count(";") > first_line.count(",") else ","


def _read_csv(
    path: Path, required: Sequence[str], where: Where, key: Key, expected: str = ""
) -> _CsvRows:
    """The rows of a CSV file, separated by ``,`` or by ``;`` (told apart on the header
    line, or by Excel's ``sep=;`` first line), header checked, every row as long as the
    header. A header that reads as a single column is refused naming the separator
    found and the columns expected (``expected``, else ``required``)."""
    file = str(path)
    try:
        text = _decode(read_regular_file(path, limit=MAX_CSV_BYTES, kind="CSV"), "utf-8-sig")
    except UnreadableFile as exc:
        message = (
            f"CSV file not found: {path}"
            if exc.missing
            else f"cannot read CSV file {path}: {exc.reason}"
        )
        raise ScenarioError(message, file=where[0], line=where[1], path=key) from None
    except ValueError as exc:  # not UTF-8
        raise ScenarioError(
            f"cannot read CSV file {path}: {exc} (in Excel: Save As 'CSV UTF-8')",
            file=where[0],
            line=where[1],
            path=key,
        ) from None
    first, _, rest = text.partition("\n")
    skipped = 0
    excel_sep = _EXCEL_SEP.match(first.rstrip("\r"))
    if excel_sep and excel_sep.group(1) in SEPARATORS:
        separator, text, skipped = excel_sep.group(1), rest, 1
    else:
        separator = _separator(first)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator, strict=True)
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        header = [cell.strip() for cell in next(reader, [])]
        if len(header) == 1 and (len(required) > 1 or header[0] not in required):
            raise ScenarioError(
                f"the header reads as a single column {_shown(header[0])} with the separator "
                f"{separator!r}; expected the columns {expected or ', '.join(required)}, "
                "separated by ',' or ';'",
                file=file,
                line=1 + skipped,
                path=key,
            )
        for column in header:
            if header.count(column) > 1:
                raise ScenarioError(
                    f"CSV header names column {column!r} twice",
                    file=file,
                    line=1 + skipped,
                    path=key,
                )
        missing = [c for c in required if c not in header]
        if missing:
            raise ScenarioError(
                f"CSV lacks column(s) {', '.join(missing)}; needs {', '.join(required)}",
                file=file,
                line=1 + skipped,
                path=key,
            )
        for cells in reader:
            if not cells:  # a blank line
                continue
            line = reader.line_num + skipped
            if len(cells) != len(header):
                raise ScenarioError(
                    f"the row has {len(cells)} cell(s) but the header names "
                    f"{len(header)} columns ({', '.join(header)}), separated by {separator!r}",
                    file=file,
                    line=line,
                    path=key,
                )
            rows.append((line, dict(zip(header, cells, strict=True))))
    except csv.Error as exc:
        raise ScenarioError(
            f"not valid CSV: {exc}",
            file=file,
            line=(reader.line_num + skipped) if reader.line_num else None,
            path=key,
        ) from None
    return _CsvRows(rows, header, separator)


_KIND_NAMES = {int: "a whole number", float: "a finite number"}


def _number(
    text: str | None,
    kind: type,
    file: str,
    line: int,
    column: str,
    key: Key,
    decimal_comma: bool = False,
) -> Any:
    """``text`` as ``kind`` (int or float). With ``decimal_comma`` (a ``;`` file) a
    decimal comma is read as the point (``51,5``); a number with both a comma and a
    point (a thousands separator, ``1.234,5``) is refused, as is a comma elsewhere."""
    value = None
    hint = ""
    cleaned = text.strip() if isinstance(text, str) else text
    if isinstance(cleaned, str) and "," in cleaned:
        if not decimal_comma:
            hint = " (a decimal comma is read only in a ';'-separated file)"
            cleaned = None
        elif "." in cleaned:
            hint = " (write it without a thousands separator)"
            cleaned = None
        else:
            cleaned = cleaned.replace(",", ".")
    if cleaned is not None:
        try:
            value = kind(cleaned)
        except (TypeError, ValueError, OverflowError):
            value = None
    if value is None or (kind is float and not math.isfinite(value)):
        raise ScenarioError(
            f"column {column!r}: expected {_KIND_NAMES.get(kind, kind.__name__)}, "
            f"got {_shown(text)}{hint}",
            file=file,
            line=line,
            path=key,
        )
    return value


def load_areas_csv(path: Path, where: Where = ("<scenario>", None)) -> dict[str, dict[str, Any]]:
    """Areas from a CSV with columns id, name, population, latitude, longitude[, zone]
    (``,``- or ``;``-separated; see `_read_csv`)."""
    key: Key = ("region", "areas_csv")
    table = _read_csv(path, ("id", "name", "population", "latitude", "longitude"), where, key)
    file, comma = str(path), table.decimal_comma
    areas: dict[str, dict[str, Any]] = {}
    for i, row in table.rows:
        area_id = row["id"].strip()
        if not area_id:
            raise ScenarioError("column 'id' is empty", file=file, line=i, path=key)
        if area_id in areas:
            raise ScenarioError(
                f"area id {_shown(area_id)} appears twice", file=file, line=i, path=key
            )
        area: dict[str, Any] = {
            "name": row["name"],
            "population": _number(row["population"], int, file, i, "population", key, comma),
            "latitude": _number(row["latitude"], float, file, i, "latitude", key, comma),
            "longitude": _number(row["longitude"], float, file, i, "longitude", key, comma),
        }
        if row.get("zone"):
            area["zone"] = row["zone"].strip()
        areas[area_id] = area
    if not areas:
        raise ScenarioError("the CSV has no rows", file=file, path=key)
    return areas


def load_matrix_csv(path: Path, where: Where = ("<scenario>", None)) -> dict[str, dict[str, float]]:
    """Travel minutes from a CSV with columns from, to, minutes (``,``- or
    ``;``-separated; see `_read_csv`).

    Each ordered pair of distinct places at most once (a repeat with the same minutes
    is harmless); minutes finite and >= 0."""
    key: Key = ("travel", "matrix_csv")
    table = _read_csv(path, ("from", "to", "minutes"), where, key)
    file = str(path)
    matrix: dict[str, dict[str, float]] = {}
    first_line: dict[tuple[str, str], int] = {}
    for i, row in table.rows:
        origin, target = row["from"].strip(), row["to"].strip()
        for column, value in (("from", origin), ("to", target)):
            if not value:
                raise ScenarioError(f"column {column!r} is empty", file=file, line=i, path=key)
        if origin == target:
            raise ScenarioError(
                f"the row goes from {_shown(origin)} to itself; give times between "
                "different places only",
                file=file,
                line=i,
                path=key,
            )
        minutes = _number(row["minutes"], float, file, i, "minutes", key, table.decimal_comma)
        if not minutes >= 0:
            raise ScenarioError(
                f"column 'minutes' must be >= 0, got {minutes}", file=file, line=i, path=key
            )
        known = matrix.setdefault(origin, {})
        if target in known and known[target] != minutes:
            raise ScenarioError(
                f"the pair {_shown(origin)} -> {_shown(target)} appears twice with different "
                f"minutes ({known[target]:g} on line {first_line[origin, target]}, "
                f"{minutes:g} here); give each pair once",
                file=file,
                line=i,
                path=key,
            )
        known[target] = minutes
        first_line.setdefault((origin, target), i)
    return matrix


# ----------------------------------------------------------------- rosters, opening, profiles

DAYS_SPLIT = re.compile(r"[+\s,;|/]+")
"""Between day selectors in a ``days`` cell: ``+`` (documented), or a space; ``,``, ``;``,
``|`` and ``/`` are read too (inside a quoted cell, or the other separator's file)."""

_ROSTER_COLUMNS = ("site", "role", "days", "hours", "staff")
_OPENING_COLUMNS = ("site", "days", "hours")
_DAY_PROFILE_COLUMNS = ("profile", "day")
_WEEK_PROFILE_COLUMNS = ("profile", "hour_of_week", "weight")
HOURS_PER_WEEK = 168


@dataclass
class SideRows:
    """What a rosters, opening or profiles CSV inlines: the data (as the YAML would
    hold it under ``rosters``, a site's ``opening``, ``demand.profiles``) and the CSV
    line of each of its keys (relative to that place), so that errors found later, when
    the scenario is validated, point at the CSV line."""

    data: dict[str, Any]
    lines: dict[Key, Where]


def _cell(row: dict[str, str], column: str, file: str, line: int, key: Key) -> str:
    value = row[column].strip()
    if not value:
        raise ScenarioError(f"column {column!r} is empty", file=file, line=line, path=key)
    return value


def _days(text: str, file: str, line: int, key: Key) -> list[str]:
    days = [d for d in DAYS_SPLIT.split(text.strip()) if d]
    if not days:
        raise ScenarioError("column 'days' is empty", file=file, line=line, path=key)
    return days


def _check_columns(
    header: Sequence[str], allowed: Sequence[str], file: str, key: Key, skipped: int = 0
) -> None:
    """Refuse columns a loader does not read (a ``#…`` column is a comment, ignored)."""
    unknown = [c for c in header if c not in allowed and not c.startswith("#")]
    if unknown:
        raise ScenarioError(
            f"unknown column(s) {', '.join(map(repr, unknown))}; allowed: "
            f"{', '.join(allowed)} (a column whose name starts with '#' is ignored)",
            file=file,
            line=1 + skipped,
            path=key,
        )


def load_rosters_csv(path: Path, where: Where = ("<scenario>", None)) -> SideRows:
    """Roster blocks from a CSV, one block per row, as ``rosters:`` holds them.

    Columns ``site, role, days, hours, staff`` and optionally ``name`` (the block's
    name); a column whose name starts with ``#`` is a comment. ``days`` lists day
    selectors separated by ``+`` (``weekend+holiday``) or spaces; ``hours`` is
    ``HH:MM-HH:MM``; ``staff`` a whole number. Rows of one site and role form its list
    of blocks, in file order. ``,`` or ``;`` separated (see `_read_csv`)::

        site;role;days;hours;staff
        hap_a;gp_consult;weekday;17:00-23:00;2
        hap_a;gp_consult;weekend+holiday;08:00-14:00;3
    """
    key: Key = ("rosters_csv",)
    table = _read_csv(path, _ROSTER_COLUMNS, where, key)
    file = str(path)
    _check_columns(table.header, (*_ROSTER_COLUMNS, "name"), file, key)
    rosters: dict[str, dict[str, list[dict[str, Any]]]] = {}
    lines: dict[Key, Where] = {}
    for i, row in table.rows:
        site = _cell(row, "site", file, i, key)
        role = _cell(row, "role", file, i, key)
        block: dict[str, Any] = {
            "days": _days(_cell(row, "days", file, i, key), file, i, key),
            "hours": _cell(row, "hours", file, i, key),
            "staff": _number(row["staff"], int, file, i, "staff", key, table.decimal_comma),
        }
        if row.get("name", "").strip():
            block["name"] = row["name"].strip()
        blocks = rosters.setdefault(site, {}).setdefault(role, [])
        lines.setdefault((site,), (file, i))
        lines.setdefault((site, role), (file, i))
        lines[(site, role, len(blocks))] = (file, i)
        blocks.append(block)
    if not rosters:
        raise ScenarioError("the CSV has no rows", file=file, path=key)
    return SideRows(rosters, lines)


def load_opening_csv(path: Path, where: Where = ("<scenario>", None)) -> SideRows:
    """Opening hours of GP posts and SEHs from a CSV, one block per row.

    Columns ``site, days, hours`` (``#…`` columns are comments); ``days`` as in
    `load_rosters_csv`. The rows of a site replace its ``opening`` list, in file
    order. ``data`` maps each site id to its list of blocks::

        site,days,hours
        hap_b,weekday,17:00-00:00
        hap_b,weekend+holiday,08:00-00:00
    """
    key: Key = ("sites", "opening_csv")
    table = _read_csv(path, _OPENING_COLUMNS, where, key)
    file = str(path)
    _check_columns(table.header, _OPENING_COLUMNS, file, key)
    opening: dict[str, list[dict[str, Any]]] = {}
    lines: dict[Key, Where] = {}
    for i, row in table.rows:
        site = _cell(row, "site", file, i, key)
        blocks = opening.setdefault(site, [])
        lines.setdefault((site,), (file, i))
        lines[(site, len(blocks))] = (file, i)
        blocks.append(
            {
                "days": _days(_cell(row, "days", file, i, key), file, i, key),
                "hours": _cell(row, "hours", file, i, key),
            }
        )
    if not opening:
        raise ScenarioError("the CSV has no rows", file=file, path=key)
    return SideRows(opening, lines)


def _hour_column(column: str) -> int | None:
    """The hour of a day-profile weight column (``0``…``23``, ``07`` too), else None."""
    return int(column) if column.isascii() and column.isdigit() and int(column) < 24 else None


def load_profiles_csv(path: Path, where: Where = ("<scenario>", None)) -> SideRows:
    """Demand profiles from a CSV, in one of two layouts (told apart by the header):

    * per day: ``profile, day, 0, 1, …, 23`` — one row per profile and day, 24 weights
      (hour columns ``0``…``23``, ``00``…``23`` too). ``day`` is a ``day_hours`` key
      (``all``, ``weekday``, ``weekend``, ``mon``…``sun``) or ``holiday`` (the profile's
      ``holiday_hours``);
    * per hour of the week: ``profile, hour_of_week, weight`` — 168 rows per profile,
      ``hour_of_week`` 0 (Monday 00:00) to 167, each once (``hour_of_week``).

    Weights are numbers (decimal commas in a ``;`` file). ``#…`` columns are comments.
    Multipliers stay in the YAML (``demand.profiles.NAME.multipliers``). ``data`` maps
    each profile to the fields the rows give (``day_hours``, ``holiday_hours`` or
    ``hour_of_week``)."""
    key: Key = ("demand", "profiles_csv")
    table = _read_csv(
        path,
        ("profile",),
        where,
        key,
        "profile, day, 0, 1, …, 23 or profile, hour_of_week, weight",
    )
    file = str(path)
    header = table.header
    if "hour_of_week" in header:
        _check_columns(header, _WEEK_PROFILE_COLUMNS, file, key)
        missing = [c for c in _WEEK_PROFILE_COLUMNS if c not in header]
        if missing:
            raise ScenarioError(
                f"CSV lacks column(s) {', '.join(missing)}; a profile per hour of the week "
                f"needs {', '.join(_WEEK_PROFILE_COLUMNS)}",
                file=file,
                line=1,
                path=key,
            )
        return _week_profiles(table, file, key)
    if "day" not in header:
        raise ScenarioError(
            "expected the columns profile, day, 0, 1, …, 23 (24 weights per day) or "
            "profile, hour_of_week, weight (168 rows per profile)",
            file=file,
            line=1,
            path=key,
        )
    hours = {c: h for c in header if (h := _hour_column(c)) is not None}
    twice = sorted({h for h in hours.values() if list(hours.values()).count(h) > 1})
    missing_hours = sorted(set(range(24)) - set(hours.values()))
    if twice or missing_hours:
        problem = (
            f"hour {twice[0]} has two columns"
            if twice
            else f"missing: {', '.join(map(str, missing_hours))}"
        )
        raise ScenarioError(
            f"a profile per day needs one weight column per hour, 0 to 23; {problem}",
            file=file,
            line=1,
            path=key,
        )
    _check_columns(header, (*_DAY_PROFILE_COLUMNS, *hours), file, key)
    columns = sorted(hours, key=hours.__getitem__)
    profiles: dict[str, dict[str, Any]] = {}
    lines: dict[Key, Where] = {}
    seen: dict[tuple[str, str], int] = {}
    for i, row in table.rows:
        name = _cell(row, "profile", file, i, key)
        day = _cell(row, "day", file, i, key)
        if (name, day) in seen:
            raise ScenarioError(
                f"profile {_shown(name)} has a second row for {_shown(day)} (the first is "
                f"on line {seen[name, day]}); give each day once",
                file=file,
                line=i,
                path=key,
            )
        seen[name, day] = i
        weights = [_number(row[c], float, file, i, c, key, table.decimal_comma) for c in columns]
        profile = profiles.setdefault(name, {})
        lines.setdefault((name,), (file, i))
        if day == "holiday":
            profile["holiday_hours"] = weights
            lines[(name, "holiday_hours")] = (file, i)
        else:
            profile.setdefault("day_hours", {})[day] = weights
            lines.setdefault((name, "day_hours"), (file, i))
            lines[(name, "day_hours", day)] = (file, i)
    if not profiles:
        raise ScenarioError("the CSV has no rows", file=file, path=key)
    return SideRows(profiles, lines)


def _week_profiles(table: _CsvRows, file: str, key: Key) -> SideRows:
    """``profile, hour_of_week, weight`` rows into ``{profile: {hour_of_week: [168]}}``."""
    weights: dict[str, dict[int, float]] = {}
    at: dict[tuple[str, int], int] = {}
    first: dict[str, int] = {}
    for i, row in table.rows:
        name = _cell(row, "profile", file, i, key)
        hour = _number(row["hour_of_week"], int, file, i, "hour_of_week", key)
        if not 0 <= hour < HOURS_PER_WEEK:
            raise ScenarioError(
                f"column 'hour_of_week' must be 0 (Monday 00:00) to 167, got {hour}",
                file=file,
                line=i,
                path=key,
            )
        if (name, hour) in at:
            raise ScenarioError(
                f"profile {_shown(name)} gives hour_of_week {hour} twice (also on line "
                f"{at[name, hour]})",
                file=file,
                line=i,
                path=key,
            )
        at[name, hour] = i
        first.setdefault(name, i)
        weight = _number(row["weight"], float, file, i, "weight", key, table.decimal_comma)
        weights.setdefault(name, {})[hour] = weight
    if not weights:
        raise ScenarioError("the CSV has no rows", file=file, path=key)
    profiles: dict[str, dict[str, Any]] = {}
    lines: dict[Key, Where] = {}
    for name, by_hour in weights.items():
        missing = [h for h in range(HOURS_PER_WEEK) if h not in by_hour]
        if missing:
            shown = ", ".join(map(str, missing[:10])) + (", …" if len(missing) > 10 else "")
            raise ScenarioError(
                f"profile {_shown(name)} lacks hour_of_week {shown}; give all 168 hours "
                "(0 = Monday 00:00 to 167 = Sunday 23:00)",
                file=file,
                line=first[name],
                path=key,
            )
        profiles[name] = {"hour_of_week": [by_hour[h] for h in range(HOURS_PER_WEEK)]}
        lines[(name,)] = (file, first[name])
        lines[(name, "hour_of_week")] = (file, first[name])
        for h in range(HOURS_PER_WEEK):
            lines[(name, "hour_of_week", h)] = (file, at[name, h])
    return SideRows(profiles, lines)


def _file_name(value: Any, where: Where, key: Key) -> str:
    if not isinstance(value, str) or not value:
        raise ScenarioError(
            f"expected a CSV file name, got {_shown(value)}",
            file=where[0],
            line=where[1],
            path=key,
        )
    return value


def _both_given(
    place: str, path: Key, first: Where, csv_field: str, csv_line: Where
) -> typing.NoReturn:
    at = first[0] if first[1] is None else f"{first[0]}:{first[1]}"
    raise ScenarioError(
        f"{format_path(path)} is given both in {place} ({at}) and in {csv_field}; "
        "give it in one place",
        file=csv_line[0],
        line=csv_line[1],
        path=path,
    )


def _side_where(lines: dict[Key, Where], key: Key, base_dir: Path) -> Where:
    return lines.get(key, (str(base_dir), None))


def _combine(
    parent: dict[str, Any],
    prefix: Key,
    loaded: SideRows,
    csv_field: str,
    where: Where,
    lines: dict[Key, Where],
) -> None:
    """Put ``loaded.data`` (``{outer: {inner: value}}``: site → role → blocks, or
    profile → field → weights) into ``parent``'s field at ``prefix`` (its path in the
    scenario) as if the file's YAML held it there.

    The file's own entries are kept; an inner key given in both is refused. ``null``
    beside the CSV replaces what the files it extends hold instead of merging into it:
    ``name: null`` for the whole mapping, ``outer: null`` for one site or profile."""
    name = str(prefix[-1])
    own = parent.get(name)
    if own is not None and not isinstance(own, dict):
        raise ScenarioError(
            f"{format_path(prefix)} must be a mapping to combine it with {csv_field}",
            file=where[0],
            line=where[1],
            path=prefix,
        )
    out: dict[str, Any] = _Replace() if name in parent and own is None else {}
    out.update(own or {})
    for outer, inner in loaded.data.items():
        if outer in out and out[outer] is None:
            out[outer] = _Replace(inner)
            continue
        mine = out.get(outer, {})
        if not isinstance(mine, dict):
            continue  # not a mapping: validation says so, at the YAML line
        out[outer] = mine = dict(mine)  # a fresh mapping: a YAML anchor may share it
        for key, value in inner.items():
            path = (*prefix, outer, key)
            if key in mine:
                _both_given(
                    format_path(prefix),
                    path,
                    lines.get(path, where),
                    csv_field,
                    loaded.lines[(outer, key)],
                )
            mine[key] = value
    parent[name] = out
    lines.setdefault(prefix, where)
    lines.update({(*prefix, *k): v for k, v in loaded.lines.items()})


def _inline_rosters(data: dict[str, Any], base_dir: Path, lines: dict[Key, Where]) -> None:
    """``rosters_csv`` into ``rosters`` (see `_combine`)."""
    key: Key = ("rosters_csv",)
    where = _side_where(lines, key, base_dir)
    csv_path = base_dir / _file_name(data.pop("rosters_csv"), where, key)
    _combine(data, ("rosters",), load_rosters_csv(csv_path, where), "rosters_csv", where, lines)


def _inline_profiles(demand: dict[str, Any], base_dir: Path, lines: dict[Key, Where]) -> None:
    """``demand.profiles_csv`` into ``demand.profiles`` (see `_combine`)."""
    key: Key = ("demand", "profiles_csv")
    where = _side_where(lines, key, base_dir)
    csv_path = base_dir / _file_name(demand.pop("profiles_csv"), where, key)
    loaded = load_profiles_csv(csv_path, where)
    _combine(demand, ("demand", "profiles"), loaded, "profiles_csv", where, lines)


_OPENING_KINDS = ("gp_posts", "sehs")


def _read_opening(sites: dict[str, Any], base_dir: Path, lines: dict[Key, Where]) -> SideRows:
    """Read ``sites.opening_csv``, refusing a site whose ``opening`` the file also
    gives; `_place_opening` puts the rows in once the files it extends are merged in
    (a site may be defined in a parent)."""
    key: Key = ("sites", "opening_csv")
    where = _side_where(lines, key, base_dir)
    csv_path = base_dir / _file_name(sites.pop("opening_csv"), where, key)
    loaded = load_opening_csv(csv_path, where)
    for site in loaded.data:
        for kind in _OPENING_KINDS:
            own = sites.get(kind)
            post = own.get(site) if isinstance(own, dict) else None
            if isinstance(post, dict) and "opening" in post:
                path = ("sites", kind, site, "opening")
                _both_given(
                    "sites", path, lines.get(path, where), "opening_csv", loaded.lines[(site,)]
                )
    return loaded


def _place_opening(data: dict[str, Any], lines: dict[Key, Where], opening: SideRows | None) -> None:
    """Set the ``opening`` of each site of ``opening`` (a GP post or SEH of the merged
    ``data``) to its CSV rows, as the YAML ``sites.<kind>.<site>.opening`` would."""
    if opening is None:
        return
    sites = data.get("sites")
    sites = sites if isinstance(sites, dict) else {}
    for site, blocks in opening.data.items():
        kind = next(
            (k for k in _OPENING_KINDS if isinstance(sites.get(k), dict) and site in sites[k]),
            None,
        )
        file, line = opening.lines[(site,)]
        if kind is None or not isinstance(sites[kind][site], dict):
            posts = [s for k in _OPENING_KINDS if isinstance(sites.get(k), dict) for s in sites[k]]
            raise ScenarioError(
                f"site {_shown(site)} is not a GP post or SEH; opening_csv gives the opening "
                f"hours of: {', '.join(posts) or '(none defined)'}",
                file=file,
                line=line,
                path=("sites", "opening_csv"),
            )
        # fresh mappings on the way down: a YAML anchor may share them with other sites
        data["sites"] = sites = dict(sites)
        sites[kind] = dict(sites[kind])
        sites[kind][site] = {**sites[kind][site], "opening": blocks}
        path: Key = ("sites", kind, site, "opening")
        for old in [k for k in lines if k[: len(path)] == path]:
            del lines[old]
        lines[path] = (file, line)
        for (name, *rest), where in opening.lines.items():
            if name == site and rest:
                lines[(*path, *rest)] = where


def _inline_side_files(
    data: dict[str, Any], base_dir: Path, lines: dict[Key, Where]
) -> SideRows | None:
    """Read the CSV side files one scenario file names (relative to it) into its data,
    as the YAML would hold them: ``region.areas_csv``, ``travel.matrix_csv``,
    ``rosters_csv``, ``demand.profiles_csv``; and read ``sites.opening_csv``, returned
    to be placed (`_place_opening`) once the files it extends are merged in."""
    region = data.get("region")
    if isinstance(region, dict) and "areas_csv" in region:
        where = lines.get(("region", "areas_csv"), (str(base_dir), None))
        if "areas" in region:
            raise ScenarioError(
                "give either areas or areas_csv, not both",
                file=where[0],
                line=where[1],
                path=("region",),
            )
        csv_path = base_dir / _file_name(region.pop("areas_csv"), where, ("region", "areas_csv"))
        region["areas"] = _Replace(load_areas_csv(csv_path, where))
        lines[("region", "areas")] = where
    travel = data.get("travel")
    if isinstance(travel, dict) and "matrix_csv" in travel:
        where = lines.get(("travel", "matrix_csv"), (str(base_dir), None))
        if "matrix" in travel:
            raise ScenarioError(
                "give either matrix or matrix_csv, not both",
                file=where[0],
                line=where[1],
                path=("travel",),
            )
        csv_path = base_dir / _file_name(travel.pop("matrix_csv"), where, ("travel", "matrix_csv"))
        travel["matrix"] = _Replace(load_matrix_csv(csv_path, where))
        lines[("travel", "matrix")] = where
    if "rosters_csv" in data:
        _inline_rosters(data, base_dir, lines)
    demand = data.get("demand")
    if isinstance(demand, dict) and "profiles_csv" in demand:
        _inline_profiles(demand, base_dir, lines)
    sites = data.get("sites")
    if isinstance(sites, dict) and "opening_csv" in sites:
        return _read_opening(sites, base_dir, lines)
    return None


# --------------------------------------------------------------------------- extends and merge


def deep_merge(base: Any, override: Any) -> Any:
    """Merge ``override`` onto ``base``: mappings key by key, the rest replaced; a ``None``
    for a key the base has deletes it (elsewhere ``None`` is a value, e.g. "no norm")."""
    if (
        isinstance(base, dict)
        and isinstance(override, dict)
        and not isinstance(override, _Replace)
        and not _switches_kind(base, override)
    ):
        merged = dict(base)
        for key, value in override.items():
            if value is None and key in merged:
                del merged[key]  # null in a child deletes what the parent set
            elif key in merged:
                merged[key] = deep_merge(merged[key], value)
            else:
                merged[key] = _plain(value)
        return merged
    return _plain(override)


def _switches_kind(base: dict[str, Any], override: dict[str, Any]) -> bool:
    """Whether ``override`` is a distribution of another kind than ``base``: its fields
    then replace the old ones (``{kind: constant, minutes: 5}`` over a lognormal)."""
    kind = override.get("kind")
    return isinstance(kind, str) and kind != base.get("kind")


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _resolved(path: Path) -> Path:
    """``path`` made absolute with symlinks resolved, as far as the file system allows
    (a symlink loop or a bad name leaves it merely absolute; reading it then says why)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))


def _load_chain(
    path: Path,
    chain: tuple[Path, ...],
    budget: int | None = None,
    named_by: Where | None = None,
) -> tuple[dict[str, Any], dict[Key, Where], int]:
    """The data of ``path`` merged over the files it extends, the line of every key, and
    the number of values read. ``named_by`` is the ``extends`` line that names ``path``."""
    resolved = _resolved(path)
    try:
        text = _read_text(path)
    except UnreadableFile as exc:
        if named_by is None:
            message = "file not found" if exc.missing else f"cannot read file: {exc.reason}"
            raise ScenarioError(message, file=str(path)) from None
        message = (
            f"extends a file that does not exist: {path}"
            if exc.missing
            else f"extends {path}, which cannot be read: {exc.reason}"
        )
        raise ScenarioError(
            message, file=named_by[0], line=named_by[1], path=("extends",)
        ) from None
    budget = MAX_NODES if budget is None else budget
    data, lines, size = parse_yaml(text, str(path), budget)
    opening = _inline_side_files(data, path.parent, lines)
    parent = data.pop("extends", None)
    if parent is None:
        _place_opening(data, lines, opening)
        return data, lines, size
    file, line = lines.get(("extends",), (str(path), None))
    if not isinstance(parent, str) or not parent.strip():
        raise ScenarioError("extends must be a file name", file=file, line=line, path=("extends",))
    if len(chain) + 2 > MAX_EXTENDS:
        raise ScenarioError(
            f"the extends chain is longer than {MAX_EXTENDS} files; at most {MAX_EXTENDS} "
            "files may extend one another",
            file=file,
            line=line,
            path=("extends",),
        )
    parent_path = Path(os.path.normpath(path.parent / parent))
    parent_resolved = _resolved(parent_path)
    if parent_resolved in (*chain, resolved):
        cycle = " -> ".join(p.name for p in (*chain, resolved, parent_resolved))
        raise ScenarioError(f"extends cycle: {cycle}", file=file, line=line, path=("extends",))
    base, base_lines, base_size = _load_chain(
        parent_path, (*chain, resolved), budget - size, named_by=(file, line)
    )
    merged_lines = {k: v for k, v in base_lines.items() if not _overridden(k, data)}
    merged_lines.update(lines)
    merged = deep_merge(base, data)
    _place_opening(merged, merged_lines, opening)  # its sites may come from the parent
    return merged, merged_lines, size + base_size


def _overridden(key: Key, child: dict[str, Any]) -> bool:
    """Whether the child file replaces the value at ``key`` (a list or scalar above it)."""
    node: Any = child
    for part in key:
        if isinstance(node, _Replace):
            return True
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
        if not isinstance(node, dict):
            return True
    return False


# --------------------------------------------------------------------------- --set


def option_label(option: str, text: str) -> str:
    """``--set run.seed=7`` as errors name it: the option and its text, cut to 80
    characters (a value may be long)."""
    return f"{option} {text if len(text) <= 80 else text[:77] + '...'}"


_SET_USAGE = "give --set path.to.field=value, e.g. --set run.seed=7"
_SET_HINT = "quote text that is not meant as YAML, e.g. --set 'description=\"a: b\"'"


def parse_path(path_text: str, source: str = "--set", usage: str = _SET_USAGE) -> list[str | int]:
    """``'sites.gp_posts.hap_a.opening.0'`` → ``['sites', 'gp_posts', 'hap_a', 'opening', 0]``
    (``source`` names the option in errors, ``usage`` says how to write it). A step of
    digits is a list index; any other step into a list names an item (`apply_override`)."""
    steps = path_text.strip().split(".")
    if len(steps) > MAX_DEPTH:
        raise ScenarioError(
            f"the field path has {len(steps)} steps; at most {MAX_DEPTH} are allowed",
            file=source,
        )
    parts: list[str | int] = []
    for step in steps:
        part = step.strip()
        if not part:
            raise ScenarioError(
                f"empty step in the field path {_shown(path_text)}; {usage}",
                file=source,
            )
        # a list index: a few ASCII digits (str.isdigit also admits '²', which int refuses)
        parts.append(int(part) if part.isascii() and part.isdigit() and len(part) <= 9 else part)
    return parts


def parse_value(
    value_text: str, source: str, path: Sequence[str | int] = (), hint: str = _SET_HINT
) -> Any:
    """A ``--set`` or ``--grid`` value read as YAML (``''`` stays the empty string);
    refuses what is not valid YAML rather than guessing (``hint`` says what to do)."""
    if not value_text.strip():
        return ""
    try:
        node, value, _ = yaml_loader.compose(value_text)
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(
            f"not a valid YAML value: {problem}; {hint}", file=source, path=path
        ) from None
    except yaml_loader.YamlLimitError as exc:
        raise ScenarioError(exc.message, file=source, path=(*path, *exc.path)) from None
    except yaml_loader.YamlValueError as exc:
        raise ScenarioError(f"not a valid value: {exc.message}", file=source, path=path) from None
    if node is None:
        raise ScenarioError(
            "the value is empty (only a comment?); give null to delete the field",
            file=source,
            path=path,
        )
    return value


def parse_override(text: str) -> tuple[list[str | int], Any]:
    """``'run.replications=5'`` → (['run', 'replications'], 5)."""
    if "=" not in text:
        raise ScenarioError(f"--set needs path=value, got {_shown(text)}", file="--set")
    path_text, value_text = text.split("=", 1)
    parts = parse_path(path_text, "--set")
    return parts, parse_value(value_text, option_label("--set", text), parts)


def _list_index(items: list[Any], part: str | int, path: Sequence[str | int]) -> int:
    """The index ``part`` selects in ``items``: an index, or the item whose ``name`` it is
    (roster blocks may have names); anything else raises, listing what there is."""
    index = part if isinstance(part, int) else find_named(items, part)
    if index is None or index >= len(items):
        raise ScenarioError(no_such_item(items, part), file="--set", path=path)
    return index


def apply_override(data: dict[str, Any], parts: Sequence[str | int], value: Any) -> list[str | int]:
    """Set one field in nested data, creating mappings on the way; a step into a list is
    an index or the ``name`` of an item (``rosters.hap_a.gp_consult.avond.staff``).
    Returns the path with names replaced by the indices they selected."""
    node: Any = data
    resolved: list[str | int] = []
    for part in parts[:-1]:
        if isinstance(node, list):
            index = _list_index(node, part, (*resolved, part))
            resolved.append(index)
            node = node[index]
            continue
        resolved.append(part)
        if part not in node or not isinstance(node[part], dict | list):
            node[part] = {}
        node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        index = _list_index(node, last, (*resolved, last))
        node[index] = value
        return [*resolved, index]
    if value is None:
        node.pop(last, None)
    else:
        node[last] = value
    return [*resolved, last]


# --------------------------------------------------------------------------- validation errors


def _members(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _members(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _members(a)]
    return [annotation]


def _tagged(annotation: Any, part: str | int) -> Any:
    """The member of a union with a callable discriminator whose `Tag` is ``part``."""
    inner = annotation
    if typing.get_origin(inner) is typing.Annotated:
        inner = typing.get_args(inner)[0]
    if typing.get_origin(inner) not in (typing.Union, types.UnionType):
        return None
    for member in typing.get_args(inner):
        if typing.get_origin(member) is typing.Annotated:
            for meta in typing.get_args(member)[1:]:
                if isinstance(meta, Tag) and meta.tag == part:
                    return member
    return None


def _step(annotation: Any, part: str | int) -> tuple[Any, str]:
    """The type one loc step below ``annotation``, and what the step is: a ``field``
    (or key or index), a union ``tag`` that pydantic adds to its locs, or ``other``."""
    tagged = _tagged(annotation, part)
    if tagged is not None:
        return tagged, "tag"
    for member in _members(annotation):
        origin = typing.get_origin(member)
        if isinstance(member, type) and issubclass(member, BaseModel):
            field = member.model_fields.get(str(part))
            if field is not None:
                return field.annotation, "field"
            kind = member.model_fields.get("kind")
            if kind is not None and part in typing.get_args(kind.annotation):
                return member, "tag"
        elif origin is dict and not isinstance(part, int) and part != "[key]":
            return typing.get_args(member)[1], "field"
        elif origin is list and isinstance(part, int):
            return typing.get_args(member)[0], "field"
    return annotation, "other"


def _explain(loc: Sequence[str | int]) -> tuple[Key, list[str]]:
    """Clean a pydantic loc into a field path, and the allowed field names at its end."""
    annotation: Any = Scenario
    path: list[str | int] = []
    for part in loc:
        annotation, role = _step(annotation, part)
        if role == "field" or (role == "other" and "[" not in str(part)):
            path.append(part)
    allowed: list[str] = []
    for member in _members(annotation):
        if isinstance(member, type) and issubclass(member, BaseModel):
            allowed.extend(member.model_fields)
    return tuple(path), allowed


def _message(error: dict[str, Any], path: Key) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        _, allowed = _explain(tuple(error["loc"])[:-1])
        name = str(path[-1])
        hint = difflib.get_close_matches(name, allowed, n=1)
        text = f"unknown field {name!r}"
        if hint:
            text += f" (did you mean {hint[0]!r}?)"
        if allowed:
            text += f"; allowed: {', '.join(allowed)}"
        return text
    if kind == "missing":
        return "required field is missing"
    msg = str(error["msg"])
    msg = msg.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind not in ("value_error", "assertion_error") and "input" in error:
        shown = repr(error["input"])
        if len(shown) > 60:
            shown = shown[:57] + "..."
        msg += f" (got {shown})"
    return msg


def _locate(path: Key, lines: dict[Key, Where]) -> Where:
    for cut in range(len(path), -1, -1):
        if path[:cut] in lines:
            return lines[path[:cut]]
    return ("<scenario>", None)


def _error_from_validation(exc: ValidationError, lines: dict[Key, Where]) -> ScenarioError:
    errors = exc.errors(include_url=False)
    first = errors[0]
    path, _ = _explain(tuple(first["loc"]))
    file, line = _locate(path, lines)
    message = _message(dict(first), path)
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
    return ScenarioError(message, file=file, line=line, path=path)


# --------------------------------------------------------------------------- entry points


def resolve_data(
    path: str | Path, overrides: Iterable[str] = ()
) -> tuple[dict[str, Any], dict[Key, Where]]:
    """The merged, unvalidated data of a scenario file after ``extends`` and ``--set``."""
    data, lines, _ = _load_chain(Path(path), ())
    data = _plain(data)  # fresh containers: YAML anchors must not share edits
    for text in overrides:
        parts, value = parse_override(text)
        try:
            parts = apply_override(data, parts, value)  # names in lists become indices
        except ScenarioError as exc:  # name the --set as given
            raise ScenarioError(
                exc.message, file=option_label("--set", text), path=exc.path
            ) from None
        replaced = tuple(parts)
        for key in [k for k in lines if k[: len(replaced)] == replaced and k != replaced]:
            del lines[key]  # what lay under the field came from a file; now from --set
        for cut in range(1, len(parts) + 1):
            lines[tuple(parts[:cut])] = (option_label("--set", text), None)
    return _plain(data), lines


def validate_data(data: dict[str, Any], lines: dict[Key, Where] | None = None) -> Scenario:
    """Validate merged data into a `Scenario`, raising `ScenarioError` on any problem."""
    lines = lines or {}
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise _error_from_validation(exc, lines) from None
    except CheckFailure as exc:
        file, line = _locate(exc.path, lines)
        raise ScenarioError(exc.message, file=file, line=line, path=exc.path) from None


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Load, merge, override and validate a scenario file."""
    try:
        try:
            data, lines = resolve_data(path, overrides)
            return validate_data(data, lines)
        except RecursionError:  # a last resort: the limits above should prevent it
            raise ScenarioError(
                f"the scenario is nested too deeply to read (at most {MAX_DEPTH} levels)",
                file=str(path),
            ) from None
    except ScenarioError as exc:
        if exc.file == str(path) or exc.scenario is not None:
            raise
        raise ScenarioError(
            exc.message, file=exc.file, line=exc.line, path=exc.path, scenario=str(path)
        ) from None


__all__ = [
    "ScenarioError",
    "apply_override",
    "deep_merge",
    "format_path",
    "load_areas_csv",
    "load_matrix_csv",
    "load_opening_csv",
    "load_profiles_csv",
    "load_rosters_csv",
    "load_scenario",
    "option_label",
    "parse_override",
    "parse_path",
    "parse_value",
    "parse_yaml",
    "read_yaml",
    "resolve_data",
    "validate_data",
]
