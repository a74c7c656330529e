"""The ``anwsim`` command line: version, validate, show and scenarios."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from anwsim.cli import main
from anwsim.scenario import Scenario, load_scenario, scenario_hash


def assert_one_error_line(stderr: str) -> None:
    assert stderr.startswith("error: ")
    assert stderr.endswith("\n") and stderr.count("\n") == 1, stderr
    assert "Traceback" not in stderr


def test_version(cli: CliRunner) -> None:
    result = cli.invoke(main, ["--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"anwsim, version {version('anwsim')}"


def test_help_lists_the_commands(cli: CliRunner) -> None:
    result = cli.invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("validate", "show", "scenarios"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.MULTILINE)


def test_validate_baseline(cli: CliRunner, baseline_path: Path, baseline: Scenario) -> None:
    result = cli.invoke(main, ["validate", str(baseline_path)])
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == (
        f"ok: {baseline_path} (Regio Voorbeeld, hash {scenario_hash(baseline)[:12]})\n"
    )


def test_validate_baseline_by_relative_path(
    cli: CliRunner, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo_root)
    result = cli.invoke(main, ["validate", "scenarios/baseline.yaml"])
    assert result.exit_code == 0
    assert result.stdout.startswith("ok: scenarios/baseline.yaml (Regio Voorbeeld, hash ")


def test_validate_with_set(cli: CliRunner, baseline_path: Path) -> None:
    result = cli.invoke(main, ["validate", str(baseline_path), "--set", "run.replications=5"])
    assert result.exit_code == 0
    expected = scenario_hash(load_scenario(baseline_path, ["run.replications=5"]))
    assert f"hash {expected[:12]})" in result.stdout


def test_validate_set_typo(cli: CliRunner, baseline_path: Path) -> None:
    result = cli.invoke(main, ["validate", str(baseline_path), "--set", "run.replicatons=5"])
    assert result.exit_code == 2
    assert_one_error_line(result.stderr)
    assert result.stderr.startswith("error: --set run.replicatons=5: run.replicatons: ")
    assert "did you mean 'replications'" in result.stderr
    assert str(baseline_path) in result.stderr


def test_validate_missing_file(cli: CliRunner, tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    result = cli.invoke(main, ["validate", str(missing)])
    assert result.exit_code == 2
    assert result.stderr == f"error: {missing}: file not found\n"


def test_validate_needs_a_file(cli: CliRunner) -> None:
    result = cli.invoke(main, ["validate"])
    assert result.exit_code == 2  # click's usage error
    assert "Traceback" not in result.output


def test_show_with_set_round_trips(cli: CliRunner, baseline_path: Path, tmp_path: Path) -> None:
    result = cli.invoke(main, ["show", str(baseline_path), "--set", "run.replications=5"])
    assert result.exit_code == 0, result.stderr
    header, _, _ = result.stdout.partition("\n")
    match = re.fullmatch(
        rf"# {re.escape(str(baseline_path))} resolved; scenario hash ([0-9a-f]{{64}})", header
    )
    assert match is not None, header
    printed_hash = match.group(1)
    data = yaml.safe_load(result.stdout)
    assert isinstance(data, dict)
    assert data["run"]["replications"] == 5
    assert data["run"]["seed"] == 20201103
    assert data["sites"]["gp_posts"]["hap_b"]["opening"][0]["hours"] == "17:00-08:00"
    resolved = tmp_path / "resolved.yaml"
    resolved.write_text(result.stdout, encoding="utf-8")
    again = load_scenario(resolved)
    assert scenario_hash(again) == printed_hash
    assert again.run.replications == 5
    # and through the CLI too
    check = cli.invoke(main, ["validate", str(resolved)])
    assert check.exit_code == 0
    assert f"hash {printed_hash[:12]})" in check.stdout


def test_show_printed_hash_differs_without_set(cli: CliRunner, baseline_path: Path) -> None:
    plain = cli.invoke(main, ["show", str(baseline_path)]).stdout.partition("\n")[0]
    changed = cli.invoke(main, ["show", str(baseline_path), "--set", "run.seed=1"])
    assert plain.split()[-1] != changed.stdout.partition("\n")[0].split()[-1]


def test_show_bad_file(cli: CliRunner, repo_root: Path) -> None:
    bad = repo_root / "tests" / "fixtures" / "bad_scenarios" / "rate_negative.yaml"
    result = cli.invoke(main, ["show", str(bad)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    assert f"{bad}:7: demand.channels.emergency_112.rate_per_1000_per_year: " in result.stderr


def test_scenarios_lists_baseline(cli: CliRunner, repo_root: Path, baseline: Scenario) -> None:
    result = cli.invoke(main, ["scenarios", str(repo_root / "scenarios")])
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    (line,) = [x for x in lines if x.startswith("baseline.yaml")]
    assert baseline.description
    assert re.fullmatch(rf"baseline\.yaml\s+{re.escape(baseline.description)}", line)


def test_scenarios_default_directory(
    cli: CliRunner, repo_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(repo_root)
    result = cli.invoke(main, ["scenarios"])
    assert result.exit_code == 0
    assert "baseline.yaml" in result.stdout


def test_scenarios_marks_invalid_files(cli: CliRunner, tmp_path: Path, baseline_path: Path) -> None:
    shutil.copy(baseline_path, tmp_path / "a_good.yaml")
    (tmp_path / "b_bad.yaml").write_text(
        f"extends: {baseline_path}\nrun: {{replications: 0}}\n", encoding="utf-8"
    )
    (tmp_path / "c_no_description.yml").write_text(
        f"extends: {baseline_path}\nname: Plain\ndescription: ''\n", encoding="utf-8"
    )
    (tmp_path / "notes.txt").write_text("not a scenario", encoding="utf-8")
    result = cli.invoke(main, ["scenarios", str(tmp_path)])
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert [line.split()[0] for line in lines] == [
        "a_good.yaml",
        "b_bad.yaml",
        "c_no_description.yml",
    ]
    assert "Baseline (S0)" in lines[0]
    assert "INVALID" in lines[1] and "run.replications" in lines[1]
    assert lines[2].split(None, 1)[1] == "Plain"  # falls back to the name


def test_scenarios_empty_directory(cli: CliRunner, tmp_path: Path) -> None:
    result = cli.invoke(main, ["scenarios", str(tmp_path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    assert_one_error_line(result.stderr)
    assert str(tmp_path) in result.stderr


def test_real_process_validate_and_version(baseline_path: Path) -> None:
    entry = [sys.executable, "-c", "from anwsim.cli import main; main()"]
    proc = subprocess.run(
        [*entry, "validate", str(baseline_path)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith(f"ok: {baseline_path} (Regio Voorbeeld, hash ")
    script = Path(sys.executable).with_name("anwsim")
    if script.exists():  # the console script installed with the package
        proc = subprocess.run(
            [str(script), "--version"], capture_output=True, text=True, timeout=120
        )
        assert proc.returncode == 0
        assert version("anwsim") in proc.stdout
