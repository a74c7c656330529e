"""Summaries over replications: mean and t-based confidence interval per KPI."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats


def summarise(kpis: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Mean, standard deviation and CI half-width of every KPI and group over replications.

    The half-width is t(1 − α/2, R − 1) · s / √R (NaN with a single replication).
    """
    keys = ["kpi", "group", "unit", "norm", "target"]
    grouped = kpis.groupby(keys, sort=False, dropna=False)["value"]
    out = grouped.agg(mean="mean", sd="std", replications="count").reset_index()
    t = stats.t.ppf(0.5 + confidence / 2.0, np.maximum(out["replications"] - 1, 1))
    out["half_width"] = np.where(
        out["replications"] > 1, t * out["sd"] / np.sqrt(out["replications"]), np.nan
    )
    return out[
        ["kpi", "group", "mean", "half_width", "unit", "norm", "target", "sd", "replications"]
    ]
