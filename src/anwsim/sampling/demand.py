"""The per-replication `Demand`: every patient and every random number the model needs.

`sample_demand` draws, for one replication, all that does not depend on the state of the
system: arrival times, channel, area, urgency, disposition, and every duration, patience
and decision a patient *might* need, drawn even if the patient never reaches that step.
The SimPy model (and any later engine) consumes only this table, so two engines given the
same Demand see the same patients.

Common random numbers. Each column of each channel comes from its own substream
``(column stream, channel key)``, where the channel key is the stable hash of the
channel's *name*. Hence, for the same seed and replication:

* changing staffing, opening hours or routing changes nothing here;
* changing one distribution changes only its own column;
* adding or removing a channel leaves the other channels' patients untouched.

Within a channel, a per-urgency column is drawn group by group (U0 first). A change to
one urgency's distribution leaves earlier groups unchanged; later groups keep their
numbers too unless the changed distribution consumes a variable amount of randomness
(gamma uses rejection sampling).

Drawing. With the compiled kernels (the default), `DemandSampler` seeds all substreams
of a replication at once and draws from their PCG64 states (`anwsim.sampling.pcg64`):
the same numbers as one ``numpy.random.Generator`` per substream with the Generator
kernels of `anwsim.sampling.kernels` (``tests/sampling/test_pcg64.py`` checks whole
Demands both ways). Whatever can be worked out from the scenario alone (encoded
distributions, probability tables, which substreams each channel uses) is worked out
when the sampler is built.

Layout. Rows are grouped by channel (in scenario order), each group sorted by arrival
time, so that every kernel writes straight into its channel's slice; ``order`` lists all
rows by arrival time (ties keep channel order), which is how the model walks them. A
column a channel's entry can never need (a triage time for a 112 call) holds NaN
(or False), so that a mistaken read is loud.

Columns:

=============================  =======  ======================================================
column                         dtype    meaning
=============================  =======  ======================================================
order                          i8       all rows by arrival time
arrival_minutes                f8       first contact (call, walk-in, 112 call)
channel                        i2       index into ``scenario.demand.channels``
entry                          i1       index into `ENTRIES` (phone, emergency_112, …)
area                           i4       index into ``scenario.region.areas``
urgency                        i1       NTS urgency 0..5 (U0..U5)
disposition                    i1       index into `DISPOSITIONS`
triage_minutes                 f8       telephone triage call
supervised                     b1       the supervising GP checks this triage live
supervision_minutes            f8       the supervising GP's time
callback_minutes               f8       GP call-back
consult_minutes                f8       GP consult at the post
np_eligible                    b1       a nurse practitioner may see this consult
np_consult_minutes             f8       nurse practitioner consult
visit_minutes                  f8       GP time at the patient's home (travel excluded)
seh_referral                   b1       the GP refers to the SEH after consult/visit
patience_minutes               f8[k]    patience on hold, per call attempt (k = max_redials+1);
                                        inf with ``patience_minutes: none``
redials                        b1[k-1]  after abandoning attempt j, the caller redials
redial_delay_minutes           f8[k-1]  delay before redial j
seh_stay_minutes               f8       length of stay in an SEH treatment place
seh_doctor_minutes             f8       first assessment by an SEH doctor (NaN if the
                                        scenario has no SEH doctors)
front_desk_u                   f8       uniform; < the integrated post's redirect share
                                        → redirected to the GP post
dispatch_delay_minutes         f8       112 call to vehicle departure
on_scene_minutes               f8       ambulance crew on scene (by outcome: drawn from the
                                        conveyed or not-conveyed distribution)
conveyed                       b1       the ride takes the patient to an SEH
handover_minutes               f8       handover at the SEH
offload_u                      f8       uniform; < the SEH's offload share → delayed
offload_minutes                f8[s]    extra offload delay if delayed, per SEH (s SEHs)
travel_noise                   f8[4]    multiplicative noise per trip leg (`LEGS`)
=============================  =======  ======================================================
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np

from anwsim.sampling import pcg64
from anwsim.sampling.arrivals import sample_arrivals, sample_arrivals_numpy
from anwsim.sampling.kernels import (
    LOGNORMAL,
    EncodedDistribution,
    cumulative_probabilities,
    draw_bernoulli_by,
    encode,
    encode_table,
    lognormal_noise_into,
    sample_grouped_into,
    sample_into,
    sample_numpy,
)
from anwsim.sampling.streams import ReplicationStreams, stream_key
from anwsim.scenario.distributions import Distribution, Empirical
from anwsim.scenario.intensity import expected_per_hour, scenario_calendar
from anwsim.scenario.schema import (
    AMBULANCE_URGENCIES,
    DISPOSITIONS,
    ENTRIES,
    URGENCIES,
    OnSceneMinutes,
    Scenario,
    for_urgency,
    fraction,
)

LEGS: tuple[str, ...] = ("to_site", "response", "transport", "return")
"""Trip legs with their own travel noise: patient to a post/SEH, GP car or ambulance to
the patient, ambulance to the SEH, vehicle back to base."""

Kernels = Literal["numba", "numpy"]

_TRIAGE = (
    "triage_minutes",
    "supervised",
    "supervision_minutes",
    "callback_minutes",
    "visit_minutes",
    "patience_minutes",
    "redials",
    "redial_delay_minutes",
)
_GP = ("consult_minutes", "np_eligible", "np_consult_minutes", "seh_referral")
_AMBULANCE = ("dispatch_delay_minutes", "on_scene_minutes", "conveyed", "handover_minutes")
_SEH = ("seh_stay_minutes", "seh_doctor_minutes", "offload_u", "offload_minutes")
NEEDED: dict[str, frozenset[str]] = {
    "phone": frozenset((*_TRIAGE, *_GP, *_AMBULANCE, *_SEH)),
    "emergency_112": frozenset((*_AMBULANCE, *_SEH)),
    "walk_in_gp": frozenset((*_GP, *_AMBULANCE, *_SEH)),
    "walk_in_seh": frozenset((*_GP, *_SEH, "front_desk_u")),
    "referral_seh": frozenset((*_AMBULANCE, *_SEH)),
}
"""Columns each entry can need (besides the ones every patient has)."""
_OPTIONAL = frozenset().union(*NEEDED.values())


@dataclass(frozen=True, eq=False)
class Demand:
    """All patients of one replication, as columns (see the module docstring)."""

    seed: int
    replication: int
    order: np.ndarray
    arrival_minutes: np.ndarray
    channel: np.ndarray
    entry: np.ndarray
    area: np.ndarray
    urgency: np.ndarray
    disposition: np.ndarray
    triage_minutes: np.ndarray
    supervised: np.ndarray
    supervision_minutes: np.ndarray
    callback_minutes: np.ndarray
    consult_minutes: np.ndarray
    np_eligible: np.ndarray
    np_consult_minutes: np.ndarray
    visit_minutes: np.ndarray
    seh_referral: np.ndarray
    patience_minutes: np.ndarray
    redials: np.ndarray
    redial_delay_minutes: np.ndarray
    seh_stay_minutes: np.ndarray
    seh_doctor_minutes: np.ndarray
    front_desk_u: np.ndarray
    dispatch_delay_minutes: np.ndarray
    on_scene_minutes: np.ndarray
    conveyed: np.ndarray
    handover_minutes: np.ndarray
    offload_u: np.ndarray
    offload_minutes: np.ndarray
    travel_noise: np.ndarray

    def __len__(self) -> int:
        return int(self.arrival_minutes.shape[0])

    @classmethod
    def column_names(cls) -> list[str]:
        return [f.name for f in fields(cls) if f.name not in ("seed", "replication")]

    def columns(self) -> dict[str, np.ndarray]:
        return {name: getattr(self, name) for name in self.column_names()}

    def digest(self) -> str:
        """SHA-256 over every column's bytes: equal digests mean identical demand."""
        h = hashlib.sha256()
        for name, array in self.columns().items():
            h.update(name.encode())
            h.update(str(array.dtype).encode())
            h.update(str(array.shape).encode())
            h.update(np.ascontiguousarray(array).tobytes())
        return h.hexdigest()

    def to_frame(self) -> Any:
        """The patients as a pandas DataFrame in arrival order, indexed by row.

        2-d columns are split as ``name_0``, ``name_1``, …
        """
        import pandas as pd

        data: dict[str, np.ndarray] = {}
        for name, array in self.columns().items():
            if name == "order":
                continue
            if array.ndim == 1:
                data[name] = array[self.order]
            else:
                for j in range(array.shape[1]):
                    data[f"{name}_{j}"] = array[self.order, j]
        return pd.DataFrame(data, index=pd.Index(self.order, name="patient"))


# --------------------------------------------------------------------------- kernels

Rng = np.random.Generator | np.ndarray
"""A stream: a ``numpy.random.Generator``, or (Numba path) the ``uint64[4]`` PCG64 state
of the same stream (`anwsim.sampling.pcg64`), which the kernels advance in place."""


class _Draw:
    """The drawing primitives, compiled (Numba) or vectorised NumPy (for the benchmark).

    With ``kernels='numba'`` a stream may be given as a Generator (the Generator kernels
    of `anwsim.sampling.kernels`) or as its PCG64 state array (the kernels of
    `anwsim.sampling.pcg64`): the same numbers either way; `DemandSampler` uses states.
    """

    def __init__(self, kernels: Kernels) -> None:
        if kernels not in ("numba", "numpy"):
            raise ValueError(f"kernels must be 'numba' or 'numpy', got {kernels!r}")
        self.numba = kernels == "numba"
        # glibc's exp without the call, where it is this libm's (`pcg64.inline_exp`).
        self.inline_exp = self.numba and pcg64.inline_exp()
        # Encodings of the scenario's (immutable) distributions, built once per sampler.
        self._encoded: dict[int, EncodedDistribution] = {}
        self._tables: dict[tuple[int, ...], tuple[np.ndarray, ...]] = {}
        self._weights: dict[int, Empirical] = {}
        self._dispositions: dict[int, tuple[np.ndarray, np.ndarray, bool]] = {}
        self._memo: dict[tuple[int, str], Any] = {}
        self._scratch = np.empty(0)  # reused from draw to draw (fewer fresh pages)
        self._keep: list[Any] = []  # keeps encoded objects alive so ids stay unique

    def __getstate__(self) -> dict[str, Any]:
        # The caches are keyed by id(): meaningless (and liable to collide) in another
        # process, so a pickled copy starts without them and rebuilds them as it goes.
        return {"numba": self.numba}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__("numba" if state["numba"] else "numpy")  # type: ignore[misc]

    def memo(self, owner: Any, tag: str, make: Callable[[], Any]) -> Any:
        """``make()``, computed once per (immutable) scenario object ``owner`` and tag."""
        key = (id(owner), tag)
        value = self._memo.get(key)
        if value is None:
            value = self._memo[key] = make()
            self._keep.append(owner)
        return value

    def encoded(self, dist: Any) -> EncodedDistribution:
        e = self._encoded.get(id(dist))
        if e is None:
            e = self._encoded[id(dist)] = encode(dist)
            self._keep.append(dist)
        return e

    def table(self, dists: Sequence[Any]) -> tuple[np.ndarray, ...]:
        key = tuple(id(d) for d in dists)
        t = self._tables.get(key)
        if t is None:
            t = self._tables[key] = encode_table(dists)
            self._keep.extend(dists)
        return t

    def scratch(self, n: int) -> np.ndarray:
        """``n`` float64 of scratch space, reused from draw to draw (fewer fresh pages):
        valid until the next call."""
        if self._scratch.shape[0] < n:
            self._scratch = np.empty(n)
        return self._scratch[:n]

    def arrivals(self, gen: np.random.Generator, expected: np.ndarray) -> np.ndarray:
        return (sample_arrivals if self.numba else sample_arrivals_numpy)(gen, expected)

    def dist(self, rng: Rng, dist: Distribution, out: np.ndarray) -> None:
        if out.shape[0] == 0:
            return
        e = self.encoded(dist)
        if isinstance(rng, np.ndarray):
            # A lognormal's exp pass vectorises on a contiguous array only: draw a column
            # of a 2-d array (offload delays) into scratch space and copy it over.
            strided = e.kind == LOGNORMAL and not out.flags.c_contiguous
            target = self.scratch(out.shape[0]) if strided else out
            pcg64.sample_into(
                rng,
                e.kind,
                e.params,
                e.alias_values,
                e.alias_prob,
                e.alias_index,
                target,
                self.inline_exp,
            )
            if strided:
                out[:] = target
        elif self.numba:
            sample_into(rng, e.kind, e.params, e.alias_values, e.alias_prob, e.alias_index, out)
        else:
            out[:] = sample_numpy(rng, e, out.shape[0])

    def grouping(self, urgency: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
        """The rows by urgency (`pcg64.group_order`) for `by_urgency` on state arrays, or
        None on the other paths."""
        return pcg64.group_order(urgency, len(URGENCIES)) if self.numba else None

    def by_urgency(
        self,
        rng: Rng,
        table: dict[Any, Distribution],
        urgency: np.ndarray,
        out: np.ndarray,
        grouping: tuple[np.ndarray, np.ndarray] | None = None,
    ) -> None:
        """One draw per patient from its urgency's distribution, group by group (U0 first).

        ``grouping`` is `grouping(urgency)`, if already at hand."""
        dists = [for_urgency(table, name) for name in URGENCIES]
        if isinstance(rng, np.ndarray):
            order, starts = grouping if grouping is not None else self.grouping(urgency)  # type: ignore[misc]
            kinds, params, values, prob, index, lengths = self.table(dists)
            pcg64.sample_ordered_into(
                rng,
                order,
                starts,
                kinds,
                params,
                values,
                prob,
                index,
                lengths,
                out,
                self.scratch(out.shape[0]),
                self.inline_exp,
            )
            return
        if self.numba:
            sample_grouped_into(rng, urgency, len(URGENCIES), *self.table(dists), out)  # type: ignore[call-arg]
            return
        for code, dist in enumerate(dists):
            idx = np.flatnonzero(urgency == code)
            if idx.size:
                values = np.empty(idx.size)
                self.dist(rng, dist, values)
                out[idx] = values

    def bernoulli(self, rng: Rng, p: np.ndarray, groups: np.ndarray, out: np.ndarray) -> None:
        """``out[i]`` is true with probability ``p[groups[i]]`` (one uniform each)."""
        if isinstance(rng, np.ndarray):
            pcg64.bernoulli_by_into(rng, np.asarray(p, dtype=np.float64), groups, out)
        elif self.numba:
            draw_bernoulli_by(rng, np.asarray(p, dtype=np.float64), groups, out)
        else:
            out[:] = rng.random(out.shape[0]) < np.asarray(p)[groups]

    def bernoulli_one(self, rng: Rng, p: float, out: np.ndarray) -> None:
        """``out[i]`` is true with probability ``p`` (one uniform each): `bernoulli` with a
        single group."""
        if isinstance(rng, np.ndarray):
            pcg64.bernoulli_into(rng, float(p), out)
        else:
            self.bernoulli(rng, np.array([p]), np.zeros(out.shape[0], dtype=np.int64), out)

    def uniform(self, rng: Rng, out: np.ndarray) -> None:
        """Uniforms on [0, 1), as ``Generator.random(n)``."""
        if isinstance(rng, np.ndarray):
            pcg64.uniform_into(rng, out)
        else:
            out[:] = rng.random(out.shape[0])

    def noise(self, rng: Rng, cv: float, out: np.ndarray) -> None:
        """Mean-one lognormal factors with coefficient of variation ``cv`` (1 if cv=0)."""
        if not 0.0 <= cv <= 1e6:  # NaN too; validation allows 0..2
            raise ValueError(
                f"the travel noise's coefficient of variation must be finite, 0 to 1e6, got {cv!r}"
            )
        if isinstance(rng, np.ndarray):
            if out.flags.c_contiguous:
                pcg64.lognormal_noise_into(rng, cv, out, self.inline_exp)
            else:
                tmp = np.empty(out.shape)
                pcg64.lognormal_noise_into(rng, cv, tmp, self.inline_exp)
                out[...] = tmp
            return
        if self.numba:
            lognormal_noise_into(rng, cv, out)
            return
        z = rng.standard_normal(out.shape)
        sigma2 = np.log1p(cv * cv)
        out[:] = np.exp(np.sqrt(sigma2) * z - sigma2 / 2.0) if cv > 0 else 1.0

    def _weights_table(
        self, owner: Any, weights: Sequence[float] | Callable[[], Sequence[float]]
    ) -> Empirical:
        table = self._weights.get(id(owner))
        if table is None:
            weights = weights() if callable(weights) else weights
            table = Empirical(
                kind="empirical", values_minutes=list(range(len(weights))), weights=list(weights)
            )
            self._weights[id(owner)] = table
            self._keep.append(owner)
        return table

    def categorical(
        self,
        rng: Rng,
        owner: Any,
        weights: Sequence[float] | Callable[[], Sequence[float]],
        out: np.ndarray,
    ) -> None:
        """Category indices ``0..k-1`` drawn with the given weights (alias method).

        ``owner`` is the immutable scenario object the weights come from; the table is
        built once per owner (``weights`` may be a function that gives them).
        """
        table = self._weights_table(owner, weights)
        if isinstance(rng, np.ndarray):  # the index itself is the value 0..k-1
            if out.shape[0]:
                e = self.encoded(table)
                pcg64.alias_index_into(rng, e.alias_prob, e.alias_index, out)
            return
        values = np.empty(out.shape[0])
        self.dist(rng, table, values)
        out[:] = values

    def disposition(self, rng: Rng, channel: Any, urgency: np.ndarray, out: np.ndarray) -> None:
        """Disposition codes: one uniform per patient (in row order), looked up in the
        cumulative disposition shares of the patient's urgency (``searchsorted``, right)."""
        cumulative, valid, ordered = self._disposition_table(channel)
        n = out.shape[0]
        if not valid.all() and n:
            invalid = ~valid[urgency]
            if invalid.any():  # raises, as the lookup of this urgency's shares does
                bad = URGENCIES[int(urgency[np.argmax(invalid)])]
                cumulative_probabilities(np.asarray(channel.disposition_fractions(bad)))
        if isinstance(rng, np.ndarray) and ordered:
            pcg64.searchsorted_by_into(rng, cumulative, urgency, out)
            return
        disposition_u = np.empty(n)
        self.uniform(rng, disposition_u)
        disposition = np.zeros(n, dtype=np.int64)
        for code in range(len(URGENCIES)):
            idx = np.flatnonzero(urgency == code)
            if idx.size:
                disposition[idx] = np.searchsorted(
                    cumulative[code], disposition_u[idx], side="right"
                )
        out[:] = disposition

    def _disposition_table(self, channel: Any) -> tuple[np.ndarray, np.ndarray, bool]:
        """Cumulative disposition shares per urgency (``float64[6, len(DISPOSITIONS)]``),
        which urgencies have any (``bool[6]``), and whether every row is non-decreasing
        (rounding could in principle break that; the compiled lookup needs it)."""
        t = self._dispositions.get(id(channel))
        if t is None:
            cumulative = np.zeros((len(URGENCIES), len(DISPOSITIONS)))
            valid = np.zeros(len(URGENCIES), dtype=np.bool_)
            for code, u_name in enumerate(URGENCIES):
                try:
                    cum = cumulative_probabilities(
                        np.asarray(channel.disposition_fractions(u_name))
                    )
                except ValueError:
                    continue
                cumulative[code], valid[code] = cum, True
            ordered = bool(np.all(np.diff(cumulative, axis=1) >= 0))
            t = self._dispositions[id(channel)] = (cumulative, valid, ordered)
            self._keep.append(channel)
        return t


# --------------------------------------------------------------------------- one channel

Sub = Callable[..., Rng]
"""``sub(stream, *keys)``: the channel's substream ``(stream, channel key, *keys)``."""


def _fill_channel(
    scenario: Scenario,
    sub: Sub,
    name: str,
    cols: dict[str, np.ndarray],
    draw: _Draw,
) -> None:
    """Fill this channel's slice (views in ``cols``) of every column but arrival times."""
    channel = scenario.demand.channels[name]
    need = NEEDED[channel.entry]
    triage, gp, seh, amb = scenario.triage, scenario.gp, scenario.seh, scenario.ambulance

    cols["channel"][:] = list(scenario.demand.channels).index(name)
    cols["entry"][:] = ENTRIES.index(channel.entry)
    region = scenario.region
    draw.categorical(
        sub("area"), region, lambda: [a.population for a in region.areas.values()], cols["area"]
    )
    urgency = cols["urgency"]
    draw.categorical(sub("urgency"), channel, channel.urgency_fractions, urgency)
    disposition = cols["disposition"]
    draw.disposition(sub("disposition"), channel, urgency, disposition)
    groups = draw.grouping(urgency)  # shared by the per-urgency columns below

    if "triage_minutes" in need:
        draw.by_urgency(
            sub("triage_duration"), triage.duration_minutes, urgency, cols["triage_minutes"], groups
        )
        draw.bernoulli_one(
            sub("supervision"), fraction(triage.supervision_percent), cols["supervised"]
        )
        draw.dist(sub("supervision", 1), triage.supervision_minutes, cols["supervision_minutes"])
        draw.by_urgency(
            sub("callback_duration"),
            triage.callback_minutes,
            urgency,
            cols["callback_minutes"],
            groups,
        )
        draw.by_urgency(
            sub("visit_duration"), gp.visit_minutes, urgency, cols["visit_minutes"], groups
        )
        redial_p = fraction(triage.redial_percent)
        for j in range(triage.max_redials + 1):
            if triage.patience_minutes == "none":
                cols["patience_minutes"][:, j] = np.inf  # callers who never hang up
            else:
                draw.dist(
                    sub("patience", j), triage.patience_minutes, cols["patience_minutes"][:, j]
                )
            if j < triage.max_redials:
                draw.bernoulli_one(sub("redial", j), redial_p, cols["redials"][:, j])
                draw.dist(
                    sub("redial", 1000 + j),
                    triage.redial_delay_minutes,
                    cols["redial_delay_minutes"][:, j],
                )

    if "consult_minutes" in need:
        draw.by_urgency(
            sub("consult_duration"), gp.consult_minutes, urgency, cols["consult_minutes"], groups
        )
        scope = draw.memo(gp, "np_scope", lambda: _np_scope(gp))
        draw.bernoulli(sub("skill_mix"), scope, urgency, cols["np_eligible"])
        np_dist = gp.nurse_practitioner_consult_minutes or for_urgency(gp.consult_minutes, "U3")
        draw.dist(sub("skill_mix", 1), np_dist, cols["np_consult_minutes"])
        entry = channel.entry
        referral_p = draw.memo(gp, f"referral {entry}", lambda: _referral_p(gp, entry))
        draw.bernoulli(sub("seh_referral"), referral_p, disposition, cols["seh_referral"])

    if "dispatch_delay_minutes" in need:
        draw.dist(
            sub("ambulance_dispatch"), amb.dispatch_delay_minutes, cols["dispatch_delay_minutes"]
        )
        conveyance = draw.memo(amb, "conveyance", lambda: _conveyance_p(amb))
        draw.bernoulli(sub("ambulance_conveyance"), conveyance, urgency, cols["conveyed"])
        on_scene = amb.on_scene_minutes
        if isinstance(on_scene, OnSceneMinutes):  # by outcome: one stream per outcome
            draw.dist(sub("ambulance_on_scene"), on_scene.conveyed, cols["on_scene_minutes"])
            not_conveyed = np.empty_like(cols["on_scene_minutes"])
            draw.dist(sub("ambulance_on_scene", 1), on_scene.not_conveyed, not_conveyed)
            stays = ~cols["conveyed"]
            cols["on_scene_minutes"][stays] = not_conveyed[stays]
        else:
            draw.dist(sub("ambulance_on_scene"), on_scene, cols["on_scene_minutes"])
        draw.dist(sub("ambulance_handover"), amb.handover_minutes, cols["handover_minutes"])

    draw.by_urgency(
        sub("seh_length_of_stay"),
        seh.length_of_stay_minutes,
        urgency,
        cols["seh_stay_minutes"],
        groups,
    )
    if seh.doctor_assessment_minutes is not None:
        draw.dist(
            sub("seh_length_of_stay", 1), seh.doctor_assessment_minutes, cols["seh_doctor_minutes"]
        )
    else:
        cols["seh_doctor_minutes"][:] = np.nan
    draw.uniform(sub("offload_delay"), cols["offload_u"])
    seh_keys = draw.memo(scenario.sites, "seh_keys", lambda: _seh_keys(scenario))
    for j, site in enumerate(scenario.sites.sehs.values()):
        if site.offload_delay is not None:
            draw.dist(
                sub("offload_delay", seh_keys[j]),
                site.offload_delay.minutes,
                cols["offload_minutes"][:, j],
            )
        else:
            cols["offload_minutes"][:, j] = 0.0
    if "front_desk_u" in need:
        draw.uniform(sub("seh_front_desk"), cols["front_desk_u"])

    draw.noise(sub("travel_noise"), scenario.travel.noise_cv, cols["travel_noise"])
    for column, values in cols.items():
        if column in _OPTIONAL and column not in need:
            values[...] = False if values.dtype == np.bool_ else np.nan


def _np_scope(gp: Any) -> np.ndarray:
    """Probability per urgency that a nurse practitioner may see the consult."""
    scope = [gp.nurse_practitioner_scope_percent.get(u, 0.0) for u in URGENCIES]
    return np.array(scope) / 100.0


def _referral_p(gp: Any, entry: str) -> np.ndarray:
    """Probability per disposition that the GP refers the patient to the SEH."""
    referral_p = np.zeros(len(DISPOSITIONS))
    referral_p[DISPOSITIONS.index("consult")] = fraction(gp.seh_referral_after_consult_percent)
    referral_p[DISPOSITIONS.index("home_visit")] = fraction(gp.seh_referral_after_visit_percent)
    if entry == "walk_in_seh":  # redirected at the front desk, then a consult
        referral_p[DISPOSITIONS.index("seh")] = fraction(gp.seh_referral_after_consult_percent)
    return referral_p


def _conveyance_p(amb: Any) -> np.ndarray:
    """Probability per urgency that the ambulance conveys the patient."""
    amb_code = np.array([AMBULANCE_URGENCIES.index(amb.urgency_map[u]) for u in URGENCIES])
    conveyance = np.array([fraction(amb.conveyance_percent[a]) for a in AMBULANCE_URGENCIES])
    return conveyance[amb_code]


def _seh_keys(scenario: Scenario) -> list[int]:
    """Substream key of each SEH's offload delay stream."""
    return [stream_key(seh_id) for seh_id in scenario.sites.sehs]


def _allocate(scenario: Scenario, n: int) -> dict[str, np.ndarray]:
    attempts = scenario.triage.max_redials + 1
    f8, b1 = np.float64, np.bool_
    shapes: dict[str, tuple[tuple[int, ...], Any]] = {
        "channel": ((n,), np.int16),
        "entry": ((n,), np.int8),
        "area": ((n,), np.int32),
        "urgency": ((n,), np.int8),
        "disposition": ((n,), np.int8),
        "triage_minutes": ((n,), f8),
        "supervised": ((n,), b1),
        "supervision_minutes": ((n,), f8),
        "callback_minutes": ((n,), f8),
        "consult_minutes": ((n,), f8),
        "np_eligible": ((n,), b1),
        "np_consult_minutes": ((n,), f8),
        "visit_minutes": ((n,), f8),
        "seh_referral": ((n,), b1),
        "patience_minutes": ((n, attempts), f8),
        "redials": ((n, attempts - 1), b1),
        "redial_delay_minutes": ((n, attempts - 1), f8),
        "seh_stay_minutes": ((n,), f8),
        "seh_doctor_minutes": ((n,), f8),
        "front_desk_u": ((n,), f8),
        "dispatch_delay_minutes": ((n,), f8),
        "on_scene_minutes": ((n,), f8),
        "conveyed": ((n,), b1),
        "handover_minutes": ((n,), f8),
        "offload_u": ((n,), f8),
        "offload_minutes": ((n, len(scenario.sites.sehs)), f8),
        "travel_noise": ((n, len(LEGS)), f8),
    }
    return {name: np.empty(shape, dtype=dtype) for name, (shape, dtype) in shapes.items()}


# --------------------------------------------------------------------------- entry points


def expected_arrivals(scenario: Scenario) -> dict[str, np.ndarray]:
    """Expected arrivals per hour of the horizon, per channel (deterministic)."""
    calendar = scenario_calendar(scenario)
    return {
        name: expected_per_hour(scenario, channel, calendar)
        for name, channel in scenario.demand.channels.items()
    }


class DemandSampler:
    """Draws Demands of one scenario; everything derived from the scenario alone (arrival
    intensities, encoded distributions, which substreams each channel draws from) is
    computed once, here."""

    def __init__(self, scenario: Scenario, kernels: Kernels = "numba") -> None:
        self.scenario = scenario
        self.expected = expected_arrivals(scenario)
        self._draw = _Draw(kernels)
        self._names = list(scenario.demand.channels)
        self._keys = {name: stream_key(name) for name in self._names}
        if self._draw.numba:
            # The compiled path draws from PCG64 states (`pcg64`); the arrival intensities
            # are checked once, and a dry run on no patients lists each channel's
            # substreams, so that a replication seeds all its streams in one call.
            self._counts = {c: pcg64.ArrivalCounts(self.expected[c]) for c in self._names}
            n_hours = {self.expected[c].shape[0] for c in self._names}
            self._lasts = {h: pcg64.interval_ends(h, 60.0) for h in n_hours}
            self._streams = {name: self._channel_streams(name) for name in self._names}
            # Every substream of a replication, seeded at once: arrivals first, then each
            # channel's in the order of its dry run (spawn keys without the replication;
            # `spawn_key` checks the stream names).
            check = ReplicationStreams(0, 0).spawn_key
            suffixes = [check("arrivals", self._keys[c])[1:] for c in self._names]
            for c in self._names:
                key = self._keys[c]
                suffixes.extend(check(st, key, *more)[1:] for st, more in self._streams[c])
            self._seeder = pcg64.SubstreamSeeder(suffixes)

    def _channel_streams(self, name: str) -> list[tuple[str, tuple[int, ...]]]:
        wanted: list[tuple[str, tuple[int, ...]]] = []
        dummy = np.zeros(4, dtype=np.uint64)

        def record(stream: str, *more: int) -> np.ndarray:
            wanted.append((stream, more))
            return dummy

        _fill_channel(self.scenario, record, name, _allocate(self.scenario, 0), self._draw)
        if len(set(wanted)) != len(wanted):  # pragma: no cover - a stream drawn twice
            raise RuntimeError(f"channel {name!r} asks for a substream twice")
        return wanted

    def sample(self, replication: int, seed: int | None = None) -> Demand:
        """The Demand of one replication (``seed`` defaults to ``scenario.run.seed``)."""
        scenario, draw = self.scenario, self._draw
        seed = scenario.run.seed if seed is None else seed
        streams = ReplicationStreams(seed, replication)
        names = self._names
        if not draw.numba:
            arrivals = [
                draw.arrivals(streams.substream("arrivals", self._keys[c]), self.expected[c])
                for c in names
            ]
            all_arrivals = np.concatenate(arrivals)
            cols = _allocate(scenario, all_arrivals.shape[0])
            start = 0
            for name, times in zip(names, arrivals, strict=True):
                stop = start + times.shape[0]
                part = {k: v[start:stop] for k, v in cols.items()}
                key = self._keys[name]
                _fill_channel(
                    scenario, lambda s, *m, key=key: streams.substream(s, key, *m), name, part, draw
                )
                start = stop
            order = np.argsort(all_arrivals, kind="stable")
            return Demand(
                seed=seed,
                replication=replication,
                order=order,
                arrival_minutes=all_arrivals,
                **cols,
            )

        states = self._seeder.states(streams.seed, streams.replication)
        counts = [self._counts[c](states[i]) for i, c in enumerate(names)]
        sizes = [int(c.sum()) for c in counts]
        all_arrivals = np.empty(sum(sizes))
        cols = _allocate(scenario, all_arrivals.shape[0])
        start, row = 0, len(names)
        for i, name in enumerate(names):
            stop = start + sizes[i]
            lasts = self._lasts[counts[i].shape[0]]
            pcg64.arrival_times_into(states[i], counts[i], 60.0, lasts, all_arrivals[start:stop])
            part = {k: v[start:stop] for k, v in cols.items()}
            wanted = self._streams[name]
            rows = {w: states[row + j] for j, w in enumerate(wanted)}
            _fill_channel(scenario, lambda s, *m, rows=rows: rows[(s, m)], name, part, draw)
            start, row = stop, row + len(wanted)
        order = np.argsort(all_arrivals, kind="stable")
        return Demand(
            seed=seed, replication=replication, order=order, arrival_minutes=all_arrivals, **cols
        )


def sample_demand(
    scenario: Scenario,
    replication: int,
    seed: int | None = None,
    *,
    kernels: Kernels = "numba",
) -> Demand:
    """Draw the Demand of one replication (``seed`` defaults to ``scenario.run.seed``).

    ``kernels='numpy'`` uses the vectorised NumPy counterparts of the Numba kernels (same
    laws); it exists for the benchmark. For many replications use `DemandSampler`.
    """
    return DemandSampler(scenario, kernels).sample(replication, seed)


def sample_demand_batch(
    scenario: Scenario,
    replications: Iterable[int],
    seed: int | None = None,
    *,
    kernels: Kernels = "numba",
) -> list[Demand]:
    """Demands of several replications of one scenario."""
    sampler = DemandSampler(scenario, kernels)
    return [sampler.sample(r, seed) for r in replications]
