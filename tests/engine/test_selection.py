"""Choosing the engine: the compiled one is the default everywhere; the API, the CLI and
the model's ``simulate`` give the same results on both engines, and a wrong engine name
is a clear error."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import anwsim
from anwsim.cli import main
from anwsim.experiment.api import Settings
from anwsim.experiment.tasks import Task
from anwsim.model import DEFAULT_ENGINE, simulate
from anwsim.sampling import DemandSampler
from anwsim.scenario import load_scenario

SHORT = ["run.horizon_weeks=2", "run.warmup_weeks=0"]


def test_model_simulate_takes_the_engine(baseline_path: Path) -> None:
    s = load_scenario(baseline_path, SHORT)
    d = DemandSampler(s).sample(1)
    reference, fast = simulate(s, d, engine="simpy"), simulate(s, d)
    for name, column in reference.patients.items():
        assert np.array_equal(column, fast.patients[name], equal_nan=True), name


def test_unknown_engine_names_the_allowed_ones(baseline_path: Path) -> None:
    s = load_scenario(baseline_path, SHORT)
    d = DemandSampler(s).sample(0)
    with pytest.raises(ValueError, match="unknown engine 'numba'; allowed: fast, simpy"):
        simulate(s, d, engine="numba")  # type: ignore[call-overload]
    with pytest.raises(ValueError, match="allowed: fast, simpy"):
        anwsim.run(baseline_path, overrides=SHORT, replications=1, workers=1, engine="gpu")


def test_api_run_gives_the_same_summary_on_both_engines(baseline_path: Path) -> None:
    kwargs = {"overrides": SHORT, "replications": 2, "workers": 1}
    reference = anwsim.run(baseline_path, engine="simpy", **kwargs)
    fast = anwsim.run(baseline_path, **kwargs)
    pd.testing.assert_frame_equal(reference, fast)


def test_cli_engine_option(cli: CliRunner, baseline_path: Path, tmp_path: Path) -> None:
    args = ["run", str(baseline_path), "--reps", "1", "--workers", "1", "--all-kpis"]
    args += [item for o in SHORT for item in ("--set", o)]
    fast = cli.invoke(main, [*args, "--out", str(tmp_path / "f")])
    reference = cli.invoke(main, [*args, "--engine", "simpy", "--out", str(tmp_path / "s")])
    assert fast.exit_code == 0, fast.stderr
    assert reference.exit_code == 0, reference.stderr
    assert fast.stdout == reference.stdout
    assert '"engine": "fast"' in (tmp_path / "f" / "manifest.json").read_text()
    assert '"engine": "simpy"' in (tmp_path / "s" / "manifest.json").read_text()
    wrong = cli.invoke(main, [*args, "--engine", "numba"])
    assert wrong.exit_code == 2
    assert "'numba' is not one of 'fast', 'simpy'" in wrong.stderr


def test_the_compiled_engine_is_the_default(cli: CliRunner) -> None:
    assert DEFAULT_ENGINE == "fast"
    assert Settings().engine == "fast"
    assert Task.__dataclass_fields__["engine"].default == "fast"
    for command in ("run", "compare", "sweep"):
        shown = cli.invoke(main, [command, "--help"])
        assert shown.exit_code == 0
        assert "[default: fast]" in " ".join(shown.stdout.split()), command
