"""Loading scenario files: extends and deep merge, null deletes, lists replace, --set,
CSV side files and paths relative to the file that names them."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from anwsim.scenario import Scenario, ScenarioError, load_scenario, resolve_data, validate_data
from anwsim.scenario.distributions import Constant, Exponential
from anwsim.scenario.errors import format_path
from anwsim.scenario.loading import deep_merge, parse_override

WriteVariant = Callable[..., Path]
BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


def dump(s: Scenario) -> dict[str, Any]:
    return s.model_dump(mode="json")


# --------------------------------------------------------------------------- extends


def test_child_overriding_one_nested_field_keeps_the_rest(
    write_variant: WriteVariant, baseline: Scenario
) -> None:
    child = load_scenario(
        write_variant(
            """
            run:
              replications: 5
            sites:
              gp_posts:
                hap_a:
                  name: Renamed post
            """
        )
    )
    expected = dump(baseline)
    expected["run"]["replications"] = 5
    expected["sites"]["gp_posts"]["hap_a"]["name"] = "Renamed post"
    del expected["sites"]["gp_posts"]["hap_a"]["names"]  # a new name drops the old names
    assert dump(child) == expected
    assert child.run.seed == baseline.run.seed == 20201103
    assert child.sites.gp_posts["hap_a"].opening == baseline.sites.gp_posts["hap_a"].opening


def test_null_deletes_a_key(write_variant: WriteVariant, baseline: Scenario) -> None:
    assert baseline.sites.sehs["seh_1"].offload_delay is not None
    assert "amb_oostburg" in baseline.rosters
    child = load_scenario(
        write_variant(
            """
            sites:
              sehs:
                seh_1: {offload_delay: null}
            rosters:
              amb_oostburg: null
            """
        )
    )
    assert child.sites.sehs["seh_1"].offload_delay is None
    assert child.sites.sehs["seh_2"].offload_delay == baseline.sites.sehs["seh_2"].offload_delay
    assert "amb_oostburg" not in child.rosters
    assert set(child.rosters) == set(baseline.rosters) - {"amb_oostburg"}


def test_null_restores_a_default(write_variant: WriteVariant) -> None:
    child = load_scenario(write_variant("travel: {noise_cv: null, road_factor: null}\n"))
    assert child.travel.noise_cv == 0.0
    assert child.travel.road_factor == 1.3


def test_lists_replace_rather_than_merge(write_variant: WriteVariant, baseline: Scenario) -> None:
    assert len(baseline.public_holidays) == 12
    child = load_scenario(
        write_variant(
            """
            public_holidays: [2025-12-25]
            sites:
              gp_posts:
                hap_a:
                  opening: [{days: [all], hours: "00:00-24:00"}]
            rosters:
              hap_a:
                gp_consult: [{days: [all], hours: "00:00-24:00", staff: 2}]
            """
        )
    )
    assert [d.isoformat() for d in child.public_holidays] == ["2025-12-25"]
    (block,) = child.sites.gp_posts["hap_a"].opening
    assert (block.days, block.hours) == (["all"], "00:00-24:00")
    (staff,) = child.rosters["hap_a"]["gp_consult"]
    assert staff.staff == 2
    # The other roles of the post are kept: the mapping merged, the list replaced.
    assert child.rosters["hap_a"]["gp_visit"] == baseline.rosters["hap_a"]["gp_visit"]
    # The YAML anchor shared by the three posts is not edited through hap_a.
    assert child.sites.gp_posts["hap_b"].opening == baseline.sites.gp_posts["hap_b"].opening


def test_switching_distribution_kind_replaces_the_old_fields(write_variant: WriteVariant) -> None:
    # The baseline's patience is {kind: exponential, mean_minutes: 8}; merging key by key
    # would leave mean_minutes next to a constant's minutes.
    child = load_scenario(write_variant("triage: {patience_minutes: {kind: constant, minutes: 3}}"))
    assert child.triage.patience_minutes == Constant(kind="constant", minutes=3)


def test_same_kind_distribution_merges_key_by_key(write_variant: WriteVariant) -> None:
    child = load_scenario(write_variant("triage: {patience_minutes: {mean_minutes: 12}}"))
    assert child.triage.patience_minutes == Exponential(kind="exponential", mean_minutes=12)


def test_extends_chain_of_three_files(tmp_path: Path, write_variant: WriteVariant) -> None:
    write_variant(
        """
        name: Middle
        run: {replications: 7, seed: 1}
        gp: {seh_referral_after_visit_percent: 20}
        """,
        name="a/middle.yaml",
    )
    child_path = write_variant(
        """
        description: Grandchild
        run: {seed: 2}
        """,
        name="b/child.yaml",
        extends="../a/middle.yaml",
    )
    child = load_scenario(child_path)
    assert child.name == "Middle"
    assert child.description == "Grandchild"
    assert (child.run.replications, child.run.seed) == (7, 2)
    assert child.gp.seh_referral_after_visit_percent == 20
    assert child.run.horizon_weeks == 52  # from the baseline, two levels up
    assert child.gp.seh_referral_after_consult_percent == 11.3


def test_relative_paths_resolve_from_the_file_that_names_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    region_dir = tmp_path / "region"
    (region_dir / "data").mkdir(parents=True)
    (region_dir / "data" / "areas.csv").write_text(
        "id,name,population,latitude,longitude,zone\n"
        "goes,Goes,40000,51.504,3.888,north\n"
        "middelburg,Middelburg,50000,51.499,3.614,north\n"
        "terneuzen,Terneuzen,55000,51.336,3.828,south\n",
        encoding="utf-8",
    )
    to_baseline = os.path.relpath(BASELINE, region_dir)
    assert to_baseline.startswith("..")
    (region_dir / "parent.yaml").write_text(
        f"extends: {to_baseline}\nregion:\n  areas_csv: data/areas.csv\n", encoding="utf-8"
    )
    variants = tmp_path / "variants"
    variants.mkdir()
    (variants / "child.yaml").write_text(
        "extends: ../region/parent.yaml\nrun: {replications: 3}\n", encoding="utf-8"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # nothing may be resolved from the working directory
    s = load_scenario(variants / "child.yaml")
    assert list(s.region.areas) == ["goes", "middelburg", "terneuzen"]
    assert s.region.population == 145000
    assert s.region.areas["terneuzen"].zone == "south"
    assert s.region.areas["goes"].latitude == 51.504
    assert s.run.replications == 3


def test_areas_csv_in_child_replaces_inline_areas(write_variant: WriteVariant) -> None:
    write_variant(
        "id,name,population,latitude,longitude,zone\nx,X,10,51.5,3.6,north\n",
        name="a.csv",
        extends=None,
    )
    path = write_variant(
        "region: {areas_csv: a.csv}\nsites: {triage_centres: {hds: {areas: [x]}}}\n"
    )
    s = load_scenario(path)
    assert list(s.region.areas) == ["x"]
    assert s.region.population == 10
    assert s.region.areas["x"].zone == "north"


def test_error_in_csv_loaded_area_points_at_the_csv_line(write_variant: WriteVariant) -> None:
    write_variant(
        "id,name,population,latitude,longitude\nx,X,0,51.5,3.6\n", name="a.csv", extends=None
    )
    path = write_variant("region:\n  areas_csv: a.csv\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert info.value.path == ("region", "areas", "x", "population")
    assert (info.value.file, info.value.line) == (str(path), 3)


@pytest.mark.parametrize(
    ("csv_text", "line", "words"),
    [
        ("id,name,population,latitude\nx,X,10,51.5\n", 1, "lacks column(s) longitude"),
        ("id,name,population,latitude,longitude\nx,X,10,51.5,east\n", 2, "'longitude'"),
        ("id,name,population,latitude,longitude\nx,X,1,51,3\nx,Y,1,51,3\n", 3, "twice"),
        ("id,name,population,latitude,longitude\n", None, "no rows"),
    ],
)
def test_bad_areas_csv(
    write_variant: WriteVariant, csv_text: str, line: int | None, words: str
) -> None:
    csv_path = write_variant(csv_text, name="a.csv", extends=None)
    with pytest.raises(ScenarioError) as info:
        load_scenario(write_variant("region: {areas_csv: a.csv}\n"))
    err = info.value
    assert (err.file, err.line, err.path) == (str(csv_path), line, ("region", "areas_csv"))
    assert words in err.message
    assert "variant.yaml" in str(err)  # the scenario being loaded is named too


def test_missing_csv_points_at_the_line_that_names_it(write_variant: WriteVariant) -> None:
    path = write_variant("run: {seed: 3}\ntravel:\n  method: matrix\n  matrix_csv: nowhere.csv\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert (info.value.file, info.value.line) == (str(path), 5)
    assert info.value.path == ("travel", "matrix_csv")
    assert "nowhere.csv" in info.value.message


# --------------------------------------------------------------------------- --set


def test_set_nested_field(baseline_path: Path) -> None:
    s = load_scenario(baseline_path, ["run.replications=5"])
    assert s.run.replications == 5
    assert isinstance(s.run.replications, int)


def test_set_list_item_does_not_leak_through_yaml_anchor(
    baseline_path: Path, baseline: Scenario
) -> None:
    s = load_scenario(baseline_path, ["sites.gp_posts.hap_a.opening.0.hours=18:00-08:00"])
    assert s.sites.gp_posts["hap_a"].opening[0].hours == "18:00-08:00"
    assert s.sites.gp_posts["hap_a"].opening[1] == baseline.sites.gp_posts["hap_a"].opening[1]
    for other in ("hap_b", "hap_c"):
        assert s.sites.gp_posts[other].opening[0].hours == "17:00-08:00"
        assert s.sites.gp_posts[other].opening == baseline.sites.gp_posts[other].opening
    # The same holds for the anchored offload delay of the two SEHs.
    s = load_scenario(baseline_path, ["sites.sehs.seh_2.offload_delay.percent=3"])
    assert s.sites.sehs["seh_2"].offload_delay.percent == 3  # type: ignore[union-attr]
    assert s.sites.sehs["seh_1"].offload_delay.percent == 7.7  # type: ignore[union-attr]


def test_resolved_data_shares_no_containers(baseline_path: Path) -> None:
    data, _ = resolve_data(baseline_path)
    posts = data["sites"]["gp_posts"]
    assert posts["hap_a"]["opening"] == posts["hap_b"]["opening"]
    assert posts["hap_a"]["opening"] is not posts["hap_b"]["opening"]
    assert posts["hap_a"]["opening"][0] is not posts["hap_b"]["opening"][0]


def test_set_several_and_typed_values(baseline_path: Path) -> None:
    s = load_scenario(
        baseline_path,
        [
            "run.seed=42",
            "ambulance.dispatch_while_returning=false",
            "demand.seasonal_factors=[2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
            "description=a text with = sign",
            "triage.patience_minutes={kind: constant, minutes: 4}",
        ],
    )
    assert s.run.seed == 42
    assert s.ambulance.dispatch_while_returning is False
    assert s.demand.seasonal_factors[0] == 2.0
    assert s.description == "a text with = sign"
    assert s.triage.patience_minutes == Constant(kind="constant", minutes=4)


def test_set_null_deletes(baseline_path: Path) -> None:
    s = load_scenario(baseline_path, ["sites.sehs.seh_1.offload_delay=null"])
    assert s.sites.sehs["seh_1"].offload_delay is None


def test_later_set_wins(baseline_path: Path) -> None:
    s = load_scenario(baseline_path, ["run.seed=1", "run.seed=2"])
    assert s.run.seed == 2


def test_set_with_a_typo_names_the_path(baseline_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(baseline_path, ["run.replicatons=5"])
    err = info.value
    assert err.path == ("run", "replicatons")
    assert err.file == "--set run.replicatons=5"
    assert "did you mean 'replications'" in err.message
    assert str(err).startswith("--set run.replicatons=5: run.replicatons: unknown field")
    assert str(baseline_path) in str(err)


@pytest.mark.parametrize(
    ("override", "path"),
    [
        ("sites.gp_posts.hap_a.opening.7.hours=18:00-08:00", "sites.gp_posts.hap_a.opening[7]"),
        ("sites.gp_posts.hap_a.opening.x.hours=18:00-08:00", "sites.gp_posts.hap_a.opening.x"),
        ("rosters.hds.triagist.0.staff=-1", "rosters.hds.triagist[0].staff"),
    ],
)
def test_set_bad_list_step_names_the_path(baseline_path: Path, override: str, path: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(baseline_path, [override])
    assert format_path(info.value.path or ()) == path


@pytest.mark.parametrize("override", ["run.replications", "run..seed=1", "=3"])
def test_set_malformed(baseline_path: Path, override: str) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(baseline_path, [override])
    assert "--set" in str(info.value)


def test_parse_override() -> None:
    assert parse_override("run.replications=5") == (["run", "replications"], 5)
    assert parse_override("a.0.b=x=y") == (["a", 0, "b"], "x=y")
    assert parse_override("a.b=") == (["a", "b"], "")
    assert parse_override("a=[1, 2]") == (["a"], [1, 2])


# --------------------------------------------------------------------------- merge and errors


def test_deep_merge_rules() -> None:
    base = {"a": {"x": 1, "y": [1, 2], "z": {"k": 1}}, "b": 2}
    over = {"a": {"y": [3], "z": None, "w": {"n": None, "m": 1}}, "b": None, "c": 3}
    # null deletes what the base set; where the base has nothing, null is a value
    assert deep_merge(base, over) == {"a": {"x": 1, "y": [3], "w": {"n": None, "m": 1}}, "c": 3}
    assert base == {"a": {"x": 1, "y": [1, 2], "z": {"k": 1}}, "b": 2}  # not mutated


def test_validate_data_without_lines() -> None:
    with pytest.raises(ScenarioError) as info:
        validate_data({"name": "x"})
    assert info.value.file == "<scenario>"
    assert info.value.path == ("region",)
    assert "required field is missing" in str(info.value)
    assert "more problems" in str(info.value)


def test_error_in_parent_names_both_files(write_variant: WriteVariant) -> None:
    path = write_variant("rosters: {hap_b: null}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    err = info.value
    assert err.file == str(BASELINE)
    assert err.line is not None and err.line > 1
    assert err.path == ("sites", "gp_posts", "hap_b", "opening")
    assert str(err).endswith(f"(loading {path})")


def test_errors_in_the_loaded_file_do_not_repeat_it(write_variant: WriteVariant) -> None:
    path = write_variant("run: {seed: -1}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert str(info.value) == (
        f"{path}:2: run.seed: Input should be greater than or equal to 0 (got -1)"
    )


def test_scenario_is_immutable(baseline: Scenario) -> None:
    with pytest.raises(Exception, match="frozen"):
        baseline.run.seed = 1  # type: ignore[misc]


def test_format_path() -> None:
    assert format_path(("sites", "gp_posts", "a", "opening", 0, "hours")) == (
        "sites.gp_posts.a.opening[0].hours"
    )
    assert format_path(()) == "(top level)"


def test_yaml_alias_bomb_is_refused_quickly(tmp_path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdef", "bcdefg", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(ScenarioError, match="expands to more than"):
        load_scenario(path)


def test_extends_paths_are_normalised_in_errors(tmp_path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "base.yaml").write_text("name: x\nbogus: 1\n")
    child = tmp_path / "sub" / "child.yaml"
    child.write_text("extends: ../base.yaml\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child)
    assert "/../" not in str(info.value)


def test_an_error_inside_a_value_set_by_set_points_at_the_set(baseline_path: Path) -> None:
    """A --set that replaces a whole mapping owns everything under it: an error inside the
    new value names the --set, not the line of the file it replaced."""
    override = "gp.consult_minutes.default={kind: exponential, mean_minutes: 1e308}"
    with pytest.raises(ScenarioError) as caught:
        load_scenario(baseline_path, [override])
    error = caught.value
    assert error.file == f"--set {override}" and error.line is None
    assert error.path == ("gp", "consult_minutes", "default", "mean_minutes")
    assert "at most 525,960" in error.message
