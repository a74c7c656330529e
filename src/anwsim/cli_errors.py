"""How every ``anwsim`` command prints text it did not write and turns a user mistake
into one line: shared by `anwsim.cli` and the command modules registered on it."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from anwsim.scenario.errors import ScenarioError, safe_text

F = TypeVar("F", bound=Callable[..., Any])

EXIT_USER_ERROR = 2


def echo_safe(text: object, *, err: bool = False) -> None:
    """Print one line that may hold text from a file, a file name or an option, with
    terminal control characters shown as escapes (`safe_text`), never acted on."""
    click.echo(safe_text(text), err=err)


def user_errors(func: F) -> F:
    """Turn `ScenarioError` into one line on stderr and exit status 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except ScenarioError as exc:
            echo_safe(f"error: {exc}", err=True)
            sys.exit(EXIT_USER_ERROR)

    return wrapper  # type: ignore[return-value]
