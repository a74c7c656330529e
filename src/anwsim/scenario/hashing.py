"""A stable fingerprint of a scenario, for provenance of every result.

The hash is the SHA-256 of the scenario's canonical JSON: the validated model with all
defaults filled in, keys sorted, no whitespace. Two files that resolve to the same
scenario (whatever their layout, comments or ``extends`` chain) share a hash; any change
of a field changes it.

A field added to the schema later must leave the hashes of existing scenarios as they
were: a roster block's ``name`` is left out of the dump when it is not given
(`anwsim.scenario.timeblocks.StaffBlock`), and the Dutch public holidays filled in for a
scenario that lists none are dates in the dump, like a list the file gives.
"""

from __future__ import annotations

import hashlib
import json

from anwsim.scenario.schema import Scenario


def canonical_json(scenario: Scenario) -> str:
    """The scenario as canonical JSON text."""
    data = scenario.model_dump(mode="json")
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def scenario_hash(scenario: Scenario) -> str:
    """Hex SHA-256 of the canonical JSON (64 characters)."""
    return hashlib.sha256(canonical_json(scenario).encode("utf-8")).hexdigest()


def scenario_key(scenario: Scenario) -> bytes:
    """A digest of the scenario as it is now, for caches inside one process (the
    compiled engine's arrays): pydantic's own JSON of the model, in field order, which
    takes a third of the time of `canonical_json` (sorting keys in Python). Equal for
    the same scenario; unlike `scenario_hash`, not stable across versions or dict
    orders (a different order only misses the cache), so never stored."""
    return hashlib.blake2b(scenario.model_dump_json().encode("utf-8"), digest_size=20).digest()
