"""Errors in scenario input, worded for the person who wrote the file.

Every error names the file, the line where known, the field path and what is allowed,
on one line. The CLI prints ``str(error)`` and exits with status 2.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

Path = tuple[str | int, ...]

# Characters that reorder or hide text in a terminal (bidirectional controls).
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def safe_text(text: object) -> str:
    """``text`` with every character that a terminal could act on shown as an escape.

    Control characters (C0 such as ESC and newline, DEL, C1 such as ``\\x9b``),
    line and paragraph separators and bidirectional controls become ``\\x1b`` or
    ``\\u202e``; a byte that was not UTF-8 in a file name (a lone surrogate) becomes
    ``\\xff``. Everything else, accents and dashes included, is kept. Use it wherever
    text from a file, a file name or an option is printed.
    """
    text = str(text)
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if 0xDC80 <= code <= 0xDCFF:  # os.fsdecode's stand-in for an undecodable byte
            out.append(f"\\x{code - 0xDC00:02x}")
        elif ch in _BIDI or unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(ch)
    return "".join(out)


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
            return safe_text(f"{where}: {format_path(self.path)}: {self.message}{loading}")
        return safe_text(f"{where}: {self.message}{loading}")


@dataclass
class CheckFailure(Exception):
    """A cross-field check failed at ``path`` (raised by `anwsim.scenario.checks`).

    Deliberately not a ValueError, so that pydantic lets it through untouched and the
    loader can attach file and line to the exact field.
    """

    path: Path
    message: str

    def __str__(self) -> str:
        return safe_text(f"{format_path(self.path)}: {self.message}")


def shown(value: object) -> str:
    """``repr(value)``, shortened to at most 60 characters."""
    shown = repr(value)
    return shown if len(shown) <= 60 else shown[:57] + "..."
