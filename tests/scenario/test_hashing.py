"""The scenario hash: the same scenario whatever its layout, a new hash for any change."""

from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from anwsim.scenario import Scenario, canonical_json, load_scenario, scenario_hash
from anwsim.scenario.hashing import scenario_key

WriteVariant = Callable[..., Path]


def _reversed(value: Any) -> Any:
    """The same data with every mapping's keys in reverse order (lists kept in order)."""
    if isinstance(value, dict):
        return {k: _reversed(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed(v) for v in value]
    return value


def test_hash_is_64_hex_characters(baseline: Scenario) -> None:
    digest = scenario_hash(baseline)
    assert re.fullmatch(r"[0-9a-f]{64}", digest)


def test_canonical_json_is_sorted_and_compact(baseline: Scenario) -> None:
    text = canonical_json(baseline)
    assert "\n" not in text
    data = json.loads(text)
    assert json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == text
    assert data["run"]["seed"] == 20201103


def test_reordered_block_style_file_has_same_hash(
    baseline: Scenario, baseline_data: dict[str, Any], write_variant: WriteVariant
) -> None:
    text = "# rewritten: keys reversed, block style, other comments\n" + yaml.safe_dump(
        _reversed(baseline_data), sort_keys=False, default_flow_style=False, allow_unicode=True
    )
    assert "&anw_hours" not in text and "{" not in text
    path = write_variant(text, name="block.yaml", extends=None)
    assert scenario_hash(load_scenario(path)) == scenario_hash(baseline)


def test_inline_style_file_has_same_hash(
    baseline: Scenario, baseline_data: dict[str, Any], write_variant: WriteVariant
) -> None:
    text = yaml.safe_dump(baseline_data, sort_keys=True, default_flow_style=True, width=10**7)
    assert text.count("\n") == 1  # the whole scenario on one line
    path = write_variant(text, name="inline.yaml", extends=None)
    assert scenario_hash(load_scenario(path)) == scenario_hash(baseline)


def test_equal_numbers_written_differently_have_same_hash(
    baseline: Scenario, write_variant: WriteVariant
) -> None:
    path = write_variant(
        """
        # ints for floats, floats for ints, exponents
        demand:
          channels:
            emergency_112: {rate_per_1000_per_year: 59}
        run: {horizon_weeks: 52, warmup_weeks: 1.0, seed: 20_201_103}
        travel: {speed_kmh: 6.0e1, road_factor: 1.30}
        """
    )
    assert scenario_hash(load_scenario(path)) == scenario_hash(baseline)


def test_extends_and_written_out_have_same_hash(
    baseline_data: dict[str, Any], write_variant: WriteVariant
) -> None:
    via_extends = write_variant(
        """
        name: Variant
        run: {replications: 5}
        sites:
          gp_posts:
            hap_c: {opening: [{days: [weekend, holiday], hours: "08:00-08:00"}]}
        rosters:
          hap_c: {gp_consult: [{days: [weekend, holiday], hours: "08:00-23:00", staff: 2},
                               {days: [weekend, holiday], hours: "23:00-08:00", staff: 1}]}
        """,
        name="via_extends.yaml",
    )
    data = json.loads(json.dumps(baseline_data, default=str))  # a deep copy
    data["name"] = "Variant"
    data.pop("names")  # a new name given without names drops the parent's (deep_merge)
    data["run"]["replications"] = 5
    data["sites"]["gp_posts"]["hap_c"]["opening"] = [
        {"days": ["weekend", "holiday"], "hours": "08:00-08:00"}
    ]
    data["rosters"]["hap_c"]["gp_consult"] = [
        {"days": ["weekend", "holiday"], "hours": "08:00-23:00", "staff": 2},
        {"days": ["weekend", "holiday"], "hours": "23:00-08:00", "staff": 1},
    ]
    written_out = write_variant(yaml.safe_dump(data), name="written_out.yaml", extends=None)
    a, b = load_scenario(via_extends), load_scenario(written_out)
    assert a.run.replications == 5
    assert scenario_hash(a) == scenario_hash(b)


def test_set_and_extends_have_same_hash(baseline_path: Path, write_variant: WriteVariant) -> None:
    via_set = load_scenario(baseline_path, ["run.replications=5", "triage.redial_percent=25"])
    via_file = load_scenario(write_variant("run: {replications: 5}\ntriage: {redial_percent: 25}"))
    assert scenario_hash(via_set) == scenario_hash(via_file)


def test_defaults_written_out_have_same_hash(
    baseline: Scenario, write_variant: WriteVariant
) -> None:
    # staffing.end_of_shift and gp.seh_referral... are given in the baseline; restating
    # a default that the baseline leaves out does not change the scenario either.
    path = write_variant(
        "travel: {method: straight_line}\nsites: {sehs: {seh_2: {when_closed: nearest_open}}}"
    )
    assert scenario_hash(load_scenario(path)) == scenario_hash(baseline)


def test_hours_written_differently_have_same_hash(
    baseline: Scenario, write_variant: WriteVariant
) -> None:
    path = write_variant(
        """
        sites:
          gp_posts:
            hap_b:
              opening:
                - {days: [weekday], hours: "17:00 - 8:00"}
                - {days: [weekend, holiday], hours: "8:00-8:00"}
        demand:
          profiles:
            gp_anw:
              multipliers:
                - {days: [fri], hours: "17:00-24:00", factor: 1.2}
                - {days: [tue, wed, thu], hours: "17:00-00:00", factor: 0.95}
        """
    )
    assert scenario_hash(load_scenario(path)) == scenario_hash(baseline)


TINY = repr(math.nextafter(241.1, math.inf))


@pytest.mark.parametrize(
    ("override", "check"),
    [
        ("name=Regio Anders", lambda s: s.name == "Regio Anders"),
        ("run.seed=20201104", lambda s: s.run.seed == 20201104),
        ("run.replications=11", lambda s: s.run.replications == 11),
        (
            f"demand.channels.gp_call.rate_per_1000_per_year={TINY}",
            lambda s: s.demand.channels["gp_call"].rate_per_1000_per_year > 241.1,
        ),
        ("region.areas.goes.population=39001", lambda s: s.region.population == 363_914),
        (
            "sites.gp_posts.hap_a.opening.0.hours=17:30-08:00",
            lambda s: s.sites.gp_posts["hap_a"].opening[0].hours == "17:30-08:00",
        ),
        ("rosters.hds.triagist.1.staff=5", lambda s: s.rosters["hds"]["triagist"][1].staff == 5),
        (
            "triage.patience_minutes.mean_minutes=8.000001",
            lambda s: s.triage.patience_minutes.mean_minutes == 8.000001,
        ),
        ("travel.crossings.0.length_km=6.7", lambda s: s.travel.crossings[0].length_km == 6.7),
        (
            "ambulance.dispatch_while_returning=false",
            lambda s: s.ambulance.dispatch_while_returning is False,
        ),
        ("public_holidays=[2025-12-25]", lambda s: len(s.public_holidays) == 1),
        ("norms.answer_percent=76", lambda s: s.norms.answer_percent == 76),
        (
            "seh.length_of_stay_minutes.default.sd_minutes=97.5",
            lambda s: s.seh.length_of_stay_minutes["default"].sd_minutes == 97.5,
        ),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_any_change_changes_the_hash(
    baseline: Scenario, baseline_path: Path, override: str, check: Callable[[Scenario], bool]
) -> None:
    changed = load_scenario(baseline_path, [override])
    assert check(changed), "the override did not take effect"
    assert scenario_hash(changed) != scenario_hash(baseline)


def test_hash_is_stable_across_processes(baseline: Scenario, baseline_path: Path) -> None:
    code = (
        "import sys; from anwsim.scenario import load_scenario, scenario_hash; "
        "print(scenario_hash(load_scenario(sys.argv[1])))"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    proc = subprocess.run(
        [sys.executable, "-c", code, str(baseline_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    assert proc.stdout.strip() == scenario_hash(baseline)


def test_scenario_key_follows_the_scenario_as_it_is_now(baseline: Scenario) -> None:
    """The engine's in-process cache key: equal for an equal scenario, new after an
    in-place change of a dict inside the (frozen) model, which a cached key would miss."""
    again = load_scenario(Path(__file__).parents[2] / "scenarios" / "baseline.yaml")
    assert again is not baseline
    assert scenario_key(again) == scenario_key(baseline)
    before = scenario_key(again)
    rules = again.staffing.end_of_shift_by_role
    rules["gp_consult"] = "replace" if rules.get("gp_consult") != "replace" else "finish"
    assert scenario_key(again) != before
    assert scenario_key(baseline) == before
