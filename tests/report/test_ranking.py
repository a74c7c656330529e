"""The ranking of a comparison in the report (table, figure, footer), on KPI tables whose
paired differences are known by construction, and on a real (tiny) three-scenario
comparison through ``anwsim report --correction``."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

import anwsim
from anwsim.metrics.definitions import RANKING
from anwsim.report import Results, caption, page, ranking
from anwsim.report import labels as L
from anwsim.report.command import report
from anwsim.report.figures import differences

NOISE = np.array([-1.0, -0.5, 0.0, 0.5, 1.0])
"""Every paired difference is its effect plus this pattern: sd = √(2.5/4), so an effect of
10 has t ≈ 28 (p ≈ 1e-5: significant after any correction) and one of 1.5 has t ≈ 4.24
(p ≈ 0.013 with 4 df: significant only uncorrected), and no effect p = 1."""

EFFECTS: dict[str, dict[tuple[str, str], float]] = {
    "s1": {
        ("within_nts_norm", "U1"): 10.0,  # better (higher is better)
        ("abandoned_callers", "all"): 10.0,  # worse (lower is better)
        ("utilisation", "role:gp_consult"): 10.0,  # significant, but not scored
    },
    "s2": {("within_nts_norm", "U1"): 10.0, ("within_nts_norm", "U2"): 10.0},
    "s3": {("within_nts_norm", "U3"): 1.5},  # borderline
}


def _results(correction: str, extra: int = 0) -> Results:
    """A compare of ``baseline`` with s1, s2, s3 (`EFFECTS`) and ``extra`` scenarios
    without any effect, on the `RANKING` rows, 5 replications."""
    labels = ["baseline", *EFFECTS, *(f"x{k}" for k in range(extra))]
    rows = []
    for label in labels:
        effects = EFFECTS.get(label, {})
        for r, noise in enumerate(NOISE):
            for kpi, group in RANKING:
                value = 50.0 if label == "baseline" else 50.0 + effects.get((kpi, group), 0) + noise
                rows.append(
                    {
                        "scenario": label,
                        "kpi": kpi,
                        "group": group,
                        "replication": r,
                        "value": value,
                        "unit": "%",
                        "norm": np.nan,
                        "target": np.nan,
                    }
                )
    manifest = {
        "kind": "compare",
        "base": "baseline",
        "scenarios": {
            label: {
                "name": f"Scenario {label}",
                "scenario": {"names": {"nl": f"Scenario {label} (nl)"}},
            }
            for label in labels
        },
    }
    return Results(Path("."), manifest, pd.DataFrame(rows), correction)


def _counts(results: Results) -> list[tuple[str, str, str, str, str]]:
    header, rows = ranking.table(results, "en")
    assert header[:5] == ["Rank", "Scenario", "Score", "Better", "Worse"]
    return [tuple(row[:5]) for row in rows]  # type: ignore[misc]


def test_ranking_counts_the_corrected_significance() -> None:
    holm = _results("holm")
    assert _counts(holm) == [
        ("1", "Scenario s2", "+2", "2", "0"),
        ("2", "Scenario s1", "0", "1", "1"),  # utilisation is significant, not scored
        ("3", "Scenario s3", "0", "0", "0"),  # p ≈ 0.013 · 34 after Holm
    ]
    none = _results("none")
    assert _counts(none) == [
        ("1", "Scenario s2", "+2", "2", "0"),
        ("2", "Scenario s3", "+1", "1", "0"),
        ("3", "Scenario s1", "0", "1", "1"),
    ]
    d = holm.differences
    s3 = d[(d["scenario"] == "s3") & (d["kpi"] == "within_nts_norm") & (d["group"] == "U3")]
    assert bool(s3["significant_uncorrected"].iloc[0]) and not bool(s3["significant"].iloc[0])
    _, rows = ranking.table(holm, "en")
    s1 = next(row for row in rows if row[1] == "Scenario s1")
    assert s1[5] == f"{L.kpi('within_nts_norm', 'en')}, U1"
    assert s1[6] == L.kpi("abandoned_callers", "en")
    assert rows[2][5] == rows[2][6] == "–"


def test_significance_note_counts_the_family() -> None:
    results = _results("holm")
    assert ranking.comparisons(results) == 3 * len(RANKING)
    assert ranking.significance_note(results, "en").startswith(f"{3 * len(RANKING)} comparisons")
    assert "Holm" in ranking.significance_note(results, "en")
    assert "Benjamini–Hochberg" in ranking.significance_note(_results("bh"), "en")
    assert "not corrected" in ranking.significance_note(_results("none"), "en")
    assert "vergelijkingen" in ranking.significance_note(results, "nl")


def _bars(ax: Axes, gid: str) -> list[float]:
    return [p.get_width() for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == gid]


@pytest.mark.parametrize("extra", [0, 9, 27])
def test_figure_shows_every_scenario_in_rank_order(extra: int) -> None:
    results = _results("holm", extra)
    fig = ranking.ranking_figure(results, "en")
    (ax,) = fig.axes
    ranked = ranking.ranked(results)
    assert len(ranked) == 3 + extra  # every scenario but the base
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert ticks[:3] == ["1. Scenario s2", "2. Scenario s1", "3. Scenario s3"]
    assert ticks[3:] == [f"{k + 4}. Scenario x{k}" for k in range(extra)]
    assert _bars(ax, "improved") == [2, 1, 0] + [0] * extra
    assert _bars(ax, "worsened") == [0, -1, 0] + [0] * extra
    (score,) = [line for line in ax.get_lines() if line.get_gid() == "score"]
    assert list(score.get_xdata()) == [2, 0, 0] + [0] * extra
    assert fig.get_figheight() >= 0.24 * (3 + extra)  # a row per scenario, readable
    text = caption(fig)
    assert L.kpi("within_nts_norm", "en") in text and L.kpi("utilisation", "en") in text
    assert "Holm" in text and f"{(3 + extra) * len(RANKING)} comparisons" in text


def test_figure_and_table_in_dutch() -> None:
    results = _results("bh")
    fig = ranking.ranking_figure(results, "nl")
    assert fig.get_suptitle() == L.t("title.ranking", "nl")
    assert "Benjamini-Hochberg" in caption(fig)
    header, rows = ranking.table(results, "nl")
    assert header[0] == "Rang" and rows[0][1] == "Scenario s2 (nl)"
    assert L.t("title.ranking", "nl") != L.t("title.ranking", "en")


def test_applicable_needs_two_others() -> None:
    results = _results("holm")
    assert ranking.applicable(results)
    two = Results(
        Path("."),
        {**results.manifest, "scenarios": dict(list(results.manifest["scenarios"].items())[:2])},
        results.kpis[results.kpis["scenario"].isin(["baseline", "s1"])],
    )
    assert not ranking.applicable(two)


def test_page_stars_agree_with_the_ranking() -> None:
    results = _results("holm")
    _, rows = page.headline_rows(results, "en")
    # the headline table has the NTS rows: s3's U3 difference has no star after Holm
    u3 = next(row for row in rows if row[0] == L.kpi("within_nts_norm", "en") and row[1] == "U3")
    s3_cell = u3[4 + results.labels.index("s3")]
    assert s3_cell.endswith(")") and not s3_cell.endswith("*)")
    none = _results("none")
    _, rows = page.headline_rows(none, "en")
    u3 = next(row for row in rows if row[0] == L.kpi("within_nts_norm", "en") and row[1] == "U3")
    assert u3[4 + none.labels.index("s3")].endswith("*)")


# --------------------------------------------------------------------------- a real compare

BASELINE = Path(__file__).resolve().parents[2] / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Baseline against two variants (demand 30% up and down), 2 replications of 2
    weeks, no event logs."""
    root = tmp_path_factory.mktemp("ranking")
    variants = []
    for name, factor in (("busier", 1.3), ("quieter", 0.7)):
        path = root / f"{name}.yaml"
        path.write_text(
            f"extends: {BASELINE}\nname: {name}\ndemand:\n  growth_factor: {factor}\n",
            encoding="utf-8",
        )
        variants.append(path)
    out = root / "compare"
    anwsim.compare(
        BASELINE,
        variants,
        out=out,
        replications=2,
        overrides=["run.horizon_weeks=2", "run.warmup_weeks=0.5"],
        workers=1,
    )
    return out


def test_report_with_correction_option(compared: Path, tmp_path: Path) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(
        report, [str(compared), "--format", "png", "--correction", "bh", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert (out / "ranking.png").stat().st_size > 5000
    md = (out / "report.md").read_text(encoding="utf-8")
    html_page = (out / "report.html").read_text(encoding="utf-8")
    results = Results.open(compared, correction="bh")
    note = ranking.significance_note(results, "en")
    assert "Benjamini" in note and f"{ranking.comparisons(results)} comparisons" in note
    assert f"## {L.t('page.ranking', 'en')}" in md
    assert L.t("ranking.col.better_on", "en") in html_page
    assert md.count("Benjamini") >= 3  # below the headline table, the ranking, the figures
    # the stars of the figures are the corrected ones
    assert "Benjamini" in caption(differences(results, "en"))
    wrong = CliRunner().invoke(report, [str(compared), "--correction", "bonferroni"])
    assert wrong.exit_code == 2 and "bonferroni" in wrong.output
