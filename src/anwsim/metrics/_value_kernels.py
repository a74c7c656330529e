"""Compiled loops for the access KPIs (Numba), for `anwsim.metrics.access`.

Each loop makes one pass over the patients for one part of the chain and takes the
values and counts of all its KPIs: `phone_counts` (the phone service levels and the
waits), `grouped_gaps` (call to doctor per urgency), `ambulance_values` (responses per
ambulance urgency, the ambulance shares and rides), `seh_gaps` (handoff delay and door
to doctor per SEH, visits), `volume_counts` (patients per channel, GP contacts, travel
to the post). Values are grouped in patient order (`group_stably`), so
that means stay with NumPy (`np.mean` of the values in the same order) and come out the
same bit for bit; `percentile` is `np.percentile` (its default, "linear") by selecting
near the rank instead of partitioning all values.

Why one pass per part: the KPIs are measured right after the simulation, so their
columns come from memory, and a loop that reads the columns of a part side by side
costs less than a pass (or a NumPy mask) per KPI. A test that goes either way at random
is made without a branch (a write that is always made and a count that advances by the
test, ``m += take``); a test on rows that come in runs (the rows are grouped by
channel: callers, rides) is a branch, which skips the rest. Counts per code go to four
lanes (``i & 3``), so that consecutive patients of one code do not wait on each other's
increment in memory.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from anwsim.metrics._log_kernels import INLINE, LOOP

LANES = 4
"""Copies of a count per code, taken in turn by consecutive patients (`lane_totals`)."""


@njit(**INLINE)
def code_of(codes: np.ndarray | None, i: int, n_groups: int) -> tuple[int, bool]:
    """Patient i's code (0 without ``codes``) if it is one of 0 … n_groups − 1, else
    n_groups (a column for codes out of range); and whether it is."""
    c = 0 if codes is None else codes[i]
    inside = (c >= 0) & (c < n_groups)
    return (c if inside else n_groups), inside


@njit(cache=True)
def lane_totals(lanes: np.ndarray) -> np.ndarray:
    """The counts per code (``lanes``: `LANES` × (codes + 1), the last column for codes
    out of range, which it drops)."""
    n = lanes.shape[1] - 1
    totals = np.zeros(n, dtype=np.int64)
    for lane in range(LANES):
        for c in range(n):
            totals[c] += lanes[lane, c]
    return totals


@njit(cache=True)
def grouped_gaps(
    later: np.ndarray,
    earlier: np.ndarray,
    codes: np.ndarray,
    keep: np.ndarray,
    pending: np.ndarray,
    n_groups: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The gaps ``later[i] - earlier[i]`` of the patients i in ``keep`` with a finite
    ``later[i]`` and a code ``codes[i]`` in 0 … n_groups − 1, grouped by code, each
    group in patient order: the gaps of one group after the other, and where each group
    begins (``n_groups + 1`` offsets). Also, per group, how many of the other patients
    in ``keep`` are ``pending``.

    For a gap most patients have, in no order (call to doctor): the slot of every
    patient in a loop that vectorises (`_slots`), how many per slot and quarter of the
    patients, and every gap placed by those counts (`_place`)."""
    n = later.size
    slot = np.empty(n, dtype=np.int32)
    _slots(later, codes, keep, pending, n_groups, slot)
    q = (n + 3) // 4
    counts = np.zeros((4, 2 * n_groups + 1), dtype=np.int64)
    for j in range(q):  # the quarters side by side: no count waits on the one before
        for r in range(4):
            k = r * q + j
            if k < n:
                counts[r, slot[k]] += 1
    offsets = np.zeros(n_groups + 1, dtype=np.int64)
    cursor = np.empty((4, 2 * n_groups + 1), dtype=np.int64)
    for g in range(n_groups):  # group g of quarter r after that of quarters 0 … r − 1
        at = offsets[g]
        for r in range(4):
            cursor[r, g] = at
            at += counts[r, g]
        offsets[g + 1] = at
    m = offsets[n_groups]
    cursor[:, n_groups:] = m  # the patients not taken: all on one spare place
    grouped = np.empty(m + 1)
    _place(later, earlier, slot, n_groups, cursor, grouped)
    waiting = counts[:, n_groups + 1 :].sum(axis=0)
    return grouped[:m], offsets, waiting


@njit(cache=True)
def seh_gaps(
    keep: np.ndarray,
    seh: np.ndarray,
    n_sehs: int,
    handover_start: np.ndarray,
    ambulance_at_seh: np.ndarray,
    seh_doctor: np.ndarray,
    seh_arrival: np.ndarray,
    seh_start: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per SEH 0 … n_sehs − 1, over the patients in ``keep``: the finite handoff delays
    (``handover_start - ambulance_at_seh``) and doors to doctor (``seh_doctor -
    seh_arrival``), each grouped by SEH in patient order (values and offsets, as
    `group_stably`), and how many were seen (a finite ``seh_start``). In one pass: the
    columns come from memory side by side."""
    n = keep.size
    handoffs, doors = np.empty(n), np.empty(n)
    handoff_seh, door_seh = np.empty(n, dtype=np.int32), np.empty(n, dtype=np.int32)
    seen = np.zeros((LANES, n_sehs + 1), dtype=np.int64)
    n_handoffs = n_doors = 0
    for i in range(n):
        s = seh[i]
        inside = (s >= 0) & (s < n_sehs)
        kept = keep[i] & inside
        handoff = handover_start[i] - ambulance_at_seh[i]
        door = seh_doctor[i] - seh_arrival[i]
        handoffs[n_handoffs], handoff_seh[n_handoffs] = handoff, s
        n_handoffs += kept & np.isfinite(handoff)
        doors[n_doors], door_seh[n_doors] = door, s
        n_doors += kept & np.isfinite(door)
        seen[i & 3, s if inside else n_sehs] += keep[i] & np.isfinite(seh_start[i])
    handoffs, handoff_offsets = group_stably(handoffs, handoff_seh, n_handoffs, n_sehs)
    doors, door_offsets = group_stably(doors, door_seh, n_doors, n_sehs)
    return handoffs, handoff_offsets, doors, door_offsets, lane_totals(seen)


@njit(**LOOP)
def _slots(
    later: np.ndarray,
    codes: np.ndarray,
    keep: np.ndarray,
    pending: np.ndarray,
    n_groups: int,
    slot: np.ndarray,
) -> None:
    """Per patient (see `grouped_gaps`): its code c if its gap is taken, n_groups + 1 + c
    if it is pending instead, else n_groups."""
    for i in range(later.size):
        c = codes[i]
        kept = keep[i] & (c >= 0) & (c < n_groups)
        other = n_groups + 1 + c if pending[i] & kept else n_groups
        slot[i] = c if kept & np.isfinite(later[i]) else other


@njit(**LOOP)
def _place(
    later: np.ndarray,
    earlier: np.ndarray,
    slot: np.ndarray,
    n_groups: int,
    cursor: np.ndarray,
    grouped: np.ndarray,
) -> None:
    """Writes the gap of every patient at the cursor of its quarter and slot, and moves
    that cursor on if the gap is taken (the others all go to the spare last place). The
    quarters side by side, so that four chains of cursor moves run at once."""
    n = later.size
    q = (n + 3) // 4
    for j in range(q):
        for r in range(4):
            k = r * q + j
            if k < n:
                g = slot[k]
                grouped[cursor[r, g]] = later[k] - earlier[k]
                cursor[r, g] += g < n_groups


@njit(cache=True)
def volume_counts(
    keep: np.ndarray,
    channel: np.ndarray,
    n_channels: int,
    entry: np.ndarray,
    phone: int,
    triage_end: np.ndarray,
    disposition: np.ndarray,
    seen_at_post: tuple[int, int],
    consult_start: np.ndarray,
    consult_by: np.ndarray,
    visit_start: np.ndarray,
    callback_start: np.ndarray,
    travel_to_post: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Over the patients in ``keep``, in one pass: how many per channel 0 … n_channels −
    1; the GP contacts (telephone: phone entry, triaged, a disposition other than the
    two of ``seen_at_post`` (consult, home visit); consults: a finite consult start;
    home visits: a finite visit start) and what the contacts per GP hour count
    (consults by a GP, ``consult_by == 0``, home visits and call-backs); and the finite
    travel times to the post, in patient order (an access KPI, taken here with the
    other columns of the GP posts)."""
    n = keep.size
    per_channel = np.zeros((LANES, n_channels + 1), dtype=np.int64)
    travel = np.empty(n)
    consult_code, visit_code = seen_at_post
    telephone = consults = visits = by_gp = callbacks = n_travel = 0
    for i in range(n):
        k = keep[i]
        c, _ = code_of(channel, i, n_channels)
        per_channel[i & 3, c] += k
        d = disposition[i]
        triaged = (entry[i] == phone) & np.isfinite(triage_end[i])
        telephone += k & triaged & (d != consult_code) & (d != visit_code)
        consult = k & np.isfinite(consult_start[i])
        consults += consult
        by_gp += consult & (consult_by[i] == 0)
        visits += k & np.isfinite(visit_start[i])
        callbacks += k & np.isfinite(callback_start[i])
        travel[n_travel] = travel_to_post[i]
        n_travel += k & np.isfinite(travel_to_post[i])
    counts = np.array([telephone, consults, visits, by_gp + visits + callbacks], dtype=np.int64)
    return lane_totals(per_channel), counts, travel[:n_travel]


NEIGHBOUR_STATION = -2
"""``Outcomes.station`` of a ride by a vehicle of a neighbouring region."""


@njit(cache=True)
def ambulance_values(
    keep: np.ndarray,
    unserved: np.ndarray,
    ambulance_urgency: np.ndarray,
    urgent: np.ndarray,
    incident: np.ndarray,
    ambulance_arrival: np.ndarray,
    ambulance_at_seh: np.ndarray,
    ambulance_depart_scene: np.ndarray,
    conveyed: np.ndarray,
    ambulance_dispatch: np.ndarray,
    station: np.ndarray,
    to_seh_norm: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What the ambulance KPIs take, in one pass. Over the rides (patients in ``keep``
    with an ambulance urgency u in 0 … ``urgent.size`` − 1): the finite responses
    (``ambulance_arrival - incident``) grouped by urgency in patient order (values and
    offsets, as `group_stably`) and per urgency the rides not on scene that were
    ``unserved``; the urgent rides (``urgent[u]``) at the SEH within ``to_seh_norm`` of
    the incident, and those at the SEH or stuck before it when the run stopped
    (``unserved``, not at the SEH, conveying or not yet off scene). Over the patients
    in ``keep`` with a finite dispatch: how many, how many by a neighbouring region, and
    how many per ambulance urgency (rides per year). (Rides and dispatches come in
    runs, the rows being grouped by channel, so the branches on them are foreseen.)"""
    n, n_urgencies = keep.size, urgent.size
    responses, response_urgency = np.empty(n), np.empty(n, dtype=np.int32)
    not_on_scene = np.zeros(n_urgencies, dtype=np.int64)
    per_urgency = np.zeros(n_urgencies + 1, dtype=np.int64)
    m = to_seh = seen = dispatched = neighbour = 0
    for i in range(n):
        u = ambulance_urgency[i]
        if keep[i] and np.isfinite(ambulance_dispatch[i]):
            dispatched += 1
            neighbour += station[i] == NEIGHBOUR_STATION
            per_urgency[u if 0 <= u < n_urgencies else n_urgencies] += 1
        if not (keep[i] and 0 <= u < n_urgencies):
            continue
        response = ambulance_arrival[i] - incident[i]
        on_scene = np.isfinite(response)
        responses[m], response_urgency[m] = response, u
        m += on_scene
        not_on_scene[u] += unserved[i] & (not on_scene)
        if urgent[u]:
            at_seh = np.isfinite(ambulance_at_seh[i])
            off_scene = np.isfinite(ambulance_depart_scene[i])
            stuck = unserved[i] & (not at_seh) & (conveyed[i] | (not off_scene))
            seen += at_seh | stuck
            to_seh += at_seh & (ambulance_at_seh[i] - incident[i] <= to_seh_norm)
    grouped, offsets = group_stably(responses, response_urgency, m, n_urgencies)
    counts = np.array([to_seh, seen, dispatched, neighbour], dtype=np.int64)
    return grouped, offsets, not_on_scene, counts, per_urgency[:n_urgencies]


@njit(cache=True)
def group_stably(
    values: np.ndarray, group: np.ndarray, m: int, n_groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """``values[:m]`` ordered by ``group[:m]`` (each in 0 … n_groups − 1), each group in
    the order of ``values``: the values and where each group begins (``n_groups + 1``
    offsets). The four quarters of ``values`` are counted and placed side by side, each
    with its own cursor per group (the next quarter's after it), so that four chains of
    cursor moves run at once instead of one."""
    q = (m + 3) // 4
    counts = np.zeros((4, n_groups), dtype=np.int64)
    for j in range(q):
        for r in range(4):
            k = r * q + j
            if k < m:
                counts[r, group[k]] += 1
    offsets = np.zeros(n_groups + 1, dtype=np.int64)
    cursor = np.empty((4, n_groups), dtype=np.int64)
    for g in range(n_groups):
        at = offsets[g]
        for r in range(4):
            cursor[r, g] = at
            at += counts[r, g]
        offsets[g + 1] = at
    grouped = np.empty(m)
    for j in range(q):
        for r in range(4):
            k = r * q + j
            if k < m:
                g = group[k]
                grouped[cursor[r, g]] = values[k]
                cursor[r, g] += 1
    return grouped, offsets


def percentile(values: np.ndarray, q: float) -> float:
    """``np.percentile(values, q)`` (its default method, "linear"; NaN if there are no
    values or a NaN among them): the two order statistics around rank (n - 1) q / 100,
    interpolated as `np.percentile` does. Found by partitioning only the values near
    the rank: a sorted sample brackets it, `_bracket` counts the values below the
    bracket and keeps those in it."""
    n = values.size
    if n == 0:
        return math.nan
    virtual = (n - 1) * (q / 100)
    if virtual >= n - 1:  # NumPy takes the last value for both, with weight virtual + 1
        k, gamma = n - 1, virtual + 1
    else:
        k = math.floor(virtual)
        gamma = virtual - k
    k2 = min(k + 1, n - 1)
    lower, upper = _order_statistics(values, k, k2)
    if math.isnan(lower) or math.isnan(upper):
        return math.nan
    diff = upper - lower
    return float(upper - diff * (1 - gamma) if gamma >= 0.5 else lower + diff * gamma)


def _order_statistics(values: np.ndarray, k: int, k2: int) -> tuple[float, float]:
    """The k-th and k2-th smallest of ``values`` (from 0; k <= k2 <= k + 1), NaN if
    there is a NaN among them."""
    n = values.size
    if n > 4096:
        sample = np.sort(values[:: n // 1024])
        m = sample.size
        p = k / (n - 1)
        at, margin = round(p * (m - 1)), 4 * math.ceil(math.sqrt(p * (1 - p) * m)) + 4
        lo, hi = sample[max(at - margin, 0)], sample[min(at + margin, m - 1)]
        kept = np.empty(n)
        under, n_kept, nan = _bracket(values, lo, hi, kept)
        if nan:
            return math.nan, math.nan
        if under <= k and k2 < under + n_kept:
            inside = np.partition(kept[:n_kept], [k - under, k2 - under])
            return inside[k - under], inside[k2 - under]
    # few values, or the sample missed the rank
    ordered = np.partition(values, [k, k2, n - 1])  # NaN last
    return (math.nan, math.nan) if math.isnan(ordered[-1]) else (ordered[k], ordered[k2])


@njit(cache=True)
def _bracket(values: np.ndarray, lo: float, hi: float, kept: np.ndarray) -> tuple[int, int, bool]:
    """How many ``values`` are below ``lo``; those in [lo, hi], written into ``kept``
    (how many); whether there is a NaN (lo and hi are not)."""
    under = n_kept = 0
    nan = False
    for x in values:
        under += x < lo
        kept[n_kept] = x
        n_kept += (x >= lo) & (x <= hi)
        nan |= x != x
    return under, n_kept, nan


Attempts = tuple[np.ndarray, np.ndarray, np.ndarray]


@njit(cache=True)
def phone_counts(
    keep: np.ndarray,
    entry: np.ndarray,
    phone: int,
    urgency: np.ndarray,
    emergency: np.ndarray,
    answer: np.ndarray,
    answered_attempt_start: np.ndarray,
    called_back: np.ndarray,
    call_back_requested: np.ndarray,
    exit_via: np.ndarray,
    attempts: Attempts,
    exits: tuple[int, int],
    limits: tuple[float, float, float],
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the phone KPIs of `anwsim.metrics.access` count over the callers, in one
    pass: the patients in ``keep`` with entry ``phone`` and at least one attempt
    (``attempts[0]``), on the emergency line if ``emergency[urgency]`` (a flag per
    urgency code; codes outside it are not). The waits of the callers answered live (a
    finite answer, not called back: ``answer - answered_attempt_start``) and of the
    callers called back with a finite answer (``answer - call_back_requested``), each
    in patient order, and the counts: emergency callers and those answered live within
    ``limits[0]``; other callers and those answered live within ``limits[1]``, within
    ``limits[2]``; callers, those called back, those who left by ``exits[0]``, by
    ``exits[1]``; and the sums of the three ``attempts`` columns over the callers.
    (Callers come in runs, the rows being grouped by channel, so the branch on them is
    foreseen; call-backs are few.)"""
    n = keep.size
    live_waits, back_waits = np.empty(n), np.empty(n)
    all_attempts, abandoned_attempts, blocked_attempts = attempts
    (abandoned_exit, blocked_exit), (urgent_limit, limit, max_limit) = exits, limits
    size = emergency.size
    # counts in locals, not an array: they stay in registers
    n_live = n_back = emergency_callers = urgent_in_time = other = in_time = in_max = 0
    n_callers = called = abandoned = blocked = tried = tried_abandoned = tried_blocked = 0
    for i in range(n):
        if not (keep[i] and entry[i] == phone and all_attempts[i] >= 1):
            continue
        answered = np.isfinite(answer[i])
        back = called_back[i]
        live = answered & (not back)
        wait = answer[i] - answered_attempt_start[i]
        live_waits[n_live] = wait
        n_live += live
        if back and answered:
            back_waits[n_back] = answer[i] - call_back_requested[i]
            n_back += 1
        u = urgency[i]
        urgent = (u >= 0) & (u < size) & emergency[min(max(u, 0), size - 1)]
        emergency_callers += urgent
        urgent_in_time += urgent & live & (wait <= urgent_limit)
        normal = not urgent
        other += normal
        in_time += normal & live & (wait <= limit)
        in_max += normal & live & (wait <= max_limit)
        n_callers += 1
        called += back
        abandoned += exit_via[i] == abandoned_exit
        blocked += exit_via[i] == blocked_exit
        tried += all_attempts[i]
        tried_abandoned += abandoned_attempts[i]
        tried_blocked += blocked_attempts[i]
    counts = np.array(
        [
            emergency_callers,
            urgent_in_time,
            other,
            in_time,
            in_max,
            n_callers,
            called,
            abandoned,
            blocked,
            tried,
            tried_abandoned,
            tried_blocked,
        ],
        dtype=np.int64,
    )
    return live_waits[:n_live], back_waits[:n_back], counts
