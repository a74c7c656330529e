"""Every malformed scenario in tests/fixtures/bad_scenarios/ is rejected by the CLI with
one line that names the file, the line and the field path, exit status 2, no traceback.

Each fixture describes itself in its leading comment lines:

    # expect: sites.gp_posts.hap_a.opening[0].hours   field path, or "-" for none
    # file: ../../../scenarios/baseline.yaml          (optional) file the error points
                                                      at, relative to the fixture; default
                                                      the fixture itself
    # line: 7                                         (optional) line in that file;
                                                      "any" when the file is not ours
    # xfail: why                                      (optional) a known shortcoming
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from anwsim.cli import main

BAD_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "bad_scenarios"
FIXTURES = sorted(BAD_DIR.glob("*.yaml"))


@dataclass(frozen=True)
class Expectation:
    path: str | None
    file: Path
    line: int | str | None
    xfail: str | None


def read_expectation(fixture: Path) -> Expectation:
    header: dict[str, str] = {}
    for text in fixture.read_text(encoding="utf-8").splitlines():
        if not text.startswith("#"):
            break
        key, sep, value = text[1:].partition(":")
        if sep and key.strip() in ("expect", "file", "line", "xfail"):
            header[key.strip()] = value.strip()
    assert "expect" in header, f"{fixture.name} lacks its '# expect: PATH' first line"
    path = header["expect"]
    return Expectation(
        path=None if path == "-" else path,
        file=Path(os.path.normpath(fixture.parent / header["file"]))
        if "file" in header
        else fixture,
        line=_line(header.get("line")),
        xfail=header.get("xfail"),
    )


def _line(text: str | None) -> int | str | None:
    if text is None or text == "any":
        return text
    return int(text)


def expected_pattern(exp: Expectation) -> str:
    """A regex for the start of stderr: ``error: FILE[:LINE]: [PATH: ]``."""
    pattern = re.escape(f"error: {exp.file}")
    if exp.line == "any":
        pattern += r":\d+"
    elif exp.line is not None:
        pattern += f":{exp.line}"
    pattern += ": "
    if exp.path is not None:
        pattern += re.escape(f"{exp.path}: ")
    return pattern


def check_output(fixture: Path, exit_code: int, stdout: str, stderr: str) -> None:
    exp = read_expectation(fixture)
    assert "Traceback" not in stdout + stderr
    assert exit_code == 2, f"exit status {exit_code}; stderr: {stderr!r}"
    assert stdout == ""
    assert stderr.endswith("\n") and stderr.count("\n") == 1, f"not one line: {stderr!r}"
    match = re.match(expected_pattern(exp), stderr)
    assert match is not None, f"expected {expected_pattern(exp)!r}, got {stderr!r}"
    assert str(fixture) in stderr, "the error must name the file that was validated"
    # Something is said after the path: what is wrong.
    assert len(stderr[match.end() :].strip()) > 10


def _param(fixture: Path) -> object:
    exp = read_expectation(fixture)
    marks = [pytest.mark.xfail(reason=exp.xfail, strict=True)] if exp.xfail else []
    return pytest.param(fixture, id=fixture.stem, marks=marks)


def test_there_are_enough_fixtures() -> None:
    assert len(FIXTURES) >= 30


@pytest.mark.parametrize("fixture", [_param(f) for f in FIXTURES])
def test_bad_scenario_rejected_by_cli(fixture: Path, cli: CliRunner) -> None:
    result = cli.invoke(main, ["validate", str(fixture)])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    check_output(fixture, result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize(
    "name",
    [
        "yaml_syntax_error",  # a complete file the YAML parser rejects
        "areas_csv_not_a_number",  # the error is in a CSV next to the scenario
        "gp_post_roster_deleted",  # the error points into the parent file
        "hours_without_minutes",  # an ordinary field error in a short variant
    ],
)
def test_bad_scenario_rejected_by_real_process(name: str) -> None:
    fixture = BAD_DIR / f"{name}.yaml"
    proc = subprocess.run(
        [sys.executable, "-c", "from anwsim.cli import main; main()", "validate", str(fixture)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    check_output(fixture, proc.returncode, proc.stdout, proc.stderr)


def test_each_file_of_several_gets_its_own_line(cli: CliRunner, baseline_path: Path) -> None:
    bad = [BAD_DIR / "rate_zero.yaml", BAD_DIR / "empty_file.yaml"]
    result = cli.invoke(main, ["validate", str(bad[0]), str(baseline_path), str(bad[1])])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert [line.startswith(f"error: {f}") for f, line in zip(bad, lines, strict=True)] == [
        True,
        True,
    ]
    assert result.stdout.startswith(f"ok: {baseline_path}")


def test_fixture_headers_are_read() -> None:
    """The header parser itself: a fixture with every directive."""
    exp = read_expectation(BAD_DIR / "areas_csv_not_a_number.yaml")
    assert exp == Expectation(
        path="region.areas_csv",
        file=BAD_DIR / "areas_bad_population.csv",
        line=3,
        xfail=None,
    )
    csv_file = BAD_DIR / "areas_bad_population.csv"
    pattern = expected_pattern(exp)
    assert re.fullmatch(pattern, f"error: {csv_file}:3: region.areas_csv: ")
    assert not re.match(pattern, f"error: {csv_file}:13: region.areas_csv: ")
    assert not re.match(pattern, f"error: {csv_file}:3: region.areas: ")
