"""Workload and volume shares on a hand-made resource log and a handful of patients, with
values worked out by hand: what each KPI divides is what its definition says."""

from __future__ import annotations

import numpy as np
import pytest

from anwsim.model.outcomes import ResourceTable
from anwsim.scenario.schema import MINUTES_PER_YEAR

from .handplaced import START, row, scenario, table


def resources() -> ResourceTable:
    """One consult GP on shift 0–600 min, busy 300–660 (an hour past the shift's end);
    two SEH treatment places all the time, one of them busy all the time."""
    res = ResourceTable()
    for name, role, site, times, busy, capacity in (
        ("hap_a/gp_consult", "gp_consult", "hap_a", [0, 300, 600, 660], [0, 1, 1, 0], [1, 1, 0, 0]),
        ("seh_1/treatment_place", "treatment_place", "seh_1", [0], [1], [2]),
    ):
        res.name.append(name)
        res.role.append(role)
        res.site.append(site)
        res.times.append(np.array(times, dtype=float))
        res.busy.append(np.array(busy, dtype=np.int64))
        res.capacity.append(np.array(capacity, dtype=np.int64))
    return res


PATIENTS = [
    {"triage_end": START + 5, "disposition": "advice"},  # telephone
    {
        "triage_end": START + 5,
        "disposition": "consult",
        "consult_start": START + 30,
        "consult_by": 0,
    },
    {"entry": "walk_in_gp", "consult_start": START + 10, "consult_by": 0},
    {"entry": "walk_in_gp", "consult_start": START + 10, "consult_by": 1},  # nurse practitioner
    {"triage_end": START + 5, "disposition": "home_visit", "visit_start": START + 60},
    {"triage_end": START + 5, "disposition": "gp_callback", "callback_start": START + 20},
]


def test_utilisation_overtime_and_occupancy() -> None:
    s = scenario()
    kpis = table(s, PATIENTS, resources=resources())
    # busy up to the capacity 300–600 of 600 staffed minutes
    assert row(kpis, "utilisation", "hap_a/gp_consult").value == pytest.approx(100 * 300 / 600)
    assert row(kpis, "utilisation", "role:gp_consult").value == pytest.approx(100 * 300 / 600)
    # 60 minutes past the end of the one shift that ended; over two weeks
    assert row(kpis, "overtime_minutes_per_shift", "role:gp_consult").value == pytest.approx(60)
    assert row(kpis, "overtime_hours_per_week", "role:gp_consult").value == pytest.approx(1 / 2)
    # one of two places busy all the time
    assert row(kpis, "seh_occupancy", "seh_1").value == pytest.approx(100 * 1 / 2)


def test_gp_contacts_per_hour_and_contact_shares() -> None:
    s = scenario()
    kpis = table(s, PATIENTS, resources=resources())
    # consults by a GP (2, not the nurse practitioner's), one visit, one call-back; 10 GP hours
    assert row(kpis, "contacts_per_gp_hour", "all").value == pytest.approx((2 + 1 + 1) / 10)
    # telephone: advice and call-back; consult: GP and NP consults; home visit: one
    assert row(kpis, "gp_contact_share", "telephone").value == pytest.approx(100 * 2 / 6)
    assert row(kpis, "gp_contact_share", "consult").value == pytest.approx(100 * 3 / 6)
    assert row(kpis, "gp_contact_share", "home_visit").value == pytest.approx(100 * 1 / 6)
    years = s.run.horizon_minutes / MINUTES_PER_YEAR
    per_1000 = 6 / years / s.region.population * 1000
    assert row(kpis, "gp_contacts_per_1000", "all").value == pytest.approx(per_1000)


def test_no_resources_gives_no_workload_rows() -> None:
    kpis = table(scenario(), PATIENTS)
    assert not (kpis.kpi == "utilisation").any()
    assert np.isnan(row(kpis, "contacts_per_gp_hour", "all").value)
