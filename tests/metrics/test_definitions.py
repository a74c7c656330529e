"""The KPI declarations: every KPI says what it divides and which way is better, the
documentation cannot drift from them, and every headline list is declared once."""

from __future__ import annotations

import ast
from pathlib import Path

import pandas as pd
import pytest

from anwsim.metrics import definitions as D
from anwsim.metrics.definitions import HEADLINES, KPIS, Kpi

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "anwsim"
DOC = ROOT / "docs" / "kpis.md"


def test_every_kpi_declares_what_it_divides_and_its_direction() -> None:
    for k in KPIS.values():
        assert k.numerator.strip() and k.denominator.strip(), k.name
        assert k.better in ("higher", "lower") or (k.better is None and k.neutral_because)
        assert (k.statistic == "share") == (k.unit == "%"), k.name


def test_a_kpi_without_a_direction_must_say_why() -> None:
    with pytest.raises(ValueError, match="neutral_because"):
        Kpi("x", "%", "access", "share", "all", "d", "num", "den", None)
    with pytest.raises(ValueError, match="numerator and denominator"):
        Kpi("x", "%", "access", "share", "all", "d", "", "den", "higher")


def test_directions_of_the_access_kpis() -> None:
    higher = {name for name, k in KPIS.items() if k.better == "higher"}
    assert higher == {
        "answered_within_urgent_norm",
        "answered_within_norm",
        "answered_within_max",
        "within_nts_norm",
        "travel_to_post_within_norm",
        "ambulance_response_within_norm",
        "call_to_seh_within_norm",
    }
    for name in ("blocked_callers", "blocked_attempts", "unserved_patients", "abandoned_callers"):
        assert KPIS[name].better == "lower"
    assert KPIS["called_back"].better is None and KPIS["utilisation"].better is None


def test_phone_service_levels_are_over_every_caller() -> None:
    for name in ("answered_within_urgent_norm", "answered_within_norm", "answered_within_max"):
        k = KPIS[name]
        assert "every caller" in k.denominator and "called back" in k.denominator
    assert "every caller" in KPIS["abandoned_callers"].denominator
    assert "live" in KPIS["answer_time_mean"].denominator


def test_the_kpi_doc_lists_every_kpi_as_declared() -> None:
    text = DOC.read_text(encoding="utf-8")
    for name in KPIS:
        assert f"| `{name}` |" in text, f"{name} is missing from docs/kpis.md"
    assert D.kpi_markdown() in text, (
        "docs/kpis.md differs from the declarations: paste the output of "
        "anwsim.metrics.definitions.kpi_markdown() into it"
    )
    for name in HEADLINES:
        assert f"`{name}`" in text


@pytest.mark.parametrize("name", sorted(HEADLINES))
def test_headline_lists_name_declared_kpis(name: str) -> None:
    rows = HEADLINES[name]
    assert rows and len(set(rows)) == len(rows)
    for kpi, _group in rows:
        assert kpi in KPIS, (name, kpi)


def test_the_run_summary_and_the_report_show_blocked_and_unserved() -> None:
    for rows in (D.RUN_SUMMARY, D.REPORT_HEADLINE):
        assert ("unserved_patients", "all") in rows
        assert ("blocked_callers", "all") in rows


def test_selected_picks_kpis_and_groups() -> None:
    table = pd.DataFrame(
        {
            "kpi": ["unserved_patients", "unserved_patients", "within_nts_norm", "x"],
            "group": ["hap_b/gp_consult", "all", "U2", "all"],
        }
    )
    mask = D.selected(table, [("unserved_patients", "all"), ("within_nts_norm", None)])
    assert list(mask) == [False, True, True, False]


# ------------------------------------------------------------------ declared once


def _kpi_name(node: ast.AST) -> str | None:
    """The KPI a literal names: a KPI's name, or (name, group)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in KPIS:
        return node.value
    if isinstance(node, ast.Tuple) and node.elts:
        return _kpi_name(node.elts[0])
    return None


def test_no_list_of_kpis_outside_the_definitions() -> None:
    """A tuple, list, set or dict literal naming two or more KPIs in the code that uses
    KPI tables (the CLI, the experiment, the report) is a headline list declared twice.
    (The metrics compute the KPIs; the model's column names may equal KPI names.)"""
    found = []
    users = [SRC / "cli.py", *(SRC / "experiment").rglob("*.py"), *(SRC / "report").rglob("*.py")]
    for path in sorted(users):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Tuple | ast.List | ast.Set):
                items = node.elts
            elif isinstance(node, ast.Dict):
                items = [k for k in node.keys if k is not None]
            else:
                continue
            names = [n for n in map(_kpi_name, items) if n is not None]
            if len(names) >= 2:
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {names}")
    assert not found, "KPI lists outside metrics/definitions.py:\n" + "\n".join(found)


def test_every_user_takes_its_list_from_the_definitions() -> None:
    from anwsim.experiment import DEFAULT_TARGETS, runner
    from anwsim.experiment.api import Settings
    from anwsim.report import figures, page

    assert runner.DEFAULT_TARGETS is D.PRECISION_TARGETS
    assert DEFAULT_TARGETS is D.PRECISION_TARGETS
    assert Settings().targets is D.PRECISION_TARGETS
    assert runner.Plan(replications=1).targets is D.PRECISION_TARGETS
    assert page.REPORT_HEADLINE is D.REPORT_HEADLINE
    assert figures.DIFF_ROWS_PP is D.DIFFERENCE_CHART_PP
    assert figures.DIFF_ROWS_MIN is D.DIFFERENCE_CHART_MIN
    assert figures.SWEEP_KPIS is D.SWEEP_CHART
    assert figures.PHONE_SERVICE_LEVELS is D.PHONE_SERVICE_LEVELS
