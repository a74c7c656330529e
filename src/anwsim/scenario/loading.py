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

import difflib
import os
import types
import typing
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Tag, ValidationError

from anwsim.scenario import yaml_loader
from anwsim.scenario.errors import CheckFailure, ScenarioError, format_path, shown
from anwsim.scenario.safe_files import (
    MAX_YAML_BYTES,
    UnreadableFile,
    decode_text,
    read_regular_file,
)
from anwsim.scenario.schema import Scenario
from anwsim.scenario.side_files import (
    Key,
    Where,
    _inline_side_files,
    _place_opening,
    _Replace,
    load_areas_csv,
    load_matrix_csv,
    load_opening_csv,
    load_profiles_csv,
    load_rosters_csv,
)
from anwsim.scenario.tree import find_named, no_such_item

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


def _read_text(path: Path) -> str:
    """The text of a YAML file; raises `UnreadableFile` (with a ready reason)."""
    raw = read_regular_file(path, limit=MAX_YAML_BYTES, kind="YAML")
    try:
        return decode_text(raw, "utf-8")
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


# --------------------------------------------------------------------------- extends and merge


def deep_merge(base: Any, override: Any) -> Any:
    """Merge ``override`` onto ``base``: mappings key by key, the rest replaced; a ``None``
    for a key the base has deletes it (elsewhere ``None`` is a value, e.g. "no norm").
    A new ``name`` comes with its own ``names`` or none: the base's are dropped (`_renamed`)."""
    if (
        isinstance(base, dict)
        and isinstance(override, dict)
        and not isinstance(override, _Replace)
        and not _switches_kind(base, override)
    ):
        merged = _renamed(dict(base), override)
        for key, value in override.items():
            if value is None and key in merged:
                del merged[key]  # null in a child deletes what the parent set
            elif key in merged:
                merged[key] = deep_merge(merged[key], value)
            else:
                merged[key] = _plain(value)
        return merged
    return _plain(override)


def _renamed(merged: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``merged`` without its display ``names`` when ``override`` gives a ``name``: they
    translate the old name (a variant renamed "S1" must not show the baseline's Dutch
    and English names); the ``names`` given with the new name, if any, are its own."""
    if "name" in override:
        merged.pop("names", None)
    return merged


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
                f"empty step in the field path {shown(path_text)}; {usage}",
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
        raise ScenarioError(f"--set needs path=value, got {shown(text)}", file="--set")
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
        _renamed(node, {str(last): value})
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
