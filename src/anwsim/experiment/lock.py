"""One writer per result directory: a non-blocking `fcntl.flock` on ``DIR/.lock``.

A run or a resume holds the lock from before it looks at the directory until it has
written its last file; a second ``anwsim run --out DIR`` or ``--resume DIR`` meanwhile
is refused at once. The kernel drops the lock when the holder's file is closed, also
when the process is killed, so a killed run never leaves a stale lock behind (the
``.lock`` file itself stays; it is empty and harmless). The descriptor is not inherited
by worker processes (Python opens files non-inheritable), so a worker that outlives its
parent cannot keep the directory locked.

Where `fcntl` does not exist (Windows) the lock is a no-op.
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = ".lock"


class LockHeld(Exception):
    """Another process holds the lock of the directory."""


class DirectoryLock:
    """An exclusive lock on ``directory`` (taken at once or `LockHeld`)."""

    def __init__(self, directory: Path) -> None:
        self.path = Path(directory) / LOCK_FILE
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o666)
        if fcntl is None:  # pragma: no cover
            return
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            self.release()
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise LockHeld(str(self.path)) from None
            raise

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is not None:
            os.close(fd)  # closing the descriptor drops the flock

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # at interpreter shutdown
            self.release()
