"""Read the files a scenario names, refusing anything that is not a small regular file.

A scenario file, a parent it ``extends`` and the CSV files it names all come from the
user. A path may lead to a FIFO (reading blocks until someone writes), a device such as
``/dev/zero`` (endless), a directory, a symlink loop, or a file far larger than any
scenario. `read_regular_file` opens without blocking (``O_NONBLOCK``, so a FIFO opens at
once), checks with ``fstat`` that what it opened is a regular file, and reads at most
``limit`` bytes. Every refusal is an `UnreadableFile` whose ``reason`` is worded for the
user; the caller adds which file and which field named it.
"""

from __future__ import annotations

import errno
import os
import stat

MAX_YAML_BYTES = 5_000_000
"""Largest scenario (YAML) file read; the baseline is about 20 kB."""

MAX_CSV_BYTES = 50_000_000
"""Largest CSV side file (areas, travel matrix) read."""

_CHUNK = 1 << 20

_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NONBLOCK", 0)  # a FIFO opens at once instead of waiting for a writer
    | getattr(os, "O_NOCTTY", 0)  # a terminal device never becomes ours
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)

_REASONS = {
    errno.ENOENT: "file not found",
    errno.ELOOP: "too many levels of symbolic links (a symlink loop?)",
    errno.ENAMETOOLONG: "the file name is too long",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.ENOTDIR: "a part of the path is not a directory",
    errno.EISDIR: "not a regular file but a directory",
}


class UnreadableFile(Exception):
    """A file that was not read, and why (``missing``: it does not exist)."""

    def __init__(self, reason: str, *, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a plain file"


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:,.0f} MB" if size >= 1_000_000 else f"{size:,} bytes"


def _check(st: os.stat_result, limit: int, kind: str) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableFile(f"not a regular file but {_kind(st.st_mode)}; give a {kind} file")
    if st.st_size > limit:
        raise UnreadableFile(
            f"the file is {_megabytes(st.st_size)}, more than the "
            f"{_megabytes(limit)} allowed for a {kind} file"
        )


def _os_reason(exc: OSError) -> UnreadableFile:
    if exc.errno == errno.ENOENT:
        return UnreadableFile("file not found", missing=True)
    reason = _REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__
    return UnreadableFile(reason)


def read_regular_file(path: str | os.PathLike[str], *, limit: int, kind: str) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    ``kind`` ("YAML", "CSV") names the file in messages. Raises `UnreadableFile` for a
    missing file, a directory, FIFO, device or socket, a symlink loop, a bad name
    (too long, an embedded NUL) and a file larger than ``limit``; never blocks.
    """
    try:
        # A first look that opens nothing: devices are refused without touching them.
        _check(os.stat(path), limit, kind)
        fd = os.open(path, _FLAGS)
    except ValueError:  # "embedded null byte"
        raise UnreadableFile("the file name contains a NUL character") from None
    except OSError as exc:
        raise _os_reason(exc) from None
    try:
        _check(os.fstat(fd), limit, kind)  # what was opened, should the path have changed
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, _CHUNK)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:  # the file grew while being read
                raise UnreadableFile(
                    f"the file is more than the {_megabytes(limit)} allowed for a {kind} file"
                )
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise _os_reason(exc) from None
    finally:
        os.close(fd)


def decode_text(raw: bytes, encoding: str) -> str:
    """UTF-8 text; a byte that is not UTF-8 raises ValueError naming its line."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ValueError(
            f"not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}); save it as UTF-8"
        ) from None


__all__ = ["MAX_CSV_BYTES", "MAX_YAML_BYTES", "UnreadableFile", "decode_text", "read_regular_file"]
