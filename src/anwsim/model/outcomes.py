"""What a simulated replication returns: per-patient timestamps and per-resource logs.

`Outcomes` is columnar: one NumPy array per field, one row per patient of the `Demand`
(same row order), NaN where a patient never reached that step, -1 for "no site". The
resource logs record every change of busy servers and capacity per server group, so
utilisation and overtime per hour of the week follow by integration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

EXITS: tuple[str, ...] = (
    "abandoned",
    "advice",
    "callback",
    "consult",
    "home_visit",
    "ambulance_no_transport",
    "seh",
    "blocked",
    "unserved",
)
"""How a patient leaves the chain (the last step of their path). ``blocked``: the
caller's last attempt met a full waiting room (busy signal) and they did not redial;
``unserved``: still waiting in a queue when the run stopped at horizon + drain limit
(``unserved_queue`` says which queue; ``exit`` is the stop time)."""

TIME_FIELDS: tuple[str, ...] = (
    "call",  # first contact: call, walk-in, 112 call (= Demand.arrival_minutes)
    "answer",  # phone answered (the successful attempt)
    "answered_attempt_start",  # start of that attempt (a redial starts a new one)
    "call_back_requested",  # the caller accepted a call-back when their patience ended
    "abandon",  # last hang-up of a caller who never got through
    "triage_end",
    "supervision_start",
    "supervision_end",
    "doctor_contact",  # first contact with a GP, NP, SEH doctor or ambulance crew
    "callback_start",
    "callback_end",
    "post_arrival",  # arrival at the GP post for a consult
    "consult_start",
    "consult_end",
    "visit_request",
    "visit_start",  # the visit GP reaches the patient
    "visit_end",
    "incident",  # the ambulance service takes the call
    "ambulance_dispatch",
    "ambulance_arrival",  # on scene
    "ambulance_depart_scene",
    "ambulance_at_seh",
    "handover_start",
    "handover_end",
    "seh_arrival",
    "seh_start",  # in a treatment place
    "seh_doctor",
    "seh_end",
    "exit",
)

INT_FIELDS: tuple[str, ...] = (
    "attempts",  # call attempts (1 + redials)
    "abandoned_attempts",
    "blocked_attempts",  # call attempts that met a full waiting room (busy signal)
    "post",  # GP post of the consult (index in sites.gp_posts)
    "consult_by",  # 0 GP, 1 nurse practitioner
    "visit_post",
    "station",  # ambulance station of the vehicle that came (-2: a neighbouring region)
    "ambulance_urgency",  # 0 A1, 1 A2, 2 B
    "seh",  # SEH (index in sites.sehs)
    "exit_via",  # index in EXITS
    "exits",  # how many times the patient left (must be 1)
    "unserved_queue",  # index in Outcomes.queues of the queue an unserved patient was in
)

BOOL_FIELDS: tuple[str, ...] = ("redirected", "conveyed", "referred_to_seh", "called_back")

FLOAT_FIELDS: tuple[str, ...] = (
    "travel_to_post",  # minutes from home to the GP post
    "travel_to_seh",
    "response_travel",  # vehicle travel to the patient
    "transport_travel",
)


@dataclass
class ResourceTable:
    """Busy servers and capacity of every server group, as change points."""

    name: list[str] = field(default_factory=list)
    role: list[str] = field(default_factory=list)
    site: list[str] = field(default_factory=list)
    times: list[np.ndarray] = field(default_factory=list)
    busy: list[np.ndarray] = field(default_factory=list)
    capacity: list[np.ndarray] = field(default_factory=list)
    overtime: list[np.ndarray] = field(default_factory=list)
    """Servers working past the end of their shift (``finish``: max(0, busy − capacity);
    ``replace``: members of crews that went off duty, still on their task)."""
    ended: list[np.ndarray] = field(default_factory=list)
    """Servers whose shift ended at the change point (for overtime per shift)."""

    def __len__(self) -> int:
        return len(self.name)

    def to_frame(self) -> Any:
        """Long table: group, role, site, time, busy, capacity (one row per change)."""
        import pandas as pd

        frames = [
            pd.DataFrame(
                {
                    "group": self.name[i],
                    "role": self.role[i],
                    "site": self.site[i],
                    "time": self.times[i],
                    "busy": self.busy[i],
                    "capacity": self.capacity[i],
                    "overtime": self.overtime[i],
                    "ended": self.ended[i],
                }
            )
            for i in range(len(self))
        ]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


@dataclass
class Outcomes:
    """Per-patient columns (`TIME_FIELDS`, `INT_FIELDS`, …, and the patient's ``channel``,
    ``entry``, ``area``, ``urgency`` and ``disposition`` copied from the Demand, so that
    metrics need nothing else) and the resource table."""

    patients: dict[str, np.ndarray]
    resources: ResourceTable
    horizon: float
    replication: int
    seed: int
    queues: tuple[tuple[str, str], ...] = ()
    """(site, role) of every queue of the chain, indexed by ``unserved_queue``: the
    site id (``all_stations`` for the ambulance dispatch queue) and the role that
    serves it (``triagist``, ``gp_consult``, ``gp_visit``, ``treatment_place``, …)."""
    stopped_at: float = float("nan")
    """When the run stopped: when the last patient left, or horizon + drain limit."""

    def __getattr__(self, name: str) -> np.ndarray:
        patients = self.__dict__.get("patients")
        if patients is not None and name in patients:
            return patients[name]
        raise AttributeError(name)

    def __len__(self) -> int:
        return int(self.patients["call"].shape[0])

    def to_frame(self) -> Any:
        import pandas as pd

        return pd.DataFrame(self.patients)


class Recorder:
    """Mutable per-patient arrays that the model fills while it runs."""

    def __init__(self, n: int) -> None:
        self.t = {name: np.full(n, np.nan) for name in TIME_FIELDS}
        self.t.update({name: np.full(n, np.nan) for name in FLOAT_FIELDS})
        self.i = {name: np.full(n, -1, dtype=np.int64) for name in INT_FIELDS}
        self.i["attempts"][:] = 0
        self.i["abandoned_attempts"][:] = 0
        self.i["blocked_attempts"][:] = 0
        self.i["exits"][:] = 0
        self.b = {name: np.zeros(n, dtype=bool) for name in BOOL_FIELDS}

    def time(self, name: str, patient: int, value: float) -> None:
        self.t[name][patient] = value

    def first_contact(self, patient: int, value: float) -> None:
        if np.isnan(self.t["doctor_contact"][patient]):
            self.t["doctor_contact"][patient] = value

    def leave(self, patient: int, now: float, via: str) -> None:
        self.t["exit"][patient] = now
        self.i["exit_via"][patient] = EXITS.index(via)
        self.i["exits"][patient] += 1

    def columns(self) -> dict[str, np.ndarray]:
        return {**self.t, **self.i, **self.b}
