"""Shared fixtures: where the repository is, the baseline scenario, and small variants."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from anwsim.scenario import Scenario, load_scenario

REPO_ROOT = Path(__file__).resolve().parents[1]
BASELINE = REPO_ROOT / "scenarios" / "baseline.yaml"
FIXTURES = REPO_ROOT / "tests" / "fixtures"

WriteVariant = Callable[..., Path]


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    return BASELINE


@pytest.fixture(scope="session")
def baseline() -> Scenario:
    """The baseline scenario, loaded once (it is immutable)."""
    return load_scenario(BASELINE)


@pytest.fixture(scope="session")
def baseline_data() -> dict[str, Any]:
    """The baseline file as plain YAML data (before validation). Do not mutate."""
    data = yaml.safe_load(BASELINE.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


@pytest.fixture
def write_variant(tmp_path: Path) -> WriteVariant:
    """Write a small scenario file into ``tmp_path`` and return its path.

    ``write_variant(body)`` writes YAML text (dedented) or a mapping (dumped as YAML)
    after an ``extends:`` line that points at the baseline by an absolute path;
    ``extends=None`` writes the body alone; ``name`` picks the file name.
    """

    def write(
        body: str | dict[str, Any] = "",
        *,
        name: str = "variant.yaml",
        extends: str | Path | None = BASELINE,
    ) -> Path:
        text = body if isinstance(body, str) else yaml.safe_dump(body, sort_keys=False)
        text = textwrap.dedent(text)
        if extends is not None:
            text = f"extends: {extends}\n{text}"
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return path

    return write


@pytest.fixture
def cli() -> CliRunner:
    """A click test runner; ``result.stdout`` and ``result.stderr`` are kept apart."""
    return CliRunner()
