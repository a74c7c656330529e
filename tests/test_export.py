"""``anwsim export``: result tables, rounded per KPI, as an xlsx workbook (openpyxl) or
one CSV per table (plain, or as Dutch Excel opens it), with the numbers coming back
exactly from either."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

import anwsim
from anwsim.cli import main
from anwsim.experiment.export import (
    DEFAULT_DIGITS,
    FRACTION_DIGITS,
    kpi_digits,
    result_tables,
    rounded,
    write_xlsx,
)
from anwsim.experiment.summary import ranking
from anwsim.metrics.definitions import KPIS

REPO_ROOT = Path(__file__).resolve().parents[1]
BASELINE = REPO_ROOT / "scenarios" / "baseline.yaml"
S4 = REPO_ROOT / "scenarios" / "s4_zcc.yaml"
SHORT = ["run.horizon_weeks=1", "run.warmup_weeks=0.5"]
FLOATS = ("mean", "half_width", "sd", "difference", "difference_half_width")


@pytest.fixture(scope="module")
def compared(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("export") / "compare"
    anwsim.compare(BASELINE, [S4], out=out, replications=2, overrides=SHORT, workers=1)
    return out


@pytest.fixture(scope="module")
def book(compared: Path) -> tuple[Path, tuple[int, str, str]]:
    """The comparison exported to xlsx once, and what the command said."""
    said = _export(str(compared))
    return compared / "results.xlsx", said


def _sheet(path: Path, name: str) -> pd.DataFrame:
    rows = list(openpyxl.load_workbook(path, read_only=True)[name].values)
    return pd.DataFrame(rows[1:], columns=list(rows[0]))


def _export(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["export", *args])
    return result.exit_code, result.stdout, result.stderr


def _expected(directory: Path, name: str) -> pd.DataFrame:
    """The stored table, rounded here independently: per row to its KPI's digits."""
    table = pd.read_parquet(directory / f"{name}.parquet")
    digits = table["kpi"].map(kpi_digits)
    for column in FLOATS:
        if column in table.columns:
            table[column] = [np.round(v, d) for v, d in zip(table[column], digits, strict=True)]
    return table


def test_xlsx_has_a_sheet_per_table_with_the_rounded_numbers(
    compared: Path, book: tuple[Path, tuple[int, str, str]]
) -> None:
    path, (code, out, err) = book
    assert (code, err, out) == (0, "", f"wrote {path}\n")
    workbook = openpyxl.load_workbook(path)
    assert workbook.sheetnames == ["summary", "comparison", "ranking", "utilisation_by_hour"]
    assert workbook["comparison"].freeze_panes == "A2"
    for name in ("summary", "comparison"):
        sheet, want = _sheet(path, name), _expected(compared, name)
        assert list(sheet.columns) == list(want.columns)
        for column in FLOATS:
            if column in want.columns:
                got = sheet[column].astype(float).to_numpy()
                np.testing.assert_array_equal(got, want[column].astype(float).to_numpy())
    # a volume is shown to a whole number, a share to its own digits, formatted so
    comparison = workbook["comparison"]
    header = [c.value for c in comparison[1]]
    mean = header.index("mean") + 1
    for row in range(2, comparison.max_row + 1):
        kpi = comparison.cell(row=row, column=header.index("kpi") + 1).value
        digits = kpi_digits(str(kpi))
        fmt = comparison.cell(row=row, column=mean).number_format
        assert fmt == "#,##0" + ("." + "0" * digits if digits else ""), (kpi, fmt)


def test_dutch_csv_reads_back_with_pandas_as_the_xlsx_numbers(
    compared: Path, book: tuple[Path, tuple[int, str, str]]
) -> None:
    code, out, err = _export(str(compared), "--format", "csv", "--dutch")
    folder = compared / "export-nl"
    assert code == 0 and err == ""
    assert out == (
        f"wrote 4 file(s) to {folder}: summary.csv, comparison.csv, ranking.csv, "
        "utilisation_by_hour.csv\n"
    )
    raw = (folder / "comparison.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfscenario;kpi;group;mean;") and b"\r\n" in raw
    for name in ("summary", "comparison", "ranking", "utilisation_by_hour"):
        dutch = pd.read_csv(folder / f"{name}.csv", sep=";", decimal=",", encoding="utf-8-sig")
        sheet = _sheet(book[0], name)
        assert list(dutch.columns) == list(sheet.columns)
        numeric = [c for c in dutch.columns if pd.api.types.is_float_dtype(dutch[c].dtype)]
        assert "mean" in numeric or "utilisation" in numeric or name == "ranking"
        for column in numeric:
            np.testing.assert_array_equal(
                dutch[column].to_numpy(), sheet[column].astype(float).to_numpy()
            )
    text = (folder / "summary.csv").read_text(encoding="utf-8-sig")
    assert ";emergency line;" in text and ";90,0;" in text  # a target of 90%, in Dutch


def test_plain_csv_and_default_folders(compared: Path) -> None:
    code, _, _ = _export(str(compared), "--format", "csv")
    assert code == 0
    plain = pd.read_csv(compared / "export" / "summary.csv")
    pd.testing.assert_frame_equal(
        plain[list(FLOATS[:3])], _expected(compared, "summary")[list(FLOATS[:3])]
    )
    hourly = pd.read_csv(compared / "export" / "utilisation_by_hour.csv")
    stored = pd.read_parquet(compared / "utilisation_by_hour.parquet")
    np.testing.assert_allclose(hourly["utilisation"], stored["utilisation"], atol=0.5e-4)
    known = hourly["utilisation"].dropna()
    assert len(known) > 100 and (known.round(FRACTION_DIGITS) == known).all()


def test_ranking_sheet_is_the_compare_ranking_rounded(compared: Path) -> None:
    tables = result_tables(compared)
    want = ranking(pd.read_parquet(compared / "comparison.parquet"), "baseline")
    pd.testing.assert_frame_equal(tables["ranking"], want)
    table = rounded("ranking", tables["ranking"])
    assert table.loc[0, "scenario"] == "s4_zcc"
    column = "within_nts_norm:U1:difference"
    digits = kpi_digits("within_nts_norm")
    assert table.loc[0, column] == round(want.loc[0, column], digits)
    assert table.loc[0, "within_nts_norm:U1:norm"] == want.loc[0, "within_nts_norm:U1:norm"]


def test_rounding_per_kpi_and_no_negative_zero() -> None:
    table = pd.DataFrame(
        {
            "kpi": ["seh_visits_per_year", "answer_time_mean", "not_a_kpi"],
            "group": ["seh_1", "all", "all"],
            "mean": [25676.2649, 0.21345, 1.23456],
            "difference": [-0.0001, -0.0001, -0.0001],
            "norm": [np.nan, 0.123456, np.nan],
        }
    )
    out = rounded("comparison", table)
    digits = [kpi_digits(k) for k in table["kpi"]]
    assert digits[2] == DEFAULT_DIGITS
    assert getattr(KPIS["seh_visits_per_year"], "digits", DEFAULT_DIGITS) == digits[0]
    assert list(out["mean"]) == [np.round(v, d) for v, d in zip(table["mean"], digits, strict=True)]
    assert [np.copysign(1, v) for v in out["difference"]] == [1.0, 1.0, 1.0]  # 0, not -0
    assert out.loc[1, "norm"] == 0.123456  # an input, not rounded


def test_swept_values_that_are_lists_become_text(tmp_path: Path) -> None:
    table = pd.DataFrame(
        {
            "scenario": ["point-000", "point-001"],
            "sites.gp_posts.hap_b.opening": [
                [{"days": ["weekday"], "hours": "17:00-00:00"}],
                [{"days": ["all"], "hours": "00:00-24:00"}],
            ],
            "kpi": ["answer_time_mean"] * 2,
            "mean": [0.123456, 0.2],
        }
    )
    path = write_xlsx({"sweep": rounded("sweep", table)}, tmp_path / "s.xlsx")
    sheet = _sheet(path, "sweep")
    assert sheet.iloc[0, 1] == '[{"days": ["weekday"], "hours": "17:00-00:00"}]'
    assert sheet.loc[0, "mean"] == round(0.123456, kpi_digits("answer_time_mean"))


def test_an_interrupted_or_foreign_directory_gives_one_line(compared: Path, tmp_path: Path) -> None:
    interrupted = tmp_path / "interrupted"
    shutil.copytree(
        compared,
        interrupted,
        ignore=shutil.ignore_patterns("*.parquet", "*.csv", "*.xlsx", "export*"),
    )
    code, out, err = _export(str(interrupted))
    assert (code, out) == (2, "")
    assert err == (
        f"error: {interrupted}: holds no combined results yet (summary.parquet, "
        "comparison.parquet missing: the compare was interrupted or some replications "
        f"failed); finish it first with `anwsim run --resume {interrupted}`, then export\n"
    )
    assert not (interrupted / "results.xlsx").exists()
    code, _, err = _export(str(tmp_path))
    assert (
        code == 2
        and err == f"error: {tmp_path}: no manifest.json: not an anwsim result directory\n"
    )
    code, _, err = _export(str(tmp_path / "nowhere"))
    assert code == 2 and err == f"error: {tmp_path / 'nowhere'}: no such directory\n"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--dutch"], "error: --dutch is for --format csv;"),
        (["--to", "out.xls"], "error: --to out.xls: an xlsx export is one file: give a name"),
        (["--to", "out.csv", "--dutch"], "error: --dutch is for --format csv;"),
    ],
)
def test_option_mistakes_give_one_line(compared: Path, args: list[str], words: str) -> None:
    code, out, err = _export(str(compared), *args)
    assert (code, out) == (2, "")
    assert err.startswith(words) and err.count("\n") == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into a read-only directory")
def test_an_unwritable_target_gives_one_line(compared: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    try:
        code, _, err = _export(str(compared), "--to", str(locked / "r.xlsx"))
    finally:
        locked.chmod(0o700)
    assert code == 1
    assert err == f"error: could not write {locked / 'r.xlsx'}: Permission denied\n"


def test_an_os_error_while_writing_gives_one_line(compared: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("not a directory", encoding="utf-8")
    code, out, err = _export(str(compared), "--to", str(blocker / "r.xlsx"))
    assert (code, out) == (1, "")
    assert err.startswith(f"error: could not write {blocker / 'r.xlsx'}: ")
    assert err.count("\n") == 1


def test_to_a_new_folder_holds_results_xlsx(compared: Path, tmp_path: Path) -> None:
    code, out, _ = _export(str(compared), "--to", str(tmp_path / "new" / "folder"))
    target = tmp_path / "new" / "folder" / "results.xlsx"
    assert (code, out) == (0, f"wrote {target}\n")
    assert openpyxl.load_workbook(target, read_only=True).sheetnames[0] == "summary"
