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

from anwsim.metrics._columns import frame, repeated_text_columns
from anwsim.metrics.access import Volumes, access_rows
from anwsim.metrics.definitions import KPIS
from anwsim.metrics.workload import workload_rows
from anwsim.model.outcomes import EXITS, Outcomes
from anwsim.scenario.schema import AMBULANCE_URGENCIES, MINUTES_PER_YEAR, Scenario

Row = tuple[str, str, float, float | None, float | None, int]

COLUMNS = ["kpi", "group", "value", "unit", "norm", "target", "n", "replication", "seed"]


def measured_window(scenario: Scenario, outcomes: Outcomes) -> tuple[float, float]:
    """[end of warm-up, horizon) in minutes."""
    return scenario.run.warmup_minutes, outcomes.horizon


def _volume_rows(scenario: Scenario, v: Volumes, years: float) -> Iterator[Row]:
    """Patients per year per channel, GP contacts per 1,000 inhabitants and their split,
    SEH visits and ambulance rides per year."""
    channels = list(scenario.demand.channels)
    for name, n in zip(channels, v.per_channel, strict=True):
        yield ("patients_per_year", name, n / years, None, None, n)
    counts = {"telephone": v.telephone, "consult": v.consult, "home_visit": v.home_visit}
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
    for name, n in zip(scenario.sites.sehs, v.seh_visits, strict=True):
        yield ("seh_visits_per_year", name, n / years, None, None, n)
    for name, n in zip(AMBULANCE_URGENCIES, v.rides, strict=True):
        yield ("ambulance_rides_per_year", name, n / years, None, None, n)


def kpi_table(scenario: Scenario, outcomes: Outcomes) -> pd.DataFrame:
    """All KPIs of one replication as a long table (see the module docstring)."""
    start, end = measured_window(scenario, outcomes)
    o = outcomes
    keep = (o.call >= start) & (o.call < end)
    years = (end - start) / MINUTES_PER_YEAR
    access, volumes = access_rows(scenario, o, o.entry, o.urgency, keep)
    rows: list[Row] = [
        *access,
        *workload_rows(o, volumes.gp_contacts, start, end),
        *_volume_rows(scenario, volumes, years),
    ]
    kpi, group, value, norm, target, n = zip(*rows, strict=True)
    # the same rows, so the same text, in every replication of a scenario
    kpis, groups, units = repeated_text_columns(1, kpi, group, tuple(KPIS[k].unit for k in kpi))
    return frame(
        {
            "kpi": kpis,
            "group": groups,
            "value": np.array(value, dtype=np.float64),
            "unit": units,
            "norm": np.array([np.nan if x is None else x for x in norm], dtype=np.float64),
            "target": np.array([np.nan if x is None else x for x in target], dtype=np.float64),
            "n": np.array(n, dtype=np.int64),
            "replication": np.full(len(kpi), o.replication),
            "seed": np.full(len(kpi), o.seed),
        }  # in the order of COLUMNS
    )


def exit_counts(outcomes: Outcomes) -> dict[str, int]:
    """How many patients left by each way (conservation checks and summaries)."""
    counts = np.bincount(outcomes.exit_via[outcomes.exit_via >= 0], minlength=len(EXITS))
    return dict(zip(EXITS, (int(c) for c in counts), strict=True))
