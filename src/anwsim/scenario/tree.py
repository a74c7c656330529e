"""Field paths into resolved scenario data: pick a subtree, list what differs.

Resolved data is what ``Scenario.model_dump(mode="json")`` gives (defaults included), so
two scenarios compare field by field whatever their files look like. A step into a list
is an index (``gp_consult.0``) or the ``name`` of one of its items (``gp_consult.avond``,
see `anwsim.scenario.timeblocks.StaffBlock`).
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from anwsim.scenario.errors import ScenarioError

Step = str | int


def item_names(items: Sequence[Any]) -> list[str]:
    """The ``name`` of every item of a list that has one, in order."""
    return [str(item["name"]) for item in items if isinstance(item, dict) and item.get("name")]


def find_named(items: Sequence[Any], name: str) -> int | None:
    """The index of the item of ``items`` whose ``name`` is ``name``, or None."""
    for i, item in enumerate(items):
        if isinstance(item, dict) and item.get("name") == name:
            return i
    return None


def no_such_item(items: Sequence[Any], step: Step) -> str:
    """Why ``step`` selects nothing in the list ``items``: what it could be instead."""
    names = item_names(items)
    count = f"{len(items)} item{'s' if len(items) != 1 else ''}"
    indices = f"an index 0 to {len(items) - 1}" if items else "no index (the list is empty)"
    if isinstance(step, int):
        return f"no item {step} in the list ({count}); give {indices}"
    if not names:
        return f"no item named {step!r} in the list (its items have no names); give {indices}"
    hint = difflib.get_close_matches(step, names, n=1)
    mean = f" (did you mean {hint[0]!r}?)" if hint else ""
    return f"no item named {step!r} in the list{mean}; names: {', '.join(names)}, or {indices}"


def select(data: Any, steps: Sequence[Step], source: str) -> Any:
    """The subtree of ``data`` at ``steps``; an unknown step raises one `ScenarioError`
    (from ``source``) that names the path so far and what is there instead."""
    node = data
    for depth, step in enumerate(steps):
        here = tuple(steps[: depth + 1])
        if isinstance(node, list):
            index = step if isinstance(step, int) else find_named(node, step)
            if index is None or not 0 <= index < len(node):
                raise ScenarioError(no_such_item(node, step), file=source, path=here)
            node = node[index]
        elif isinstance(node, dict):
            if str(step) not in node:
                keys = [str(k) for k in node]
                hint = difflib.get_close_matches(str(step), keys, n=1)
                text = f"no field {str(step)!r} here"
                if hint:
                    text += f" (did you mean {hint[0]!r}?)"
                shown = ", ".join(keys) if len(keys) <= 30 else ", ".join(keys[:30]) + ", …"
                text += f"; fields: {shown}" if keys else "; it is empty"
                raise ScenarioError(text, file=source, path=here)
            node = node[str(step)]
        else:
            raise ScenarioError(
                f"{json.dumps(node)} is a value, with no fields or items below it",
                file=source,
                path=tuple(steps[:depth]),
            )
    return node


@dataclass(frozen=True)
class Difference:
    """One field that differs: ``changed`` (in both), ``added`` (only in B) or
    ``removed`` (only in A)."""

    path: tuple[Step, ...]
    change: str
    a: Any = None
    b: Any = None

    @property
    def label(self) -> str:
        """``rosters.hap_a.gp_consult[0].staff``."""
        text = ""
        for step in self.path:
            text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
        return text

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"path": self.label, "steps": list(self.path)}
        data["change"] = self.change
        if self.change != "added":
            data["a"] = self.a
        if self.change != "removed":
            data["b"] = self.b
        return data


def differences(a: Any, b: Any, path: tuple[Step, ...] = ()) -> list[Difference]:
    """Every leaf where ``a`` and ``b`` differ, depth first, in A's key order (B's new
    keys after). Mappings compare key by key, lists item by item (a longer list adds
    items, a shorter one removes them); anything else compares as a value."""
    if isinstance(a, dict) and isinstance(b, dict):
        found: list[Difference] = []
        for key in a:
            if key in b:
                found += differences(a[key], b[key], (*path, key))
            else:
                found.append(Difference((*path, key), "removed", a=a[key]))
        found += [Difference((*path, key), "added", b=b[key]) for key in b if key not in a]
        return found
    if isinstance(a, list) and isinstance(b, list):
        found = []
        for i in range(min(len(a), len(b))):
            found += differences(a[i], b[i], (*path, i))
        found += [Difference((*path, i), "removed", a=a[i]) for i in range(len(b), len(a))]
        found += [Difference((*path, i), "added", b=b[i]) for i in range(len(a), len(b))]
        return found
    if a == b and type(a) is type(b):
        return []
    return [Difference(path, "changed", a=a, b=b)]
