"""Display names per language (``names: {nl: ..., en: ...}``) on the scenario and every
site kind: validated like ``name``, absent from the dump (and the hash) when not given,
and dropped by a variant that gives a new ``name`` without them."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from anwsim.scenario import Scenario, ScenarioError, canonical_json, load_scenario, scenario_hash
from anwsim.scenario.schema import DisplayNames

WriteVariant = Callable[..., Path]

SITE_KINDS = ("triage_centres", "gp_posts", "sehs", "integrated_posts", "ambulance_stations")

BASELINE_WITHOUT_NAMES = "f107bcafead21cc456d729511bdab4dee7c9afa6ab7ae3ce38b7d194e712b92d"
"""The hash of scenarios/baseline.yaml as it was before display names existed (the value
README.md's ``anwsim diff`` example showed). The baseline with its ``names`` removed must
still have it: a field added later changes no existing hash. If the baseline's content
is changed on purpose, this is the hash of the new file without its ``names``."""


def _without_names(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_names(v) for k, v in value.items() if k != "names"}
    if isinstance(value, list):
        return [_without_names(v) for v in value]
    return value


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _keys(v)
    elif isinstance(value, list):
        for v in value:
            yield from _keys(v)


@pytest.fixture(scope="module")
def unnamed(baseline: Scenario) -> Scenario:
    """The baseline with every ``names`` removed."""
    return Scenario.model_validate(_without_names(baseline.model_dump(mode="json")))


def test_a_scenario_without_names_keeps_its_hash(unnamed: Scenario) -> None:
    assert "names" not in set(_keys(json.loads(canonical_json(unnamed))))
    assert scenario_hash(unnamed) == BASELINE_WITHOUT_NAMES
    post = unnamed.sites.gp_posts["hap_a"]
    assert post.names is None
    assert set(post.model_dump(mode="json")) == {
        "latitude",
        "longitude",
        "zone",
        "name",
        "opening",
        "when_closed",
    }


def test_the_shipped_baseline_names_every_site_in_both_languages(baseline: Scenario) -> None:
    assert baseline.names == DisplayNames(nl="S0 Huidige situatie", en="S0 Current situation")
    for kind in SITE_KINDS:
        for site_id, site in getattr(baseline.sites, kind).items():
            assert site.names is not None, site_id
            assert site.names.nl and site.names.en, site_id
    assert baseline.sites.gp_posts["hap_a"].display_name("nl") == "HAP A (Goes)"
    assert baseline.sites.gp_posts["hap_a"].display_name("en") == "GP post A (Goes)"
    dumped = baseline.model_dump(mode="json")
    assert dumped["names"] == {"nl": "S0 Huidige situatie", "en": "S0 Current situation"}
    assert Scenario.model_validate(dumped) == baseline  # the dump reads back the same


def test_names_change_the_hash_and_one_language_may_be_missing(
    write_variant: WriteVariant, unnamed: Scenario
) -> None:
    path = write_variant(
        """
        name: Eén taal
        names: {nl: "Alleen Nederlands"}
        sites:
          sehs:
            seh_2: {names: {en: "ED Terneuzen"}}
        """
    )
    s = load_scenario(path)
    assert s.model_dump(mode="json")["names"] == {"nl": "Alleen Nederlands"}  # no en: null
    assert s.display_name("nl") == "Alleen Nederlands"
    assert s.display_name("en") == "Eén taal"  # falls back to name
    seh = s.sites.sehs["seh_2"]
    assert seh.display_name("en") == "ED Terneuzen"
    assert seh.display_name("nl") == "SEH 2 (Terneuzen)"  # the baseline's, kept
    assert s.display_name("fr") == "Eén taal"
    assert scenario_hash(s) != scenario_hash(unnamed)


def test_a_new_name_without_names_drops_the_inherited_ones(write_variant: WriteVariant) -> None:
    s = load_scenario(
        write_variant(
            """
            name: My variant
            sites:
              gp_posts:
                hap_b: {name: HAP Terneuzen (renamed)}
            """
        )
    )
    assert s.names is None and s.display_name("nl") == "My variant"
    assert s.sites.gp_posts["hap_b"].names is None
    assert s.sites.gp_posts["hap_a"].display_name("nl") == "HAP A (Goes)"  # not renamed
    # --set follows the same rule
    base = load_scenario(write_variant(""), ["sites.gp_posts.hap_c.name=Walcheren"])
    assert base.sites.gp_posts["hap_c"].display_name("en") == "Walcheren"
    named = load_scenario(write_variant(""), ["names.en=Base case"])
    assert named.names == DisplayNames(nl="S0 Huidige situatie", en="Base case")


@pytest.mark.parametrize(
    "body,path,words",
    [
        ('names: {de: "Basis"}', "names.de", "unknown field 'de'; allowed: nl, en"),
        ('names: {nl: "a\\tb"}', "names.nl", "control character '\\t'"),
        ('names: {en: ""}', "names.en", "at least 1 character"),
        (f'names: {{en: "{"x" * 201}"}}', "names.en", "at most 200 characters"),
        ("names: {nl: 5}", "names.nl", "string"),
        (
            'sites: {ambulance_stations: {amb_goes: {names: {nl: "a\\u202eb"}}}}',
            "sites.ambulance_stations.amb_goes.names.nl",
            "control character",
        ),
        (
            'sites: {triage_centres: {hds: {names: {en: "x\\ny"}}}}',
            "sites.triage_centres.hds.names.en",
            "control character",
        ),
        (
            "sites: {integrated_posts: {spoedpost_goes: {names: [a, b]}}}",
            "sites.integrated_posts.spoedpost_goes.names",
            "",
        ),
    ],
)
def test_bad_names_are_one_line_errors(
    write_variant: WriteVariant, body: str, path: str, words: str
) -> None:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(write_variant(body))
    error = caught.value
    assert ".".join(map(str, error.path or ())) == path
    assert words in error.message
    assert "\n" not in str(error)
