"""The KPI table of one replication: access, workload and volumes in one long table.

`kpi_table(scenario, outcomes)` is a pure function. Only patients whose first contact
falls after the warm-up count, and resources are integrated from the end of the
warm-up to the horizon. Columns: ``kpi``, ``group``, ``value``, ``unit``, ``norm`` (the
threshold, e.g. 15 min), ``target`` (the share the norm asks for, in %), ``n`` (patients
or events behind the value: a share's denominator, the values a mean is taken over),
``replication``, ``seed``. What every KPI divides is written in
`anwsim.metrics.definitions` (and docs/kpis.md).
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd

from anwsim.metrics.access import access_rows
from anwsim.metrics.definitions import KPIS
from anwsim.metrics.workload import workload_rows
from anwsim.model.outcomes import EXITS, Outcomes
from anwsim.scenario.schema import (
    AMBULANCE_URGENCIES,
    DISPOSITIONS,
    ENTRIES,
    MINUTES_PER_YEAR,
    Scenario,
)

Row = tuple[str, str, float, float | None, float | None, int]

COLUMNS = ["kpi", "group", "value", "unit", "norm", "target", "n", "replication", "seed"]


def measured_window(scenario: Scenario, outcomes: Outcomes) -> tuple[float, float]:
    """[end of warm-up, horizon) in minutes."""
    return scenario.run.warmup_minutes, outcomes.horizon


def _per_code(codes: np.ndarray, of: np.ndarray, n: int) -> list[int]:
    """How many of the patients in the mask ``of`` have each code 0 … n − 1."""
    return [int(np.count_nonzero(of & (codes == code))) for code in range(n)]


def _volume_rows(
    scenario: Scenario,
    o: Outcomes,
    keep: np.ndarray,
    years: float,
    consult: np.ndarray,
    visit: np.ndarray,
) -> Iterator[Row]:
    """``consult`` and ``visit``: the patients in ``keep`` with a consult, a home visit."""
    channels = list(scenario.demand.channels)
    for name, n in zip(channels, _per_code(o.channel, keep, len(channels)), strict=True):
        yield ("patients_per_year", name, n / years, None, None, n)
    phone = keep & (o.entry == ENTRIES.index("phone"))
    triaged = phone & np.isfinite(o.triage_end)
    disposition = o.disposition
    telephone = triaged & (disposition != DISPOSITIONS.index("consult"))
    telephone &= disposition != DISPOSITIONS.index("home_visit")
    counts = {
        "telephone": int(np.count_nonzero(telephone)),
        "consult": int(np.count_nonzero(consult)),
        "home_visit": int(np.count_nonzero(visit)),
    }
    total = sum(counts.values())
    population = scenario.region.population
    yield ("gp_contacts_per_1000", "all", total / years / population * 1000.0, None, None, total)
    for name, n in counts.items():
        yield (
            "gp_contact_share",
            name,
            100.0 * n / total if total else float("nan"),
            None,
            None,
            n,
        )
    sehs = scenario.sites.sehs
    seen = keep & np.isfinite(o.seh_start)
    for name, n in zip(sehs, _per_code(o.seh, seen, len(sehs)), strict=True):
        yield ("seh_visits_per_year", name, n / years, None, None, n)
    dispatched = keep & np.isfinite(o.ambulance_dispatch)
    rides = _per_code(o.ambulance_urgency, dispatched, len(AMBULANCE_URGENCIES))
    for name, n in zip(AMBULANCE_URGENCIES, rides, strict=True):
        yield ("ambulance_rides_per_year", name, n / years, None, None, n)


def kpi_table(scenario: Scenario, outcomes: Outcomes) -> pd.DataFrame:
    """All KPIs of one replication as a long table (see the module docstring)."""
    start, end = measured_window(scenario, outcomes)
    o = outcomes
    keep = (o.call >= start) & (o.call < end)
    years = (end - start) / MINUTES_PER_YEAR
    consult = keep & np.isfinite(o.consult_start)
    visit = keep & np.isfinite(o.visit_start)
    gp_contacts = int(
        np.count_nonzero(consult & (o.consult_by == 0))
        + np.count_nonzero(visit)
        + np.count_nonzero(keep & np.isfinite(o.callback_start))
    )
    rows: list[Row] = [
        *access_rows(scenario, o, o.entry, o.urgency, keep),
        *workload_rows(o, gp_contacts, start, end),
        *_volume_rows(scenario, o, keep, years, consult, visit),
    ]
    kpi, group, value, norm, target, n = zip(*rows, strict=True)
    return pd.DataFrame(
        {
            "kpi": list(kpi),
            "group": list(group),
            "value": np.array(value, dtype=np.float64),
            "unit": [KPIS[k].unit for k in kpi],
            "norm": np.array([np.nan if x is None else x for x in norm], dtype=np.float64),
            "target": np.array([np.nan if x is None else x for x in target], dtype=np.float64),
            "n": np.array(n, dtype=np.int64),
            "replication": o.replication,
            "seed": o.seed,
        }  # in the order of COLUMNS
    )


def exit_counts(outcomes: Outcomes) -> dict[str, int]:
    """How many patients left by each way (conservation checks and summaries)."""
    counts = np.bincount(outcomes.exit_via[outcomes.exit_via >= 0], minlength=len(EXITS))
    return dict(zip(EXITS, (int(c) for c in counts), strict=True))
