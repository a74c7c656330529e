"""The ranking of a comparison in the report, and the note on multiple comparisons.

`ranked` scores every scenario against the base with `anwsim.experiment.summary.ranking`
on the report's corrected differences (`Results.differences`), so the ranking counts
exactly the differences the page tables star and the difference figure fills. `table`
gives it as display strings for the summary page, `ranking_figure` as a chart (score
with its counts of improvements and worsenings, every scenario, in rank order).
`significance_note` is the footer of everything that shows significance: how many
comparisons there are and which correction was used.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from anwsim.experiment.summary import ranking, verdict
from anwsim.metrics.definitions import KPIS, RANKING
from anwsim.report import labels as L
from anwsim.report import style
from anwsim.report.data import Results

IMPROVED = style.OKABE_ITO["blue"]
WORSENED = style.OKABE_ITO["vermillion"]
WORSENED_HATCH = "///"
"""Improvements and worsenings differ in colour, side of zero and hatch (for print)."""

Row = tuple[str, str]
"""A (kpi, group) row of the KPI tables."""


def comparisons(results: Results) -> int:
    """The size of the family corrected for: every row of the differences with a p-value
    (scenario × KPI × group compared with the base)."""
    d = results.differences
    if d.empty or "p_value" not in d.columns:
        return 0
    return int(d["p_value"].notna().sum())


def significance_note(results: Results, lang: str) -> str:
    """The footer of a table or figure that marks significance, e.g. "440 comparisons
    (…); significant: after Holm's correction (family-wise error 5%) …"."""
    return L.t(
        f"significance.{results.correction}", lang, n=L.number(comparisons(results), lang, 0)
    )


def applicable(results: Results) -> bool:
    """A ranking needs a comparison with at least two scenarios besides the base (as the
    ranking `anwsim compare` prints)."""
    return results.kind == "compare" and len(results.labels) > 2 and not results.differences.empty


def ranked(results: Results) -> pd.DataFrame:
    """`anwsim.experiment.summary.ranking` of the report's comparison: the summary with
    the corrected paired differences (``significant`` after `Results.correction`)."""
    d = results.differences
    if d.empty:
        return pd.DataFrame()
    comparison = results.summary.merge(
        d[["scenario", "kpi", "group", "difference", "significant"]],
        on=["scenario", "kpi", "group"],
        how="left",
    )
    return ranking(comparison, results.base)


def scored() -> list[tuple[str, str]]:
    """The KPIs of `RANKING` that count in the score (those with a better direction)."""
    return [(k, g) for k, g in RANKING if k in KPIS and KPIS[k].better is not None]


def _kpi_name(kpi: str, group: str, lang: str) -> str:
    name = L.kpi(kpi, lang)
    return name if group == "all" else f"{name}, {L.group(group, lang)}"


def _counted(results: Results) -> dict[str, tuple[list[Row], list[Row]]]:
    """Per scenario, the ranked KPIs it significantly improves and worsens on."""
    d = results.differences
    out: dict[str, tuple[list[Row], list[Row]]] = {}
    if d.empty:
        return out
    index = d.set_index(["scenario", "kpi", "group"])
    for scenario in results.labels:
        better: list[Row] = []
        worse: list[Row] = []
        for kpi, group in RANKING:
            if (scenario, kpi, group) not in index.index:
                continue
            row = index.loc[(scenario, kpi, group)]
            counted = verdict(kpi, float(row["difference"]), bool(row["significant"]))
            if counted > 0:
                better.append((kpi, group))
            elif counted < 0:
                worse.append((kpi, group))
        out[scenario] = (better, worse)
    return out


def table(results: Results, lang: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows (display strings) of the ranking: rank, scenario, score, number
    of significant improvements and worsenings, and the KPIs of each."""
    from anwsim.report.figures import display_names

    ranks = ranked(results)
    names = display_names(results, lang, standalone=True, full=True)
    header = [
        L.t(f"ranking.col.{c}", lang)
        for c in ("rank", "scenario", "score", "improved", "worsened", "better_on", "worse_on")
    ]
    counted = _counted(results)
    rows = []
    for r in ranks.to_dict("records"):
        scenario = str(r["scenario"])
        better, worse = counted.get(scenario, ([], []))
        rows.append(
            [
                str(r["rank"]),
                names.get(scenario, scenario),
                L.signed(float(r["score"]), lang, 0),
                str(r["improved"]),
                str(r["worsened"]),
                "; ".join(_kpi_name(k, g, lang) for k, g in better) or "–",
                "; ".join(_kpi_name(k, g, lang) for k, g in worse) or "–",
            ]
        )
    return header, rows


def note(results: Results, lang: str) -> str:
    """What the score counts (the scored KPIs, the base, the correction) and what is
    shown but not scored: the caption of the figure and the note under the table."""
    from anwsim.report.figures import display_names

    base = display_names(results, lang, standalone=True, full=True)[results.base]
    present = set(zip(results.differences["kpi"], results.differences["group"], strict=True))
    counted = [_kpi_name(k, g, lang) for k, g in scored() if (k, g) in present]
    unscored = [
        _kpi_name(k, g, lang) for k, g in RANKING if (k, g) in present and (k, g) not in scored()
    ]
    text = L.t("ranking.note", lang, base=base, n=len(counted), kpis="; ".join(counted))
    if unscored:
        text += L.t("ranking.note.unscored", lang, kpis="; ".join(unscored))
    return f"{text} {significance_note(results, lang)}"


def ranking_figure(results: Results, lang: str = "en") -> Figure:
    """The ranking as a chart: a row per scenario in rank order (rank 1 at the top),
    significant improvements as bars to the right of zero, worsenings to the left, and
    the score (improvements − worsenings) as a diamond and as text beside the row."""
    from anwsim.report.figures import display_names

    ranks = ranked(results)
    names = display_names(results, lang, standalone=True)
    n = len(ranks)
    fig = style.new_figure(0.24 * max(n, 3) + 1.5)
    fig.suptitle(L.t("title.ranking", lang))
    ax = fig.add_subplot()
    if ranks.empty:
        style.note(ax, L.t("note.no_data", lang))
        style.set_caption(fig, note(results, lang))
        return fig
    y = list(range(n))
    improved = ranks["improved"].to_numpy(dtype=float)
    worsened = ranks["worsened"].to_numpy(dtype=float)
    score = ranks["score"].to_numpy(dtype=float)
    height = 0.62
    ax.barh(
        y,
        improved,
        height=height,
        color=IMPROVED,
        edgecolor=style.INK,
        linewidth=0.5,
        gid="improved",
    )
    ax.barh(
        y,
        -worsened,
        height=height,
        color=WORSENED,
        hatch=WORSENED_HATCH,
        edgecolor=style.INK,
        linewidth=0.5,
        gid="worsened",
    )
    (marks,) = ax.plot(
        score, y, linestyle="none", marker="D", markersize=4.5, color=style.INK, zorder=5
    )
    marks.set_gid("score")
    for k, r in enumerate(ranks.to_dict("records")):
        ax.annotate(
            L.t(
                "ranking.row",
                lang,
                score=L.signed(float(r["score"]), lang, 0),
                better=r["improved"],
                worse=r["worsened"],
            ),
            xy=(1.0, k),
            xycoords=("axes fraction", "data"),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
            ha="left",
            fontsize=6.5,
        )
    ax.axvline(0, color=style.INK, linewidth=0.8, zorder=2)
    reach = max(1.0, float(improved.max()), float(worsened.max())) + 0.5
    ax.set_xlim(-reach, reach)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_yticks(y)
    ax.set_yticklabels(
        [
            f"{r['rank']}. {names.get(str(r['scenario']), r['scenario'])}"
            for r in ranks.to_dict("records")
        ]
    )
    ax.set_ylim(n - 0.5, -0.5)
    ax.tick_params(axis="y", length=0, labelsize=7 if n <= 15 else 6)
    ax.grid(axis="y", visible=False)
    ax.grid(axis="x", visible=True)
    ax.set_xlabel(L.t("axis.ranking", lang))
    fig.legend(
        [
            Patch(facecolor=IMPROVED, edgecolor=style.INK, linewidth=0.5),
            Patch(facecolor=WORSENED, hatch=WORSENED_HATCH, edgecolor=style.INK, linewidth=0.5),
            Line2D([], [], linestyle="none", marker="D", color=style.INK),
        ],
        [L.t("legend.improved", lang), L.t("legend.worsened", lang), L.t("legend.score", lang)],
        loc="outside lower center",
        ncols=3,
    )
    style.set_caption(fig, note(results, lang))
    return fig
