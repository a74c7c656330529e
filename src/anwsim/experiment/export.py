"""Result tables for spreadsheets: rounded, as one ``.xlsx`` workbook or one CSV per table.

`result_tables(directory)` reads the combined tables a finished ``anwsim run``,
``compare`` or ``sweep --out DIR`` wrote (``summary``, ``comparison``, ``sweep``,
``utilisation_by_hour``) and adds the ranking of a comparison (computed from the
comparison table, as ``anwsim compare`` prints it). `rounded` rounds a table for
reading; `write_xlsx` and `write_csvs` write tables out. The writers take tables and a
path only, so they serve the Python API as well as ``anwsim export``.

**Rounding.** KPI values (mean, CI half-width, standard deviation, paired difference and
its half-width) are rounded per KPI: to the ``digits`` of its definition in
`anwsim.metrics.definitions` where it gives them, else to `DEFAULT_DIGITS` decimals;
utilisation by hour (a fraction) to `FRACTION_DIGITS`, p-values to `P_DIGITS`. Norms,
targets, counts and the swept values are inputs and stay as they are. A rounded ``-0.0``
is written ``0``.

**Dutch CSV** (``dutch=True``): separator ``;``, decimal comma, UTF-8 with a byte-order
mark and CRLF line ends, which is what Dutch Excel opens by double-click (and saves as
"CSV UTF-8"). Plain CSV is ``,``, decimal point, UTF-8 without a mark: for R, pandas
and other tools.

Every file is written under a temporary name beside its target and renamed into place,
so a reader never sees half a workbook.
"""

from __future__ import annotations

import io
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from anwsim.experiment.store import ResultStore, StoreError, write_bytes
from anwsim.experiment.summary import ranking
from anwsim.metrics.definitions import KPIS

TABLES = ("summary", "comparison", "ranking", "sweep", "utilisation_by_hour")
"""The tables an export holds, in sheet order (those a result directory has)."""

STORED = ("summary", "comparison", "sweep", "utilisation_by_hour")
"""The tables read from ``DIR/<name>.parquet``; the ranking is computed."""

NEEDED: dict[str, tuple[str, ...]] = {
    "run": ("summary",),
    "compare": ("summary", "comparison"),
    "sweep": ("sweep",),
}
"""Per kind of result directory, the combined tables it has once it is finished."""

DEFAULT_DIGITS = 2
"""Decimals of a KPI whose definition gives no ``digits``."""

FRACTION_DIGITS = 4
"""Decimals of a fraction (utilisation by hour, 0 to 1): two decimals of a percentage."""

KPI_VALUE_COLUMNS = ("mean", "half_width", "sd", "difference", "difference_half_width")
"""Columns of the summary, comparison and sweep tables that carry a KPI's value."""

MINUTE_COLUMNS = ("staffed_minutes", "busy_minutes")

P_COLUMNS = ("p_value", "p_adjusted")
P_DIGITS = 4
"""Decimals of a p-value (corrected or not): 0.0001 is as fine as a reader needs."""


# --------------------------------------------------------------------------- reading


def result_tables(directory: str | Path) -> dict[str, pd.DataFrame]:
    """The combined tables of a finished result directory, and a comparison's ranking.

    Raises `StoreError` (one line) for a directory that is not a result directory, and
    for one without its combined tables yet (interrupted, or with failed replications:
    ``anwsim run --resume DIR`` finishes it)."""
    directory = Path(directory)
    if not directory.exists():
        raise StoreError("no such directory", file=str(directory))
    manifest = ResultStore.open(directory).manifest
    kind = str(manifest.get("kind", "run"))
    missing = [name for name in NEEDED.get(kind, ("summary",)) if not _parquet(directory, name)]
    if missing:
        raise StoreError(
            f"holds no combined results yet ({', '.join(f'{m}.parquet' for m in missing)} "
            f"missing: the {kind} was interrupted or some replications failed); finish it "
            f"first with `anwsim run --resume {directory}`, then export",
            file=str(directory),
        )
    tables: dict[str, pd.DataFrame] = {}
    for name in STORED:
        if _parquet(directory, name):
            tables[name] = _read(directory, name)
    comparison = tables.get("comparison")
    if comparison is not None and not comparison.empty:
        labels = list(manifest.get("scenarios", {}))
        base = manifest.get("base")
        base = base if base in labels else (labels[0] if labels else None)
        if base is not None:
            tables["ranking"] = ranking(comparison, str(base))
    return {name: tables[name] for name in TABLES if name in tables}


def _parquet(directory: Path, name: str) -> bool:
    return (directory / f"{name}.parquet").is_file()


def _read(directory: Path, name: str) -> pd.DataFrame:
    path = directory / f"{name}.parquet"
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # a damaged or foreign file: say which, in one line
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise StoreError(
            f"cannot read {path.name} ({reason}); run `anwsim run --resume {directory}` "
            "to write the combined results again",
            file=str(directory),
        ) from None


# --------------------------------------------------------------------------- rounding


def kpi_digits(kpi: str) -> int:
    """Decimals to show of ``kpi``: its definition's ``digits``, else `DEFAULT_DIGITS`."""
    digits = getattr(KPIS.get(kpi), "digits", None)
    return digits if isinstance(digits, int) and not isinstance(digits, bool) else DEFAULT_DIGITS


def _round(values: pd.Series, digits: int | pd.Series) -> pd.Series:
    """``values`` rounded (per row when ``digits`` is a Series), ``-0.0`` made ``0.0``."""
    numbers = pd.to_numeric(values, errors="coerce").astype(float)
    if isinstance(digits, pd.Series):
        out = numbers.copy()
        for d in digits.unique():
            rows = digits == d
            out[rows] = numbers[rows].round(int(d))
    else:
        out = numbers.round(digits)
    return out + 0.0  # -0.0 + 0.0 is 0.0


def _kpi_of_column(column: str) -> str | None:
    """The KPI of a ranking column ``kpi:group`` or ``kpi:group:difference`` (None for
    ``kpi:group:norm`` and the other columns)."""
    if ":" not in column or column.endswith(":norm"):
        return None
    kpi = column.split(":", 1)[0]
    return kpi if kpi in KPIS else None


def rounded(name: str, table: pd.DataFrame) -> pd.DataFrame:
    """A copy of result table ``name`` rounded for reading (see the module docstring);
    cells that are lists or mappings (swept values) become YAML-like text."""
    out = table.copy()
    if "kpi" in out.columns:
        digits = out["kpi"].map(kpi_digits).astype(int)
        for column in KPI_VALUE_COLUMNS:
            if column in out.columns:
                out[column] = _round(out[column], digits)
    for column in out.columns:
        kpi = _kpi_of_column(str(column)) if name == "ranking" else None
        if kpi is not None:
            out[column] = _round(out[column], kpi_digits(kpi))
        elif column in MINUTE_COLUMNS:
            out[column] = _round(out[column], DEFAULT_DIGITS)
        elif column in P_COLUMNS:
            out[column] = _round(out[column], P_DIGITS)
        elif column == "utilisation" and name == "utilisation_by_hour":
            out[column] = _round(out[column], FRACTION_DIGITS)
        elif out[column].dtype == object:
            out[column] = out[column].map(_cell)
    return out


def _cell(value: Any) -> Any:
    """A value a spreadsheet cell can hold: lists and mappings as compact JSON text."""
    if isinstance(value, np.ndarray):
        value = value.tolist()
    if isinstance(value, list | tuple | dict):
        return json.dumps(value, ensure_ascii=False, default=str)
    return value


# --------------------------------------------------------------------------- writing


def write_xlsx(tables: Mapping[str, pd.DataFrame], path: str | Path) -> Path:
    """One sheet per table (its name), header row frozen, column widths fitted, numbers
    shown with thousands separators and the decimals they were rounded to."""
    path = Path(path)
    if not tables:
        raise ValueError("no tables to write")

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for name, table in tables.items():
            table.to_excel(writer, sheet_name=name[:31], index=False, freeze_panes=(1, 0))
            _style(writer.sheets[name[:31]], name, table)
    write_bytes(buffer.getvalue(), path)
    return path


def _number_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals > 0 else "")


def _decimals(values: pd.Series) -> int:
    """The most decimals a value of a rounded float column shows (at most 6)."""
    most = 0
    for value in values.dropna().unique()[:5000]:
        text = repr(float(value))
        if "." in text and "e" not in text:
            most = max(most, len(text.split(".")[1].rstrip("0")))
    return min(most, 6)


def _column_decimals(name: str, table: pd.DataFrame, column: str) -> pd.Series | int:
    """Decimals to show in a float column: per row from its KPI for KPI values, from
    the KPI in the column name for a ranking, else the most the column holds."""
    if column in KPI_VALUE_COLUMNS and "kpi" in table.columns:
        return table["kpi"].map(kpi_digits).astype(int).reset_index(drop=True)
    kpi = _kpi_of_column(column) if name == "ranking" else None
    if kpi is not None:
        return kpi_digits(kpi)
    return _decimals(table[column])


def _style(sheet: Any, name: str, table: pd.DataFrame) -> None:
    """Fit column widths and give float cells a number format with thousands
    separators and the decimals they were rounded to (an openpyxl sheet)."""
    from openpyxl.utils import get_column_letter

    for index, column in enumerate(table.columns, start=1):
        values = table[column]
        shown = values.dropna().astype(str).str.len()
        width = max(len(str(column)), int(shown.max()) if len(shown) else 0)
        sheet.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
        if not pd.api.types.is_float_dtype(values.dtype):
            continue
        decimals = _column_decimals(name, table, str(column))
        if isinstance(decimals, int):
            formats = [_number_format(decimals)] * len(table)
        else:
            formats = [_number_format(int(d)) for d in decimals]
        for row, fmt in enumerate(formats, start=2):
            sheet.cell(row=row, column=index).number_format = fmt


def csv_text(table: pd.DataFrame, *, dutch: bool = False) -> bytes:
    """``table`` as CSV bytes: plain (``,``, decimal point, UTF-8) or Dutch Excel's
    (``;``, decimal comma, UTF-8 with byte-order mark, CRLF)."""
    if dutch:
        text = table.to_csv(index=False, sep=";", decimal=",", lineterminator="\r\n")
        return text.encode("utf-8-sig")
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


def write_csvs(
    tables: Mapping[str, pd.DataFrame], directory: str | Path, *, dutch: bool = False
) -> list[Path]:
    """One ``<name>.csv`` per table in ``directory`` (created if need be)."""
    directory = Path(directory)
    written = []
    for name, table in tables.items():
        path = directory / f"{name}.csv"
        write_bytes(csv_text(table, dutch=dutch), path)
        written.append(path)
    return written


def export(
    directory: str | Path, target: str | Path, *, fmt: str = "xlsx", dutch: bool = False
) -> list[Path]:
    """Read a result directory, round its tables and write them to ``target`` (an
    ``.xlsx`` file, or a folder of CSV files); returns the files written."""
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"unknown format {fmt!r}; choose xlsx or csv")
    folder = Path(target).parent if fmt == "xlsx" else Path(target)
    found = result_tables(directory)
    folder.mkdir(parents=True, exist_ok=True)  # an unusable target fails before the work
    tables = {name: rounded(name, table) for name, table in found.items()}
    if fmt == "xlsx":
        return [write_xlsx(tables, target)]
    return write_csvs(tables, target, dutch=dutch)
