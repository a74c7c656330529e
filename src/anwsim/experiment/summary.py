"""Summaries over replications: mean and t-based confidence interval per KPI, paired
differences between scenarios (common random numbers make replication r comparable) with
their paired t-test, and the correction of a table of differences for multiple
comparisons (Holm, Benjamini–Hochberg)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from anwsim.experiment.corrections import CORRECTIONS, DEFAULT_CORRECTION

KEYS = ["kpi", "group", "unit", "norm", "target"]

ALPHA = 0.05
"""Level of the significance flags: two-sided 5%, the complement of the 95% CIs."""


def t_quantile(probability: float, df: np.ndarray | pd.Series | int) -> np.ndarray:
    """Quantile of Student's t with ``df`` degrees of freedom: `scipy.special.stdtrit`,
    the function ``scipy.stats.t.ppf`` evaluates (the same numbers), imported here and
    without scipy.stats (0.25 s instead of 0.8 s, which workers do not need at all)."""
    from scipy.special import stdtrit

    return np.asarray(stdtrit(df, probability))


def _half_width(sd: pd.Series, n: pd.Series, confidence: float) -> np.ndarray:
    t = t_quantile(0.5 + confidence / 2.0, np.maximum(n - 1, 1))
    return np.where(n > 1, t * sd / np.sqrt(n), np.nan)


def summarise(kpis: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean, standard deviation and CI half-width of every KPI and group over replications
    (per scenario when the table has a ``scenario`` column).

    The half-width is t(1 − α/2, R − 1) · s / √R (NaN with a single replication).
    """
    keys = (["scenario"] if "scenario" in kpis.columns else []) + KEYS
    grouped = kpis.groupby(keys, sort=False, dropna=False)["value"]
    out = grouped.agg(mean="mean", sd="std", replications="count").reset_index()
    out["half_width"] = _half_width(out["sd"], out["replications"], confidence)
    lead = ["scenario"] if "scenario" in out.columns else []
    return out[
        [
            *lead,
            "kpi",
            "group",
            "mean",
            "half_width",
            "unit",
            "norm",
            "target",
            "sd",
            "replications",
        ]
    ]


def t_p_value(mean: pd.Series, sd: pd.Series, n: pd.Series) -> np.ndarray:
    """Two-sided p-value of the one-sample t-test of mean 0, from the sample's ``mean``,
    ``sd`` and size ``n``: 2 · P(T_{n−1} > |t|), t = mean / (sd / √n). `scipy.special.stdtr`
    is the distribution function ``scipy.stats.t.cdf`` evaluates (as `t_quantile`), so
    p < 1 − c exactly when the half-width of `_half_width` at confidence c excludes 0.
    NaN with fewer than two values, or with no spread and a mean of zero (identical pairs:
    nothing to test); 0 with no spread and a mean other than zero."""
    from scipy.special import stdtr

    m, s, k = (np.asarray(x, dtype=float) for x in (mean, sd, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.abs(m) / (s / np.sqrt(k))
        p = 2.0 * stdtr(np.maximum(k - 1, 1), -t)
    return np.where((k > 1) & np.isfinite(s) & ~np.isnan(t), p, np.nan)


def paired_differences(kpis: pd.DataFrame, base: str, confidence: float = 0.95) -> pd.DataFrame:
    """For every other scenario: the mean over paired replications of (other − base) per
    KPI and group, its t-based CI half-width, whether that CI excludes zero, and the
    p-value of the paired t-test (`t_p_value`; below 1 − ``confidence`` exactly when the
    CI excludes zero). Not corrected for multiple comparisons: see `correct`."""
    if base not in set(kpis["scenario"]):
        raise ValueError(f"no scenario labelled {base!r}")
    cols = ["kpi", "group", "replication", "value"]
    base_rows = kpis.loc[kpis["scenario"] == base, cols]
    meta = kpis.drop_duplicates(["kpi", "group"])[KEYS]
    frames = []
    for other in [s for s in kpis["scenario"].unique() if s != base]:
        pairs = kpis.loc[kpis["scenario"] == other, cols].merge(
            base_rows, on=["kpi", "group", "replication"], suffixes=("", "_base")
        )
        pairs["difference"] = pairs["value"] - pairs["value_base"]
        agg = (
            pairs.groupby(["kpi", "group"], sort=False)["difference"]
            .agg(difference="mean", sd="std", pairs="count")
            .reset_index()
        )
        agg.insert(0, "scenario", other)
        frames.append(agg)
    if not frames:
        return pd.DataFrame(
            columns=["scenario", *KEYS, "difference", "half_width", "significant", "p_value"]
        )
    out = pd.concat(frames, ignore_index=True).merge(meta, on=["kpi", "group"], how="left")
    out["half_width"] = _half_width(out["sd"], out["pairs"], confidence)
    out["significant"] = (out["difference"].abs() > out["half_width"]) & out["half_width"].notna()
    out["p_value"] = t_p_value(out["difference"], out["sd"], out["pairs"])
    columns = ["scenario", *KEYS, "difference", "half_width", "significant", "p_value"]
    return out[[*columns, "sd", "pairs"]]


def holm(p_values: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values: the i-th smallest of m becomes
    max over j ≤ i of min(1, (m − j + 1) · p_(j)), in the input's order."""
    p = np.asarray(p_values, dtype=float)
    order = np.argsort(p, kind="stable")
    m = p.size
    stepped = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * p[order]))
    out = np.empty(m)
    out[order] = stepped
    return out


def correct(
    differences: pd.DataFrame, method: str = DEFAULT_CORRECTION, alpha: float = ALPHA
) -> pd.DataFrame:
    """``differences`` (of `paired_differences`) corrected for multiple comparisons.

    The family is every row with a p-value (all scenarios × KPIs × groups compared; rows
    without one, from a single pair or identical pairs, are not tested and stay not
    significant). Adds ``p_adjusted`` (Holm's step-down, `holm`; Benjamini–Hochberg's
    step-up, `scipy.stats.false_discovery_control`; or the p-value itself with
    ``"none"``), sets ``significant`` to p_adjusted < ``alpha`` and keeps the uncorrected
    flag (the CI excludes zero) as ``significant_uncorrected``. ``attrs`` records the
    ``correction`` and the number of ``comparisons``. Correcting a corrected table
    starts again from its uncorrected p-values."""
    if method not in CORRECTIONS:
        raise ValueError(f"correction must be one of {', '.join(CORRECTIONS)}, got {method!r}")
    out = differences.drop(columns=["p_adjusted"], errors="ignore")
    if "significant_uncorrected" in out.columns:
        out["significant"] = out.pop("significant_uncorrected")
    p = out["p_value"].to_numpy(dtype=float) if len(out) else np.array([], dtype=float)
    tested = np.isfinite(p)
    adjusted = np.full(p.size, np.nan)
    if tested.any():
        if method == "holm":
            adjusted[tested] = holm(p[tested])
        elif method == "bh":
            from scipy.stats import false_discovery_control

            adjusted[tested] = false_discovery_control(p[tested], method="bh")
        else:
            adjusted[tested] = p[tested]
    out.insert(
        out.columns.get_loc("significant") + 1,
        "significant_uncorrected",
        out["significant"].astype(bool),
    )
    out["significant"] = tested & (np.nan_to_num(adjusted, nan=1.0) < alpha)
    out.insert(out.columns.get_loc("p_value") + 1, "p_adjusted", adjusted)
    out.attrs.update(correction=method, comparisons=int(tested.sum()))
    return out


def verdict(kpi: str, difference: float, significant: bool) -> int:
    """What one row of a comparison counts in the `ranking` score: +1 for a significant
    improvement, −1 for a significant worsening (the direction from the KPI's
    definition), 0 otherwise or when the KPI has no better direction."""
    from anwsim.metrics.definitions import KPIS

    direction = KPIS[kpi].better if kpi in KPIS else None
    if not significant or direction is None or not np.isfinite(difference) or difference == 0:
        return 0
    return 1 if (difference > 0) == (direction == "higher") else -1


def ranking(comparison: pd.DataFrame, base: str) -> pd.DataFrame:
    """Scenarios ranked against ``base`` on the KPIs of `anwsim.metrics.definitions.RANKING`.

    Score = significant improvements − significant worsenings (direction from the KPI's
    definition; workload KPIs without a better direction are shown, not scored). Ties
    keep the order the scenarios were given in. One row per scenario, with its rank,
    the score, and per KPI (columns ``kpi:group``, ``kpi:group:difference``,
    ``kpi:group:norm``) the mean, the paired difference to the base and the norm of the
    scenario's KPI table.
    """
    from anwsim.metrics.definitions import RANKING

    rows = []
    scenarios = [s for s in dict.fromkeys(comparison["scenario"]) if s != base]
    indexed = comparison.set_index(["scenario", "kpi", "group"])
    for order, scenario in enumerate(scenarios):
        row: dict[str, object] = {"scenario": scenario}
        better = worse = 0
        for kpi, group in RANKING:
            key = (scenario, kpi, group)
            if key not in indexed.index:
                continue
            r = indexed.loc[key]  # type: ignore[index]
            row[f"{kpi}:{group}"] = r["mean"]
            row[f"{kpi}:{group}:difference"] = r["difference"]
            row[f"{kpi}:{group}:norm"] = r["norm"]
            counted = verdict(kpi, float(r["difference"]), bool(r["significant"]))
            better += counted > 0
            worse += counted < 0
        row.update(
            {"improved": better, "worsened": worse, "score": better - worse, "_order": order}
        )
        rows.append(row)
    out = pd.DataFrame(rows)
    if out.empty:
        return out
    out = out.sort_values(["score", "_order"], ascending=[False, True], kind="stable")
    out.insert(0, "rank", range(1, len(out) + 1))
    return out.drop(columns="_order").reset_index(drop=True)
