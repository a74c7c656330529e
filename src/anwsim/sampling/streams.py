"""Named random streams for one replication.

All randomness in anwsim comes from ``numpy.random.SeedSequence(seed)``. Replication
``r`` is the seed's child ``r``, i.e. ``SeedSequence(seed).spawn(r + 1)[r]``, which we build
directly as ``SeedSequence(entropy=seed, spawn_key=(r,))`` so that replication 1000 needs
no spawning of its 1000 predecessors (and any worker can build any replication alone).

Inside a replication each source of randomness has its own named stream, the grandchild
``SeedSequence(entropy=seed, spawn_key=(r, stream_key(name)))``. The key is a stable hash
of the name (first 4 bytes of its SHA-256, big-endian, as an unsigned int), not a
position in a list, so adding a stream later never shifts the others. Because each
source draws from its own stream, changing one part of a scenario (say, the number of
triage nurses) never changes who falls ill or how long their consult takes: common
random numbers across scenarios.

========================  ==============================================================
stream                    drives
========================  ==============================================================
``arrivals``              arrival times of patients (non-homogeneous Poisson process)
``area``                  the area (postcode region) each patient calls from
``urgency``               NTS urgency (U0–U5) and channel of each contact
``disposition``           outcome of triage: advice, consult, visit, SEH, ambulance
``triage_duration``       length of the telephone triage conversation
``supervision``           whether a triage needs a GP's supervision (and its duration)
``callback_duration``     length of a GP's call back to the patient
``consult_duration``      length of a consult at a GP post / integrated post
``visit_duration``        time a GP spends at a home visit (on site)
``patience``              how long a caller waits on hold before hanging up
``redial``                whether and when an abandoned caller calls again
``seh_length_of_stay``    length of stay at the emergency department (SEH)
``seh_front_desk``        registration / front-desk time at the SEH or integrated post
``ambulance_dispatch``    time from call to ambulance departure (dispatch/chute time)
``ambulance_on_scene``    time the ambulance crew spends on scene
``ambulance_conveyance``  whether the ambulance conveys the patient to hospital
``ambulance_handover``    time to hand a patient over at the SEH
``offload_delay``         extra waiting before an ambulance can offload at a busy SEH
``travel_noise``          multiplicative noise on travel times (car and ambulance)
``skill_mix``             which kind of staff (GP, nurse practitioner, ...) handles a task
``seh_referral``          whether a GP refers the patient to the SEH after a consult/visit
========================  ==============================================================

``ReplicationStreams.generator(name)`` returns a *new* generator at the start of that
stream on every call, so results never depend on the order in which callers ask for
streams. A caller that needs to continue a stream must keep the generator it got.
"""

from __future__ import annotations

import hashlib
import operator

import numpy as np

__all__ = ["STREAM_NAMES", "ReplicationStreams", "replication_seed_sequence", "stream_key"]

STREAM_NAMES: tuple[str, ...] = (
    "arrivals",
    "area",
    "urgency",
    "disposition",
    "triage_duration",
    "supervision",
    "callback_duration",
    "consult_duration",
    "visit_duration",
    "patience",
    "redial",
    "seh_length_of_stay",
    "seh_front_desk",
    "ambulance_dispatch",
    "ambulance_on_scene",
    "ambulance_conveyance",
    "ambulance_handover",
    "offload_delay",
    "travel_noise",
    "skill_mix",
    "seh_referral",
)
"""The named streams of a replication; see the module docstring for what each drives."""


def stream_key(name: str) -> int:
    """Stable 32-bit key of a stream name: the first 4 bytes of SHA-256 of its UTF-8 form.

    Independent of Python's hash randomisation and of the order of ``STREAM_NAMES``.
    """
    if not isinstance(name, str):
        raise TypeError(f"stream name must be a str, got {type(name).__name__}")
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:4], "big")


def _non_negative_int(value: object, what: str) -> int:
    if isinstance(value, bool | np.bool_):
        raise ValueError(f"{what} must be a non-negative integer, got {value!r}")
    try:
        as_int = operator.index(value)  # type: ignore[arg-type]
    except TypeError:
        raise ValueError(f"{what} must be a non-negative integer, got {value!r}") from None
    if as_int < 0:
        raise ValueError(f"{what} must be a non-negative integer, got {as_int}")
    return int(as_int)


def replication_seed_sequence(seed: int, replication: int) -> np.random.SeedSequence:
    """Seed sequence of replication ``replication``: child ``replication`` of ``seed``.

    Equal to ``SeedSequence(seed).spawn(replication + 1)[replication]``.
    """
    seed = _non_negative_int(seed, "seed")
    replication = _non_negative_int(replication, "replication")
    return np.random.SeedSequence(entropy=seed, spawn_key=(replication,))


_STREAM_KEYS: dict[str, int] = {name: stream_key(name) for name in STREAM_NAMES}
if len(set(_STREAM_KEYS.values())) != len(STREAM_NAMES):  # pragma: no cover - import guard
    raise RuntimeError("stream keys of STREAM_NAMES collide; rename a stream")


class ReplicationStreams:
    """The named random streams of replication ``replication`` of a run seeded ``seed``.

    ``generator(name)`` gives a fresh ``numpy.random.Generator`` (PCG64) at the start of
    the named stream each time it is called.
    """

    __slots__ = ("_replication", "_seed")

    def __init__(self, seed: int, replication: int) -> None:
        self._seed = _non_negative_int(seed, "seed")
        self._replication = _non_negative_int(replication, "replication")

    @property
    def seed(self) -> int:
        """The run's seed."""
        return self._seed

    @property
    def replication(self) -> int:
        """The replication number (0-based)."""
        return self._replication

    def __repr__(self) -> str:
        return f"ReplicationStreams(seed={self._seed}, replication={self._replication})"

    def seed_sequence(self, name: str) -> np.random.SeedSequence:
        """The seed sequence of stream ``name``; raises ``KeyError`` for an unknown name."""
        key = _STREAM_KEYS.get(name) if isinstance(name, str) else None
        if key is None:
            allowed = ", ".join(STREAM_NAMES)
            raise KeyError(f"unknown random stream {name!r}; allowed streams are: {allowed}")
        return np.random.SeedSequence(entropy=self._seed, spawn_key=(self._replication, key))

    def generator(self, name: str) -> np.random.Generator:
        """A new generator at the start of stream ``name`` (order-independent)."""
        return np.random.Generator(np.random.PCG64(self.seed_sequence(name)))

    def spawn_key(self, name: str, *keys: int) -> tuple[int, ...]:
        """The spawn key ``(r, stream_key(name), *keys)`` of a part of stream ``name``
        (see `substream`); raises like `seed_sequence` and `substream` do."""
        key = _STREAM_KEYS.get(name) if isinstance(name, str) else None
        if key is None:
            allowed = ", ".join(STREAM_NAMES)
            raise KeyError(f"unknown random stream {name!r}; allowed streams are: {allowed}")
        for k in keys:
            if not isinstance(k, int | np.integer) or k < 0:
                raise ValueError(f"substream keys are non-negative ints, got {k!r}")
        return (self._replication, key, *(int(k) for k in keys))

    def substream(self, name: str, *keys: int) -> np.random.Generator:
        """A new generator for a part of stream ``name`` (e.g. one channel, one urgency).

        Its seed sequence is ``spawn_key=(r, stream_key(name), *keys)``: parts of a stream
        are independent of each other, so a change in one part (say, the consult time of
        U3 patients) leaves every other part's numbers as they were.
        """
        ss = np.random.SeedSequence(entropy=self._seed, spawn_key=self.spawn_key(name, *keys))
        return np.random.Generator(np.random.PCG64(ss))

    def generators(self) -> dict[str, np.random.Generator]:
        """A new generator for every stream in ``STREAM_NAMES``."""
        return {name: self.generator(name) for name in STREAM_NAMES}
