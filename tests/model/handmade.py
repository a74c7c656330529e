"""Hand-placed patients for deterministic model tests: a tiny scenario and a Demand
built column by column, with every duration fixed."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from anwsim.sampling.demand import LEGS, Demand, _allocate
from anwsim.scenario import DISPOSITIONS, ENTRIES, URGENCIES, Scenario, validate_data

ALWAYS = [{"days": ["all"], "hours": "00:00-24:00"}]
FLAT = {"hour_of_week": [1.0] * 168}


def const(minutes: float) -> dict[str, Any]:
    return {"kind": "constant", "minutes": minutes}


BASE: dict[str, Any] = {
    "name": "handmade",
    "region": {
        "name": "test",
        "areas": {
            "town": {"name": "Town", "population": 10000, "latitude": 52.0, "longitude": 5.0}
        },
    },
    "sites": {
        "triage_centres": {"line": {"name": "Line"}},
        "gp_posts": {
            "post": {"name": "Post", "latitude": 52.0, "longitude": 5.0, "opening": ALWAYS}
        },
        "sehs": {"seh": {"name": "SEH", "latitude": 52.0, "longitude": 5.0}},
        "ambulance_stations": {"station": {"name": "Station", "latitude": 52.0, "longitude": 5.0}},
    },
    "rosters": {
        "line": {
            "triagist": [{**ALWAYS[0], "staff": 1}],
            "gp_supervisor": [{**ALWAYS[0], "staff": 1}],
        },
        "post": {
            "gp_consult": [{**ALWAYS[0], "staff": 1}],
            "gp_visit": [{**ALWAYS[0], "staff": 1}],
        },
        "seh": {"treatment_place": [{**ALWAYS[0], "staff": 1}]},
        "station": {"ambulance": [{**ALWAYS[0], "staff": 1}]},
    },
    "demand": {
        "profiles": {"flat": FLAT},
        "channels": {
            "call": {
                "entry": "phone",
                "rate_per_1000_per_year": 1,
                "profile": "flat",
                "urgency_mix": {"U3": 100},
                "disposition_mix": {"default": {"advice": 100}},
            },
            "walk_in": {
                "entry": "walk_in_gp",
                "rate_per_1000_per_year": 1,
                "profile": "flat",
                "urgency_mix": {"U3": 100},
                "disposition_mix": {"default": {"consult": 100}},
            },
            "emergency": {
                "entry": "emergency_112",
                "rate_per_1000_per_year": 1,
                "profile": "flat",
                "urgency_mix": {"U1": 100},
                "disposition_mix": {"default": {"ambulance": 100}},
            },
        },
    },
    "triage": {
        "duration_minutes": {"default": const(5)},
        "patience_minutes": const(1e6),
        "redial_percent": 0,
        "redial_delay_minutes": const(1),
        "supervision_percent": 0,
        "supervision_minutes": const(1),
        "callback_minutes": {"default": const(5)},
    },
    "gp": {"consult_minutes": {"default": const(10)}, "visit_minutes": {"default": const(10)}},
    "seh": {"length_of_stay_minutes": {"default": const(60)}},
    "ambulance": {
        "dispatch_delay_minutes": const(2),
        "on_scene_minutes": const(20),
        "conveyance_percent": {"A1": 100, "A2": 100, "B": 0},
        "handover_minutes": const(10),
    },
    "travel": {"noise_cv": 0},
    "run": {"horizon_weeks": 1, "warmup_weeks": 0, "replications": 1},
}


def scenario(**changes: Any) -> Scenario:
    """The base scenario with dotted-path changes, e.g. ``**{"rosters.line": {...}}``."""
    data = copy.deepcopy(BASE)
    for path, value in changes.items():
        node = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[part]
        node[parts[-1]] = value
    return validate_data(data)


def demand(s: Scenario, patients: list[dict[str, Any]]) -> Demand:
    """A Demand with the given patients; unspecified fields get harmless defaults.

    Each patient gives ``t`` (arrival), ``channel`` (name) and optionally ``urgency``
    ('U3'), ``disposition`` and any Demand column as a scalar (or row for 2-d columns).
    """
    n = len(patients)
    cols = _allocate(s, n)
    channels = list(s.demand.channels)
    defaults = {
        "area": 0,
        "triage_minutes": 5.0,
        "supervised": False,
        "supervision_minutes": 1.0,
        "callback_minutes": 5.0,
        "consult_minutes": 10.0,
        "np_eligible": False,
        "np_consult_minutes": 10.0,
        "visit_minutes": 10.0,
        "seh_referral": False,
        "patience_minutes": 1e6,
        "redials": False,
        "redial_delay_minutes": 1.0,
        "seh_stay_minutes": 60.0,
        "seh_doctor_minutes": 5.0,
        "front_desk_u": 0.99,
        "dispatch_delay_minutes": 2.0,
        "on_scene_minutes": 20.0,
        "conveyed": True,
        "handover_minutes": 10.0,
        "offload_u": 0.99,
        "offload_minutes": 0.0,
        "travel_noise": 1.0,
    }
    arrivals = np.array([p["t"] for p in patients], dtype=float)
    for k, p in enumerate(patients):
        channel = s.demand.channels[p["channel"]]
        cols["channel"][k] = channels.index(p["channel"])
        cols["entry"][k] = ENTRIES.index(channel.entry)
        cols["urgency"][k] = URGENCIES.index(p.get("urgency", "U3"))
        default_disposition = max(
            channel.disposition_mix["default"], key=channel.disposition_mix["default"].get
        )
        cols["disposition"][k] = DISPOSITIONS.index(p.get("disposition", default_disposition))
        for name, value in defaults.items():
            cols[name][k] = p.get(name, value)
    assert cols["travel_noise"].shape[1] == len(LEGS)
    order = np.argsort(arrivals, kind="stable")
    return Demand(seed=0, replication=0, order=order, arrival_minutes=arrivals, **cols)
