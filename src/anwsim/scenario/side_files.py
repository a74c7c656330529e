"""CSV side files of a scenario, read into the data its YAML would hold.

A scenario file may keep tables in CSV files beside it, the way planners keep them in a
spreadsheet: ``region.areas_csv``, ``travel.matrix_csv``, ``rosters_csv``,
``sites.opening_csv`` and ``demand.profiles_csv``. Each is read through
`safe_files.read_regular_file`, separated by ``,`` or by ``;`` (then with decimal commas,
as Dutch Excel saves them; told apart on the header line), and turned into exactly the
mappings and lists the YAML would hold, with the CSV line of every key so that
validation errors point at it. `anwsim.scenario.loading` calls `inline_side_files`
for each file of an ``extends`` chain and `place_opening` after the merge.
"""

from __future__ import annotations

import csv
import io
import math
import re
import typing
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from anwsim.scenario.errors import ScenarioError, format_path, shown
from anwsim.scenario.safe_files import (
    MAX_CSV_BYTES,
    UnreadableFile,
    decode_text,
    read_regular_file,
)

Key = tuple[str | int, ...]
Where = tuple[str, int | None]


class _Replace(dict):  # type: ignore[type-arg]
    """A mapping that replaces, rather than merges into, what it overrides."""


# --------------------------------------------------------------------------- side files


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
        text = decode_text(read_regular_file(path, limit=MAX_CSV_BYTES, kind="CSV"), "utf-8-sig")
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
                f"the header reads as a single column {shown(header[0])} with the separator "
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
            f"got {shown(text)}{hint}",
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
                f"area id {shown(area_id)} appears twice", file=file, line=i, path=key
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
                f"the row goes from {shown(origin)} to itself; give times between "
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
                f"the pair {shown(origin)} -> {shown(target)} appears twice with different "
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
                f"profile {shown(name)} has a second row for {shown(day)} (the first is "
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
                f"profile {shown(name)} gives hour_of_week {hour} twice (also on line "
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
            hours = ", ".join(map(str, missing[:10])) + (", …" if len(missing) > 10 else "")
            raise ScenarioError(
                f"profile {shown(name)} lacks hour_of_week {hours}; give all 168 hours "
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
            f"expected a CSV file name, got {shown(value)}",
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
                f"site {shown(site)} is not a GP post or SEH; opening_csv gives the opening "
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


def _inline_table(
    data: dict[str, Any],
    section: str,
    field: str,
    loader: Callable[[Path, Where], dict[str, Any]],
    base_dir: Path,
    lines: dict[Key, Where],
) -> None:
    """``section.field_csv: file.csv`` → ``section.field`` as the loader reads it (areas,
    travel matrix), replacing what a parent file gave; both at once is an error."""
    table = data.get(section)
    key = f"{field}_csv"
    if not isinstance(table, dict) or key not in table:
        return
    where = lines.get((section, key), (str(base_dir), None))
    if field in table:
        raise ScenarioError(
            f"give either {field} or {key}, not both",
            file=where[0],
            line=where[1],
            path=(section,),
        )
    csv_path = base_dir / _file_name(table.pop(key), where, (section, key))
    table[field] = _Replace(loader(csv_path, where))
    lines[(section, field)] = where


def _inline_side_files(
    data: dict[str, Any], base_dir: Path, lines: dict[Key, Where]
) -> SideRows | None:
    """Read the CSV side files one scenario file names (relative to it) into its data,
    as the YAML would hold them: ``region.areas_csv``, ``travel.matrix_csv``,
    ``rosters_csv``, ``demand.profiles_csv``; and read ``sites.opening_csv``, returned
    to be placed (`_place_opening`) once the files it extends are merged in."""
    for section, field, loader in (
        ("region", "areas", load_areas_csv),
        ("travel", "matrix", load_matrix_csv),
    ):
        _inline_table(data, section, field, loader, base_dir, lines)
    if "rosters_csv" in data:
        _inline_rosters(data, base_dir, lines)
    demand = data.get("demand")
    if isinstance(demand, dict) and "profiles_csv" in demand:
        _inline_profiles(demand, base_dir, lines)
    sites = data.get("sites")
    if isinstance(sites, dict) and "opening_csv" in sites:
        return _read_opening(sites, base_dir, lines)
    return None
