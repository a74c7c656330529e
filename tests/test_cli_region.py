"""``anwsim init``, ``diff``, ``schema`` and ``show --only``, run as a planner runs them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from anwsim.cli import main
from anwsim.scenario import load_scenario, scenario_hash

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((REPO / "scenarios").glob("*.yaml"))

AREAS_CSV = """id,name,population,latitude,longitude,zone
borsele,Borsele,23000,51.474,3.812,north
goes,Goes,39000,51.504,3.888,north
hulst,Hulst,28000,51.280,4.053,south
middelburg,Middelburg,50000,51.499,3.614,north
terneuzen,Terneuzen,55013,51.336,3.828,south
"""
SITES_CSV = """id,name,kind,latitude,longitude,zone
sp_goes,Spoedpost Goes,integrated_post,51.491,3.879,north
hap_terneuzen,HAP Terneuzen,gp_post,51.324,3.825,south
seh_terneuzen,SEH Terneuzen,seh,51.324,3.825,south
amb_goes,Ambulancepost Goes,ambulance_station,51.504,3.888,north
amb_terneuzen,Ambulancepost Terneuzen,ambulance_station,51.336,3.828,south
"""


def run(*args: str) -> Any:
    return CliRunner().invoke(main, [str(a) for a in args])


def one_error_line(result: Any) -> str:
    """The single line a user mistake prints, after checking exit status 2."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def csvs(tmp_path: Path) -> tuple[Path, Path]:
    areas, sites = tmp_path / "areas.csv", tmp_path / "sites.csv"
    areas.write_text(AREAS_CSV, encoding="utf-8")
    sites.write_text(SITES_CSV, encoding="utf-8")
    return areas, sites


# --------------------------------------------------------------------------- init


def test_init_writes_a_scenario_that_validates(tmp_path: Path, csvs: tuple[Path, Path]) -> None:
    areas, sites = csvs
    target = tmp_path / "zeeland"
    result = run("init", target, "--areas", areas, "--sites", sites, "--name", "Regio Zee")
    assert result.exit_code == 0, result.output
    written = target / "scenario.yaml"
    s = load_scenario(written)
    assert result.stdout.splitlines()[0] == (
        f"wrote {written}: Regio Zee, 5 areas, 195,013 inhabitants, 2 GP posts, 2 SEHs, "
        f"2 ambulance stations (hash {scenario_hash(s)[:12]})"
    )
    checked = run("validate", written)
    assert checked.exit_code == 0
    assert checked.stdout == f"ok: {written} (Regio Zee, hash {scenario_hash(s)[:12]})\n"
    assert s.sites.integrated_posts["sp_goes"].gp_post == "sp_goes_hap"
    assert [c.zones for c in s.travel.crossings] == [["north", "south"]]


def test_init_names_the_scenario_after_the_directory(
    tmp_path: Path, csvs: tuple[Path, Path]
) -> None:
    result = run("init", tmp_path / "Regio Oost", "--areas", csvs[0], "--sites", csvs[1])
    assert result.exit_code == 0, result.output
    assert load_scenario(tmp_path / "Regio Oost" / "scenario.yaml").name == "Regio Oost"


def test_init_never_overwrites(tmp_path: Path, csvs: tuple[Path, Path]) -> None:
    target = tmp_path / "r"
    target.mkdir()
    (target / "scenario.yaml").write_text("mine\n", encoding="utf-8")
    line = one_error_line(run("init", target, "--areas", csvs[0], "--sites", csvs[1]))
    assert line == (
        f"error: {target / 'scenario.yaml'}: the file exists; anwsim init never overwrites "
        "a file: remove it or give another directory"
    )
    assert (target / "scenario.yaml").read_text(encoding="utf-8") == "mine\n"


def test_init_reads_dutch_excel_csvs(tmp_path: Path, csvs: tuple[Path, Path]) -> None:
    areas = tmp_path / "areas_nl.csv"
    areas.write_text(AREAS_CSV.replace(",", ";").replace(".", ","), encoding="utf-8")
    sites = tmp_path / "sites_nl.csv"
    sites.write_text(SITES_CSV.replace(",", ";").replace(".", ","), encoding="utf-8")
    result = run("init", tmp_path / "nl", "--areas", areas, "--sites", sites)
    assert result.exit_code == 0, result.output
    s = load_scenario(tmp_path / "nl" / "scenario.yaml")
    assert s.sites.gp_posts["hap_terneuzen"].latitude == 51.324
    assert s.region.areas["goes"].longitude == 3.888


def test_init_points_at_the_csv_row(tmp_path: Path, csvs: tuple[Path, Path]) -> None:
    sites = tmp_path / "bad_sites.csv"
    sites.write_text(SITES_CSV.replace("51.504,3.888,north", "95.0,3.888,north"), "utf-8")
    line = one_error_line(run("init", tmp_path / "x", "--areas", csvs[0], "--sites", sites))
    assert line.startswith(
        f"error: {sites}:5: sites.ambulance_stations.amb_goes.latitude: Input should be less "
        "than or equal to 90"
    )
    assert line.endswith("(nothing written)")
    assert not (tmp_path / "x" / "scenario.yaml").exists()


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ("x,X,hospital,51,4,north", "sites.csv:7: sites: column 'kind': 'hospital' is not a site"),
        ("x,X,seh,51,4,north,7", "sites.csv:7: sites: the row has 7 cell(s)"),
        ("goes,X,seh,51,4,north", "sites.csv:7: sites: site id 'goes' is also an area id"),
    ],
)
def test_init_refuses_bad_sites(
    tmp_path: Path, csvs: tuple[Path, Path], row: str, words: str
) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text(SITES_CSV + row + "\n", "utf-8")
    line = one_error_line(run("init", tmp_path / "x", "--areas", csvs[0], "--sites", sites))
    assert words in line


def test_init_needs_its_csvs(tmp_path: Path, csvs: tuple[Path, Path]) -> None:
    line = one_error_line(
        run("init", tmp_path / "x", "--areas", tmp_path / "nope.csv", "--sites", csvs[1])
    )
    assert line == f"error: --areas: region.areas_csv: CSV file not found: {tmp_path / 'nope.csv'}"


# --------------------------------------------------------------------------- diff


def test_diff_lists_what_a_variant_changes(repo_root: Path) -> None:
    base, s6 = (
        repo_root / "scenarios" / "baseline.yaml",
        repo_root / "scenarios" / "s6_skill_mix.yaml",
    )
    result = run("diff", base, s6)
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    a, b = load_scenario(base), load_scenario(s6)
    assert lines[0].startswith(f"{len(lines) - 1} differences: {base} (hash ")
    assert f"→ {s6} (hash {scenario_hash(b)[:12]})" in lines[0]
    assert '  name: "Regio Voorbeeld" → ' + json.dumps(b.name) in lines
    assert "  rosters.hap_a.gp_consult[1].staff: 3 → 2" in lines
    added = [line for line in lines if line.startswith("+ rosters.hap_a.nurse_practitioner")]
    assert added == [
        "+ rosters.hap_a.nurse_practitioner: "
        + json.dumps(b.model_dump(mode="json")["rosters"]["hap_a"]["nurse_practitioner"])
    ]
    assert a.rosters["hap_a"]["gp_consult"][1].staff == 3


def test_diff_json_and_removed_keys(repo_root: Path) -> None:
    base, s6 = (
        repo_root / "scenarios" / "baseline.yaml",
        repo_root / "scenarios" / "s6_skill_mix.yaml",
    )
    result = run("diff", s6, base, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["a"]["hash"] == scenario_hash(load_scenario(s6))
    by_path = {d["path"]: d for d in report["differences"]}
    assert by_path["rosters.hap_a.gp_consult[1].staff"] == {
        "path": "rosters.hap_a.gp_consult[1].staff",
        "steps": ["rosters", "hap_a", "gp_consult", 1, "staff"],
        "change": "changed",
        "a": 2,
        "b": 3,
    }
    removed = by_path["rosters.hap_a.nurse_practitioner"]
    assert removed["change"] == "removed" and "b" not in removed


def test_diff_of_equal_scenarios(baseline_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "same.yaml"
    copy.write_text(f"extends: {baseline_path}\nrun: {{replications: 10}}\n", "utf-8")
    result = run("diff", baseline_path, copy, "--set", "run.seed=7")
    assert result.exit_code == 0
    digest = scenario_hash(load_scenario(copy, ["run.seed=7"]))[:12]
    assert result.stdout == (
        f"no differences: {baseline_path} and {copy} resolve to the same scenario (hash {digest})\n"
    )


def test_diff_with_a_bad_file(baseline_path: Path, tmp_path: Path) -> None:
    line = one_error_line(run("diff", baseline_path, tmp_path / "missing.yaml"))
    assert line == f"error: {tmp_path / 'missing.yaml'}: file not found"


# --------------------------------------------------------------------------- show --only


def test_show_only_prints_one_part(baseline_path: Path, baseline: Any) -> None:
    result = run("show", baseline_path, "--only", "rosters.hap_a")
    assert result.exit_code == 0, result.output
    header, _, body = result.stdout.partition("\n")
    assert header == (
        f"# {baseline_path} resolved; scenario hash {scenario_hash(baseline)}; only rosters.hap_a"
    )
    assert yaml.safe_load(body) == baseline.model_dump(mode="json")["rosters"]["hap_a"]


def test_show_only_a_value_and_a_named_block(baseline_path: Path) -> None:
    value = run("show", baseline_path, "--only", "rosters.hap_a.gp_consult.1.staff")
    assert value.stdout.splitlines()[1:] == ["3"]
    named = run(
        "show",
        baseline_path,
        "--set",
        "rosters.hap_a.gp_consult.0.name=avond",
        "--only",
        "rosters.hap_a.gp_consult.avond",
    )
    assert yaml.safe_load(named.stdout) == {
        "days": ["weekday"],
        "hours": "17:00-23:00",
        "staff": 2,
        "name": "avond",
    }


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("rosters.hap_aa", "rosters.hap_aa: no field 'hap_aa' here (did you mean 'hap_a'?)"),
        ("rosters.hap_a.gp_consult.9", "no item 9 in the list (4 items); give an index 0 to 3"),
        ("name.first", 'name: "Regio Voorbeeld" is a value, with no fields or items below it'),
        ("run..seed", "empty step in the field path"),
    ],
)
def test_show_only_an_unknown_path(baseline_path: Path, path: str, words: str) -> None:
    line = one_error_line(run("show", baseline_path, "--only", path))
    assert line.startswith(f"error: --only {path}: ")
    assert words in line


# --------------------------------------------------------------------------- schema


def _properties(node: Any, where: str = "") -> list[tuple[str, dict[str, Any]]]:
    """Every (path, schema) of a property anywhere in a JSON Schema."""
    found: list[tuple[str, dict[str, Any]]] = []
    if isinstance(node, dict):
        for name, prop in node.get("properties", {}).items():
            found.append((f"{where}.{name}", prop))
        for key, value in node.items():
            found += _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            found += _properties(value, f"{where}[{i}]")
    return found


@pytest.fixture(scope="module")
def schemas() -> dict[str, Any]:
    full = run("schema")
    variant = run("schema", "--variant")
    assert full.exit_code == 0 and variant.exit_code == 0
    return {"full": json.loads(full.stdout), "variant": json.loads(variant.stdout)}


@pytest.mark.parametrize("kind", ["full", "variant"])
def test_every_property_has_a_description(schemas: dict[str, Any], kind: str) -> None:
    properties = _properties(schemas[kind])
    assert len(properties) > 150  # every model's fields, under $defs
    missing = [path for path, prop in properties if not prop.get("description")]
    assert missing == []
    jsonschema.Draft202012Validator.check_schema(schemas[kind])


def test_the_schema_has_standard_bounds(schemas: dict[str, Any]) -> None:
    definitions = schemas["full"]["$defs"]
    assert definitions["StaffBlock"]["properties"]["staff"]["minimum"] == 0
    latitude = definitions["Area"]["properties"]["latitude"]
    assert (latitude["minimum"], latitude["maximum"]) == (-90, 90)
    assert definitions["Area"]["properties"]["population"]["exclusiveMinimum"] == 0
    text = json.dumps(schemas["full"])
    assert '"ge":' not in text and '"le":' not in text and '"gt":' not in text


def _as_editor_reads(path: Path) -> Any:
    """A file as a YAML editor sees it: dates are text."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.name)
def test_the_shipped_scenarios_fit_the_schema(schemas: dict[str, Any], path: Path) -> None:
    data = _as_editor_reads(path)
    schema = schemas["variant" if "extends" in data else "full"]
    errors = [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(data)]
    assert errors == []


def test_the_schema_catches_mistakes(schemas: dict[str, Any], baseline_path: Path) -> None:
    data = _as_editor_reads(baseline_path)
    data["triage"]["redial_percnt"] = 30
    data["rosters"]["hap_a"]["gp_consult"][0]["staff"] = -1
    del data["demand"]
    messages = sorted(
        e.message for e in jsonschema.Draft202012Validator(schemas["full"]).iter_errors(data)
    )
    assert len(messages) == 3
    assert any("'demand' is a required property" in m for m in messages)
    assert any("redial_percnt" in m for m in messages)
    assert any("-1 is less than the minimum of 0" in m for m in messages)
    variant = {"extends": "baseline.yaml", "public_holidays": None, "triage": {"max_redials": 2}}
    assert list(jsonschema.Draft202012Validator(schemas["variant"]).iter_errors(variant)) == []


def test_schema_out_writes_a_file(tmp_path: Path, schemas: dict[str, Any]) -> None:
    target = tmp_path / "anwsim.schema.json"
    result = run("schema", "--out", target)
    assert result.exit_code == 0
    assert result.stdout == f"wrote {target}\n"
    assert json.loads(target.read_text(encoding="utf-8")) == schemas["full"]


def test_the_skeleton_fits_the_schema(
    tmp_path: Path, csvs: tuple[Path, Path], schemas: dict[str, Any]
) -> None:
    assert run("init", tmp_path / "r", "--areas", csvs[0], "--sites", csvs[1]).exit_code == 0
    data = _as_editor_reads(tmp_path / "r" / "scenario.yaml")
    assert list(jsonschema.Draft202012Validator(schemas["full"]).iter_errors(data)) == []
