"""KPIs: pure functions from `Outcomes` to tables, each KPI defined once with its unit.

The names below are imported on first use, so that `anwsim.metrics.definitions` (what
the report and the CLI read) can be imported without loading the model's `Outcomes`
and everything the model imports.
"""

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from anwsim.metrics.definitions import KPIS, Kpi
    from anwsim.metrics.queues import queues_by_hour_of_week
    from anwsim.metrics.table import exit_counts, kpi_table
    from anwsim.metrics.workload import group_integrals, utilisation_by_hour_of_week

_LAZY = {
    "KPIS": "anwsim.metrics.definitions",
    "Kpi": "anwsim.metrics.definitions",
    "exit_counts": "anwsim.metrics.table",
    "kpi_table": "anwsim.metrics.table",
    "group_integrals": "anwsim.metrics.workload",
    "queues_by_hour_of_week": "anwsim.metrics.queues",
    "utilisation_by_hour_of_week": "anwsim.metrics.workload",
}

__all__ = [
    "KPIS",
    "Kpi",
    "exit_counts",
    "group_integrals",
    "kpi_table",
    "queues_by_hour_of_week",
    "utilisation_by_hour_of_week",
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'anwsim.metrics' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
