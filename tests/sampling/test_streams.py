"""Tests of the named random streams: reproducible, independent, stable."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from anwsim.sampling.streams import (
    STREAM_NAMES,
    ReplicationStreams,
    replication_seed_sequence,
    stream_key,
)

SRC = Path(__file__).resolve().parents[2] / "src"


def _draws(seed: int, rep: int, name: str, n: int = 16) -> np.ndarray:
    return ReplicationStreams(seed, rep).generator(name).random(n)


def test_stream_names_documented_list() -> None:
    assert len(set(STREAM_NAMES)) == len(STREAM_NAMES)
    assert {"arrivals", "area", "urgency", "disposition", "patience", "travel_noise"} <= set(
        STREAM_NAMES
    )
    import anwsim.sampling.streams as mod

    for name in STREAM_NAMES:
        assert f"``{name}``" in (mod.__doc__ or ""), f"stream {name} not documented"


def test_stream_keys_unique_and_stable() -> None:
    keys = [stream_key(n) for n in STREAM_NAMES]
    assert len(set(keys)) == len(keys)
    assert all(0 <= k < 2**32 for k in keys)
    # The key is the first 4 bytes of SHA-256, big-endian: fixed forever.
    assert stream_key("arrivals") == int.from_bytes(hashlib.sha256(b"arrivals").digest()[:4], "big")


def test_same_inputs_same_draws_and_fresh_generator_each_call() -> None:
    s = ReplicationStreams(2024, 3)
    a = s.generator("arrivals").random(100)
    # Ask for other streams in between: must not matter (order independence).
    s.generator("urgency").random(5)
    b = s.generator("arrivals").random(100)
    c = ReplicationStreams(2024, 3).generator("arrivals").random(100)
    assert a.tobytes() == b.tobytes() == c.tobytes()


def test_replication_is_child_r_of_seed_sequence() -> None:
    seed = 987654321
    children = np.random.SeedSequence(seed).spawn(6)
    for r in range(6):
        direct = replication_seed_sequence(seed, r)
        assert np.array_equal(direct.generate_state(8), children[r].generate_state(8))
        # The stream is the grandchild with key stream_key(name).
        key = stream_key("patience")
        expected = np.random.SeedSequence(entropy=seed, spawn_key=(r, key))
        got = ReplicationStreams(seed, r).seed_sequence("patience")
        assert np.array_equal(got.generate_state(8), expected.generate_state(8))
        assert got.spawn_key == (r, key)


def test_different_names_reps_seeds_differ() -> None:
    base = _draws(1, 0, "arrivals")
    seen = {base.tobytes()}
    for name in STREAM_NAMES:
        for rep in (0, 1, 7):
            for seed in (1, 2):
                seen.add(_draws(seed, rep, name).tobytes())
    assert len(seen) == len(STREAM_NAMES) * 3 * 2


def test_adding_a_stream_does_not_shift_others() -> None:
    # A stream's seed depends only on (seed, replication, its own name).
    got = ReplicationStreams(5, 2).seed_sequence("travel_noise")
    assert got.spawn_key == (2, stream_key("travel_noise"))
    assert got.entropy == 5


def test_identical_in_a_subprocess() -> None:
    code = (
        "from anwsim.sampling.streams import ReplicationStreams;"
        "import sys;"
        "g = ReplicationStreams(31337, 4).generator('consult_duration');"
        "sys.stdout.write(g.random(64).tobytes().hex())"
    )
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + os.pathsep + env.get("PYTHONPATH", "")
    env["PYTHONHASHSEED"] = "12345"  # the key must not depend on Python's str hash
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    here = ReplicationStreams(31337, 4).generator("consult_duration").random(64)
    assert bytes.fromhex(out) == here.tobytes()


def test_unknown_name_lists_allowed() -> None:
    s = ReplicationStreams(0, 0)
    with pytest.raises(KeyError) as info:
        s.generator("arrival")  # typo
    message = info.value.args[0]
    assert "'arrival'" in message
    for name in STREAM_NAMES:
        assert name in message
    with pytest.raises(KeyError):
        s.seed_sequence("")


@pytest.mark.parametrize("bad", [-1, 1.5, "3", None, True])
def test_invalid_seed_and_replication(bad: object) -> None:
    with pytest.raises(ValueError, match="seed must be a non-negative integer"):
        ReplicationStreams(bad, 0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="replication must be a non-negative integer"):
        ReplicationStreams(0, bad)  # type: ignore[arg-type]


def test_numpy_integers_accepted() -> None:
    a = ReplicationStreams(np.int64(9), np.uint8(2)).generator("area").random(4)
    b = ReplicationStreams(9, 2).generator("area").random(4)
    assert a.tobytes() == b.tobytes()
    assert repr(ReplicationStreams(9, 2)) == "ReplicationStreams(seed=9, replication=2)"


def test_generators_covers_all_streams() -> None:
    gens = ReplicationStreams(3, 1).generators()
    assert tuple(gens) == STREAM_NAMES
    assert all(isinstance(g.bit_generator, np.random.PCG64) for g in gens.values())
