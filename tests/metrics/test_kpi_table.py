"""The KPI table: every row is a declared KPI with its unit; values are in range."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from anwsim.metrics import KPIS, kpi_table, utilisation_by_hour_of_week
from anwsim.model import simulate
from anwsim.sampling import sample_demand
from anwsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def run():
    s = load_scenario(ROOT / "scenarios" / "baseline.yaml", ["run.horizon_weeks=3"])
    o = simulate(s, sample_demand(s, 0))
    return s, o, kpi_table(s, o)


def test_every_row_is_a_declared_kpi_with_its_unit(run) -> None:
    _, _, table = run
    assert set(table.kpi) <= set(KPIS)
    for row in table.itertuples():
        assert row.unit == KPIS[row.kpi].unit
    assert not table.duplicated(["kpi", "group"]).any()


def test_shares_are_percentages_and_utilisation_at_most_100(run) -> None:
    _, _, table = run
    shares = table[table.unit == "%"].value.dropna()
    assert np.all((shares >= 0) & (shares <= 100))


def test_utilisation_by_hour_of_week_adds_up_to_the_totals(run) -> None:
    s, o, table = run
    start, end = s.run.warmup_minutes, o.horizon
    by_hour = utilisation_by_hour_of_week(o, start, end)
    triage = by_hour[by_hour.group == "hds/triagist"]
    assert len(triage) == 168
    total = 100 * triage.busy_minutes.sum() / triage.staffed_minutes.sum()
    row = table[(table.kpi == "utilisation") & (table.group == "hds/triagist")]
    assert total == pytest.approx(float(row.value.iloc[0]), rel=1e-9)
    # No triagist is rostered on weekday mornings (office hours): nothing staffed then.
    assert (
        triage[(triage.hour_of_week % 24 == 10) & (triage.hour_of_week < 120)].staffed_minutes.sum()
        == 0
    )


def test_directions_are_declared_for_access_kpis() -> None:
    for name in ("within_nts_norm", "ambulance_response_within_norm", "answer_time_mean"):
        assert KPIS[name].better in ("higher", "lower")
    assert KPIS["within_nts_norm"].better == "higher"
    assert KPIS["handoff_delay_mean"].better == "lower"
