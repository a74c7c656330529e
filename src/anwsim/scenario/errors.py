"""Errors in scenario input, worded for the person who wrote the file.

Every error names the file, the line where known, the field path and what is allowed,
on one line. The CLI prints ``str(error)`` and exits with status 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

Path = tuple[str | int, ...]


def format_path(path: Sequence[str | int]) -> str:
    """``('sites', 'gp_posts', 'a', 'opening', 0)`` → ``sites.gp_posts.a.opening[0]``."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


class ScenarioError(Exception):
    """Bad scenario input: which file, where, and what is wrong."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        path: Sequence[str | int] | None = None,
        scenario: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.path = tuple(path) if path is not None else None
        # The scenario file being loaded, named when the error is in another file (a
        # parent it extends, a CSV it reads, a --set), so that it is always named.
        self.scenario = scenario
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file or "<scenario>"
        if self.line is not None:
            where += f":{self.line}"
        loading = f" (loading {self.scenario})" if self.scenario not in (None, self.file) else ""
        if self.path is not None:
            return f"{where}: {format_path(self.path)}: {self.message}{loading}"
        return f"{where}: {self.message}{loading}"


@dataclass
class CheckFailure(Exception):
    """A cross-field check failed at ``path`` (raised by `anwsim.scenario.checks`).

    Deliberately not a ValueError, so that pydantic lets it through untouched and the
    loader can attach file and line to the exact field.
    """

    path: Path
    message: str

    def __str__(self) -> str:
        return f"{format_path(self.path)}: {self.message}"
