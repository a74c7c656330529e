"""The terminal tables (`anwsim.tables`): each KPI rounded to its precision, with its
unit and norm, labelled in English or Dutch, and split into blocks that fit the width.

Hand-made result tables in the shape the experiment API returns; no replication runs.
"""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

from anwsim import tables as T
from anwsim.experiment.summary import ranking
from anwsim.metrics.definitions import KPIS, RANKING

# kpi, group, mean, half_width, unit, norm, target
ROWS = [
    ("answer_time_mean", "all", 0.2345, 0.0212, "min", None, None),
    ("answered_within_urgent_norm", "emergency line", 86.94, 4.31, "%", 0.5, 90.0),
    ("answered_within_norm", "other lines", 93.63, 1.14, "%", 2.0, 75.0),
    ("within_nts_norm", "U2", 95.76, 1.28, "%", 60.0, None),
    ("within_nts_norm", "U3", 97.76, 1.09, "%", 180.0, None),
    ("unserved_patients", "all", 0.0, 0.0, "patients", None, None),
    ("utilisation", "role:gp_consult", 61.54, 4.19, "%", None, None),
    ("utilisation", "role:triagist", 41.70, 1.37, "%", None, None),
    ("overtime_minutes_per_shift", "role:gp_consult", 4.34, 1.93, "min", None, None),
    ("contacts_per_gp_hour", "all", 1.4912, 0.0381, "1/h", None, None),
    ("seh_visits_per_year", "seh_1", 26355.98, 864.49, "1/yr", None, None),
    ("ambulance_rides_per_year", "A1", 12192.39, 1836.65, "1/yr", None, None),
]


def summary(scenario: str = "baseline", shift: float = 0.0) -> pd.DataFrame:
    frame = pd.DataFrame(
        ROWS, columns=["kpi", "group", "mean", "half_width", "unit", "norm", "target"]
    )
    frame["mean"] = frame["mean"] + shift
    frame.insert(0, "scenario", scenario)
    frame["sd"] = 1.0
    frame["replications"] = 3
    return frame


def comparison(n: int, label: str = "scenario") -> pd.DataFrame:
    """The base and ``n`` others; other k is k points higher on every KPI, significant
    from the second on."""
    frames = []
    for k in range(n + 1):
        frame = summary("baseline" if k == 0 else f"{label}_{k}", float(k))
        frame["difference"] = float(k) if k else None
        frame["difference_half_width"] = 0.5 if k else None
        frame["significant"] = (k > 1) if k else None
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


def widest(text: str) -> int:
    return max(len(line) for line in text.splitlines())


def line_of(text: str, start: str) -> str:
    """The first line that starts with ``start`` (indentation stripped)."""
    return next(line.strip() for line in text.splitlines() if line.strip().startswith(start))


def test_a_run_is_rounded_per_kpi_with_units_and_norms() -> None:
    text = T.render(T.summary(summary()), 100)
    assert text.splitlines()[0].split() == ["KPI", "mean", "±", "95%", "CI"]
    assert line_of(text, "Answer time, mean (min)").endswith("0.23 ± 0.02")  # digits 2
    assert line_of(text, "GP, consults").endswith("61.5 ± 4.2")  # a share: one decimal
    assert line_of(text, "seh_1").endswith("26,356 ± 864")  # a yearly volume: whole
    assert line_of(text, "A1").endswith("12,192 ± 1,837")
    assert line_of(text, "Contacts per GP hour").endswith("1.49 ± 0.04")
    # units in the label, norms with their unit (and the share they ask for)
    assert "Seen within NTS norm (%)" in text
    assert line_of(text, "U2").startswith("U2 ≤ 60 min")
    assert line_of(text, "U3").startswith("U3 ≤ 3 h")
    assert line_of(text, "emergency line").startswith("emergency line 90% ≤ 30 s")
    assert line_of(text, "other lines").startswith("other lines 75% ≤ 2 min")
    # a unit the label names is not repeated; groups of one KPI under one heading
    assert line_of(text, "Patients never served").endswith("0.0 ± 0.0")
    assert "(patients)" not in text and "(1/yr)" not in text
    assert line_of(text, "Utilisation (%)") == "Utilisation (%)"


def test_dutch_labels_and_decimal_commas() -> None:
    text = T.render(T.summary(summary(), "nl"), 100)
    assert text.splitlines()[0].split() == ["KPI", "gemiddelde", "±", "95%-BI"]
    assert line_of(text, "Huisarts, consulten").endswith("61,5 ± 4,2")
    assert line_of(text, "seh_1").endswith("26.356 ± 864")
    assert line_of(text, "Wachttijd aan de telefoon, gemiddeld (min)").endswith("0,23 ± 0,02")
    assert line_of(text, "U3").startswith("U3 ≤ 3 u")
    assert line_of(text, "spoedlijn").startswith("spoedlijn 90% ≤ 30 s")


def test_every_kpi_has_a_precision() -> None:
    assert {KPIS[k].digits for k in KPIS} <= {0, 1, 2}
    assert KPIS["seh_visits_per_year"].digits == 0 and KPIS["within_nts_norm"].digits == 1
    assert T.digits("not_a_kpi") == 2


def test_a_three_scenario_comparison_fits_100_columns_in_one_block() -> None:
    text = T.render(T.comparison(comparison(2, "s")), 100)
    assert widest(text) <= 100
    header = text.splitlines()[0].split()
    assert header == ["baseline", "s_1", "s_2"]  # all three side by side
    row = line_of(text, "GP, consults")
    # base: mean ± CI; others: mean (Δ ± CI), * where significant, a true minus sign
    assert " ".join(row.split()[-11:]) == "61.5 ± 4.2 62.5 (+1.0 ± 0.5) 63.5 (+2.0 ± 0.5)*"
    assert "Cells: for baseline the mean ± 95% CI" in text


def test_a_wide_comparison_turns_into_blocks_that_fit() -> None:
    table = comparison(11, "scenario_with_a_name")
    text = T.render(T.comparison(table), 100)
    assert widest(text) <= 100
    headers = [line for line in text.splitlines() if line.lstrip().startswith("baseline")]
    assert len(headers) >= 4  # the base repeated in every block
    for k in range(1, 12):
        assert f"scenario_with_a_name_{k}" in text
    # each block holds every KPI line
    assert text.count("Seen within NTS norm (%)") == len(headers)
    narrow = T.render(T.comparison(table), 60)
    assert widest(narrow) <= 60


def test_a_negative_difference_has_a_true_minus() -> None:
    table = comparison(2)
    table.loc[table["scenario"] == "scenario_2", "difference"] = -2.04
    text = T.render(T.comparison(table), 100)
    assert "(\u22122.0 ± 0.5)*" in line_of(text, "GP, consults")


def test_the_ranking_puts_rank_and_score_first_and_fits() -> None:
    table = comparison(11)
    ranked = ranking(table, "baseline")
    text = T.render(T.ranking(ranked, "baseline", "en", 100, table), 100)
    assert widest(text) <= 100
    assert text.splitlines()[0] == "Ranking against baseline"
    headers = [line for line in text.splitlines() if line.startswith("rank")]
    assert headers and all(h.split()[:3] == ["rank", "score", "scenario"] for h in headers)
    first = next(line for line in text.splitlines() if line.lstrip().startswith("1 "))
    assert ranked.loc[0, "score"] == 1  # 3 KPIs improve, 2 worsen
    assert first.split()[:3] == ["1", "+1", ranked.loc[0, "scenario"]]
    # headers: short name with ↑/↓, group, norm with unit
    assert "NTS ↑" in text and "≤ 60 min" in text and "util" in text
    assert "+1.0 " in text and "+2.0*" in text  # significance from the comparison
    # every ranked KPI that the table has is shown once, over the blocks
    shown = [(k, g) for k, g in RANKING if f"{k}:{g}" in ranked.columns]
    firsts = [line.split() for line in text.splitlines() if line.lstrip().startswith("1 ")]
    assert sum(len(cells) - 3 for cells in firsts) == len(shown) == 7
    dutch = T.render(T.ranking(ranked, "baseline", "nl", 100, table), 100)
    assert dutch.splitlines()[0] == "Rangorde ten opzichte van baseline"
    assert line_of(dutch, "plaats").split()[:3] == ["plaats", "score", "scenario"]


def test_sweep_points_are_named_by_their_values() -> None:
    path = "rosters.hap_a.gp_consult.0.staff"
    table = pd.concat([summary(f"point-00{k}", float(k)) for k in range(3)], ignore_index=True)
    table.insert(1, path, [1] * len(ROWS) + [2] * len(ROWS) + [3] * len(ROWS))
    assert T.point_names(table, [path]) == {f"point-00{k}": f"{path}={k + 1}" for k in range(3)}
    text = T.render(T.sweep(table, [path]), 100)
    assert widest(text) <= 100
    assert text.splitlines()[0] == "Sweep: 3 grid point(s), 3 replication(s) each"
    assert "point-00" not in text
    lines = text.splitlines()
    # the path broken after its dots, read down each column header
    assert lines[2].split() == ["rosters.hap_a."] * 3
    assert lines[3].split() == ["gp_consult.0."] * 3
    assert lines[4].split() == ["KPI", "staff=1", "staff=2", "staff=3"]
    row = line_of(text, "GP, consults")
    assert " ".join(row.split()[-9:]) == "61.5 ± 4.2 62.5 ± 4.2 63.5 ± 4.2"


def test_wrap_path() -> None:
    assert T.wrap_path("rosters.hap_a.gp_consult.0.staff=2") == (
        "rosters.hap_a.\ngp_consult.0.\nstaff=2"
    )
    assert T.wrap_path("a.b=1, demand.growth_factor=1.1", 16) == "a.b=1\ndemand.\ngrowth_factor=1.1"


def test_machine_output_is_unrounded() -> None:
    table = summary()
    records = json.loads(T.machine_text(table, "json"))
    assert len(records) == len(ROWS)
    assert records[0]["mean"] == 0.2345 and records[0]["norm"] is None
    assert records[10]["mean"] == 26355.98
    back = pd.read_csv(io.StringIO(T.machine_text(table, "csv")))
    assert list(back.columns) == list(table.columns)
    assert back["mean"].tolist() == table["mean"].tolist()  # every digit kept
    with pytest.raises(ValueError, match="json or csv"):
        T.machine_text(table, "xlsx")


def test_empty_tables() -> None:
    empty = pd.DataFrame(columns=["scenario", "kpi", "group", "mean", "half_width"])
    assert T.render(T.comparison(empty)) == "(no results)"
    assert T.render(T.summary(empty, "nl")) == "(geen resultaten)"
    assert T.render(T.ranking(pd.DataFrame(), "base")) == "(nothing to rank)"


def test_short_names_are_the_definitions_own_in_english() -> None:
    from anwsim.report.labels import TEXT

    shorts = {
        key.removeprefix("short."): en for key, (en, _) in TEXT.items() if key.startswith("short.")
    }
    assert shorts == {name: k.short for name, k in KPIS.items() if k.short}
