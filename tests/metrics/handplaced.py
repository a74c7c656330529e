"""Hand-placed `Outcomes` for KPI tests: a handful of patients whose timestamps are set
by hand, every other column at the `Recorder`'s default (NaN, -1, 0, False)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from anwsim.metrics import kpi_table
from anwsim.model.outcomes import EXITS, Outcomes, Recorder, ResourceTable
from anwsim.scenario import Scenario, load_scenario
from anwsim.scenario.schema import AMBULANCE_URGENCIES, DISPOSITIONS, ENTRIES, URGENCIES

ROOT = Path(__file__).resolve().parents[2]
START = 60.0
"""When hand-placed patients call: one hour into the measured window."""

CODES: dict[str, tuple[str, ...]] = {
    "exit_via": EXITS,
    "entry": ENTRIES,
    "urgency": URGENCIES,
    "disposition": DISPOSITIONS,
    "ambulance_urgency": AMBULANCE_URGENCIES,
}


def scenario() -> Scenario:
    """The shipped baseline, two weeks, no warm-up: every call at ``START`` counts.
    Norms: emergency line U0/U1 within 30 s, other lines 2 and 10 min, NTS U2 60 min,
    A1 15 and A2 30 min, 45 min to the SEH, 30 min to the post."""
    return load_scenario(
        ROOT / "scenarios" / "baseline.yaml", ["run.horizon_weeks=2", "run.warmup_weeks=0"]
    )


def outcomes(
    s: Scenario,
    patients: Sequence[dict[str, Any]],
    queues: tuple[tuple[str, str], ...] = (),
    resources: ResourceTable | None = None,
) -> Outcomes:
    """Outcomes of ``patients``: one dict per patient, columns by name; ``exit_via``,
    ``entry``, ``urgency``, ``disposition`` and ``ambulance_urgency`` may be given by
    name. Unset: ``call`` = START, ``entry`` phone, ``urgency`` U3, ``disposition``
    consult, ``exits`` 1; the channel is the first of the entry."""
    n = len(patients)
    columns = Recorder(n).columns()
    columns["exits"][:] = 1
    columns["call"][:] = START
    for name, default in (("entry", "phone"), ("urgency", "U3"), ("disposition", "consult")):
        columns[name] = np.full(n, CODES[name].index(default), dtype=np.int64)
    columns["channel"] = np.zeros(n, dtype=np.int64)
    columns["area"] = np.zeros(n, dtype=np.int64)
    for i, patient in enumerate(patients):
        for name, value in patient.items():
            if name in CODES and isinstance(value, str):
                value = CODES[name].index(value)
            columns[name][i] = value
    entries = [c.entry for c in s.demand.channels.values()]
    columns["channel"] = np.array([entries.index(ENTRIES[e]) for e in columns["entry"]])
    return Outcomes(
        columns,
        resources if resources is not None else ResourceTable(),
        horizon=s.run.horizon_minutes,
        replication=0,
        seed=0,
        queues=queues,
    )


def table(s: Scenario, patients: Sequence[dict[str, Any]], **kwargs: Any) -> pd.DataFrame:
    return kpi_table(s, outcomes(s, patients, **kwargs))


def row(kpis: pd.DataFrame, kpi: str, group: str) -> Any:
    """The one row of ``kpi`` and ``group``."""
    rows = kpis[(kpis.kpi == kpi) & (kpis.group == group)]
    assert len(rows) == 1, (kpi, group, len(rows))
    return next(rows.itertuples())


# ------------------------------------------------------------------ phone callers


def answered(wait: float, urgency: str = "U3", *, attempts: int = 1, **extra: Any) -> dict:
    """A caller answered live ``wait`` minutes after the start of their last attempt."""
    attempt_start = START + 5.0 * (attempts - 1)
    return {
        "urgency": urgency,
        "attempts": attempts,
        "abandoned_attempts": attempts - 1,
        "answered_attempt_start": attempt_start,
        "answer": attempt_start + wait,
        "triage_end": attempt_start + wait + 5.0,
        "exit_via": "advice",
        "exit": attempt_start + wait + 5.0,
        "disposition": "advice",
        **extra,
    }


def abandoned(urgency: str = "U3", attempts: int = 1) -> dict:
    """A caller who hung up on every one of ``attempts`` attempts."""
    return {
        "urgency": urgency,
        "attempts": attempts,
        "abandoned_attempts": attempts,
        "abandon": START + 3.0,
        "exit_via": "abandoned",
        "exit": START + 3.0,
    }


def blocked(urgency: str = "U3", attempts: int = 1) -> dict:
    """A caller whose every attempt met a full waiting room (busy signal)."""
    return {
        "urgency": urgency,
        "attempts": attempts,
        "blocked_attempts": attempts,
        "exit_via": "blocked",
        "exit": START,
    }


def called_back(after: float, urgency: str = "U3") -> dict:
    """A caller who accepted a call-back 1 min in; the triagist called ``after`` later."""
    return {
        "urgency": urgency,
        "attempts": 1,
        "called_back": True,
        "call_back_requested": START + 1.0,
        "answered_attempt_start": START,
        "answer": START + 1.0 + after,
        "triage_end": START + 1.0 + after + 5.0,
        "exit_via": "advice",
        "exit": START + 1.0 + after + 5.0,
        "disposition": "advice",
    }


def unserved(queue: int, **extra: Any) -> dict:
    """A patient still waiting in queue ``queue`` when the run stopped."""
    return {"exit_via": "unserved", "unserved_queue": queue, "exit": 1e6, **extra}


def unserved_caller(queue: int = 0, urgency: str = "U3") -> dict:
    """A caller still waiting on the line when the run stopped."""
    return unserved(queue, urgency=urgency, attempts=1)
