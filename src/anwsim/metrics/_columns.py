"""Text columns of the metrics tables, built from their distinct values.

A table repeats a few names (server groups, queues) over many rows. pandas infers the
dtype of a column of Python strings row by row (``str`` in pandas 3, object before),
which costs more than building the rest of a table; `text_columns` infers it once on
the distinct values and repeats them by index, giving the same columns.
`repeated_text_columns` keeps the columns of the last few tables: the tables of one
scenario's replications repeat the same names. `frame` builds a table from finished
columns without inferring the dtype of its column names again.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionArray


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


def repeated_text_columns(repeat: int, *columns: tuple[Any, ...]) -> tuple[Any, ...]:
    """`text_columns` of ``columns`` (tuples of one length) with each value repeated
    ``repeat`` times in place (``np.repeat``), cached on the values when they are all
    strings (a cache keyed on ``1 == 1.0 == True`` would mix dtypes). The columns are
    shared between calls: hand them only to `frame` (or `pd.DataFrame`), which copies
    them."""
    if all(type(value) is str for column in columns for value in column):
        return _repeated_text_columns(repeat, *columns)
    return _repeated_text_columns.__wrapped__(repeat, *columns)


@functools.lru_cache(maxsize=32)
def _repeated_text_columns(repeat: int, *columns: tuple[Any, ...]) -> tuple[Any, ...]:
    n = len(columns[0]) if columns else 0
    return tuple(text_columns(np.repeat(np.arange(n), repeat), *columns))


@functools.lru_cache(maxsize=32)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    """The column index `pd.DataFrame` makes of a dict with these keys (shared: copy it,
    so that a table's ``columns.name`` stays its own)."""
    return pd.Index(list(names))


def frame(columns: dict[str, Any]) -> pd.DataFrame:
    """``pd.DataFrame(columns)`` for columns that are arrays of one length, made for this
    table (text columns may be shared: they are copied), with a ``RangeIndex``. Built by
    pandas' constructor of a frame from its columns (``DataFrame._from_arrays``, which
    checks them as the dict constructor does) with the column index kept per set of
    names: inferring the dtype of the names again costs as much as the rest."""
    from_arrays = getattr(pd.DataFrame, "_from_arrays", None)
    if from_arrays is None:  # a pandas without it (private API): the public constructor
        return pd.DataFrame(columns)
    arrays = [a.copy() if isinstance(a, ExtensionArray) else a for a in columns.values()]
    index = pd.RangeIndex(len(arrays[0]) if arrays else 0)
    names = _column_index(tuple(columns)).copy()
    table: pd.DataFrame = from_arrays(arrays, columns=names, index=index)
    return table
