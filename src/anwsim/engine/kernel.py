"""The compiled event loop: the chain of ``docs/engine.md`` over flat arrays, in Numba.

`run_chain` sets up the state and `event_loop` runs it; the operations it repeats (the
event heap, the request heaps, pools, rosters, the fleet, a process's next step) are
functions of their own that take the parts of the state they touch as tuples of arrays
(listed below). Every scalar that changes is a slot of a small array, so that a function
can change it in place. The loop and its helpers allocate nothing and are compiled
without Numba's reference counting (``_nrt=False``): with it, every array passed on cost
an atomic increment and decrement, most of the loop's time.

Mirrors of SimPy's scheduling (docs/engine.md §3):

* class events are ordered by ``(time, class << 48 | sequence)``; the sequence number is
  one counter, taken at scheduling. They live in a calendar queue (buckets of a minute
  over a lap of `CAL_BUCKETS` minutes, an overflow list beyond it) whose current minute
  is a small 4-ary heap (`ev_pop`), except four streams that are merged with its top in
  the same order: the DISPATCH events (all at the current time, at most one per pool: a
  ring), the roster changes (known in advance: sorted once, holding the sequence
  numbers 0..R-1 they take first), the arrivals (one pending at a time, its sequence
  number taken when the previous one is processed) and the PATIENCE events (a binary
  heap of their own with each entry's place kept, so that an answered call takes its
  event off at once; among the other events, cancelled ones were a sixth of all pops);
* SimPy's continuations are two FIFO queues, drained before the next class event:
  URGENT (a process starts) before NORMAL (a granted or hung-up request resumes its
  process);
* a process waiting on a timeout resumes inside the processing of that event.

A *process* is a patient's journey (process id = patient) or a supervision check
beside it (process id = n + patient). Its resume point and registers are rows of
``proc_i`` / ``proc_f``; `resume` runs it from there to its next wait.

The loop reports capacity overflows of its preallocated arrays in ``status`` (the
caller retries with larger arrays), never by writing out of bounds.

Four things keep it fast without changing what it computes: an index that is known to
be >= 0 goes through ``U`` (unsigned: Numba then compiles no negative-index wraparound);
a patient's Outcomes entries are initialised by blocks of ``2**BLOCK_BITS`` patients
when an arrival in the block is `PREFETCH_AHEAD` arrivals away (one pass over all of
them before the loop left them out of the caches by the time the loop wrote them; one
patient at a time, 50 scattered lines each, cost a third more time), its journey
registers at its arrival; each arrival prefetches the Demand rows and registers of the
patient `PREFETCH_AHEAD` arrivals later (`anwsim.engine.prefetch`); a dispatch with
nobody waiting returns at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit

from anwsim.engine.prefetch import prefetch_read, prefetch_write

# event classes (docs/engine.md §3)
END, ROSTER, DISPATCH, PATIENCE, ARRIVAL = 1, 2, 3, 4, 5
SHIFT = 1 << 48
PREFETCH_AHEAD = 16  # arrivals: the rows of the patient that many arrivals ahead
BLOCK_BITS = 8  # patients' rows are initialised in blocks of 2**BLOCK_BITS patients
CAL_BUCKETS = 2048  # the event calendar's buckets (a power of two), of CAL_WIDTH minutes
CAL_WIDTH = 1.0  # a power of two: a slot is then computed exactly
CAL_INVERSE = 1.0 / CAL_WIDTH
CAL_NEVER = np.int64(1) << 62  # the slot of a time beyond any (inf, NaN)

# The loop and its helpers allocate nothing (run_chain sets up the state), so they are
# compiled without Numba's reference counting: with it, every tuple of arrays passed to
# a helper cost an atomic increment and decrement per array, three quarters of the time.
# NumPy's error model: a division never checks its divisor (the loop divides only by
# positive factors), so the loop has no exception paths to carry (about 10% faster).
LOOP: dict[str, Any] = {"cache": True, "_nrt": False, "error_model": "numpy"}
INLINE: dict[str, Any] = {**LOOP, "inline": "always"}

# kinds (the trace's names are KIND_NAMES)
KIND_NAMES = (
    "arrival",
    "redial",
    "patience",
    "dispatch",
    "roster",
    "grant",
    "triage_end",
    "supervision_end",
    "callback_end",
    "at_post",
    "consult_end",
    "visit_arrival",
    "visit_end",
    "car_home",
    "at_seh",
    "assessment_end",
    "seh_end",
    "dispatch_decided",
    "on_scene",
    "scene_end",
    "offload_end",
    "handover_end",
    "vehicle_home",
)
(
    K_ARRIVAL,
    K_REDIAL,
    K_PATIENCE,
    K_DISPATCH,
    K_ROSTER,
    K_GRANT,
    K_TRIAGE_END,
    K_SUPERVISION_END,
    K_CALLBACK_END,
    K_AT_POST,
    K_CONSULT_END,
    K_VISIT_ARRIVAL,
    K_VISIT_END,
    K_CAR_HOME,
    K_AT_SEH,
    K_ASSESSMENT_END,
    K_SEH_END,
    K_DISPATCH_DECIDED,
    K_ON_SCENE,
    K_SCENE_END,
    K_OFFLOAD_END,
    K_HANDOVER_END,
    K_VEHICLE_HOME,
) = range(len(KIND_NAMES))

# outcome columns (anwsim.model.outcomes: TIME_FIELDS + FLOAT_FIELDS; INT_FIELDS; BOOL)
(
    T_CALL,
    T_ANSWER,
    T_ANSWERED_ATTEMPT_START,
    T_CALL_BACK_REQUESTED,
    T_ABANDON,
    T_TRIAGE_END,
    T_SUPERVISION_START,
    T_SUPERVISION_END,
    T_DOCTOR_CONTACT,
    T_CALLBACK_START,
    T_CALLBACK_END,
    T_POST_ARRIVAL,
    T_CONSULT_START,
    T_CONSULT_END,
    T_VISIT_REQUEST,
    T_VISIT_START,
    T_VISIT_END,
    T_INCIDENT,
    T_AMBULANCE_DISPATCH,
    T_AMBULANCE_ARRIVAL,
    T_AMBULANCE_DEPART_SCENE,
    T_AMBULANCE_AT_SEH,
    T_HANDOVER_START,
    T_HANDOVER_END,
    T_SEH_ARRIVAL,
    T_SEH_START,
    T_SEH_DOCTOR,
    T_SEH_END,
    T_EXIT,
    T_TRAVEL_TO_POST,
    T_TRAVEL_TO_SEH,
    T_RESPONSE_TRAVEL,
    T_TRANSPORT_TRAVEL,
) = range(33)
N_T = 33
(
    I_ATTEMPTS,
    I_ABANDONED_ATTEMPTS,
    I_BLOCKED_ATTEMPTS,
    I_POST,
    I_CONSULT_BY,
    I_VISIT_POST,
    I_STATION,
    I_AMBULANCE_URGENCY,
    I_SEH,
    I_EXIT_VIA,
    I_EXITS,
    I_UNSERVED_QUEUE,
) = range(12)
N_I = 12
B_REDIRECTED, B_CONVEYED, B_REFERRED, B_CALLED_BACK = range(4)
N_B = 4
(
    X_ABANDONED,
    X_ADVICE,
    X_CALLBACK,
    X_CONSULT,
    X_HOME_VISIT,
    X_AMBULANCE_NO_TRANSPORT,
    X_SEH,
    X_BLOCKED,
    X_UNSERVED,
) = range(9)

# Demand columns (engine.build.DF_COLUMNS, DI_COLUMNS: df[patient, D_*], di[patient, E_*])
(
    D_ARRIVAL,
    D_TRIAGE,
    D_SUPERVISION,
    D_CALLBACK,
    D_CONSULT,
    D_NP_CONSULT,
    D_VISIT,
    D_SEH_STAY,
    D_SEH_DOCTOR,
    D_FRONT_DESK_U,
    D_DISPATCH_DELAY,
    D_ON_SCENE,
    D_HANDOVER,
    D_OFFLOAD_U,
) = range(14)
E_ENTRY, E_AREA, E_URGENCY, E_DISPOSITION, E_SUPERVISED, E_NP, E_REFERRAL, E_CONVEYED = range(8)
PHONE, EMERGENCY_112, WALK_IN_GP, WALK_IN_SEH, REFERRAL_SEH = range(5)
ADVICE, GP_CALLBACK, CONSULT, HOME_VISIT, AMBULANCE, SEH = range(6)
TO_SITE, RESPONSE, TRANSPORT, RETURN = range(4)
B_RIDE = 2
NEIGHBOUR = -2
OVERTIME = -1
REQUEST = -1  # a process waits for a request, not a timeout (resume's exit)
# where the next class event comes from
NONE, FROM_RING, FROM_ROSTER, FROM_ARRIVALS, FROM_HEAP, FROM_PATIENCE = range(6)

# process registers
(
    R_STAGE,
    R_ATTEMPT,
    R_REQ,
    R_PATEV,
    R_PLACE,
    R_TARGET,
    R_DEST,
    R_RIDE,
    R_PLACEREQ,
    R_DOCREQ,
    R_SELFREF,
    R_BYAMB,
    R_HANDOVER,
    R_SEH,
    R_FAIL,
    R_VISITPOST,
) = range(16)
N_R = 16
F_START, F_TRAVELLED, F_FACTOR, F_MINUTES, F_LEAVE_AT, F_SPEED, F_PLACE_START = range(7)
N_F = 7

# stages (resume points)
(
    S_INIT,
    S_ATTEMPT,
    S_PH_WAIT,
    S_FAIL,
    S_REDIAL,
    S_TRIAGE,
    S_DISPOSE,
    S_CB_WAIT,
    S_CB_END,
    S_CO_LOOP,
    S_CO_TRAVEL,
    S_CO_ARRIVE,
    S_AT_POST,
    S_CA_WAIT,
    S_CA_END,
    S_VISIT,
    S_V_WAIT,
    S_V_DRIVE,
    S_V_START,
    S_V_END,
    S_SEH_VISIT,
    S_TS_LOOP,
    S_TS_TRAVEL,
    S_TS_ARRIVE,
    S_SV_DONE,
    S_TREAT,
    S_T_PLACE,
    S_H_START,
    S_H_OFFLOAD,
    S_H_HAND,
    S_H_END,
    S_T_DOCTOR,
    S_T_DOC_WAIT,
    S_T_DOC_END,
    S_T_STAY,
    S_T_STAY_END,
    S_INCIDENT,
    S_A_DELAY,
    S_A_WAIT,
    S_A_DRIVE,
    S_A_ON_SCENE,
    S_A_SCENE,
    S_AMB_AT_SEH,
    S_SUP_INIT,
    S_SUP_WAIT,
    S_SUP_END,
    S_DONE,
) = range(47)

# request fields
Q_K0, Q_SEQ, Q_POOL, Q_CODE, Q_HELD, Q_STATE, Q_GROUP, Q_CREW, Q_PID, Q_SIDE, Q_PLACE, Q_POS = (
    range(12)
)
N_Q = 12
WAITING, SERVED, CANCELLED = 0, 1, 2
# group fields
G_CAP, G_BUSY, G_OT, G_HOLD, G_DROPC, G_ENDED, G_REPLACE, G_C0, G_NC, G_LAST, G_POOL = range(11)
N_G = 11
# pool fields
P_KIND, P_G0, P_NG, P_PENDING, P_DSEQ, P_LIVE, P_HELD, P_HOLDSET = range(8)
N_P = 8
FLEET = 1
# status codes
OK, FULL_EVENTS, FULL_REQUESTS, FULL_LOG, FULL_TRACE, FULL_TRIPS, FULL_HEAP = range(7)


# --------------------------------------------------------------------------- state
# Each part of the loop's state is a tuple of arrays, passed to the functions below:
#   clk = (now[1], status[1])
#   ev  = (slots int[cap, 6]: prio, kind, p, pool, group, arg; time[cap]; cancelled[cap];
#          near heap: slots[cap]; free list[cap]; [near heap size, free top, seq, ring
#          head, ring tail]; dispatch ring pools[2^k >= pools + 1]; its sequence
#          numbers[same]; near heap: their times[cap], keys[cap]; patience heap: times[r];
#          keys[r]; journeys[r]; requests[r]; a journey's place on it[n]; [its size];
#          calendar: [cursor, in buckets, in overflow, overflow head]; next in a
#          bucket's list[cap]; a bucket's first[CAL_BUCKETS]) -- built by `event_state`
#   tr  = (rows int[cap, 6]: cls, seq, kind, patient, pool, group; time[cap]; [count])
#   gr  = (groups int[g, N_G]; drop time[g]; crew busy; crew on; crew ended; crew end;
#          crew staff)
#   lg  = (rows int[cap, 5]: group, busy, capacity, overtime, ended; time[cap]; [count])
#   rq  = (requests int[cap, N_Q]; float[cap, 2]: k1, minutes; free list; [free top,
#          joins]; heaps int[4 per pool, cap] of slots; heap sizes)
#   pl  = pools int[p, N_P]
#   cq  = (urgent ring, normal ring, [urgent head, tail, normal head, tail])
#   fl  = (trips int[cap, 6]: group, crew, origin, active, home event, pid;
#          float[cap, 2]: depart, arrive; returning list; [trips, returning])


@njit(**INLINE)
def U(k):
    """An index known to be >= 0, as unsigned: NumPy's negative-index wraparound (a
    shift, a mask and an add per access) is then not compiled."""
    return np.uint64(k)


@njit(**INLINE)
def cal_slot(time):
    """The calendar slot of an event time: ``floor(time / CAL_WIDTH)`` (exact: the width
    is a power of two), or `CAL_NEVER` for a time too large for one (or NaN)."""
    x = time * CAL_INVERSE
    return np.int64(x) if x < 4.0e18 else CAL_NEVER


@njit(**INLINE)
def heap_push(ev, time, key, slot):
    """Sift an event up in the 4-ary near heap; its entries carry their (time, key), so
    that a comparison reads the heap's own contiguous arrays, not the slots."""
    ht, hk, hs = ev[8], ev[9], ev[3]
    k = ev[5][0]
    ev[5][0] += 1
    while k > 0:
        parent = (k - 1) >> 2
        pt = ht[U(parent)]
        if time < pt or (time == pt and key < hk[U(parent)]):
            ht[U(k)], hk[U(k)], hs[U(k)] = pt, hk[U(parent)], hs[U(parent)]
            k = parent
        else:
            break
    ht[U(k)], hk[U(k)], hs[U(k)] = time, key, slot


@njit(**INLINE)
def cal_file(ev, slot, c):
    """File event ``slot`` (calendar slot ``c``, beyond the cursor) in its bucket, or in
    the overflow list if it is a lap or more ahead."""
    cs, link = ev[16], ev[17]
    if c < cs[0] + CAL_BUCKETS:
        b = U(c & (CAL_BUCKETS - 1))
        link[U(slot)] = ev[18][b]
        ev[18][b] = slot
        cs[1] += 1
    else:
        link[U(slot)] = cs[3]
        cs[3] = slot
        cs[2] += 1


@njit(**INLINE)
def schedule(ev, clk, time, cls, kind, p, pool, group, arg):
    if ev[5][1] == 0:
        clk[1][0] = FULL_EVENTS
        return -1
    ev[5][1] -= 1
    slot = ev[4][U(ev[5][1])]
    seq = ev[5][2]
    ev[5][2] += 1
    ev[1][U(slot)] = time
    ev[0][U(slot), 0] = cls * SHIFT + seq
    ev[0][U(slot), 1] = kind
    ev[0][U(slot), 2] = p
    ev[0][U(slot), 3] = pool
    ev[0][U(slot), 4] = group
    ev[0][U(slot), 5] = arg
    ev[2][U(slot)] = False
    # the calendar (see `ev_pop`): the near heap holds the events of slots up to the
    # cursor, the buckets those of the next lap, the overflow list the rest; an event on
    # an empty calendar moves the cursor to its slot
    c = cal_slot(time)
    cs = ev[16]
    if ev[5][0] == 0 and c > cs[0]:
        cs[0] = c
    if c <= cs[0]:
        heap_push(ev, time, cls * SHIFT + seq, slot)
    else:
        cal_file(ev, slot, c)
    return slot


@njit(**INLINE)
def ev_before(ta, ka, tb, kb):
    # the (time, key) order, computed without branches (its outcome is unpredictable)
    return (ta < tb) | ((ta == tb) & (ka < kb))


@njit(**INLINE)
def ev_pop(ev):
    """Take the event heap's top off (the earliest event: see below), and refill the near
    heap from the calendar when that leaves it empty.

    The events wait in a calendar of `CAL_BUCKETS` buckets of `CAL_WIDTH` minutes: those
    of slots up to the cursor (``ev[16][0]``) on a small 4-ary heap (the near heap), those
    of the next lap in linked lists per bucket, the rest in an overflow list. The near
    heap is empty only when the calendar is, so its top is the earliest event. (On one
    4-ary heap of all events, about 24 deep on the baseline, this took a fifth of the
    loop.)

    Near heap: its hole goes down to a leaf along the least children, and
    the last entry, put there, goes up to its place (Floyd's order of work: comparing
    that entry with the children at every level is a branch the processor cannot
    predict; most entries stay near the bottom). Keys are unique, so the top taken is
    the same whatever the heap's shape."""
    ht, hk, hs = ev[8], ev[9], ev[3]
    top = hs[U(0)]
    ev[5][0] -= 1
    size = ev[5][0]
    if size > 0:
        lt, lk, ls = ht[U(size)], hk[U(size)], hs[U(size)]
        k = 0
        while True:
            child = 4 * k + 1
            if child >= size:
                break
            # the least of up to four children (keys are unique: no ties)
            if child + 3 < size:  # all four: a tournament of selects
                c1, c2, c3 = child + 1, child + 2, child + 3
                a = c1 if ev_before(ht[U(c1)], hk[U(c1)], ht[U(child)], hk[U(child)]) else child
                b = c3 if ev_before(ht[U(c3)], hk[U(c3)], ht[U(c2)], hk[U(c2)]) else c2
                m = b if ev_before(ht[U(b)], hk[U(b)], ht[U(a)], hk[U(a)]) else a
            else:
                m = child
                for c in range(child + 1, size):
                    if ev_before(ht[U(c)], hk[U(c)], ht[U(m)], hk[U(m)]):
                        m = c
            ht[U(k)], hk[U(k)], hs[U(k)] = ht[U(m)], hk[U(m)], hs[U(m)]
            k = m
        while k > 0:
            parent = (k - 1) >> 2
            pt = ht[U(parent)]
            if lt < pt or (lt == pt and lk < hk[U(parent)]):
                ht[U(k)], hk[U(k)], hs[U(k)] = pt, hk[U(parent)], hs[U(parent)]
                k = parent
            else:
                break
        ht[U(k)], hk[U(k)], hs[U(k)] = lt, lk, ls
    elif ev[16][1] + ev[16][2] > 0:
        cal_advance(ev)
    return top


@njit(**INLINE)
def cal_advance(ev):
    """Move the calendar's cursor to the next slot with events and put them on the (empty)
    near heap: bucket by bucket; at the start of each lap the overflow events of that
    lap go to their buckets; with only overflow events left, straight to the least
    slot among them."""
    cs, link, heads = ev[16], ev[17], ev[18]
    while ev[5][0] == 0:
        c = cs[0]
        if cs[1] == 0:  # nothing in the buckets: the overflow's least slot is next
            least = CAL_NEVER
            e = cs[3]
            while e >= 0:
                least = min(least, cal_slot(ev[1][U(e)]))
                e = link[U(e)]
            c = least
        else:
            c += 1
        cs[0] = c
        if cs[1] == 0 or (c & (CAL_BUCKETS - 1)) == 0:
            # overflow events of slots c .. c + CAL_BUCKETS - 1 to their buckets
            e = cs[3]
            kept = -1
            while e >= 0:
                after = link[U(e)]
                d = cal_slot(ev[1][U(e)])
                if d < c + CAL_BUCKETS:
                    cs[2] -= 1
                    cal_file(ev, e, d)
                else:
                    link[U(e)] = kept
                    kept = e
                e = after
            cs[3] = kept
        b = U(c & (CAL_BUCKETS - 1))
        e = heads[b]
        heads[b] = -1
        while e >= 0:
            cs[1] -= 1
            heap_push(ev, ev[1][U(e)], ev[0][U(e), 0], e)
            e = link[U(e)]


@njit(**INLINE)
def ev_release(ev, slot):
    ev[4][ev[5][1]] = slot
    ev[5][1] += 1


# --------------------------------------------------------------------------- patience
# The PATIENCE events live on a heap of their own (ev[10:16]): most of them are cancelled
# (the call is answered first), and a cancelled one is taken off at once instead of
# riding the event heap until its time. Entries are ordered by the same (time, key) as
# the event heap's, so merging its top with the others gives the same order. A journey
# has at most one pending patience event: ``pos[pid]`` is its place on the heap.


@njit(**INLINE)
def pq_place(ev, k, t, key, pid, arg):
    ev[10][U(k)], ev[11][U(k)], ev[12][U(k)], ev[13][U(k)] = t, key, pid, arg
    ev[14][U(pid)] = k


@njit(**INLINE)
def pq_sift_up(ev, k, t, key, pid, arg):
    pt, pk = ev[10], ev[11]
    while k > 0:
        parent = (k - 1) >> 1
        if ev_before(t, key, pt[U(parent)], pk[U(parent)]):
            pq_place(ev, k, pt[U(parent)], pk[U(parent)], ev[12][U(parent)], ev[13][U(parent)])
            k = parent
        else:
            break
    pq_place(ev, k, t, key, pid, arg)


@njit(**INLINE)
def pq_sift_down(ev, k, t, key, pid, arg):
    pt, pk = ev[10], ev[11]
    size = ev[15][0]
    while True:
        c = 2 * k + 1
        if c >= size:
            break
        if c + 1 < size and ev_before(pt[U(c + 1)], pk[U(c + 1)], pt[U(c)], pk[U(c)]):
            c += 1
        if ev_before(pt[U(c)], pk[U(c)], t, key):
            pq_place(ev, k, pt[U(c)], pk[U(c)], ev[12][U(c)], ev[13][U(c)])
            k = c
        else:
            break
    pq_place(ev, k, t, key, pid, arg)


@njit(**INLINE)
def pq_push(ev, clk, t, pid, arg):
    """A PATIENCE event of journey ``pid`` at ``t`` (its sequence number taken now);
    False if there was no room (then the loop stops: the status says why)."""
    k = ev[15][0]
    if k >= ev[10].shape[0]:  # more than one per request slot: a request overflowed
        clk[1][0] = FULL_REQUESTS
        return False
    key = PATIENCE * SHIFT + ev[5][2]
    ev[5][2] += 1
    ev[15][0] = k + 1
    pq_sift_up(ev, k, t, key, pid, arg)
    return True


@njit(**INLINE)
def pq_remove(ev, pid):
    """Take journey ``pid``'s pending PATIENCE event off the heap."""
    k = ev[14][U(pid)]
    size = ev[15][0] - 1
    ev[15][0] = size
    if k == size:
        return
    t, key, q, arg = ev[10][U(size)], ev[11][U(size)], ev[12][U(size)], ev[13][U(size)]
    parent = (k - 1) >> 1
    if k > 0 and ev_before(t, key, ev[10][U(parent)], ev[11][U(parent)]):
        pq_sift_up(ev, k, t, key, q, arg)
    else:
        pq_sift_down(ev, k, t, key, q, arg)


@njit(**INLINE)
def trace_row(tr, clk, cls, seq, kind, patient, pool, group):
    cap = tr[1].shape[0]
    if cap == 0:
        return
    k = tr[2][0]
    if k >= cap:
        clk[1][0] = FULL_TRACE
        return
    tr[1][k] = clk[0][0]
    tr[0][k, 0] = cls
    tr[0][k, 1] = seq
    tr[0][k, 2] = kind
    tr[0][k, 3] = patient
    tr[0][k, 4] = pool
    tr[0][k, 5] = group
    tr[2][0] = k + 1


@njit(**INLINE)
def push_urgent(cq, pid):
    cq[0][cq[2][1] & (cq[0].shape[0] - 1)] = pid
    cq[2][1] += 1


@njit(**INLINE)
def patient_of(pid, n):
    """The patient of process ``pid`` (a journey is ``patient``, its supervision check
    ``n + patient``): no integer division, which costs tens of cycles per event."""
    return pid - n if pid >= n else pid


@njit(**INLINE)
def push_normal(cq, pid):
    cq[1][cq[2][3] & (cq[1].shape[0] - 1)] = pid
    cq[2][3] += 1


# --------------------------------------------------------------------------- servers


@njit(**INLINE)
def record(gr, lg, clk, g):
    busy, cap, ot = gr[0][g, G_BUSY], gr[0][g, G_CAP], gr[0][g, G_OT]
    over = ot + max(0, busy - ot - cap) if gr[0][g, G_REPLACE] == 1 else max(0, busy - cap)
    ended = gr[0][g, G_ENDED]
    gr[0][g, G_ENDED] = 0
    last = gr[0][g, G_LAST]
    now = clk[0][0]
    if last >= 0 and lg[1][last] == now:
        lg[0][last, 1] = busy
        lg[0][last, 2] = cap
        lg[0][last, 3] = over
        lg[0][last, 4] += ended
        return
    k = lg[2][0]
    if k >= lg[1].shape[0]:
        clk[1][0] = FULL_LOG
        return
    lg[1][k] = now
    lg[0][k, 0] = g
    lg[0][k, 1] = busy
    lg[0][k, 2] = cap
    lg[0][k, 3] = over
    lg[0][k, 4] = ended
    lg[2][0] = k + 1
    gr[0][g, G_LAST] = k


@njit(**INLINE)
def free(gr, g, held):
    busy, cap = gr[0][g, G_BUSY], gr[0][g, G_CAP]
    if gr[0][g, G_REPLACE] == 0:
        return busy < cap or (held and busy < gr[0][g, G_HOLD])
    ot = gr[0][g, G_OT]
    return busy - ot < cap or (held and ot < gr[0][g, G_HOLD])


@njit(**INLINE)
def take(gr, lg, clk, g):
    gr[0][g, G_BUSY] += 1
    if gr[0][g, G_REPLACE] == 0:
        record(gr, lg, clk, g)
        return OVERTIME
    if gr[0][g, G_BUSY] - 1 - gr[0][g, G_OT] < gr[0][g, G_CAP]:
        best = -1
        c0 = gr[0][g, G_C0]
        for c in range(c0, c0 + gr[0][g, G_NC]):
            has_room = gr[3][c] and gr[2][c] < gr[6][c]
            if has_room and (best < 0 or gr[5][c] > gr[5][best]):
                best = c
        gr[2][best] += 1
        record(gr, lg, clk, g)
        return best
    gr[0][g, G_OT] += 1
    record(gr, lg, clk, g)
    return OVERTIME


@njit(**INLINE)
def give_back(gr, lg, clk, g, crew):
    gr[0][g, G_BUSY] -= 1
    if gr[0][g, G_REPLACE] == 1:
        if crew == OVERTIME or gr[4][crew]:
            gr[0][g, G_OT] -= 1
        else:
            gr[2][crew] -= 1
    record(gr, lg, clk, g)


# --------------------------------------------------------------------------- request heaps


@njit(**INLINE)
def rq_less(rq, a, b):
    if rq[0][a, Q_K0] != rq[0][b, Q_K0]:
        return rq[0][a, Q_K0] < rq[0][b, Q_K0]
    if rq[1][a, 0] != rq[1][b, 0]:
        return rq[1][a, 0] < rq[1][b, 0]
    return rq[0][a, Q_SEQ] < rq[0][b, Q_SEQ]


@njit(**INLINE)
def hp_sift_up(rq, sub, k):
    slot = rq[4][sub, k]
    while k > 0:
        parent = (k - 1) >> 1
        if rq_less(rq, slot, rq[4][sub, parent]):
            rq[4][sub, k] = rq[4][sub, parent]
            rq[0][rq[4][sub, k], Q_POS] = k
            k = parent
        else:
            break
    rq[4][sub, k] = slot
    rq[0][slot, Q_POS] = k


@njit(**INLINE)
def hp_sift_down(rq, sub, k):
    size = rq[5][sub]
    slot = rq[4][sub, k]
    while True:
        child = 2 * k + 1
        if child >= size:
            break
        if child + 1 < size and rq_less(rq, rq[4][sub, child + 1], rq[4][sub, child]):
            child += 1
        if rq_less(rq, rq[4][sub, child], slot):
            rq[4][sub, k] = rq[4][sub, child]
            rq[0][rq[4][sub, k], Q_POS] = k
            k = child
        else:
            break
    rq[4][sub, k] = slot
    rq[0][slot, Q_POS] = k


@njit(**INLINE)
def hp_push(rq, clk, sub, slot):
    size = rq[5][sub]
    if size == rq[4].shape[1]:
        clk[1][0] = FULL_HEAP
        return
    rq[4][sub, size] = slot
    rq[5][sub] = size + 1
    hp_sift_up(rq, sub, size)


@njit(**INLINE)
def hp_remove(rq, sub, k):
    rq[5][sub] -= 1
    size = rq[5][sub]
    if k == size:
        return
    rq[4][sub, k] = rq[4][sub, size]
    rq[0][rq[4][sub, k], Q_POS] = k
    parent = (k - 1) >> 1
    if k > 0 and rq_less(rq, rq[4][sub, k], rq[4][sub, parent]):
        hp_sift_up(rq, sub, k)
    else:
        hp_sift_down(rq, sub, k)


# --------------------------------------------------------------------------- pools


@njit(**INLINE)
def want_dispatch(pl, ev, clk, pool):
    # a DISPATCH event at the current time, on the dispatch ring (at most one per pool)
    if pl[pool, P_PENDING] == 0:
        pl[pool, P_PENDING] = 1
        seq = ev[5][2]
        ev[5][2] += 1
        tail = ev[5][4] & (ev[6].shape[0] - 1)
        ev[6][tail] = pool
        ev[7][tail] = seq
        ev[5][4] += 1
        pl[pool, P_DSEQ] = seq


@njit(**INLINE)
def request(rq, pl, ev, clk, pool, k0, k1, code, pid, side, place):
    if rq[3][0] == 0:
        clk[1][0] = FULL_REQUESTS
        return 0
    rq[3][0] -= 1
    slot = rq[2][rq[3][0]]
    rq[0][slot, Q_K0] = k0
    rq[1][slot, 0] = k1
    rq[1][slot, 1] = 0.0
    rq[0][slot, Q_SEQ] = rq[3][1]
    rq[3][1] += 1
    rq[0][slot, Q_POOL] = pool
    rq[0][slot, Q_CODE] = code
    rq[0][slot, Q_HELD] = 0
    rq[0][slot, Q_STATE] = WAITING
    rq[0][slot, Q_GROUP] = -1
    rq[0][slot, Q_CREW] = OVERTIME
    rq[0][slot, Q_PID] = pid
    rq[0][slot, Q_SIDE] = side
    rq[0][slot, Q_PLACE] = place
    hp_push(rq, clk, 4 * pool + 2 * code, slot)
    pl[pool, P_LIVE] += 1
    want_dispatch(pl, ev, clk, pool)
    return slot


@njit(**INLINE)
def rq_release(rq, slot):
    rq[2][rq[3][0]] = slot
    rq[3][0] += 1


@njit(**INLINE)
def update_hold(pl, gr, pool):
    if pl[pool, P_HELD] == 0 and pl[pool, P_HOLDSET] == 1:
        g0 = pl[pool, P_G0]
        for g in range(g0, g0 + pl[pool, P_NG]):
            gr[0][g, G_HOLD] = 0
        pl[pool, P_HOLDSET] = 0


@njit(**INLINE)
def cancel(rq, pl, gr, slot):
    if rq[0][slot, Q_STATE] != WAITING:
        return False
    pool = rq[0][slot, Q_POOL]
    sub = 4 * pool + 2 * rq[0][slot, Q_CODE] + rq[0][slot, Q_HELD]
    hp_remove(rq, sub, rq[0][slot, Q_POS])
    rq[0][slot, Q_STATE] = CANCELLED
    pl[pool, P_LIVE] -= 1
    if rq[0][slot, Q_HELD] == 1:
        pl[pool, P_HELD] -= 1
        update_hold(pl, gr, pool)
    return True


@njit(**INLINE)
def release(rq, pl, gr, lg, ev, clk, slot):
    pool = rq[0][slot, Q_POOL]
    give_back(gr, lg, clk, pl[pool, P_G0] + rq[0][slot, Q_GROUP], rq[0][slot, Q_CREW])
    want_dispatch(pl, ev, clk, pool)
    rq_release(rq, slot)


@njit(**LOOP)
def hold_all(rq, pl, clk, pool):
    for code in range(2):
        src = 4 * pool + 2 * code
        size = rq[5][src]
        for k in range(size):
            slot = rq[4][src, k]
            rq[0][slot, Q_HELD] = 1
            pl[pool, P_HELD] += 1
            hp_push(rq, clk, src + 1, slot)
        rq[5][src] = 0


@njit(**LOOP)
def set_capacity(rq, pl, gr, clk, pool, g, value):
    now = clk[0][0]
    if value == 0 and gr[0][g, G_CAP] > 0:
        gr[1][g] = now
        gr[0][g, G_DROPC] = gr[0][g, G_CAP]
    gr[0][g, G_CAP] = value
    g0, ng = pl[pool, P_G0], pl[pool, P_NG]
    if value > 0:
        for x in range(g0, g0 + ng):
            gr[0][x, G_HOLD] = 0
    else:
        total = 0
        for x in range(g0, g0 + ng):
            total += gr[0][x, G_CAP]
        if total == 0 and pl[pool, P_LIVE] > 0:
            for x in range(g0, g0 + ng):
                if gr[1][x] == now:
                    gr[0][x, G_HOLD] = gr[0][x, G_DROPC]
                    pl[pool, P_HOLDSET] = 1
            hold_all(rq, pl, clk, pool)


@njit(**LOOP)
def roster_change(rq, pl, gr, lg, ev, clk, rs, k):
    roster_starts = rs[6]
    pool = rs[0][k]
    g = pl[pool, P_G0] + rs[1][k]
    value = rs[2][k]
    if gr[0][g, G_REPLACE] == 0:
        gr[0][g, G_ENDED] += max(0, gr[0][g, G_CAP] - value)
        set_capacity(rq, pl, gr, clk, pool, g, value)
    else:
        cap = gr[0][g, G_CAP]
        for e in range(rs[3][k], rs[3][k + 1]):
            c = rs[4][e]
            if gr[3][c]:
                gr[3][c] = False
                cap -= gr[6][c]
                gr[0][g, G_ENDED] += gr[6][c]
                gr[0][g, G_OT] += gr[2][c]
            gr[4][c] = True
        for e in range(rs[5][k], rs[5][k + 1]):
            c = roster_starts[e]
            gr[3][c] = True
            cap += gr[6][c]
        set_capacity(rq, pl, gr, clk, pool, g, cap)
    record(gr, lg, clk, g)
    want_dispatch(pl, ev, clk, pool)


@njit(**INLINE)
def grant(rq, pl, tr, cq, clk, slot, pool, g, crew, minutes, n):
    sub = 4 * pool + 2 * rq[0][slot, Q_CODE] + rq[0][slot, Q_HELD]
    hp_remove(rq, sub, rq[0][slot, Q_POS])
    pl[pool, P_LIVE] -= 1
    if rq[0][slot, Q_HELD] == 1:
        pl[pool, P_HELD] -= 1
    rq[0][slot, Q_STATE] = SERVED
    rq[0][slot, Q_GROUP] = g
    rq[0][slot, Q_CREW] = crew
    rq[1][slot, 1] = minutes
    pid = rq[0][slot, Q_PID]
    trace_row(tr, clk, DISPATCH, pl[pool, P_DSEQ], K_GRANT, patient_of(pid, n), pool, g)
    push_normal(cq, pid)


@njit(**INLINE)
def sub_free(pl, gr, pool, code, held):
    g0 = pl[pool, P_G0]
    if code == 0:
        return free(gr, g0, held == 1)
    return free(gr, g0 + 1, held == 1) or free(gr, g0, held == 1)


@njit(**INLINE)
def dispatch_staff(rq, pl, gr, lg, tr, cq, clk, pool, n):
    while True:
        best = -1
        for sub in range(4 * pool, 4 * pool + 4):
            if rq[5][sub] == 0:
                continue
            code, held = (sub - 4 * pool) >> 1, (sub - 4 * pool) & 1
            if not sub_free(pl, gr, pool, code, held):
                continue
            head = rq[4][sub, 0]
            if best < 0 or rq_less(rq, head, best):
                best = head
        if best < 0:
            break
        g0 = pl[pool, P_G0]
        held = rq[0][best, Q_HELD] == 1
        if rq[0][best, Q_CODE] == 1 and free(gr, g0 + 1, held):
            crew = take(gr, lg, clk, g0 + 1)
            grant(rq, pl, tr, cq, clk, best, pool, 1, crew, 0.0, n)
        else:
            crew = take(gr, lg, clk, g0)
            grant(rq, pl, tr, cq, clk, best, pool, 0, crew, 0.0, n)
    update_hold(pl, gr, pool)


# --------------------------------------------------------------------------- the fleet


@njit(**INLINE)
def trip_minutes(fl, clk, minutes_m, station_place, trip, place):
    depart, arrive = fl[1][trip, 0], fl[1][trip, 1]
    span = arrive - depart
    f = 1.0 if span <= 0 else min(1.0, (clk[0][0] - depart) / span)
    station = station_place[fl[0][trip, 0]]
    return (1.0 - f) * minutes_m[fl[0][trip, 2], place] + f * minutes_m[station, place]


@njit(**INLINE)
def may_take(fl, gr, pl, clk, fleet_pool, while_returning, trip):
    g = pl[fleet_pool, P_G0] + fl[0][trip, 0]
    crew = fl[0][trip, 1]
    if gr[0][g, G_REPLACE] == 0:
        if gr[0][g, G_BUSY] > gr[0][g, G_CAP]:
            return False
    elif crew == OVERTIME or gr[4][crew]:
        return False
    return while_returning or clk[0][0] == fl[1][trip, 0]


@njit(**INLINE)
def remove_returning(fl, k):
    for j in range(k, fl[3][1] - 1):
        fl[2][j] = fl[2][j + 1]
    fl[3][1] -= 1


@njit(**INLINE)
def dispatch_fleet(rq, pl, gr, lg, tr, cq, ev, fl, clk, pool, minutes_m, station_place,
                   while_returning, neighbour, neighbour_minutes, n):  # fmt: skip
    g0, ng = pl[pool, P_G0], pl[pool, P_NG]
    while True:
        best_rq = -1
        for sub in range(4 * pool, 4 * pool + 4):
            if rq[5][sub] > 0:
                head = rq[4][sub, 0]
                if best_rq < 0 or rq_less(rq, head, best_rq):
                    best_rq = head
        if best_rq < 0:
            break
        place = rq[0][best_rq, Q_PLACE]
        found = False
        b_min, b_code, b_g, b_k = 0.0, 0, 0, -1
        for g in range(ng):
            if free(gr, g0 + g, False):
                m = minutes_m[station_place[g], place]
                if (not found) or m < b_min or (m == b_min and (b_code > 0 or g < b_g)):
                    found, b_min, b_code, b_g, b_k = True, m, 0, g, -1
        for k in range(fl[3][1]):
            trip = fl[2][k]
            if may_take(fl, gr, pl, clk, pool, while_returning, trip):
                m = trip_minutes(fl, clk, minutes_m, station_place, trip, place)
                g = fl[0][trip, 0]
                if (not found) or m < b_min or (m == b_min and b_code == 1 and g < b_g):
                    found, b_min, b_code, b_g, b_k = True, m, 1, g, k
        if not found:
            if not neighbour:
                break
            grant(rq, pl, tr, cq, clk, best_rq, pool, NEIGHBOUR, OVERTIME, neighbour_minutes, n)
            continue
        if b_k < 0:
            crew = take(gr, lg, clk, g0 + b_g)
        else:
            trip = fl[2][b_k]
            fl[0][trip, 3] = 0
            ev[2][fl[0][trip, 4]] = True
            remove_returning(fl, b_k)
            crew = fl[0][trip, 1]
        grant(rq, pl, tr, cq, clk, best_rq, pool, b_g, crew, b_min, n)
    update_hold(pl, gr, pool)


@njit(**INLINE)
def send_home(rq, pl, ev, fl, clk, fleet_pool, minutes_m, station_place, ride, origin, factor):
    g = rq[0][ride, Q_GROUP]
    minutes = minutes_m[origin, station_place[g]] * factor
    k = fl[3][0]
    if k >= fl[1].shape[0]:
        clk[1][0] = FULL_TRIPS
        return
    now = clk[0][0]
    fl[3][0] += 1
    fl[0][k, 0] = g
    fl[0][k, 1] = rq[0][ride, Q_CREW]
    fl[0][k, 2] = origin
    fl[0][k, 3] = 1
    fl[0][k, 5] = rq[0][ride, Q_PID]
    fl[1][k, 0] = now
    fl[1][k, 1] = now + minutes
    fl[2][fl[3][1]] = k
    fl[3][1] += 1
    fl[0][k, 4] = schedule(ev, clk, fl[1][k, 1], END, K_VEHICLE_HOME, rq[0][ride, Q_PID],
                          fleet_pool, g, k)  # fmt: skip
    want_dispatch(pl, ev, clk, fleet_pool)


@njit(**INLINE)
def vehicle_home(pl, gr, lg, ev, fl, clk, fleet_pool, trip):
    if fl[0][trip, 3] == 1:
        fl[0][trip, 3] = 0
        for k in range(fl[3][1]):
            if fl[2][k] == trip:
                remove_returning(fl, k)
                break
        give_back(gr, lg, clk, pl[fleet_pool, P_G0] + fl[0][trip, 0], fl[0][trip, 1])
        want_dispatch(pl, ev, clk, fleet_pool)


# --------------------------------------------------------------------------- routing
# ro = (minutes, posts_by_distance, sehs_by_distance, post_open_t, post_open_v,
#       post_open_ptr, seh_open_t, seh_open_v, seh_open_ptr, post_wc_kind, post_wc_target,
#       seh_wc, seh_intake, post cursors, SEH cursors)


@njit(**INLINE)
def is_open(times, values, ptr, cursor, site, t):
    # the last change at or before t: t is always the current time, which never goes
    # back, so each site keeps a cursor into its sorted step function (no search)
    c = cursor[site]
    end = ptr[site + 1]
    while c + 1 < end and times[c + 1] <= t:
        c += 1
    cursor[site] = c
    return values[c] > 0


@njit(**INLINE)
def post_open(ro, p, t):
    return is_open(ro[3], ro[4], ro[5], ro[13], p, t)


@njit(**INLINE)
def seh_open(ro, s, t):
    return is_open(ro[6], ro[7], ro[8], ro[14], s, t)


@njit(**LOOP)
def seh_for(ro, place, t, by_amb):
    n_seh = ro[2].shape[1]
    any_intake = False
    for s in range(n_seh):
        if ro[12][s]:
            any_intake = True
    restrict = by_amb and any_intake
    s0 = -1
    for k in range(n_seh):
        s = ro[2][place, k]
        if not restrict or ro[12][s]:
            s0 = s
            break
    if seh_open(ro, s0, t):
        return s0
    target = ro[11][s0]
    if target >= 0 and seh_open(ro, target, t) and (not restrict or ro[12][target]):
        return target
    for k in range(n_seh):
        s = ro[2][place, k]
        if (not restrict or ro[12][s]) and seh_open(ro, s, t):
            return s
    return s0


@njit(**LOOP)
def nearest_open_post(ro, place, t):
    for k in range(ro[1].shape[1]):
        p = ro[1][place, k]
        if post_open(ro, p, t):
            return p
    return -1


@njit(**LOOP)
def post_for(ro, n_posts, place, t):
    """p >= 0: the post; -1 - s: the SEH s."""
    if n_posts == 0:
        return -1 - seh_for(ro, place, t, False)
    p0 = ro[1][place, 0]
    if post_open(ro, p0, t):
        return p0
    kind = ro[9][p0]
    if kind == 2:
        s = ro[10][p0]
        if seh_open(ro, s, t):
            return -1 - s
        return -1 - seh_for(ro, place, t, False)
    if kind == 1:
        p = ro[10][p0]
        if post_open(ro, p, t):
            return p
    p = nearest_open_post(ro, place, t)
    if p >= 0:
        return p
    return -1 - seh_for(ro, place, t, False)


@njit(**LOOP)
def visit_post(ro, pl, gr, post_cars_pool, post_has_cars, place):
    for k in range(ro[1].shape[1]):
        p = ro[1][place, k]
        if gr[0][pl[post_cars_pool[p], P_G0], G_CAP] > 0:
            return p
    for k in range(ro[1].shape[1]):
        p = ro[1][place, k]
        if post_has_cars[p]:
            return p
    return ro[1][place, 0]


@njit(**INLINE)
def leave(out, clk, i, via):
    out[0][T_EXIT, i] = clk[0][0]
    out[1][I_EXIT_VIA, i] = via
    out[1][I_EXITS, i] += 1


@njit(**INLINE)
def first_contact(out, i, t):
    if np.isnan(out[0][T_DOCTOR_CONTACT, i]):
        out[0][T_DOCTOR_CONTACT, i] = t


@njit(**INLINE)
def wait(proc, ev, clk, pid, stage, delay, kind, cls):
    proc[0][pid, R_STAGE] = stage
    schedule(ev, clk, clk[0][0] + delay, cls, kind, pid, -1, -1, 0)


@njit(**INLINE)
def resume(
    pid, served, n, clk, ev, tr, gr, lg, rq, pl, cq, fl, ro, out, proc, dm, sx, px, urgent_speed
):
    """Run process ``pid`` from its resume point to its next wait (docs/engine.md §2)."""
    fleet_pool, max_waiting, patience_none, callback_by_post, n_posts = px
    max_redials = dm[3].shape[1]
    i = patient_of(pid, n)
    iu, pu = U(i), U(pid)
    st = proc[0][pu, R_STAGE]
    now = clk[0][0]
    urg = dm[1][iu, E_URGENCY]
    # a stage that waits sets these and breaks out: for a timeout (one wait site) or, with
    # w_kind = REQUEST, for a request (one request site)
    w_stage, w_delay, w_kind, w_cls = S_DONE, 0.0, 0, END
    q_reg, q_pool, q_k0, q_k1, q_code, q_side, q_place = R_REQ, 0, 0, 0.0, 0, 0, -1
    while True:
        if st == S_INIT:
            out[0][T_CALL, iu] = now
            entry = dm[1][iu, E_ENTRY]
            proc[0][pu, R_ATTEMPT] = 0
            if entry == PHONE:
                st = S_ATTEMPT
            elif entry == WALK_IN_SEH:
                proc[0][pu, R_PLACE] = sx[0][dm[1][iu, E_AREA]]
                proc[0][pu, R_SELFREF] = 1
                st = S_SEH_VISIT
            else:
                st = S_DISPOSE
        elif st == S_ATTEMPT:
            proc[1][pu, F_START] = now
            out[1][I_ATTEMPTS, iu] += 1
            line = sx[4][dm[1][iu, E_AREA]]
            pool = sx[5][line]
            if (
                max_waiting >= 0
                and pl[pool, P_LIVE] - sx[18][line] >= max_waiting
                and not free(gr, pl[pool, P_G0], False)
            ):
                out[1][I_BLOCKED_ATTEMPTS, iu] += 1
                proc[0][pu, R_FAIL] = X_BLOCKED
                st = S_FAIL
                continue
            k0 = 0 if sx[16][urg] else 1
            req = request(rq, pl, ev, clk, pool, k0, now, 0, pid, 0, -1)
            proc[0][pu, R_REQ] = req
            proc[0][pu, R_PATEV] = -1
            at = now + dm[2][iu, proc[0][pu, R_ATTEMPT]]
            if not patience_none and pq_push(ev, clk, at, pid, req):
                proc[0][pu, R_PATEV] = 1
            proc[0][pu, R_STAGE] = S_PH_WAIT
            return
        elif st == S_PH_WAIT:
            if served:
                if proc[0][pu, R_PATEV] >= 0:
                    pq_remove(ev, pid)
                    proc[0][pu, R_PATEV] = -1
                if out[2][B_CALLED_BACK, iu]:
                    sx[18][sx[4][dm[1][iu, E_AREA]]] -= 1
                out[0][T_ANSWER, iu] = now
                out[0][T_ANSWERED_ATTEMPT_START, iu] = proc[1][pu, F_START]
                out[0][T_ABANDON, iu] = np.nan
                w_stage, w_delay, w_kind, w_cls = S_TRIAGE, dm[0][iu, D_TRIAGE], K_TRIAGE_END, END
                break
            rq_release(rq, proc[0][pu, R_REQ])  # hung up: the request left the queue
            out[1][I_ABANDONED_ATTEMPTS, iu] += 1
            out[0][T_ABANDON, iu] = now
            proc[0][pu, R_FAIL] = X_ABANDONED
            st = S_FAIL
        elif st == S_FAIL:
            a = proc[0][pu, R_ATTEMPT]
            if a < max_redials and dm[3][iu, a]:
                w_stage, w_delay, w_kind, w_cls = S_REDIAL, dm[4][iu, a], K_REDIAL, ARRIVAL
                break
            leave(out, clk, i, proc[0][pu, R_FAIL])
            proc[0][pu, R_STAGE] = S_DONE
            return
        elif st == S_REDIAL:
            proc[0][pu, R_ATTEMPT] += 1
            st = S_ATTEMPT
        elif st == S_TRIAGE:
            release(rq, pl, gr, lg, ev, clk, proc[0][pu, R_REQ])
            out[0][T_TRIAGE_END, iu] = now
            if dm[1][iu, E_SUPERVISED]:
                proc[0][n + i, R_STAGE] = S_SUP_INIT
                push_urgent(cq, n + i)
            st = S_DISPOSE
        elif st == S_DISPOSE:
            d = dm[1][iu, E_DISPOSITION]
            if d == ADVICE:
                leave(out, clk, i, X_ADVICE)
                proc[0][pu, R_STAGE] = S_DONE
                return
            if d == GP_CALLBACK:
                line = sx[4][dm[1][iu, E_AREA]]
                pool = sx[6][line]
                if callback_by_post:
                    p = nearest_open_post(ro, sx[0][dm[1][iu, E_AREA]], now)
                    if p >= 0:
                        pool = sx[7][p]
                q_reg, q_pool, q_k0, q_k1 = R_REQ, pool, urg, now
                q_code, q_side, q_place = 0, 0, -1
                w_stage, w_kind = S_CB_WAIT, REQUEST
                break
            if d == CONSULT:
                proc[0][pu, R_PLACE] = sx[0][dm[1][iu, E_AREA]]
                proc[1][pu, F_TRAVELLED] = 0.0
                st = S_CO_LOOP
            elif d == HOME_VISIT:
                st = S_VISIT
            elif d == AMBULANCE:
                st = S_INCIDENT
            else:
                proc[0][pu, R_PLACE] = sx[0][dm[1][iu, E_AREA]]
                proc[0][pu, R_SELFREF] = 0
                st = S_SEH_VISIT
        elif st == S_CB_WAIT:
            out[0][T_CALLBACK_START, iu] = now
            first_contact(out, i, now)
            w_stage, w_delay, w_kind, w_cls = S_CB_END, dm[0][iu, D_CALLBACK], K_CALLBACK_END, END
            break
        elif st == S_CB_END:
            release(rq, pl, gr, lg, ev, clk, proc[0][pu, R_REQ])
            out[0][T_CALLBACK_END, iu] = now
            leave(out, clk, i, X_CALLBACK)
            proc[0][pu, R_STAGE] = S_DONE
            return
        elif st == S_CO_LOOP:
            place = proc[0][pu, R_PLACE]
            target = post_for(ro, n_posts, place, now)
            if target < 0:
                travelled = proc[1][pu, F_TRAVELLED]
                out[0][T_TRAVEL_TO_POST, iu] = travelled if travelled != 0.0 else np.nan
                proc[0][pu, R_SELFREF] = 0
                st = S_SEH_VISIT
                continue
            dest = sx[1][target]
            minutes = ro[0][place, dest] * dm[6][iu, TO_SITE]
            proc[0][pu, R_TARGET] = target
            proc[0][pu, R_DEST] = dest
            proc[1][pu, F_MINUTES] = minutes
            if minutes > 0:
                w_stage, w_delay, w_kind, w_cls = S_CO_ARRIVE, minutes, K_AT_POST, END
                break
            st = S_CO_ARRIVE
        elif st == S_CO_ARRIVE:
            proc[1][pu, F_TRAVELLED] += proc[1][pu, F_MINUTES]
            proc[0][pu, R_PLACE] = proc[0][pu, R_DEST]
            target = proc[0][pu, R_TARGET]
            if post_open(ro, target, now):
                out[0][T_TRAVEL_TO_POST, iu] = proc[1][pu, F_TRAVELLED]
                st = S_AT_POST
            else:
                st = S_CO_LOOP
        elif st == S_AT_POST:
            p = proc[0][pu, R_TARGET]
            out[1][I_POST, iu] = p
            out[0][T_POST_ARRIVAL, iu] = now
            code = 1 if dm[1][iu, E_NP] else 0
            q_reg, q_pool, q_k0, q_k1 = R_REQ, sx[7][p], urg, now
            q_code, q_side, q_place = code, 0, -1
            w_stage, w_kind = S_CA_WAIT, REQUEST
            break
        elif st == S_CA_WAIT:
            req = proc[0][pu, R_REQ]
            g = rq[0][req, Q_GROUP]
            out[0][T_CONSULT_START, iu] = now
            first_contact(out, i, now)
            out[1][I_CONSULT_BY, iu] = g
            minutes = dm[0][iu, D_NP_CONSULT] if g == 1 else dm[0][iu, D_CONSULT]
            w_stage, w_delay, w_kind, w_cls = S_CA_END, minutes, K_CONSULT_END, END
            break
        elif st == S_CA_END:
            release(rq, pl, gr, lg, ev, clk, proc[0][pu, R_REQ])
            out[0][T_CONSULT_END, iu] = now
            if dm[1][iu, E_REFERRAL]:
                out[2][B_REFERRED, iu] = True
                proc[0][pu, R_PLACE] = sx[1][proc[0][pu, R_TARGET]]
                proc[0][pu, R_SELFREF] = 0
                st = S_SEH_VISIT
            else:
                leave(out, clk, i, X_CONSULT)
                proc[0][pu, R_STAGE] = S_DONE
                return
        elif st == S_VISIT:
            home = sx[0][dm[1][iu, E_AREA]]
            p = visit_post(ro, pl, gr, sx[8], sx[9], home)
            proc[0][pu, R_VISITPOST] = p
            out[1][I_VISIT_POST, iu] = p
            out[0][T_VISIT_REQUEST, iu] = now
            q_reg, q_pool, q_k0, q_k1 = R_REQ, sx[8][p], urg, now
            q_code, q_side, q_place = 0, 0, -1
            w_stage, w_kind = S_V_WAIT, REQUEST
            break
        elif st == S_V_WAIT:
            home = sx[0][dm[1][iu, E_AREA]]
            base = sx[1][proc[0][pu, R_VISITPOST]]
            there = ro[0][base, home] * dm[6][iu, RESPONSE]
            out[0][T_RESPONSE_TRAVEL, iu] = there
            if there > 0:
                w_stage, w_delay, w_kind, w_cls = S_V_START, there, K_VISIT_ARRIVAL, END
                break
            st = S_V_START
        elif st == S_V_START:
            out[0][T_VISIT_START, iu] = now
            first_contact(out, i, now)
            w_stage, w_delay, w_kind, w_cls = S_V_END, dm[0][iu, D_VISIT], K_VISIT_END, END
            break
        elif st == S_V_END:
            out[0][T_VISIT_END, iu] = now
            home = sx[0][dm[1][iu, E_AREA]]
            p = proc[0][pu, R_VISITPOST]
            back = ro[0][home, sx[1][p]] * dm[6][iu, RETURN]
            schedule(ev, clk, now + back, END, K_CAR_HOME, pid, sx[8][p], -1, proc[0][pu, R_REQ])
            if dm[1][iu, E_REFERRAL]:
                out[2][B_REFERRED, iu] = True
                proc[0][pu, R_PLACE] = home
                proc[0][pu, R_SELFREF] = 0
                st = S_SEH_VISIT
            else:
                leave(out, clk, i, X_HOME_VISIT)
                proc[0][pu, R_STAGE] = S_DONE
                return
        elif st == S_SEH_VISIT:
            proc[1][pu, F_FACTOR] = dm[6][iu, TO_SITE]
            proc[0][pu, R_BYAMB] = 0
            proc[1][pu, F_TRAVELLED] = 0.0
            st = S_TS_LOOP
        elif st == S_TS_LOOP:
            place = proc[0][pu, R_PLACE]
            s = seh_for(ro, place, now, proc[0][pu, R_BYAMB] == 1)
            dest = sx[2][s]
            minutes = ro[0][place, dest] * proc[1][pu, F_FACTOR]
            proc[0][pu, R_SEH] = s
            proc[0][pu, R_DEST] = dest
            proc[1][pu, F_MINUTES] = minutes
            if minutes > 0:
                w_stage, w_delay, w_kind, w_cls = S_TS_ARRIVE, minutes, K_AT_SEH, END
                break
            st = S_TS_ARRIVE
        elif st == S_TS_ARRIVE:
            proc[1][pu, F_TRAVELLED] += proc[1][pu, F_MINUTES]
            dest = proc[0][pu, R_DEST]
            if seh_open(ro, proc[0][pu, R_SEH], now) or dest == proc[0][pu, R_PLACE]:
                st = S_AMB_AT_SEH if proc[0][pu, R_BYAMB] == 1 else S_SV_DONE
            else:
                proc[0][pu, R_PLACE] = dest
                st = S_TS_LOOP
        elif st == S_SV_DONE:
            out[0][T_TRAVEL_TO_SEH, iu] = proc[1][pu, F_TRAVELLED]
            s = proc[0][pu, R_SEH]
            p = sx[13][s]
            if (
                proc[0][pu, R_SELFREF] == 1
                and p >= 0
                and dm[0][iu, D_FRONT_DESK_U] < sx[14][s]
                and post_open(ro, p, now)
            ):
                out[2][B_REDIRECTED, iu] = True
                proc[0][pu, R_TARGET] = p
                st = S_AT_POST
            else:
                proc[0][pu, R_HANDOVER] = 0
                st = S_TREAT
        elif st == S_TREAT:
            s = proc[0][pu, R_SEH]
            out[1][I_SEH, iu] = s
            out[0][T_SEH_ARRIVAL, iu] = now
            q_reg, q_pool, q_k0, q_k1 = R_PLACEREQ, sx[10][s], urg, now
            q_code, q_side, q_place = 0, 0, -1
            w_stage, w_kind = S_T_PLACE, REQUEST
            break
        elif st == S_T_PLACE:
            out[0][T_SEH_START, iu] = now
            proc[1][pu, F_PLACE_START] = now
            proc[1][pu, F_LEAVE_AT] = now + dm[0][iu, D_SEH_STAY]
            st = S_H_START if proc[0][pu, R_HANDOVER] == 1 else S_T_DOCTOR
        elif st == S_H_START:
            s = proc[0][pu, R_SEH]
            if dm[0][iu, D_OFFLOAD_U] < sx[15][s]:
                extra = dm[5][iu, s]
                if extra > 0:
                    w_stage, w_delay, w_kind, w_cls = S_H_HAND, extra, K_OFFLOAD_END, END
                    break
            st = S_H_HAND
        elif st == S_H_HAND:
            out[0][T_HANDOVER_START, iu] = now
            w_stage, w_delay, w_kind, w_cls = S_H_END, dm[0][iu, D_HANDOVER], K_HANDOVER_END, END
            break
        elif st == S_H_END:
            out[0][T_HANDOVER_END, iu] = now
            ride = proc[0][pu, R_RIDE]
            if rq[0][ride, Q_GROUP] != NEIGHBOUR:
                send_home(
                    rq,
                    pl,
                    ev,
                    fl,
                    clk,
                    fleet_pool,
                    ro[0],
                    sx[3],
                    ride,
                    sx[2][proc[0][pu, R_SEH]],
                    dm[6][iu, RETURN],
                )
            rq_release(rq, ride)
            st = S_T_DOCTOR
        elif st == S_T_DOCTOR:
            s = proc[0][pu, R_SEH]
            if sx[12][s]:
                q_reg, q_pool, q_k0, q_k1 = R_DOCREQ, sx[11][s], urg, out[0][T_SEH_ARRIVAL, iu]
                q_code, q_side, q_place = 0, 0, -1
                w_stage, w_kind = S_T_DOC_WAIT, REQUEST
                break
            start = proc[1][pu, F_PLACE_START]
            out[0][T_SEH_DOCTOR, iu] = start
            first_contact(out, i, start)
            st = S_T_STAY
        elif st == S_T_DOC_WAIT:
            out[0][T_SEH_DOCTOR, iu] = now
            first_contact(out, i, now)
            w_stage, w_delay, w_kind, w_cls = (
                S_T_DOC_END,
                dm[0][iu, D_SEH_DOCTOR],
                K_ASSESSMENT_END,
                END,
            )
            break
        elif st == S_T_DOC_END:
            release(rq, pl, gr, lg, ev, clk, proc[0][pu, R_DOCREQ])
            st = S_T_STAY
        elif st == S_T_STAY:
            leave_at = proc[1][pu, F_LEAVE_AT]
            if leave_at > now:
                proc[0][pu, R_STAGE] = S_T_STAY_END
                schedule(ev, clk, leave_at, END, K_SEH_END, pid, -1, -1, 0)
                return
            st = S_T_STAY_END
        elif st == S_T_STAY_END:
            release(rq, pl, gr, lg, ev, clk, proc[0][pu, R_PLACEREQ])
            out[0][T_SEH_END, iu] = now
            leave(out, clk, i, X_SEH)
            proc[0][pu, R_STAGE] = S_DONE
            return
        elif st == S_INCIDENT:
            proc[1][pu, F_START] = now
            out[0][T_INCIDENT, iu] = now
            a = sx[17][urg]
            out[1][I_AMBULANCE_URGENCY, iu] = a
            proc[1][pu, F_SPEED] = 1.0 if a == B_RIDE else urgent_speed
            w_stage, w_delay, w_kind, w_cls = (
                S_A_DELAY,
                dm[0][iu, D_DISPATCH_DELAY],
                K_DISPATCH_DECIDED,
                END,
            )
            break
        elif st == S_A_DELAY:
            place = sx[0][dm[1][iu, E_AREA]]
            proc[0][pu, R_PLACE] = place
            a = sx[17][urg]
            q_reg, q_pool, q_k0, q_k1 = R_RIDE, fleet_pool, a, proc[1][pu, F_START]
            q_code, q_side, q_place = 0, 0, place
            w_stage, w_kind = S_A_WAIT, REQUEST
            break
        elif st == S_A_WAIT:
            ride = proc[0][pu, R_RIDE]
            g = rq[0][ride, Q_GROUP]
            out[0][T_AMBULANCE_DISPATCH, iu] = now
            out[1][I_STATION, iu] = g
            factor = 1.0 if g == NEIGHBOUR else dm[6][iu, RESPONSE] / proc[1][pu, F_SPEED]
            response = rq[1][ride, 1] * factor
            out[0][T_RESPONSE_TRAVEL, iu] = response
            if response > 0:
                w_stage, w_delay, w_kind, w_cls = S_A_ON_SCENE, response, K_ON_SCENE, END
                break
            st = S_A_ON_SCENE
        elif st == S_A_ON_SCENE:
            out[0][T_AMBULANCE_ARRIVAL, iu] = now
            first_contact(out, i, now)
            w_stage, w_delay, w_kind, w_cls = S_A_SCENE, dm[0][iu, D_ON_SCENE], K_SCENE_END, END
            break
        elif st == S_A_SCENE:
            out[0][T_AMBULANCE_DEPART_SCENE, iu] = now
            ride = proc[0][pu, R_RIDE]
            if not dm[1][iu, E_CONVEYED]:
                if rq[0][ride, Q_GROUP] != NEIGHBOUR:
                    send_home(
                        rq,
                        pl,
                        ev,
                        fl,
                        clk,
                        fleet_pool,
                        ro[0],
                        sx[3],
                        ride,
                        proc[0][pu, R_PLACE],
                        dm[6][iu, RETURN],
                    )
                rq_release(rq, ride)
                leave(out, clk, i, X_AMBULANCE_NO_TRANSPORT)
                proc[0][pu, R_STAGE] = S_DONE
                return
            out[2][B_CONVEYED, iu] = True
            proc[1][pu, F_FACTOR] = dm[6][iu, TRANSPORT] / proc[1][pu, F_SPEED]
            proc[0][pu, R_BYAMB] = 1
            proc[1][pu, F_TRAVELLED] = 0.0
            st = S_TS_LOOP
        elif st == S_AMB_AT_SEH:
            out[0][T_TRANSPORT_TRAVEL, iu] = proc[1][pu, F_TRAVELLED]
            out[0][T_AMBULANCE_AT_SEH, iu] = now
            proc[0][pu, R_HANDOVER] = 1
            st = S_TREAT
        elif st == S_SUP_INIT:
            line = sx[4][dm[1][iu, E_AREA]]
            q_reg, q_pool, q_k0, q_k1 = R_REQ, sx[6][line], urg, now
            q_code, q_side, q_place = 0, 1, -1
            w_stage, w_kind = S_SUP_WAIT, REQUEST
            break
        elif st == S_SUP_WAIT:
            out[0][T_SUPERVISION_START, iu] = now
            w_stage, w_delay, w_kind, w_cls = (
                S_SUP_END,
                dm[0][iu, D_SUPERVISION],
                K_SUPERVISION_END,
                END,
            )
            break
        elif st == S_SUP_END:
            release(rq, pl, gr, lg, ev, clk, proc[0][pu, R_REQ])
            out[0][T_SUPERVISION_END, iu] = now
            proc[0][pu, R_STAGE] = S_DONE
            return
        else:
            return
    if w_kind == REQUEST:
        proc[0][pu, q_reg] = request(
            rq, pl, ev, clk, q_pool, q_k0, q_k1, q_code, pid, q_side, q_place
        )
        proc[0][pu, R_STAGE] = w_stage
    else:
        wait(proc, ev, clk, pid, w_stage, w_delay, w_kind, w_cls)


@njit(**LOOP)
def init_block(out, proc, b, n):
    """Initialise the Outcomes entries of the patients of block ``b``: times NaN,
    counters 0, other integers -1, flags False (their journey registers are set at
    arrival, `init_registers`)."""
    out_t, out_i, out_b = out
    lo = b << BLOCK_BITS
    hi = min(n, lo + (1 << BLOCK_BITS))
    for c in range(N_T):
        for i in range(lo, hi):
            out_t[c, U(i)] = np.nan
    for c in range(N_I):
        for i in range(lo, hi):
            out_i[c, U(i)] = -1
    for i in range(lo, hi):  # the counters
        out_i[I_ATTEMPTS, U(i)] = 0
        out_i[I_ABANDONED_ATTEMPTS, U(i)] = 0
        out_i[I_BLOCKED_ATTEMPTS, U(i)] = 0
        out_i[I_EXITS, U(i)] = 0
    for c in range(N_B):
        for i in range(lo, hi):
            out_b[c, U(i)] = False
    proc[2][b] = True


@njit(**INLINE)
def init_registers(proc, i):
    """Journey ``i``'s registers, -1 and 0, set at its arrival (its two rows were
    prefetched `PREFETCH_AHEAD` arrivals before). Here rather than in `init_block`: two
    lines a patient, read soon after, instead of 30 KB a block written ahead (about 1 ms
    of a replication-year's 63, alternating runs)."""
    for r in range(N_R):
        proc[0][U(i), r] = -1
    for f in range(N_F):
        proc[1][U(i), f] = 0.0


@njit(**INLINE)
def ready(out, proc, p, n):
    """Patient ``p``'s Outcomes entries, initialised (its block's, when not yet)."""
    b = p >> BLOCK_BITS
    if not proc[2][U(b)]:
        init_block(out, proc, b, n)


@njit(**INLINE)
def prefetch_patient(q, n, dm, proc, out):
    """Ask the cache for the rows of patient ``q`` before its arrival (anwsim.engine.
    prefetch says why): its Demand rows and the registers of its journey and of its
    supervision check (its Outcomes entries are brought in by `init_block`)."""
    df, di, patience, _, delays, offload, noise = dm
    prefetch_read(df, q, 0)
    prefetch_read(df, q, df.shape[1] - 1)
    prefetch_read(di, q, 0)
    prefetch_read(di, q, di.shape[1] - 1)
    prefetch_read(patience, q, 0)
    prefetch_read(noise, q, 0)
    prefetch_read(delays, q, 0)
    prefetch_read(offload, q, 0)
    prefetch_write(proc[0], n + q, 0)
    prefetch_write(proc[0], q, 0)
    prefetch_write(proc[1], q, 0)


@njit(**LOOP)
def event_loop(n, order, df, horizon_stop, call_back, while_returning, neighbour,
               neighbour_minutes, fleet_pool, clk, ev, tr, gr, lg, rq, pl, cq, fl, ro, out,
               proc, dm, sx, px, rs, urgent_speed, roster_time, roster_order):  # fmt: skip
    """Process events until the heap is empty or the horizon stop; returns the stop time
    (docs/engine.md §3). Allocates nothing, so it runs without reference counting."""
    n_enter = order.shape[0]
    n_pools = pl.shape[0]
    minutes_m, station_place = ro[0], sx[3]
    line_of_area, line_await, di = sx[4], sx[18], dm[1]
    out_t, out_i = out[0], out[1]
    proc_i = proc[0]
    rq_i, heaps = rq[0], rq[4]
    ev_i, ev_c, ev_s, ev_ht, ev_hk = ev[0], ev[2], ev[5], ev[8], ev[9]
    pq_n = ev[15]
    q_s = cq[2]
    n_roster = roster_order.shape[0]
    next_roster = 0
    ring = ev[6].shape[0]
    next_arrival = 0
    arrival_seq = -1
    if n_enter > 0:  # the first arrival's sequence number follows the roster changes'
        arrival_seq = ev_s[2]
        ev_s[2] += 1
    # the next roster change (r_k, r_t) and the next arrival's time (a_t) live in locals:
    # they change only when their stream advances (read per event, they were two
    # dependent loads each)
    r_k = roster_order[0] if n_roster > 0 else 0
    r_t = roster_time[r_k] if n_roster > 0 else 0.0
    a_t = df[order[0], D_ARRIVAL] if n_enter > 0 else 0.0
    status = clk[1]
    now_a = clk[0]
    while status[0] == OK:
        pid = -1
        served = False
        if q_s[0] < q_s[1]:  # SimPy's URGENT continuations: a process starts
            pid = cq[0][q_s[0] & (cq[0].shape[0] - 1)]
            q_s[0] += 1
        elif q_s[2] < q_s[3]:  # NORMAL: a granted (or hung-up) request resumes its process
            pid = cq[1][q_s[2] & (cq[1].shape[0] - 1)]
            q_s[2] += 1
            st = proc_i[pid, R_STAGE]
            slot = proc_i[pid, R_REQ]
            if st == S_T_PLACE:
                slot = proc_i[pid, R_PLACEREQ]
            elif st == S_T_DOC_WAIT:
                slot = proc_i[pid, R_DOCREQ]
            elif st == S_A_WAIT:
                slot = proc_i[pid, R_RIDE]
            served = rq_i[slot, Q_STATE] == SERVED
        else:
            # the next class event (docs/engine.md §3): the least (time, class << 48 | seq)
            # of the heap's top and four streams kept beside it in that same order: the
            # dispatch ring (all at the current time), the roster changes (sorted once,
            # holding sequence numbers 0..R-1), the next arrival (one at a time) and the
            # patience heap's top
            src = NONE
            bt = 0.0
            bk = 0
            if ev_s[3] < ev_s[4]:
                src = FROM_RING
                bt = now_a[0]
                bk = DISPATCH * SHIFT + ev[7][ev_s[3] & (ring - 1)]
            if next_roster < n_roster:
                key = ROSTER * SHIFT + r_k
                if src == NONE or r_t < bt or (r_t == bt and key < bk):
                    src, bt, bk = FROM_ROSTER, r_t, key
            if next_arrival < n_enter:
                key = ARRIVAL * SHIFT + arrival_seq
                if src == NONE or a_t < bt or (a_t == bt and key < bk):
                    src, bt, bk = FROM_ARRIVALS, a_t, key
            if ev_s[0] > 0:
                t = ev_ht[0]
                key = ev_hk[0]
                if src == NONE or t < bt or (t == bt and key < bk):
                    src, bt, bk = FROM_HEAP, t, key
            if pq_n[0] > 0:
                t = ev[10][0]
                key = ev[11][0]
                if src == NONE or t < bt or (t == bt and key < bk):
                    src, bt, bk = FROM_PATIENCE, t, key
            if src == NONE or bt >= horizon_stop:
                break
            if src == FROM_RING:
                pool = ev[6][ev_s[3] & (ring - 1)]
                ev_s[3] += 1
                trace_row(tr, clk, DISPATCH, bk - DISPATCH * SHIFT, K_DISPATCH, -1, pool, -1)
                pl[pool, P_PENDING] = 0
                if pl[pool, P_LIVE] == 0:  # nothing waits: nothing to grant
                    update_hold(pl, gr, pool)
                elif pl[pool, P_KIND] == FLEET:
                    dispatch_fleet(
                        rq, pl, gr, lg, tr, cq, ev, fl, clk, pool, minutes_m, station_place,
                        while_returning, neighbour, neighbour_minutes, n,
                    )  # fmt: skip
                else:
                    dispatch_staff(rq, pl, gr, lg, tr, cq, clk, pool, n)
                continue
            now_a[0] = bt
            if src == FROM_ROSTER:
                k = r_k
                next_roster += 1
                if next_roster < n_roster:
                    r_k = roster_order[next_roster]
                    r_t = roster_time[r_k]
                trace_row(tr, clk, ROSTER, k, K_ROSTER, -1, rs[0][k], rs[1][k])
                roster_change(rq, pl, gr, lg, ev, clk, rs, k)
                continue
            if src == FROM_PATIENCE:
                p = ev[12][0]
                arg = ev[13][0]
                pq_remove(ev, p)
                patient = patient_of(p, n)
                pool = rq_i[arg, Q_POOL]
                trace_row(tr, clk, PATIENCE, bk - PATIENCE * SHIFT, K_PATIENCE, patient, pool, -1)
                proc_i[p, R_PATEV] = -1
                if call_back:
                    if rq_i[arg, Q_STATE] == WAITING:
                        out[2][B_CALLED_BACK, patient] = True
                        out_t[T_CALL_BACK_REQUESTED, patient] = now_a[0]
                        line_await[line_of_area[di[patient, E_AREA]]] += 1
                elif cancel(rq, pl, gr, arg):
                    push_normal(cq, p)
                continue
            if src == FROM_ARRIVALS:
                p = order[next_arrival]
                ready(out, proc, p, n)
                trace_row(tr, clk, ARRIVAL, arrival_seq, K_ARRIVAL, p, -1, -1)
                init_registers(proc, p)
                proc_i[p, R_STAGE] = S_INIT
                next_arrival += 1
                if next_arrival < n_enter:  # the next arrival takes its sequence number now
                    arrival_seq = ev_s[2]
                    ev_s[2] += 1
                    a_t = df[order[next_arrival], D_ARRIVAL]
                if next_arrival + PREFETCH_AHEAD < n_enter:
                    q = order[next_arrival + PREFETCH_AHEAD]
                    ready(out, proc, q, n)
                    prefetch_patient(q, n, dm, proc, out)
                # its journey starts now: SimPy's URGENT start of the process, run at once
                # (both continuation rings are empty whenever a class event is taken)
                pid = p
            else:
                slot = ev_pop(ev)
                kind = ev_i[slot, 1]
                p = ev_i[slot, 2]
                if ev_c[slot]:
                    ev_release(ev, slot)
                    continue
                prio = ev_i[slot, 0]
                cls = prio >> 48  # = prio // SHIFT (prio >= 0), without the sign fix-up of //
                patient = patient_of(p, n) if p >= 0 else -1
                pool = ev_i[slot, 3]
                arg = ev_i[slot, 5]
                trace_row(tr, clk, cls, prio - cls * SHIFT, kind, patient, pool, ev_i[slot, 4])
                ev_release(ev, slot)
                if kind == K_CAR_HOME:
                    release(rq, pl, gr, lg, ev, clk, arg)
                elif kind == K_VEHICLE_HOME:
                    vehicle_home(pl, gr, lg, ev, fl, clk, fleet_pool, arg)
                else:  # a process's timeout: it resumes inside this event
                    pid = p
                    served = True
        if pid >= 0:
            resume(pid, served, n, clk, ev, tr, gr, lg, rq, pl, cq, fl, ro, out, proc, dm, sx, px,
                   urgent_speed)  # fmt: skip

    for b in range(proc[2].shape[0]):  # the patients who never arrived
        if not proc[2][b]:
            init_block(out, proc, b, n)
    stop = horizon_stop
    stuck = False
    for k in range(n_enter):
        if out_i[I_EXITS, order[k]] == 0:
            stuck = True
    stopped_at = 0.0
    if stuck:
        heap_n = rq[5]
        for pool in range(n_pools):
            for sub in range(4 * pool, 4 * pool + 4):
                for k in range(heap_n[sub]):
                    slot = heaps[sub, k]
                    i = patient_of(rq_i[slot, Q_PID], n)
                    if (
                        rq_i[slot, Q_SIDE] == 0
                        and out_i[I_EXITS, i] == 0
                        and out_i[I_UNSERVED_QUEUE, i] < 0
                    ):
                        out_i[I_UNSERVED_QUEUE, i] = pool
        now_a[0] = stop
        for k in range(n_enter):
            if out_i[I_EXITS, order[k]] == 0:
                leave(out, clk, order[k], X_UNSERVED)
        stopped_at = stop
    else:
        found = False
        for i in range(n):
            x = out_t[T_EXIT, i]
            if not np.isnan(x) and (not found or x > stopped_at):
                stopped_at = x
                found = True
    return stopped_at


@njit(**INLINE)
def power_of_two(k):
    """The least power of two >= k (ring sizes: an index is then a mask)."""
    size = 1
    while size < k:
        size <<= 1
    return size


@njit(cache=True)
def split_log(times, rows, n_groups, t, cols):
    """The resource log arena (rows in time order) as columns ordered by group into ``t``
    and ``cols`` (the caller's), stable (a counting sort: the arena is already in time
    order); returns each group's bounds. Each column is scattered in a pass of its own:
    with every column at once, the stores of all groups' rows of all columns went to more
    places than the cache holds lines, and the split took twice as long."""
    m = times.shape[0]
    bounds = np.zeros(n_groups + 1, dtype=np.int64)
    for k in range(m):
        bounds[rows[k, 0] + 1] += 1
    for g in range(n_groups):
        bounds[g + 1] += bounds[g]
    at = bounds[:-1].copy()
    place = np.empty(m, dtype=np.int64)
    for k in range(m):
        g = rows[k, 0]
        j = at[g]
        at[g] = j + 1
        place[k] = j
        t[j] = times[k]
    for c in range(4):
        for k in range(m):
            cols[c, place[k]] = rows[k, c + 1]
    return bounds


@njit(cache=True)
def event_state(cap_events, cap_requests, n, n_pools):
    """The ``ev`` tuple of a replication: the event slots and their free list, the
    counters (near heap size, free slots, sequence, dispatch ring), the dispatch ring,
    the near heap, the patience heap and the calendar (`ev_pop`)."""
    ev_s = np.zeros(5, dtype=np.int64)
    ev_s[1] = cap_events
    cal_state = np.zeros(4, dtype=np.int64)
    cal_state[3] = -1
    return (
        np.zeros((cap_events, 6), dtype=np.int64),
        np.zeros(cap_events),
        np.zeros(cap_events, dtype=np.bool_),
        np.zeros(cap_events, dtype=np.int64),
        np.arange(cap_events - 1, -1, -1).astype(np.int64),
        ev_s,
        np.zeros(power_of_two(n_pools + 1), dtype=np.int64),
        np.zeros(power_of_two(n_pools + 1), dtype=np.int64),
        np.zeros(cap_events),
        np.zeros(cap_events, dtype=np.int64),
        np.zeros(cap_requests),  # the patience heap: times, keys, journeys, requests
        np.zeros(cap_requests, dtype=np.int64),
        np.zeros(cap_requests, dtype=np.int64),
        np.zeros(cap_requests, dtype=np.int64),
        np.zeros(n, dtype=np.int64),  # a journey's place on it
        np.zeros(1, dtype=np.int64),  # its size
        cal_state,  # the calendar: cursor, in buckets, in overflow, overflow list
        np.zeros(cap_events, dtype=np.int64),  # the next event of a bucket's list
        np.full(CAL_BUCKETS, -1, dtype=np.int64),  # a bucket's first event
    )


@njit(cache=True)
def run_chain(
    pool_kind, pool_g0, pool_ng, group_cap0, group_replace, group_c0, group_nc, crew_end,
    crew_staff, crew_start, roster_pool, roster_group, roster_time, roster_value, roster_ptr,
    roster_ends, roster_sptr, roster_starts, minutes_m, area_place, post_place, seh_place,
    station_place, posts_by_distance, sehs_by_distance, post_open_t, post_open_v,
    post_open_ptr, seh_open_t, seh_open_v, seh_open_ptr, post_wc_kind, post_wc_target, seh_wc,
    seh_intake, line_of_area, line_triage_pool, line_sup_pool, post_room_pool, post_cars_pool,
    post_has_cars, seh_places_pool, seh_doctors_pool, seh_has_doctors, seh_fd_post,
    seh_fd_share, seh_offload, fleet_pool, emergency, amb_urgency, params_f, params_i,
    df, di, patience, redials, redial_delay, offload_minutes, noise, order,
    cap_events, cap_requests, cap_heap, out_t, out_i, out_b, proc_i, proc_f, log_i, log_t,
    trace_i, trace_t, trips_i, trips_f, trips_list,
):  # fmt: skip
    """One replication (see the module docstring) on the large arrays from ``out_t`` on,
    which the caller allocates (uninitialised; see `anwsim.engine.run`); returns the
    status, the number of resource log rows and of trace rows, and the stop time."""
    n = df.shape[0]
    n_pools = pool_kind.shape[0]
    n_groups = group_cap0.shape[0]
    horizon_stop = params_f[1]
    call_back = params_i[2] == 1
    while_returning = params_i[4] == 1
    neighbour = params_i[5] == 1
    px = (fleet_pool, params_i[0], params_i[1], params_i[3], params_i[6])
    urgent_speed = params_f[2]
    neighbour_minutes = params_f[3]

    clk = (np.zeros(1, dtype=np.float64), np.zeros(1, dtype=np.int64))
    out = (out_t, out_i, out_b)
    # a patient's Outcomes entries are initialised by block, when an arrival in that
    # block is near (`ready`), its journey registers at its arrival (`init_registers`);
    # a supervision check (rows n..2n of proc_i) writes its registers before use
    proc = (proc_i, proc_f, np.zeros((n >> BLOCK_BITS) + 1, dtype=np.bool_))
    ev = event_state(cap_events, cap_requests, n, n_pools)
    heaps = np.zeros((4 * n_pools, cap_heap), dtype=np.int64)
    rq_s = np.zeros(2, dtype=np.int64)
    rq_s[0] = cap_requests
    rq = (
        np.zeros((cap_requests, N_Q), dtype=np.int64),
        np.zeros((cap_requests, 2)),
        np.arange(cap_requests - 1, -1, -1).astype(np.int64),
        rq_s,
        heaps,
        np.zeros(4 * n_pools, dtype=np.int64),
    )
    g_i = np.zeros((n_groups, N_G), dtype=np.int64)
    pl = np.zeros((n_pools, N_P), dtype=np.int64)
    for p in range(n_pools):
        pl[p, P_KIND] = pool_kind[p]
        pl[p, P_G0] = pool_g0[p]
        pl[p, P_NG] = pool_ng[p]
        for k in range(pool_ng[p]):
            g_i[pool_g0[p] + k, G_POOL] = p
    for g in range(n_groups):
        g_i[g, G_CAP] = group_cap0[g]
        g_i[g, G_REPLACE] = 1 if group_replace[g] else 0
        g_i[g, G_C0] = group_c0[g]
        g_i[g, G_NC] = group_nc[g]
        g_i[g, G_LAST] = -1
    gr = (
        g_i,
        np.full(n_groups, -np.inf),
        np.zeros(crew_staff.shape[0], dtype=np.int64),
        (crew_start <= 0) & (crew_end > 0),
        crew_end <= 0,
        crew_end,
        crew_staff,
    )
    lg = (log_i, log_t, np.zeros(1, dtype=np.int64))
    tr = (trace_i, trace_t, np.zeros(1, dtype=np.int64))
    # rings index by a mask, not a division; a pending NORMAL continuation holds a request
    # slot, and an event adds at most one URGENT one, so neither ring can overflow
    ring = power_of_two(cap_requests + 64)
    cq = (
        np.zeros(ring, dtype=np.int64),
        np.zeros(ring, dtype=np.int64),
        np.zeros(4, dtype=np.int64),
    )
    fl = (trips_i, trips_f, trips_list, np.zeros(2, dtype=np.int64))
    ro = (
        minutes_m, posts_by_distance, sehs_by_distance, post_open_t, post_open_v,
        post_open_ptr, seh_open_t, seh_open_v, seh_open_ptr, post_wc_kind, post_wc_target,
        seh_wc, seh_intake, post_open_ptr[:-1].copy(), seh_open_ptr[:-1].copy(),
    )  # fmt: skip
    line_await = np.zeros(line_triage_pool.shape[0], dtype=np.int64)
    sx = (
        area_place, post_place, seh_place, station_place, line_of_area, line_triage_pool,
        line_sup_pool, post_room_pool, post_cars_pool, post_has_cars, seh_places_pool,
        seh_doctors_pool, seh_has_doctors, seh_fd_post, seh_fd_share, seh_offload, emergency,
        amb_urgency, line_await,
    )  # fmt: skip
    dm = (df, di, patience, redials, redial_delay, offload_minutes, noise)
    rs = (roster_pool, roster_group, roster_value, roster_ptr, roster_ends, roster_sptr,
          roster_starts)  # fmt: skip

    for g in range(n_groups):
        record(gr, lg, clk, g)
    ev[5][2] = roster_time.shape[0]  # the roster changes hold sequence numbers 0..R-1
    roster_order = np.argsort(roster_time, kind="mergesort")

    stopped_at = event_loop(
        n, order, df, horizon_stop, call_back, while_returning, neighbour,
        neighbour_minutes, fleet_pool, clk, ev, tr, gr, lg, rq, pl, cq, fl, ro, out, proc,
        dm, sx, px, rs, urgent_speed, roster_time, roster_order,
    )  # fmt: skip
    return clk[1][0], lg[2][0], tr[2][0], stopped_at
