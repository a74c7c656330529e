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


def _volume_rows(scenario: Scenario, o: Outcomes, keep: np.ndarray, years: float) -> Iterator[Row]:
    for code, name in enumerate(scenario.demand.channels):
        n = int(np.sum(keep & (o.channel == code)))
        yield ("patients_per_year", name, n / years, None, None, n)
    phone = keep & (o.entry == ENTRIES.index("phone"))
    triaged = phone & np.isfinite(o.triage_end)
    consult = keep & np.isfinite(o.consult_start)
    visit = keep & np.isfinite(o.visit_start)
    telephone = triaged & ~np.isin(
        o.disposition, [DISPOSITIONS.index("consult"), DISPOSITIONS.index("home_visit")]
    )
    counts = {
        "telephone": int(telephone.sum()),
        "consult": int(consult.sum()),
        "home_visit": int(visit.sum()),
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
    for code, name in enumerate(scenario.sites.sehs):
        n = int(np.sum(keep & (o.seh == code) & np.isfinite(o.seh_start)))
        yield ("seh_visits_per_year", name, n / years, None, None, n)
    for code, name in enumerate(AMBULANCE_URGENCIES):
        n = int(np.sum(keep & (o.ambulance_urgency == code) & np.isfinite(o.ambulance_dispatch)))
        yield ("ambulance_rides_per_year", name, n / years, None, None, n)


def kpi_table(scenario: Scenario, outcomes: Outcomes) -> pd.DataFrame:
    """All KPIs of one replication as a long table (see the module docstring)."""
    start, end = measured_window(scenario, outcomes)
    o = outcomes
    keep = (o.call >= start) & (o.call < end)
    years = (end - start) / MINUTES_PER_YEAR
    gp_contacts = int(
        np.sum(keep & np.isfinite(o.consult_start) & (o.consult_by == 0))
        + np.sum(keep & np.isfinite(o.visit_start))
        + np.sum(keep & np.isfinite(o.callback_start))
    )
    rows: list[Row] = [
        *access_rows(scenario, o, o.entry, o.urgency, keep),
        *workload_rows(o, gp_contacts, start, end),
        *_volume_rows(scenario, o, keep, years),
    ]
    frame = pd.DataFrame(rows, columns=["kpi", "group", "value", "norm", "target", "n"])
    frame.insert(3, "unit", [KPIS[k].unit for k in frame["kpi"]])
    frame["replication"] = o.replication
    frame["seed"] = o.seed
    return frame[COLUMNS]


def exit_counts(outcomes: Outcomes) -> dict[str, int]:
    """How many patients left by each way (conservation checks and summaries)."""
    counts = np.bincount(outcomes.exit_via[outcomes.exit_via >= 0], minlength=len(EXITS))
    return dict(zip(EXITS, (int(c) for c in counts), strict=True))
