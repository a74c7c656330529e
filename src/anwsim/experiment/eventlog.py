"""Per-patient outcomes as an event log in the vidigi convention.

One row per event with the columns ``entity_id``, ``pathway`` (the patient's channel),
``event_type`` (``arrival_departure``, ``queue``, ``resource_use``,
``resource_use_end``), ``event``, ``time`` (minutes), ``resource_id`` and ``run``, so
that tools which animate or analyse such logs (vidigi) read it directly. ``resource_id``
is the site's index (post, SEH or ambulance station), not an individual server: the
model pools servers of one role at one site.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from anwsim.model.outcomes import Outcomes

# (event, event_type, time column, resource column or None)
EVENTS: tuple[tuple[str, str, str, str | None], ...] = (
    ("arrival", "arrival_departure", "call", None),
    ("triage_wait_begins", "queue", "answered_attempt_start", None),
    ("triage_begins", "resource_use", "answer", None),
    ("triage_complete", "resource_use_end", "triage_end", None),
    ("callback_begins", "resource_use", "callback_start", None),
    ("callback_complete", "resource_use_end", "callback_end", None),
    ("consult_wait_begins", "queue", "post_arrival", "post"),
    ("consult_begins", "resource_use", "consult_start", "post"),
    ("consult_complete", "resource_use_end", "consult_end", "post"),
    ("visit_wait_begins", "queue", "visit_request", "visit_post"),
    ("visit_begins", "resource_use", "visit_start", "visit_post"),
    ("visit_complete", "resource_use_end", "visit_end", "visit_post"),
    ("ambulance_wait_begins", "queue", "incident", None),
    ("ambulance_dispatched", "resource_use", "ambulance_dispatch", "station"),
    ("ambulance_on_scene", "resource_use", "ambulance_arrival", "station"),
    ("ambulance_at_seh", "queue", "ambulance_at_seh", "seh"),
    ("handover_begins", "resource_use", "handover_start", "seh"),
    ("handover_complete", "resource_use_end", "handover_end", "seh"),
    ("seh_wait_begins", "queue", "seh_arrival", "seh"),
    ("seh_begins", "resource_use", "seh_start", "seh"),
    ("seh_complete", "resource_use_end", "seh_end", "seh"),
    ("depart", "arrival_departure", "exit", None),
)


def event_log(outcomes: Outcomes, run: int, channels: list[str] | None = None) -> pd.DataFrame:
    """The event log of one replication, sorted by entity, time and event order."""
    o = outcomes
    frames = []
    for order, (event, event_type, column, resource) in enumerate(EVENTS):
        times = o.patients[column]
        rows = np.flatnonzero(np.isfinite(times))
        res = o.patients[resource][rows] if resource else np.full(rows.size, -1, dtype=np.int64)
        frames.append(
            pd.DataFrame(
                {
                    "entity_id": rows.astype(np.int64),
                    "pathway": o.patients["channel"][rows].astype(np.int64),
                    "event_type": event_type,
                    "event": event,
                    "time": times[rows],
                    "resource_id": res.astype(np.int64),
                    "run": run,
                    "_order": order,
                }
            )
        )
    log = pd.concat(frames, ignore_index=True)
    log = log.sort_values(["entity_id", "time", "_order"], kind="stable").drop(columns="_order")
    if channels is not None:
        log["pathway"] = np.asarray(channels, dtype=object)[log["pathway"].to_numpy()]
    return log.reset_index(drop=True)
