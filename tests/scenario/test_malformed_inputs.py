"""Hundreds of malformed scenarios, generated from the shipped ones, through the real CLI.

A generator walks the resolved data of a few shipped scenarios alongside the schema's
pydantic models and writes variants, each with one thing wrong: a required field deleted
(``model_fields[...].is_required()``), an unknown key, a value of the wrong kind (text for
a number, a number for text, a list for a mapping, a mapping for a list, ``true`` for a
number), NaN, ±inf, 1e30 and 2**70 for numbers (every number has a finite bound below
those), unicode, control characters and 5,000-character strings for names and ids,
empty lists and mappings.

Mutations are of two sorts:

* *invalid by construction* (``sure``): no value of the schema can take them; every one
  must be refused;
* *perhaps valid* (``maybe``: 0 or -1 for a number, an empty list, a deleted optional
  field, a unicode name, …): validated in process first (`load_scenario`, which must
  raise `ScenarioError` or nothing else); the CLI must agree with it on each.

Then ``anwsim validate`` runs over all files in a few processes of ~150 files each, and
every invalid file must get exactly one ``error: FILE…`` line on stderr, exit status 2,
no traceback, quickly.
"""

from __future__ import annotations

import datetime as dt
import math
import pickle
import random
import subprocess
import sys
import time
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from anwsim.scenario import Scenario, ScenarioError
from anwsim.scenario.loading import load_scenario, resolve_data

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("baseline", "s1_spoedposten", "s4_zcc", "s6_skill_mix", "s8_offload_delay")
"""Shipped scenarios the variants come from (all but the baseline extend it)."""

MAX_VARIANTS = 760
BATCH = 150
MIN_INVALID = 600
SEED = 20250106

Key = tuple[str | int, ...]
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


# --------------------------------------------------------------------------- the schema's shape


def _strip(annotation: Any) -> Any:
    while typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return annotation


def _members(annotation: Any) -> list[Any]:
    """The alternatives of a (possibly annotated, possibly nested) union."""
    annotation = _strip(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _members(a)]
    return [annotation]


def _is_model(member: Any) -> bool:
    return isinstance(member, type) and issubclass(member, BaseModel)


def _model_for(annotation: Any, value: dict[str, Any]) -> type[BaseModel] | None:
    """The model of a union that a mapping value is an instance of (by ``kind``, or by
    its keys), or None if the value is a plain mapping."""
    models = [m for m in _members(annotation) if _is_model(m)]
    for model in models:
        kind = model.model_fields.get("kind")
        if kind is not None:
            if value.get("kind") in typing.get_args(_strip(kind.annotation)):
                return model
        elif set(value) <= set(model.model_fields):
            return model
    return None


def _container(annotation: Any, origin: type) -> Any:
    for member in _members(annotation):
        if typing.get_origin(member) is origin:
            return member
    return None


def _scalar_kinds(annotation: Any) -> set[str]:
    """What a leaf may be: number, text, literal, flag, date, none."""
    kinds = set()
    for member in _members(annotation):
        if member is bool:
            kinds.add("flag")
        elif member in (int, float):
            kinds.add("number")
        elif member is str:
            kinds.add("text")
        elif member is dt.date:
            kinds.add("date")
        elif member is type(None):
            kinds.add("none")
        elif typing.get_origin(member) is typing.Literal:
            kinds.add("literal")
        elif typing.get_origin(member) in (list, dict) or _is_model(member):
            kinds.add("container")
    return kinds


@dataclass
class Node:
    path: Key
    general: tuple[str, ...]  # the path with ids and indices generalised, for de-duplication
    kind: str  # model, mapping, sequence, leaf
    value: Any
    annotation: Any
    model: type[BaseModel] | None = None
    key_annotation: Any = None


def walk(
    annotation: Any, value: Any, path: Key = (), general: tuple[str, ...] = ()
) -> Iterator[Node]:
    """Every node of the data, with the schema type it is validated against."""
    if isinstance(value, dict):
        model = _model_for(annotation, value)
        if model is not None:
            yield Node(path, general, "model", value, annotation, model=model)
            for key, child in value.items():
                info = model.model_fields.get(key)
                if info is not None:
                    yield from walk(info.annotation, child, (*path, key), (*general, key))
            return
        mapping = _container(annotation, dict)
        if mapping is not None:
            key_ann, value_ann = typing.get_args(mapping)
            yield Node(path, general, "mapping", value, annotation, key_annotation=key_ann)
            literal_keys = "literal" in _scalar_kinds(key_ann) and "text" not in _scalar_kinds(
                key_ann
            )
            for key, child in value.items():
                step = str(key) if literal_keys else "*"
                yield from walk(value_ann, child, (*path, key), (*general, step))
            return
    if isinstance(value, list):
        sequence = _container(annotation, list)
        if sequence is not None:
            yield Node(path, general, "sequence", value, annotation)
            (item_ann,) = typing.get_args(sequence)
            for i, child in enumerate(value):
                yield from walk(item_ann, child, (*path, i), (*general, "#"))
            return
    yield Node(path, general, "leaf", value, annotation)


# --------------------------------------------------------------------------- mutations

DELETE = object()
"""A mutation value: remove the key (or list item)."""

LONG = "x" * 5000
CONTROL = "bad\x00value\x1b[31m"
NEWLINE = "two\nlines"


@dataclass
class Mutation:
    name: str
    path: Key
    value: Any  # the new value, or DELETE
    sure: bool  # invalid by construction
    add_key: str | None = None  # for a new key in a mapping: the key


@dataclass
class Variant:
    source: str
    mutation: Mutation
    file: Path
    outcome: str = ""  # "error" or "ok" (in process, for maybes and the sample)
    cli: str = ""  # the CLI's line
    extras: list[str] = field(default_factory=list)


def _number_mutations(node: Node) -> Iterator[tuple[str, Any, bool]]:
    for name, value in (
        ("nan", math.nan),
        ("inf", math.inf),
        ("-inf", -math.inf),
        ("1e30", 1e30),
        ("2**70", 2**70),
        ("-1e30", -1e30),
        ("true", True),
        ("false", False),
        ("text", "twelve"),
        ("list", [1, 2]),
        ("mapping", {"value": 1}),
    ):
        yield name, value, True
    yield "-1", -1, False
    yield "0", 0, False
    yield "half", 0.5, False


def _text_mutations(node: Node, free: bool) -> Iterator[tuple[str, Any, bool]]:
    for name, value in (
        ("5000 chars", LONG),
        ("control chars", CONTROL),
        ("newline", NEWLINE),
        ("number", 42),
        ("true", True),
        ("list", ["a", "b"]),
        ("mapping", {"a": 1}),
        ("date", dt.date(2025, 1, 6)),
        ("bidi override", "\u202eevil"),
    ):
        yield name, value, True
    if not free:  # a choice from a list: anything else is wrong
        yield "not a choice", "zz_not_a_choice", True
        yield "unicode", "Zoë 🚑", True
    else:
        yield "unknown", "zz_unknown", False
        yield "unicode", "Zoë 🚑 ’s-Hertogenbosch", False
        yield "empty", "", False


def _flag_mutations() -> Iterator[tuple[str, Any, bool]]:
    for name, value in (
        ("one", 1),
        ("zero", 0),
        ("text", "yes please"),
        ("list", [True]),
        ("mapping", {"a": True}),
        ("nan", math.nan),
    ):
        yield name, value, True


def _date_mutations() -> Iterator[tuple[str, Any, bool]]:
    for name, value in (
        ("year 9999", dt.date(9999, 12, 27)),
        ("year 1", dt.date(1, 1, 1)),
        ("1899", dt.date(1899, 12, 25)),
        ("number", 20250106),
        ("true", True),
        ("text", "next monday"),
        ("list", [dt.date(2025, 1, 6)]),
    ):
        yield name, value, True
    yield "tuesday", dt.date(2025, 1, 7), False


def mutations(node: Node) -> Iterator[Mutation]:
    path = node.path
    if node.kind == "model":
        assert node.model is not None
        yield Mutation("unknown key", (*path, "zz_unknown_key"), 1, True)
        for name, info in node.model.model_fields.items():
            if name in node.value:
                yield Mutation(
                    f"delete {'required' if info.is_required() else 'optional'} {name}",
                    (*path, name),
                    DELETE,
                    info.is_required(),
                )
        if path:
            required = any(i.is_required() for i in node.model.model_fields.values())
            yield Mutation("empty mapping", path, {}, required)
            yield Mutation("list for mapping", path, [1, 2], True)
            yield Mutation("number for mapping", path, 42, True)
            yield Mutation("text for mapping", path, "zz_text", True)
        return
    if node.kind == "mapping":
        sample = next(iter(node.value.values()), 1)
        yield Mutation(
            "key of 100 chars", (*path,), pickle.loads(pickle.dumps(sample)), True, "k" * 100
        )
        yield Mutation(
            "key with spaces", (*path,), pickle.loads(pickle.dumps(sample)), True, "no such key!"
        )
        yield Mutation(
            "key with newline", (*path,), pickle.loads(pickle.dumps(sample)), True, "a\nb"
        )
        yield Mutation("new key", (*path,), pickle.loads(pickle.dumps(sample)), False, "zz_new")
        yield Mutation("empty mapping", path, {}, False)
        yield Mutation("list for mapping", path, [1, 2], True)
        yield Mutation("number for mapping", path, 42, True)
        return
    if node.kind == "sequence":
        yield Mutation("mapping for list", path, {"a": 1}, True)
        yield Mutation("number for list", path, 42, True)
        yield Mutation("empty list", path, [], False)
        if node.value:
            yield Mutation("one more item", path, [*node.value, node.value[-1]], False)
            yield Mutation("list in list", path, [node.value], True)
        return
    kinds = _scalar_kinds(node.annotation)
    if "container" in kinds:  # a leaf where a container is allowed too (``areas: all``)
        kinds.discard("container")
    if kinds <= {"number", "none"} and "number" in kinds:
        produced = _number_mutations(node)
    elif "text" in kinds:
        produced = _text_mutations(node, free=True)
    elif "literal" in kinds and kinds <= {"literal", "none"}:
        produced = _text_mutations(node, free=False)
    elif kinds == {"flag"}:
        produced = _flag_mutations()
    elif kinds == {"date"}:
        produced = _date_mutations()
    else:  # e.g. a literal or a container (``areas: all``): only the safe ones
        produced = iter([("number", 42, True), ("true", True, True)])
    for name, value, sure in produced:
        yield Mutation(name, path, value, sure)


def apply(data: dict[str, Any], mutation: Mutation) -> dict[str, Any]:
    out = pickle.loads(pickle.dumps(data))
    node: Any = out
    for part in mutation.path[:-1] if mutation.add_key is None else mutation.path:
        node = node[part]
    if mutation.add_key is not None:
        node[mutation.add_key] = mutation.value
    elif mutation.value is DELETE:
        del node[mutation.path[-1]]
    elif mutation.path:
        node[mutation.path[-1]] = mutation.value
    return out


def generate(directory: Path) -> list[Variant]:
    """Write the variants into ``directory``; each general path and mutation once."""
    candidates: list[tuple[str, dict[str, Any], Mutation]] = []
    seen: set[tuple[tuple[str, ...], str]] = set()
    for source in SOURCES:
        data, _ = resolve_data(ROOT / "scenarios" / f"{source}.yaml")
        for node in walk(Scenario, data):
            for mutation in mutations(node):
                key = (node.general, mutation.name)
                if key not in seen:
                    seen.add(key)
                    candidates.append((source, data, mutation))
    rng = random.Random(SEED)
    if len(candidates) > MAX_VARIANTS:
        # Keep every invalid-by-construction deletion and unknown key; sample the rest.
        structural = [c for c in candidates if c[2].sure and c[2].value is DELETE]
        rest = [c for c in candidates if not (c[2].sure and c[2].value is DELETE)]
        candidates = structural + rng.sample(rest, MAX_VARIANTS - len(structural))
    variants = []
    for i, (source, data, mutation) in enumerate(candidates):
        file = directory / f"v{i:04d}.yaml"
        text = yaml.dump(apply(data, mutation), Dumper=Dumper, sort_keys=False, allow_unicode=True)
        file.write_text(text, encoding="utf-8")
        variants.append(Variant(source, mutation, file))
    return variants


# --------------------------------------------------------------------------- running them


@dataclass
class Run:
    variants: list[Variant]
    seconds_generate: float
    seconds_in_process: float
    seconds_cli: float
    batches: list[tuple[int, int, str, str]]  # (size, exit status, stdout, stderr)


def _in_process(variant: Variant) -> str:
    try:
        load_scenario(variant.file)
    except ScenarioError:
        return "error"
    return "ok"


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    directory = tmp_path_factory.mktemp("malformed")
    t0 = time.perf_counter()
    variants = generate(directory)
    t1 = time.perf_counter()
    # In process: every perhaps-valid variant, and a sample of the invalid ones.
    for i, variant in enumerate(variants):
        if not variant.mutation.sure or i % 10 == 0:
            variant.outcome = _in_process(variant)  # anything but ScenarioError propagates
    t2 = time.perf_counter()
    batches = []
    for start in range(0, len(variants), BATCH):
        chunk = variants[start : start + BATCH]
        proc = subprocess.run(
            [sys.executable, "-c", "from anwsim.cli import main; main()", "validate"]
            + [str(v.file) for v in chunk],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=directory,
        )
        batches.append((len(chunk), proc.returncode, proc.stdout, proc.stderr))
        by_file = {str(v.file): v for v in chunk}
        for line in proc.stdout.splitlines() + proc.stderr.splitlines():
            if line.startswith("ok: "):
                name = line[4:].split(" (", 1)[0]
            elif line.startswith("error: "):
                name = line[7:].split(":", 1)[0]
            else:
                continue
            variant = by_file.get(name)
            if variant is None:
                continue
            if variant.cli:
                variant.extras.append(line)
            else:
                variant.cli = line
    t3 = time.perf_counter()
    return Run(variants, t1 - t0, t2 - t1, t3 - t2, batches)


def _describe(v: Variant) -> str:
    return f"{v.file.name} ({v.source}: {v.mutation.name} at {v.mutation.path})"


def test_hundreds_of_variants_are_generated(run: Run) -> None:
    sure = [v for v in run.variants if v.mutation.sure]
    assert len(run.variants) >= 650
    assert len(sure) >= MIN_INVALID
    names = {v.mutation.name for v in run.variants}
    for expected in (
        "nan",
        "inf",
        "-inf",
        "1e30",
        "2**70",
        "true",
        "text",
        "list for mapping",
        "mapping for list",
        "5000 chars",
        "control chars",
        "unicode",
        "empty list",
        "empty mapping",
        "unknown key",
        "number",
    ):
        assert expected in names, expected
    assert any(n.startswith("delete required") for n in names)


def test_no_traceback_and_one_line_per_file(run: Run) -> None:
    for size, status, stdout, stderr in run.batches:
        assert "Traceback" not in stdout + stderr
        assert len(stdout.splitlines()) + len(stderr.splitlines()) == size, stderr[-2000:]
        assert all(line.startswith("error: ") for line in stderr.splitlines())
        assert all(line.startswith("ok: ") for line in stdout.splitlines())
        assert status in (0, 2)
    missing = [_describe(v) for v in run.variants if not v.cli]
    assert not missing, missing[:10]
    twice = [_describe(v) for v in run.variants if v.extras]
    assert not twice, twice[:10]


def test_every_invalid_variant_is_refused_with_one_error_line(run: Run) -> None:
    accepted = [_describe(v) for v in run.variants if v.mutation.sure and v.cli.startswith("ok: ")]
    assert not accepted, f"{len(accepted)} invalid variants accepted: {accepted[:20]}"
    invalid = [v for v in run.variants if v.cli.startswith("error: ")]
    assert len(invalid) >= MIN_INVALID
    for v in invalid:
        assert v.cli.startswith(f"error: {v.file}:") or v.cli.startswith(f"error: {v.file} ")
        assert len(v.cli) < 1000, v.cli[:200]  # one readable line, even for 5,000 characters
    for _size, status, _, stderr in run.batches:
        assert status == (2 if stderr else 0)


def test_in_process_and_cli_agree(run: Run) -> None:
    checked = [v for v in run.variants if v.outcome]
    assert len(checked) >= 100
    for v in checked:
        cli = "ok" if v.cli.startswith("ok: ") else "error"
        assert v.outcome == cli, f"{_describe(v)}: in process {v.outcome}, CLI {v.cli[:200]}"
    sure_checked = [v for v in checked if v.mutation.sure]
    assert sure_checked and all(v.outcome == "error" for v in sure_checked)


def test_it_is_quick(run: Run) -> None:
    n = len(run.variants)
    assert run.seconds_cli / n < 0.25, f"{run.seconds_cli:.1f} s for {n} files"
    assert run.seconds_generate + run.seconds_in_process + run.seconds_cli < 60


def test_every_variant_has_one_outcome_and_the_counts_are_logged(
    run: Run, capsys: pytest.CaptureFixture[str]
) -> None:
    """Every variant is either refused or accepted, never both or neither; the counts go
    to the log."""
    n = len(run.variants)
    errors = sum(v.cli.startswith("error: ") for v in run.variants)
    accepted = sum(v.cli.startswith("ok: ") for v in run.variants)
    sure = sum(v.mutation.sure for v in run.variants)
    assert errors + accepted == n
    assert errors >= sure  # every variant invalid by construction is among the refused
    with capsys.disabled():
        print(
            f"\nmalformed inputs: {n} variants ({sure} invalid by construction), "
            f"{errors} refused with one error line, {n - errors} valid; "
            f"generate {run.seconds_generate:.1f} s, in process {run.seconds_in_process:.1f} s, "
            f"CLI {run.seconds_cli:.1f} s in {len(run.batches)} processes"
        )
