"""The YAML reader of scenario files and ``--set`` values: safe, bounded and fast.

`ScenarioLoader` is PyYAML's safe loader (plain data only: no tags that build objects)
with four changes:

* events come from libyaml's C parser when PyYAML has it (``yaml.__with_libyaml__``),
  else from the pure-Python parser; the document is composed once, by a composer that
* refuses nesting deeper than `MAX_DEPTH` collections (counted through aliases too)
  before anything recurses that deep;
* counts every value as aliases would expand it and refuses a document that expands to
  more than its budget (a "billion laughs" alias bomb) at the first alias that goes
  over, and refuses an alias to a collection that contains it (a cycle);
* does not read YAML 1.1 sexagesimals (``1:30`` as 90, ``1:30:00`` as 5400, ``1:30.5``
  as 90.5): such a plain scalar stays a string, so a number field refuses it and an
  hours field such as ``17:00-08:00`` is unaffected. The lone ``=`` is a string too,
  and ``6.0e1``, ``1e5`` and ``-.5`` are floats (as in YAML 1.2; 1.1 left them text).

Errors are `yaml.YAMLError` (syntax, duplicate anchors, unknown tags), `YamlLimitError`
(depth, size, cycles; with the line) and `YamlValueError` (a scalar that cannot be
built, such as the date ``2025-02-30``; with the node, so the caller can name its path).
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.events import AliasEvent, MappingStartEvent, SequenceStartEvent
from yaml.nodes import Node, ScalarNode
from yaml.resolver import Resolver

MAX_DEPTH = 50
"""Most collections (mappings, lists) nested in one another; the baseline has 7."""

MAX_NODES = 200_000
"""Most values a document may expand to, aliases expanded; the baseline has ~3,000."""

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_VALUE_TAG = "tag:yaml.org,2002:value"

# PyYAML's YAML 1.1 patterns without the base-60 (sexagesimal) forms; floats also in
# the YAML 1.2 spellings 6.0e1, 1e5 and -.5 (which YAML 1.1 leaves as text).
_INT = re.compile(
    r"""^(?:[-+]?0b[0-1_]+
    |[-+]?0[0-7_]+
    |[-+]?(?:0|[1-9][0-9_]*)
    |[-+]?0x[0-9a-fA-F_]+)$""",
    re.X,
)
_FLOAT = re.compile(
    r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?[0-9][0-9_]*[eE][-+]?[0-9]+
    |[-+]?\.[0-9][0-9_]*(?:[eE][-+]?[0-9]+)?
    |[-+]?\.(?:inf|Inf|INF)
    |\.(?:nan|NaN|NAN))$""",
    re.X,
)


class YamlLimitError(Exception):
    """The document is too deep, too large when aliases are expanded, or cyclic; where
    (``line``, and ``path``: the keys and list indexes leading there)."""

    def __init__(self, message: str, line: int | None, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.path = path


class YamlValueError(Exception):
    """A scalar that the safe constructor cannot build (e.g. a date 2025-02-30)."""

    def __init__(self, message: str, node: Node) -> None:
        super().__init__(message)
        self.message = message
        self.node = node
        self.root: Node | None = None  # the document, so that the node's path can be found


def _implicit_resolvers() -> dict[Any, list[tuple[str, re.Pattern[str]]]]:
    table: dict[Any, list[tuple[str, re.Pattern[str]]]] = {}
    for first, entries in Resolver.yaml_implicit_resolvers.items():
        kept = []
        for tag, regexp in entries:
            if tag == _VALUE_TAG:
                continue
            kept.append((tag, _INT if tag == _INT_TAG else _FLOAT if tag == _FLOAT_TAG else regexp))
        if kept:
            table[first] = kept
    return table


class _Resolver(Resolver):
    yaml_implicit_resolvers = _implicit_resolvers()


if yaml.__with_libyaml__:
    from yaml._yaml import CParser

    class _Parser(CParser):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)

else:  # pragma: no cover - PyYAML built without libyaml
    from yaml.parser import Parser
    from yaml.reader import Reader
    from yaml.scanner import Scanner

    class _Parser(Reader, Scanner, Parser):  # type: ignore[no-redef]
        def __init__(self, stream: str) -> None:
            Reader.__init__(self, stream)
            Scanner.__init__(self)
            Parser.__init__(self)


def _line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None else None


class _LimitedComposer(Composer):
    """PyYAML's composer, counting depth and expanded size as it goes."""

    budget: int
    limit: int
    _depth: int
    _deepest: int
    _count: int
    _anchored: dict[int, tuple[int, int]]
    _steps: list[str | int | None]

    def _start_limits(self, budget: int, limit: int) -> None:
        self.budget = budget
        self.limit = limit
        self._depth = 0  # collections open around the node being composed
        self._deepest = 0  # deepest nesting reached, aliases expanded
        self._count = 0  # values so far, aliases expanded
        self._anchored = {}  # id of an anchored node -> (height, expanded size)
        self._steps = []  # key or index of each open collection (None: a key, the root)

    def _fail(self, message: str, mark: Any, step: str | int | None) -> YamlLimitError:
        path = tuple(s for s in (*self._steps, step) if s is not None)
        return YamlLimitError(message, _line(mark), path)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        events: Any = self  # the parser mixed in beside this class gives the events
        # PyYAML passes a mapping value's key node, or a list item's index.
        step = index.value if isinstance(index, ScalarNode) else index
        step = step if isinstance(step, str | int) else None
        if events.check_event(AliasEvent):
            mark = events.peek_event().start_mark
            node = super().compose_node(parent, index)
            if isinstance(node, ScalarNode):
                height, size = 0, 1
            elif id(node) in self._anchored:
                height, size = self._anchored[id(node)]
            else:
                raise self._fail(
                    "a YAML alias refers to a collection that contains it "
                    "(it would never end); write the values out instead",
                    mark,
                    step,
                )
            self._deepest = max(self._deepest, self._depth + height)
            if self._deepest > MAX_DEPTH:
                raise self._fail(
                    f"nested deeper than {MAX_DEPTH} levels (through a YAML alias); "
                    f"at most {MAX_DEPTH} are allowed",
                    mark,
                    step,
                )
            self._grow(size, mark, step)
            return node
        event = events.peek_event()
        anchor = getattr(event, "anchor", None)
        if not isinstance(event, SequenceStartEvent | MappingStartEvent):
            self._grow(1, event.start_mark, step)
            node = super().compose_node(parent, index)
            if anchor is not None:
                self._anchored[id(node)] = (0, 1)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise self._fail(
                f"nested deeper than {MAX_DEPTH} levels; at most {MAX_DEPTH} are allowed",
                event.start_mark,
                step,
            )
        outer_deepest, self._deepest = self._deepest, self._depth
        before = self._count
        self._grow(1, event.start_mark, step)
        self._steps.append(step)
        node = super().compose_node(parent, index)
        self._steps.pop()
        height = self._deepest - self._depth + 1
        self._deepest = max(outer_deepest, self._deepest)
        self._depth -= 1
        if anchor is not None:
            self._anchored[id(node)] = (height, self._count - before)
        return node

    def _grow(self, size: int, mark: Any, step: str | int | None) -> None:
        self._count += size
        if self._count > self.budget:
            raise self._fail(
                f"the scenario expands to more than {self.limit:,} values "
                "(nested YAML aliases?); a scenario has a few thousand",
                mark,
                step,
            )


class _Constructor(SafeConstructor):
    """The safe constructor; a scalar it cannot build raises `YamlValueError`."""

    def construct_object(self, node: Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep=deep)
        except (ValueError, TypeError, OverflowError) as exc:
            raise YamlValueError(str(exc) or type(exc).__name__, node) from None

    def construct_yaml_int(self, node: ScalarNode) -> int:
        if ":" in str(node.value):
            raise ConstructorError(
                None, None, "base-60 numbers such as 1:30 are not read", node.start_mark
            )
        return super().construct_yaml_int(node)

    def construct_yaml_float(self, node: ScalarNode) -> float:
        if ":" in str(node.value):
            raise ConstructorError(
                None, None, "base-60 numbers such as 1:30.5 are not read", node.start_mark
            )
        return super().construct_yaml_float(node)


_Constructor.add_constructor(_INT_TAG, _Constructor.construct_yaml_int)  # type: ignore[type-var]
_Constructor.add_constructor(_FLOAT_TAG, _Constructor.construct_yaml_float)  # type: ignore[type-var]


class ScenarioLoader(_LimitedComposer, _Parser, _Constructor, _Resolver):
    """Safe, bounded YAML loading; see the module docstring."""

    def __init__(self, stream: str, budget: int = MAX_NODES, limit: int = MAX_NODES) -> None:
        _Parser.__init__(self, stream)
        Composer.__init__(self)
        _Constructor.__init__(self)
        _Resolver.__init__(self)
        self._start_limits(budget, limit)


def compose(
    text: str, budget: int = MAX_NODES, limit: int = MAX_NODES
) -> tuple[Node | None, Any, int]:
    """Parse ``text`` once: its node tree (for lines), its data and its expanded size.

    At most ``budget`` values (what the other files of an extends chain left of the
    ``limit`` that errors name). Returns ``(None, None, 0)`` for an empty document.
    """
    loader = ScenarioLoader(text, budget, limit)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None, 0
        try:
            data = loader.construct_document(node)
        except YamlValueError as exc:
            exc.root = node
            raise
        return node, data, loader._count
    finally:
        loader.dispose()


def load_value(text: str, budget: int = MAX_NODES) -> Any:
    """The data of one small YAML text (a ``--set`` or ``--grid`` value)."""
    return compose(text, budget)[1]


__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "ScenarioLoader",
    "YamlLimitError",
    "YamlValueError",
    "compose",
    "load_value",
]
