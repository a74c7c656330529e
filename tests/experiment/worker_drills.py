"""Work for the fault drills' worker processes, importable by name in a spawned worker
(`LocalProcesses` takes it in place of `anwsim.experiment.tasks.execute`)."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pandas as pd

from anwsim.experiment.tasks import Task, TaskResult

LARGE = 64 * 2**20
"""Bytes of the result that its worker is killed while handing over."""


def _written() -> int:
    """Bytes this process has passed to write(2) so far, to files and pipes alike."""
    with open("/proc/self/io") as io:
        return next(int(line.split()[1]) for line in io if line.startswith("wchar:"))


def _in_pipe_write(thread: int) -> bool:
    """Whether ``thread`` waits inside a write to a pipe that is full."""
    with open(f"/proc/self/task/{thread}/wchan") as wchan:
        return "pipe_write" in wchan.read()


def _kill_when_handing_over(thread: int, start: int, amount: int) -> None:
    """SIGKILL this process once ``thread`` waits in the middle of a write to a pipe, or
    ``amount`` bytes were written since ``start``."""
    while not _in_pipe_write(thread) and _written() - start < amount:
        time.sleep(0.0002)
    os.kill(os.getpid(), signal.SIGKILL)


def killed_while_handing_over(task: Task) -> TaskResult:
    """A result of `LARGE` bytes for the task labelled ``"large"``, whose worker is
    killed (SIGKILL) in the middle of handing it over to the main process: once the
    thread that returns it waits inside a write to a full pipe, or has written half of
    it (to a file, say). Other tasks get a small result and live."""
    size = LARGE if task.label == "large" else 8 * 1024
    events = pd.DataFrame({"x": np.full(size // 8, float(task.replication))})
    if task.label == "large":
        watch = (threading.get_native_id(), _written(), LARGE // 2)
        threading.Thread(target=_kill_when_handing_over, args=watch, daemon=True).start()
    return TaskResult(task.label, task.replication, seed=1, events=events)
