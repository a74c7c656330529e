"""The JSON Schema of a scenario file, for editors (``anwsim schema``).

It is pydantic's schema of `Scenario` (every field described by its docstring), made
to fit the *files* planners write: the file-only keys (``extends`` and the side CSVs,
`FILE_KEYS`) are allowed, ``region.areas`` may be ``areas_csv`` instead, a GP post's
``opening`` may come from ``sites.opening_csv``; pydantic's bounds ``ge``, ``gt``,
``le``, ``lt`` become JSON Schema's ``minimum``, ``exclusiveMinimum``, ``maximum``,
``exclusiveMaximum``; descriptions are one paragraph per blank line. A variant file
(``extends: …``) gives only what it changes, and null removes a key, so its schema
(``variant=True``) requires nothing and allows null everywhere. Cross-field checks and
the upper plausibility bounds are left to ``anwsim validate``.
"""

from __future__ import annotations

import re
from typing import Any

from anwsim.scenario.schema import Scenario

DRAFT = "https://json-schema.org/draft/2020-12/schema"

_BOUNDS = {
    "ge": "minimum",
    "gt": "exclusiveMinimum",
    "le": "maximum",
    "lt": "exclusiveMaximum",
}

DISTRIBUTION_MODELS = ("Constant", "Exponential", "Lognormal", "Gamma", "Triangular", "Empirical")
"""The duration distributions of `anwsim.scenario.distributions`."""

DISTRIBUTION_FIELDS = {
    "kind": "The distribution: constant, exponential, lognormal, gamma, triangular or empirical.",
    "minutes": "The duration, 0 to one year (525,960 minutes).",
    "mean_minutes": "Mean duration in minutes: above 0, at most one year.",
    "sd_minutes": "Standard deviation of the duration itself (not of its logarithm), in "
    "minutes: 1e-6 to 100 times the mean.",
    "min_minutes": "Shortest duration, 0 to one year.",
    "mode_minutes": "Most likely duration, from min_minutes to max_minutes.",
    "max_minutes": "Longest duration, 0 to one year; above min_minutes.",
    "values_minutes": "Observed durations (1 to 100,000 values, each 0 to one year).",
    "weights": "Relative weight of each value (0 to 1e9, a positive sum); equal if omitted.",
}
"""Descriptions of the distribution fields, which have no docstrings of their own: used
only where a field of a distribution model has no description."""


def _file(description: str) -> dict[str, Any]:
    return {"type": "string", "description": description}


FILE_KEYS: dict[str, dict[str, dict[str, Any]]] = {
    "Scenario": {
        "extends": _file(
            "A scenario file (relative to this one) that this file changes: mappings "
            "merge key by key, lists are replaced, null removes a key."
        ),
        "rosters_csv": _file(
            "A CSV file (relative to this one) of roster blocks, one per row: columns "
            "site, role, days, hours, staff[, name]; combined with rosters."
        ),
    },
    "Region": {
        "areas_csv": _file(
            "A CSV file (relative to this one) with columns id, name, population, "
            "latitude, longitude[, zone], instead of areas."
        ),
    },
    "Sites": {
        "opening_csv": _file(
            "A CSV file (relative to this one) of opening hours of GP posts and SEHs, one "
            "block per row: columns site, days, hours; a site's rows are its opening."
        ),
    },
    "Demand": {
        "profiles_csv": _file(
            "A CSV file (relative to this one) of demand profiles: per day (profile, day, "
            "0 … 23) or per hour of the week (profile, hour_of_week, weight)."
        ),
    },
    "Travel": {
        "matrix_csv": _file(
            "A CSV file (relative to this one) with columns from, to, minutes: the travel "
            "matrix of method 'matrix'."
        ),
    },
}
"""Keys of a scenario *file* that loading replaces by what they name (per model)."""


def _one_paragraph_per_blank_line(text: str) -> str:
    """Docstring line breaks joined, blank lines kept: editors reflow the text."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n\n".join(" ".join(p.split()) for p in paragraphs)


def _tidy(node: Any, variant: bool) -> Any:
    """Standard bound keywords, tidy descriptions and (for a variant) nothing required,
    everywhere below ``node``."""
    if isinstance(node, list):
        return [_tidy(item, variant) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    numeric = node.get("type") in ("number", "integer")
    for key, value in node.items():
        if key == "properties":  # property names are field names, not keywords
            out[key] = {name: _property(schema, variant) for name, schema in value.items()}
        elif numeric and key in _BOUNDS:
            out[_BOUNDS[key]] = value
        elif key == "description" and isinstance(value, str):
            out[key] = _one_paragraph_per_blank_line(value)
        elif key == "required" and variant:
            continue
        else:
            out[key] = _tidy(value, variant)
    return out


def _property(schema: dict[str, Any], variant: bool) -> dict[str, Any]:
    """A property's schema, tidied; in a variant it may also be null (null removes the
    key that the extended file set)."""
    tidy = _tidy(schema, variant)
    if not variant:
        return tidy
    described = {k: tidy.pop(k) for k in ("description", "title") if k in tidy}
    return {"anyOf": [tidy, {"type": "null"}], **described}


def scenario_json_schema(variant: bool = False) -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file; ``variant``: of a file that
    ``extends`` another and so may leave out any field."""
    schema = Scenario.model_json_schema()
    definitions = schema["$defs"]
    for name in DISTRIBUTION_MODELS:
        for field, prop in definitions[name]["properties"].items():
            if "description" not in prop and field in DISTRIBUTION_FIELDS:
                prop["description"] = DISTRIBUTION_FIELDS[field]
    for model, keys in FILE_KEYS.items():
        target = schema if model == "Scenario" else definitions[model]
        target["properties"].update(keys)
    region = definitions["Region"]
    region["required"] = [r for r in region.get("required", []) if r != "areas"]
    if not variant:
        region["oneOf"] = [{"required": ["areas"]}, {"required": ["areas_csv"]}]
    schema["properties"]["public_holidays"].pop("default", None)  # not []: the Dutch ones
    post = definitions["GpPost"]  # its opening may come from sites.opening_csv
    post["required"] = [r for r in post.get("required", []) if r != "opening"]
    schema = _tidy(schema, variant)
    title = "anwsim scenario variant (extends another file)" if variant else "anwsim scenario"
    return {"$schema": DRAFT, "title": title, **{k: v for k, v in schema.items() if k != "title"}}
