"""Commands for setting up a region of one's own: ``init``, ``diff`` and ``schema``.

``anwsim init DIR`` writes a scenario skeleton from two CSVs, ``anwsim diff A B`` lists
the resolved fields in which two scenarios differ, ``anwsim schema`` writes the JSON
Schema of a scenario file for an editor. Registered on the ``anwsim`` group in
`anwsim.cli`; like every command, a user mistake is one line ``error: …`` and exit 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from anwsim.cli_errors import echo_safe, user_errors
from anwsim.scenario import ScenarioError, load_scenario, scenario_hash

SCENARIO_FILE = "scenario.yaml"


# --------------------------------------------------------------------------- init


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option(
    "--areas",
    "areas_csv",
    required=True,
    type=click.Path(path_type=Path),
    help="CSV of the region's areas: id, name, population, latitude, longitude[, zone].",
)
@click.option(
    "--sites",
    "sites_csv",
    required=True,
    type=click.Path(path_type=Path),
    help="CSV of its sites: id, name, kind, latitude, longitude[, zone]; kind is gp_post, "
    "seh, integrated_post, triage_centre or ambulance_station.",
)
@click.option("--name", help="The scenario's and region's name (default: DIRECTORY's name).")
@user_errors
def init(directory: Path, areas_csv: Path, sites_csv: Path, name: str | None) -> None:
    """Write DIRECTORY/scenario.yaml: a skeleton for a new region from two CSVs.

    Everything but the region is the baseline's, with its sources; the figures only the
    region knows (opening hours, rosters, triage areas, crossings) are first guesses
    marked REPLACE. It validates as written. An existing file is never overwritten.
    """
    from anwsim.scenario.loading import load_areas_csv, parse_yaml, validate_data
    from anwsim.scenario.skeleton import build_skeleton

    target = directory / SCENARIO_FILE
    _refuse_existing(target)
    areas = load_areas_csv(areas_csv, ("--areas", None))
    sites = _read_sites(sites_csv)
    title = name if name is not None else (directory.resolve().name or "My region")
    skeleton = build_skeleton(
        title, areas, sites, areas_file=str(areas_csv), sites_file=str(sites_csv)
    )
    data, lines, _ = parse_yaml(skeleton.text, str(target))
    try:
        scenario = validate_data(data, skeleton.point_at_csv(lines))
    except ScenarioError as exc:
        raise ScenarioError(
            f"{exc.message} (nothing written)", file=exc.file, line=exc.line, path=exc.path
        ) from None
    _write_new(target, skeleton.text)
    population = scenario.region.population
    echo_safe(
        f"wrote {target}: {scenario.name}, {len(scenario.region.areas)} areas, "
        f"{population:,} inhabitants, {len(scenario.sites.gp_posts)} GP posts, "
        f"{len(scenario.sites.sehs)} SEHs, {len(scenario.sites.ambulance_stations)} "
        f"ambulance stations (hash {scenario_hash(scenario)[:12]})"
    )
    echo_safe(f"next: replace the figures marked REPLACE, then anwsim validate {target}")


def _read_sites(path: Path) -> list[Any]:
    """The sites CSV as `Site` records, read as the scenario loader reads its CSVs
    (``,`` or ``;`` with decimal commas, as Dutch Excel saves)."""
    from anwsim.scenario.side_files import _number, _read_csv
    from anwsim.scenario.skeleton import SITES_COLUMNS, parse_sites

    key = ("sites",)
    table = _read_csv(path, SITES_COLUMNS, ("--sites", None), key)
    rows = []
    for line, row in table.rows:
        cells: dict[str, Any] = dict(row)
        for column in ("latitude", "longitude"):
            cells[column] = _number(
                row[column], float, str(path), line, column, key, table.decimal_comma
            )
        rows.append((line, cells))
    return parse_sites(rows, str(path))


def _refuse_existing(target: Path) -> None:
    if target.exists() or target.is_symlink():
        raise ScenarioError(
            "the file exists; anwsim init never overwrites a file: remove it or give "
            "another directory",
            file=str(target),
        )


def _write_new(target: Path, text: str) -> None:
    """Create ``target`` (and its directory); refuse if it appeared meanwhile."""
    from anwsim.experiment.store import create_exclusively

    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        create_exclusively(target, text.encode("utf-8"))
    except FileExistsError:
        _refuse_existing(target)
        raise
    except OSError as exc:
        raise ScenarioError(
            f"cannot write the file: {exc.strerror or exc}", file=str(target)
        ) from None


# --------------------------------------------------------------------------- diff


def _shown(value: Any, limit: int = 120) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


@click.command("diff")
@click.argument("a", type=click.Path(path_type=Path))
@click.argument("b", type=click.Path(path_type=Path))
@click.option(
    "--set",
    "overrides",
    multiple=True,
    metavar="PATH=VALUE",
    help="Override a field in both scenarios, as compare does (repeatable).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the differences as JSON.")
@user_errors
def diff(a: Path, b: Path, overrides: tuple[str, ...], as_json: bool) -> None:
    """List the fields in which scenarios A and B differ, after extends and defaults.

    One line per field: 'path: A's value → B's value'; '+ path: value' for what only B
    has, '- path: value' for what only A has. Exit status 0 whether or not they differ.
    """
    from anwsim.scenario.tree import differences

    first, second = load_scenario(a, overrides), load_scenario(b, overrides)
    found = differences(first.model_dump(mode="json"), second.model_dump(mode="json"))
    hashes = scenario_hash(first), scenario_hash(second)
    if as_json:
        report = {
            "a": {"file": str(a), "name": first.name, "hash": hashes[0]},
            "b": {"file": str(b), "name": second.name, "hash": hashes[1]},
            "differences": [d.as_dict() for d in found],
        }
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    if not found:
        echo_safe(
            f"no differences: {a} and {b} resolve to the same scenario (hash {hashes[0][:12]})"
        )
        return
    echo_safe(
        f"{len(found)} difference{'s' if len(found) != 1 else ''}: {a} (hash {hashes[0][:12]}) "
        f"→ {b} (hash {hashes[1][:12]})"
    )
    for d in found:
        if d.change == "added":
            echo_safe(f"+ {d.label}: {_shown(d.b)}")
        elif d.change == "removed":
            echo_safe(f"- {d.label}: {_shown(d.a)}")
        else:
            echo_safe(f"  {d.label}: {_shown(d.a)} → {_shown(d.b)}")


# --------------------------------------------------------------------------- schema


@click.command("schema")
@click.option(
    "--out",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the schema to this file (default: print it).",
)
@click.option(
    "--variant",
    is_flag=True,
    help="The schema of a variant file (extends: …): no field required, null allowed.",
)
@user_errors
def schema(out: Path | None, variant: bool) -> None:
    """Print (or write) the JSON Schema of a scenario file, for an editor.

    VS Code with the YAML extension: put '# yaml-language-server: $schema=PATH' on the
    first line of a scenario file for completion, hover help and checks as you type.
    """
    from anwsim.scenario.json_schema import scenario_json_schema

    text = json.dumps(scenario_json_schema(variant=variant), ensure_ascii=False, indent=2)
    if out is None:
        click.echo(text)
        return
    from anwsim.experiment.store import write_bytes

    try:
        write_bytes((text + "\n").encode("utf-8"), out)
    except OSError as exc:
        raise ScenarioError(
            f"cannot write the file: {exc.strerror or exc}", file=str(out)
        ) from None
    echo_safe(f"wrote {out}")
