"""KPIs: pure functions from `Outcomes` to tables, each KPI defined once with its unit."""

from anwsim.metrics.definitions import KPIS, Kpi
from anwsim.metrics.table import exit_counts, kpi_table
from anwsim.metrics.workload import group_integrals, utilisation_by_hour_of_week

__all__ = [
    "KPIS",
    "Kpi",
    "exit_counts",
    "group_integrals",
    "kpi_table",
    "utilisation_by_hour_of_week",
]
