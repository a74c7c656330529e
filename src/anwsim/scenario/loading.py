"""Read scenario files: YAML with ``extends``, CSV side files and ``--set`` overrides.

Loading is the only place that touches the file system. It

1. parses each YAML file with ``yaml.safe_load`` (data only: no tags, no code), keeping
   the line of every key so errors can point at it;
2. follows ``extends: other.yaml`` (relative to the file) and deep-merges the child over
   its parent: mappings merge key by key, everything else (lists included) is replaced,
   and ``null`` removes a key;
3. reads ``region.areas_csv`` and ``travel.matrix_csv`` into inline data;
4. applies ``--set path.to.field=value`` overrides (values parsed as YAML scalars);
5. validates the result into an immutable `Scenario`.

Any mistake becomes one `ScenarioError` naming file, line, field path and what is
allowed.
"""

from __future__ import annotations

import csv
import difflib
import os
import types
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Tag, ValidationError

from anwsim.scenario.errors import CheckFailure, ScenarioError, format_path
from anwsim.scenario.schema import Scenario

Key = tuple[str | int, ...]
Where = tuple[str, int | None]


class _Replace(dict):  # type: ignore[type-arg]
    """A mapping that replaces, rather than merges into, what it overrides."""


# --------------------------------------------------------------------------- YAML with lines


MAX_KEYS = 1_000_000
"""More keys than this (say, from nested YAML aliases) is refused, not expanded."""


def _walk_nodes(node: yaml.Node, prefix: Key, file: str, out: dict[Key, Where]) -> None:
    if len(out) > MAX_KEYS:
        raise ScenarioError(
            f"the file expands to more than {MAX_KEYS:,} fields (nested YAML aliases?)",
            file=file,
            line=node.start_mark.line + 1,
        )
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
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


def _bad_scalar(node: yaml.Node, prefix: Key) -> tuple[Key, int | None]:
    """Path and line of the first scalar the safe loader cannot construct."""
    if isinstance(node, yaml.ScalarNode):
        try:
            yaml.SafeLoader("").construct_object(node, deep=True)
        except (ValueError, TypeError, OverflowError):
            return prefix, node.start_mark.line + 1
    pairs: list[tuple[str | int, yaml.Node]] = []
    if isinstance(node, yaml.MappingNode):
        pairs = [(k.value, v) for k, v in node.value]
    elif isinstance(node, yaml.SequenceNode):
        pairs = list(enumerate(node.value))
    for key, child in pairs:
        found = _bad_scalar(child, (*prefix, key))
        if found[1] is not None:
            return found
    return prefix, None


def read_yaml(path: Path) -> tuple[dict[str, Any], dict[Key, Where]]:
    """Parse one YAML file into data and the line of every key."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError("file not found", file=file) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"cannot read file: {exc}", file=file) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ScenarioError(
            f"not valid YAML: {problem}",
            file=file,
            line=mark.line + 1 if mark is not None else None,
        ) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a date 2025-02-30
        bad_path, bad_line = _bad_scalar(node, ()) if node is not None else ((), None)
        raise ScenarioError(
            f"not a valid value: {exc}", file=file, line=bad_line, path=bad_path
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
    return data, lines


# --------------------------------------------------------------------------- side files


def _read_csv(path: Path, required: Sequence[str], where: Where, key: Key) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            header = reader.fieldnames or []
            missing = [c for c in required if c not in header]
            if missing:
                raise ScenarioError(
                    f"CSV lacks column(s) {', '.join(missing)}; needs {', '.join(required)}",
                    file=str(path),
                    line=1,
                    path=key,
                )
            return list(reader)
    except FileNotFoundError:
        raise ScenarioError(
            f"CSV file not found: {path}", file=where[0], line=where[1], path=key
        ) from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ScenarioError(
            f"cannot read CSV file {path}: {exc}", file=where[0], line=where[1], path=key
        ) from None


_KIND_NAMES = {int: "a whole number", float: "a number"}


def _number(text: str | None, kind: type, file: str, line: int, column: str, key: Key) -> Any:
    try:
        return kind(text)
    except (TypeError, ValueError):
        raise ScenarioError(
            f"column {column!r}: expected {_KIND_NAMES.get(kind, kind.__name__)}, got {text!r}",
            file=file,
            line=line,
            path=key,
        ) from None


def load_areas_csv(path: Path, where: Where = ("<scenario>", None)) -> dict[str, dict[str, Any]]:
    """Areas from a CSV with columns id, name, population, latitude, longitude[, zone]."""
    key: Key = ("region", "areas_csv")
    rows = _read_csv(path, ("id", "name", "population", "latitude", "longitude"), where, key)
    file = str(path)
    areas: dict[str, dict[str, Any]] = {}
    for i, row in enumerate(rows, start=2):
        area_id = (row.get("id") or "").strip()
        if not area_id:
            raise ScenarioError("column 'id' is empty", file=file, line=i, path=key)
        if area_id in areas:
            raise ScenarioError(f"area id {area_id!r} appears twice", file=file, line=i, path=key)
        area: dict[str, Any] = {
            "name": row["name"],
            "population": _number(row["population"], int, file, i, "population", key),
            "latitude": _number(row["latitude"], float, file, i, "latitude", key),
            "longitude": _number(row["longitude"], float, file, i, "longitude", key),
        }
        if row.get("zone"):
            area["zone"] = row["zone"].strip()
        areas[area_id] = area
    if not areas:
        raise ScenarioError("the CSV has no rows", file=file, path=key)
    return areas


def load_matrix_csv(path: Path, where: Where = ("<scenario>", None)) -> dict[str, dict[str, float]]:
    """Travel minutes from a CSV with columns from, to, minutes."""
    key: Key = ("travel", "matrix_csv")
    rows = _read_csv(path, ("from", "to", "minutes"), where, key)
    matrix: dict[str, dict[str, float]] = {}
    for i, row in enumerate(rows, start=2):
        minutes = _number(row["minutes"], float, str(path), i, "minutes", key)
        if not minutes >= 0:
            raise ScenarioError(
                f"column 'minutes' must be >= 0, got {minutes}", file=str(path), line=i, path=key
            )
        matrix.setdefault(row["from"].strip(), {})[row["to"].strip()] = minutes
    return matrix


def _file_name(value: Any, where: Where, key: Key) -> str:
    if not isinstance(value, str) or not value:
        raise ScenarioError(
            f"expected a CSV file name, got {value!r}", file=where[0], line=where[1], path=key
        )
    return value


def _inline_side_files(data: dict[str, Any], base_dir: Path, lines: dict[Key, Where]) -> None:
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


def _load_chain(path: Path, chain: tuple[Path, ...]) -> tuple[dict[str, Any], dict[Key, Where]]:
    resolved = path.resolve()
    if resolved in chain:
        cycle = " -> ".join(p.name for p in (*chain, resolved))
        raise ScenarioError(f"extends cycle: {cycle}", file=str(path), path=("extends",))
    data, lines = read_yaml(path)
    _inline_side_files(data, path.parent, lines)
    parent = data.pop("extends", None)
    if parent is None:
        return data, lines
    if not isinstance(parent, str):
        file, line = lines[("extends",)]
        raise ScenarioError("extends must be a file name", file=file, line=line, path=("extends",))
    parent_path = Path(os.path.normpath(path.parent / parent))
    if parent_path.resolve() in (*chain, resolved):
        file, line = lines[("extends",)]
        cycle = " -> ".join(p.name for p in (*chain, resolved, parent_path.resolve()))
        raise ScenarioError(f"extends cycle: {cycle}", file=file, line=line, path=("extends",))
    if not parent_path.exists():
        file, line = lines[("extends",)]
        raise ScenarioError(
            f"extends a file that does not exist: {parent_path}",
            file=file,
            line=line,
            path=("extends",),
        )
    base, base_lines = _load_chain(parent_path, (*chain, resolved))
    merged_lines = {k: v for k, v in base_lines.items() if not _overridden(k, data)}
    merged_lines.update(lines)
    return deep_merge(base, data), merged_lines


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


def parse_override(text: str) -> tuple[list[str | int], Any]:
    """``'run.replications=5'`` → (['run', 'replications'], 5)."""
    if "=" not in text:
        raise ScenarioError(f"--set needs path=value, got {text!r}", file="--set")
    path_text, value_text = text.split("=", 1)
    parts: list[str | int] = []
    for part in path_text.strip().split("."):
        if not part:
            raise ScenarioError(f"--set has an empty step in {path_text!r}", file="--set")
        parts.append(int(part) if part.isdigit() else part)
    try:
        value = yaml.safe_load(value_text) if value_text.strip() else ""
    except yaml.YAMLError:
        value = value_text
    return parts, value


def apply_override(data: dict[str, Any], parts: Sequence[str | int], value: Any) -> None:
    """Set one field in nested data, creating mappings on the way."""
    node: Any = data
    for depth, part in enumerate(parts[:-1]):
        if isinstance(node, list):
            if not isinstance(part, int) or part >= len(node):
                raise ScenarioError(
                    f"no item {part} in the list", file="--set", path=parts[: depth + 1]
                )
            node = node[part]
            continue
        if part not in node or not isinstance(node[part], dict | list):
            node[part] = {}
        node = node[part]
    last = parts[-1]
    if isinstance(node, list):
        if not isinstance(last, int) or last >= len(node):
            raise ScenarioError(f"no item {last} in the list", file="--set", path=parts)
        node[last] = value
    elif value is None:
        node.pop(last, None)
    else:
        node[last] = value


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
    data, lines = _load_chain(Path(path), ())
    data = _plain(data)  # fresh containers: YAML anchors must not share edits
    for text in overrides:
        parts, value = parse_override(text)
        apply_override(data, parts, value)
        for cut in range(1, len(parts) + 1):
            lines[tuple(parts[:cut])] = ("--set " + text, None)
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
        data, lines = resolve_data(path, overrides)
        return validate_data(data, lines)
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
    "load_scenario",
    "parse_override",
    "read_yaml",
    "resolve_data",
    "validate_data",
]
