"""Text columns of the metrics tables, built from their distinct values.

A table repeats a few names (server groups, queues) over many rows. pandas infers the
dtype of a column of Python strings row by row (``str`` in pandas 3, object before),
which costs more than building the rest of a table; `text_columns` infers it once on
the distinct values and repeats them by index, giving the same columns.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd


def text_columns(index: np.ndarray, *columns: Sequence[Any]) -> list[Any]:
    """``column[index]`` for each of ``columns`` (sequences of one length), each for
    `pd.DataFrame` and of the dtype pandas infers for a column of its values: one
    inference for all if they are all strings, else one per column."""
    n = len(columns[0]) if columns else 0
    parts = [list(column) for column in columns]
    if all(isinstance(value, str) for part in parts for value in part):
        parts = [[value for part in parts for value in part]]
    inferred = []
    for part in parts:
        distinct = np.empty(len(part), dtype=object)
        distinct[:] = part
        inferred.append(pd.Series(distinct).array)
    if len(inferred) == 1:  # all in one: column k from k * n on
        return [inferred[0].take(index + k * n) for k in range(len(columns))]
    return [values.take(index) for values in inferred]
