"""The Python API has typed keyword-only settings and no footguns: the command line's
names work as aliases, an unknown keyword names the allowed ones, one override string is
one override, ``dir(anwsim)`` lists the API while ``import anwsim`` stays lazy, and
``progress=True`` draws a bar. A precision that ends at its cap says what is true."""

from __future__ import annotations

import inspect
import math
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import anwsim
from anwsim.experiment import api
from anwsim.experiment.api import PrecisionNotReached, Settings
from anwsim.experiment.precision import (
    Decision,
    relative_half_width,
    stop_message,
    width_note,
)

SETTINGS = [
    "replications",
    "precision",
    "targets",
    "max_replications",
    "workers",
    "scheduler",
    "dashboard",
    "log",
    "progress",
    "engine",
]


# --------------------------------------------------------------------------- signatures


@pytest.mark.parametrize("name", ["run", "compare", "sweep"])
def test_settings_are_typed_keyword_only_parameters(name: str) -> None:
    params = inspect.signature(getattr(anwsim, name)).parameters
    kinds = {p.kind for p in params.values()}
    assert inspect.Parameter.VAR_KEYWORD not in kinds  # no **settings: Any
    keyword_only = [n for n, p in params.items() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    assert keyword_only[-len(SETTINGS) :] == SETTINGS
    assert params["max_replications"].default == 200
    assert params["log"].default == "kpis"
    assert params["engine"].default == "fast"
    assert params["replications"].annotation == "int | None"


def test_resume_takes_only_where_to_run() -> None:
    params = inspect.signature(anwsim.resume).parameters
    assert list(params) == ["directory", "workers", "scheduler", "dashboard", "progress", "engine"]


def test_cli_names_are_aliases(baseline_path: Path, short: tuple[str, ...]) -> None:
    by_alias = anwsim.run(baseline_path, reps=2, workers=1, overrides=short)
    by_name = anwsim.run(baseline_path, replications=2, workers=1, overrides=short)
    pd.testing.assert_frame_equal(by_alias, by_name, check_exact=True)
    assert by_alias["replications"].max() == 2
    with pytest.raises(TypeError, match=r"^run\(\) got replications= and its alias reps=$"):
        anwsim.run(baseline_path, reps=2, replications=3)


def test_an_unknown_keyword_names_the_allowed_ones(baseline_path: Path) -> None:
    with pytest.raises(TypeError) as info:
        anwsim.run(baseline_path, replicatons=2)
    text = str(info.value)
    assert text.startswith(
        "run() got an unexpected keyword argument 'replicatons' (did you mean "
        "'replications'?); allowed: overrides, out, per_replication, replications, "
    )
    assert text.endswith("(aliases: reps=replications, max_reps=max_replications, target=targets)")
    allowed = r"'colour'; allowed: overrides, out, correction, replications"
    with pytest.raises(TypeError, match=allowed):
        anwsim.compare(baseline_path, [baseline_path], colour="red")
    with pytest.raises(TypeError, match=r"did you mean 'workers'\?"):
        anwsim.sweep(baseline_path, {"demand.growth_factor": [1.0]}, worker=2)


def test_resume_refuses_a_plan_and_says_where_it_comes_from(tmp_path: Path) -> None:
    with pytest.raises(TypeError) as info:
        anwsim.resume(tmp_path, replications=5)
    assert str(info.value) == (
        "resume() got an unexpected keyword argument 'replications'; allowed: workers, "
        "scheduler, dashboard, progress, engine; the plan and log level come from the "
        "result directory's manifest"
    )


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"workers": 0}, "workers must be a whole number of at least 1, got 0"),
        ({"replications": 2.5}, "replications must be a whole number of at least 1, got 2.5"),
        ({"max_replications": 2}, "max_replications must be a whole number of at least 3"),
        ({"log": "all"}, "unknown log 'all'; allowed: kpis, full"),
        ({"precision": 5}, "precision is a relative half-width between 0 and 1"),
        ({"targets": ["within_nts_norm"]}, "a target is 'KPI:GROUP' or (KPI, GROUP)"),
        ({"progress": "yes"}, "progress is True (a progress bar), None or False (none)"),
    ],
)
def test_bad_settings_are_refused_in_words(settings: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as info:
        Settings(**settings)
    assert str(info.value).startswith(message)


def test_targets_as_text_or_pairs() -> None:
    one = [("within_nts_norm", "U2")]
    assert Settings(targets="within_nts_norm:U2").pairs == tuple(one)
    assert Settings(targets=("within_nts_norm", "U2")).pairs == tuple(one)
    mixed = Settings(targets=["within_nts_norm:U1", ("call_to_doctor_mean", "U2")]).pairs
    assert mixed == (("within_nts_norm", "U1"), ("call_to_doctor_mean", "U2"))


def test_one_override_string_is_one_override(baseline_path: Path) -> None:
    assert api._overrides("run.seed=5") == ("run.seed=5",)
    assert api._overrides(["run.seed=5", "run.horizon_weeks=2"]) == (
        "run.seed=5",
        "run.horizon_weeks=2",
    )
    text = anwsim.run(baseline_path, overrides="run.horizon_weeks=2", reps=1, workers=1)
    listed = anwsim.run(baseline_path, overrides=["run.horizon_weeks=2"], reps=1, workers=1)
    pd.testing.assert_frame_equal(text, listed, check_exact=True)


def test_one_other_scenario_need_not_be_a_list(baseline_path: Path, tmp_path: Path) -> None:
    variant = tmp_path / "variant.yaml"
    variant.write_text(f"extends: {baseline_path}\ndemand: {{growth_factor: 1.2}}\n")
    sets = ["run.horizon_weeks=1", "run.warmup_weeks=0.5"]
    alone = anwsim.compare(baseline_path, variant, overrides=sets, reps=1, workers=1)
    listed = anwsim.compare(baseline_path, [variant], overrides=sets, reps=1, workers=1)
    pd.testing.assert_frame_equal(alone, listed, check_exact=True)
    assert list(dict.fromkeys(alone["scenario"])) == ["baseline", "variant"]


def test_a_grid_value_must_be_a_list(baseline_path: Path) -> None:
    with pytest.raises(TypeError, match=r"grid\['demand.growth_factor'\] must be a list"):
        anwsim.sweep(baseline_path, {"demand.growth_factor": "1.0,1.1"})


# --------------------------------------------------------------------------- the module


def test_dir_lists_the_lazy_api() -> None:
    names = dir(anwsim)
    for name in ("run", "compare", "sweep", "resume", "__version__"):
        assert name in names
    assert "Any" not in names and "version" not in names  # no imported helpers


def test_import_anwsim_stays_lazy() -> None:
    code = (
        "import sys, anwsim; dir(anwsim); "
        "print(sorted(m for m in ('pandas', 'numba', 'anwsim.experiment') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


# --------------------------------------------------------------------------- progress


def test_progress_true_draws_a_bar_and_false_nothing(
    baseline_path: Path, short: tuple[str, ...], capsys: pytest.CaptureFixture[str]
) -> None:
    anwsim.run(baseline_path, reps=2, workers=1, overrides=short, progress=True)
    drawn = capsys.readouterr().err
    assert "replications" in drawn and "2/2" in drawn
    anwsim.run(baseline_path, reps=2, workers=1, overrides=short, progress=False)
    assert capsys.readouterr().err == ""


def test_the_bar_follows_a_growing_total(capsys: pytest.CaptureFixture[str]) -> None:
    bar = api._Bar()
    for done, total in [(0, 3), (1, 3), (3, 3), (3, 6), (6, 6)]:
        bar(done, total, "half-width: 2.0% (target 5%)")
    assert bar._bar.n == 6 and bar._bar.total == 6
    bar.close()
    assert "6/6" in capsys.readouterr().err


# --------------------------------------------------------------------------- precision


def test_width_note_has_no_infinity() -> None:
    assert width_note(Decision(None, 3, (math.inf,)), 0.05) == "half-width: — (target 5%)"
    assert width_note(Decision(None, 3, ()), 0.05) == "half-width: — (target 5%)"
    note = width_note(Decision(None, 8, (0.021, 0.034)), 0.05)
    assert note == "half-width: 3.4% (target 5%)"


def test_stop_message_agrees_with_the_widths() -> None:
    names = ["within_nts_norm:U2", "call_to_doctor_mean:U2"]
    assert stop_message(Decision(3, 8, (0.01, 0.02)), 0.05, 8, names) is None
    met = stop_message(Decision(None, 6, (0.01, 0.031)), 0.05, 6, names)
    assert met == (
        "precision 5% holds at 6 replications (largest relative half-width 3.1%, "
        "call_to_doctor_mean:U2) but is not confirmed: the procedure also needs it over a "
        "look-ahead of 5 more replications, past the cap of 6; raise the cap (--max-reps, "
        "max_replications=) to confirm it"
    )
    missed = stop_message(Decision(None, 6, (0.072, 0.031)), 0.05, 6, names)
    assert missed == (
        "precision 5% not reached within the cap of 6 replications: the largest relative "
        "half-width is 7.2% (within_nts_norm:U2); raise the cap (--max-reps, "
        "max_replications=)"
    )
    undefined = stop_message(Decision(None, 6, (0.072, math.inf)), 0.05, 6, names)
    assert undefined is not None
    assert undefined.startswith("precision 5% cannot be judged within the cap of 6")
    assert "call_to_doctor_mean:U2 has no value" in undefined


@pytest.mark.parametrize(("precision", "met"), [(0.05, True), (0.005, False)])
def test_a_precision_run_at_its_cap_warns_the_truth(
    baseline_path: Path, short: tuple[str, ...], precision: float, met: bool
) -> None:
    """The widths of the replications kept decide which message is given: within the
    precision ("holds … not confirmed"; the old message called this "not reached") or
    not ("not reached")."""
    target = ("within_nts_norm", "U2")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kpis = anwsim.run(
            baseline_path,
            overrides=short,
            precision=precision,
            target="within_nts_norm:U2",
            max_reps=4,
            workers=1,
            per_replication=True,
        )
    rows = kpis[(kpis["kpi"] == target[0]) & (kpis["group"] == target[1])]
    width = relative_half_width(rows["value"].to_numpy())
    assert len(rows) == 4
    assert kpis.attrs["decision"].solution is None
    ours = [w for w in caught if issubclass(w.category, PrecisionNotReached)]
    assert len(ours) == 1
    assert ours[0].filename == __file__  # points at the caller's line
    text = str(ours[0].message)
    assert text == kpis.attrs["precision_warning"]
    shown = f"{100 * width:.1f}%"
    assert (width <= precision) is met
    if met:
        assert text.startswith(f"precision {100 * precision:g}% holds at 4 replications")
    else:
        assert text.startswith(
            f"precision {100 * precision:g}% not reached within the cap of 4 replications"
        )
    assert shown in text
