"""Roster blocks with a name: addressed by --set and --grid, unique, absent from the hash
when not given."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from anwsim.scenario import Scenario, ScenarioError, canonical_json, load_scenario, scenario_hash
from anwsim.scenario.loading import apply_override, parse_override, validate_data
from anwsim.scenario.timeblocks import StaffBlock

WriteVariant = Callable[..., Path]

NAMED = """
rosters:
  hap_a:
    gp_consult:
      - {name: avond, days: [weekday], hours: "17:00-23:00", staff: 2}
      - {name: weekend_dag, days: [weekend, holiday], hours: "08:00-14:00", staff: 3}
      - {days: [weekend, holiday], hours: "14:00-23:00", staff: 2}
      - {name: nacht, days: [all], hours: "23:00-08:00", staff: 1}
"""


@pytest.fixture
def named(write_variant: WriteVariant) -> Path:
    return write_variant(NAMED, name="named.yaml")


def test_a_block_without_a_name_dumps_as_before(baseline: Scenario) -> None:
    block = StaffBlock(days=["all"], hours="08:00-09:00", staff=1)  # type: ignore[list-item]
    assert block.model_dump(mode="json") == {"days": ["all"], "hours": "08:00-09:00", "staff": 1}
    assert '"name"' not in json.dumps(json.loads(canonical_json(baseline))["rosters"])


def test_names_are_kept_and_change_the_hash(named: Path, baseline: Scenario) -> None:
    s = load_scenario(named)
    blocks = s.rosters["hap_a"]["gp_consult"]
    assert [b.name for b in blocks] == ["avond", "weekend_dag", None, "nacht"]
    dumped = s.model_dump(mode="json")["rosters"]["hap_a"]["gp_consult"]
    assert dumped[0] == {
        "days": ["weekday"],
        "hours": "17:00-23:00",
        "staff": 2,
        "name": "avond",
    }
    assert "name" not in dumped[2]
    assert scenario_hash(s) != scenario_hash(baseline)  # same blocks, but named
    assert Scenario.model_validate(s.model_dump(mode="json")) == s


def test_set_addresses_a_block_by_name(named: Path) -> None:
    s = load_scenario(named, ["rosters.hap_a.gp_consult.avond.staff=3"])
    by_index = load_scenario(named, ["rosters.hap_a.gp_consult.0.staff=3"])
    assert s.rosters["hap_a"]["gp_consult"][0].staff == 3
    assert s == by_index
    whole = load_scenario(
        named, ['rosters.hap_a.gp_consult.nacht={days: [all], hours: "23:00-08:00", staff: 2}']
    )
    assert whole.rosters["hap_a"]["gp_consult"][3].staff == 2
    assert whole.rosters["hap_a"]["gp_consult"][3].name is None  # replaced, name and all


def test_an_unknown_name_lists_the_names(named: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(named, ["rosters.hap_a.gp_consult.avnd.staff=3"])
    error = caught.value
    assert error.file == "--set rosters.hap_a.gp_consult.avnd.staff=3"
    assert error.path == ("rosters", "hap_a", "gp_consult", "avnd")
    assert "did you mean 'avond'?" in error.message
    assert "names: avond, weekend_dag, nacht, or an index 0 to 3" in error.message


def test_a_name_in_a_list_without_names(baseline_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(baseline_path, ["rosters.hap_a.gp_consult.avond.staff=3"])
    assert "(its items have no names); give an index 0 to 3" in caught.value.message
    with pytest.raises(ScenarioError) as caught:
        load_scenario(baseline_path, ["rosters.hap_a.gp_consult.7.staff=3"])
    assert "no item 7 in the list (4 items)" in caught.value.message


def test_an_error_below_a_named_block_points_at_the_set(named: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(named, ["rosters.hap_a.gp_consult.avond.staff=-1"])
    assert caught.value.file == "--set rosters.hap_a.gp_consult.avond.staff=-1"
    assert caught.value.path == ("rosters", "hap_a", "gp_consult", 0, "staff")


def test_names_are_unique_within_a_roster_list(named: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(named, ["rosters.hap_a.gp_consult.2.name=avond"])
    assert caught.value.path == ("rosters", "hap_a", "gp_consult")
    assert "blocks 0 and 2 are both named 'avond'" in caught.value.message
    # the same name in another list is fine
    s = load_scenario(named, ["rosters.hap_a.gp_visit.0.name=avond"])
    assert s.rosters["hap_a"]["gp_visit"][0].name == "avond"


@pytest.mark.parametrize("bad", ["1x", "12", "a.b", "", "avond dienst", "x" * 65])
def test_a_name_is_an_ascii_word_that_a_path_can_name(named: Path, bad: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(named, [f"rosters.hap_a.gp_consult.2.name='{bad}'"])
    assert caught.value.path == ("rosters", "hap_a", "gp_consult", 2, "name")
    assert "is not a block name" in caught.value.message


def test_names_work_on_a_dumped_scenario(named: Path) -> None:
    """The Python API applies --set to ``model_dump`` data of a Scenario."""
    data: dict[str, Any] = load_scenario(named).model_dump(mode="json")
    resolved = apply_override(data, *parse_override("rosters.hap_a.gp_consult.nacht.staff=4"))
    assert resolved == ["rosters", "hap_a", "gp_consult", 3, "staff"]
    assert validate_data(data).rosters["hap_a"]["gp_consult"][3].staff == 4


def test_grid_sweeps_a_block_by_name(named: Path) -> None:
    from anwsim.experiment import api

    path = "rosters.hap_a.gp_consult.avond.staff"
    table = api.sweep(
        named,
        {path: [1, 4]},
        overrides=["run.horizon_weeks=2", "run.warmup_weeks=0.5"],
        replications=1,
        workers=1,
    )
    rows = table[(table["kpi"] == "utilisation") & (table["group"] == "hap_a/gp_consult")]
    by_staff = dict(zip(rows[path], rows["mean"], strict=True))
    assert sorted(by_staff) == [1, 4]
    assert by_staff[1] > by_staff[4]  # one GP on weekday evenings is busier than four
