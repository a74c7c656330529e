"""The shipped baseline runs, and its volumes match the figures it was built from.

Targets from shared/domain/figures.md §9 for Regio Voorbeeld, scaled to its 363,913
inhabitants: 250 GP-post contacts per 1,000 a year split 40/51/9 (telephone, consult,
home visit), about 103 SEH visits and 80.6 ambulance rides per 1,000 a year. The
measured quarter (13 weeks from 6 January, no public holidays) is scaled to a year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anwsim.experiment import run_replication
from anwsim.scenario import URGENCIES, load_scenario

ROOT = Path(__file__).resolve().parents[2]
POPULATION = 363_913


@pytest.fixture(scope="module")
def result():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml", ["run.horizon_weeks=14"])
    return scenario, run_replication(scenario, 0)


def kpi(kpis, name: str, group: str) -> float:
    rows = kpis[(kpis.kpi == name) & (kpis.group == group)]
    assert len(rows) == 1, (name, group)
    return float(rows.value.iloc[0])


def test_every_patient_leaves_exactly_once(result) -> None:
    _, r = result
    assert np.all(r.outcomes.exits == 1)


def test_gp_contacts_per_1000_within_5_percent(result) -> None:
    _, r = result
    assert kpi(r.kpis, "gp_contacts_per_1000", "all") == pytest.approx(250, rel=0.05)


@pytest.mark.parametrize(
    ("group", "target"), [("telephone", 40), ("consult", 51), ("home_visit", 9)]
)
def test_contact_type_split_within_5_percent(result, group: str, target: float) -> None:
    _, r = result
    assert kpi(r.kpis, "gp_contact_share", group) == pytest.approx(target, rel=0.05)


def test_seh_visits_and_ambulance_rides_within_5_percent(result) -> None:
    _, r = result
    seh = r.kpis[r.kpis.kpi == "seh_visits_per_year"].value.sum()
    rides = r.kpis[r.kpis.kpi == "ambulance_rides_per_year"].value.sum()
    assert seh == pytest.approx(103 * POPULATION / 1000, rel=0.05)
    assert rides == pytest.approx(80.6 * POPULATION / 1000, rel=0.05)


def test_urgency_mix_of_calls_matches_input(result) -> None:
    scenario, r = result
    o = r.outcomes
    calls = o.channel == list(scenario.demand.channels).index("gp_call")
    observed = np.bincount(o.urgency[calls], minlength=len(URGENCIES)) / calls.sum()
    expected = np.array(scenario.demand.channels["gp_call"].urgency_fractions())
    se = np.sqrt(expected * (1 - expected) / calls.sum())
    assert np.all(np.abs(observed - expected) <= 4 * se + 1e-12)


def test_access_kpis_are_reported_against_their_norms(result) -> None:
    scenario, r = result
    rows = r.kpis.set_index(["kpi", "group"])
    assert rows.loc[("ambulance_response_within_norm", "A1"), "norm"] == 15
    assert rows.loc[("ambulance_response_within_norm", "A1"), "target"] == 95
    assert rows.loc[("within_nts_norm", "U2"), "norm"] == scenario.norms.nts_minutes["U2"]
    assert rows.loc[("call_to_seh_within_norm", "A1+A2"), "norm"] == 45
    assert rows.loc[("answered_within_urgent_norm", "emergency line"), "norm"] == 0.5
    for name in ("within_nts_norm", "ambulance_response_within_norm", "answered_within_norm"):
        values = r.kpis[r.kpis.kpi == name].value
        assert np.all((values >= 0) & (values <= 100))
