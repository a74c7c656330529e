"""Where replications run: in this process, in local worker processes, or on Dask.

Every backend takes tasks and yields their results as they complete, in any order; the
experiment sorts them by replication afterwards, so results never depend on the backend
or the number of workers (replication ``r`` always uses child ``r`` of the seed).

* ``workers=1``: in this process, one after another.
* ``workers=N``: a `concurrent.futures.ProcessPoolExecutor` with N spawned processes
  (each keeps freed memory for the next replication: `anwsim.memory`). Workers end
  when the main process dies, ignore Ctrl-C (the main process stops them), and do not
  re-run the caller's ``__main__`` (`WorkerContext`), so a plain script without an
  ``if __name__ == "__main__":`` guard works. A pool that loses a worker is replaced and
  the tasks it held run again (`LocalProcesses`). A worker hands its result over in a
  file and sends only the file's name (`_execute_into`), so a worker killed at any
  moment cannot leave half a message in the pool's result pipe.
* ``scheduler="tcp://host:port"``: an existing Dask cluster (`dask.distributed`);
  ``scheduler="local"``: a `LocalCluster` started for the run. Dask reschedules the
  tasks of a worker that dies.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import multiprocessing.context
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import Any, Protocol

from anwsim.experiment.tasks import Task, TaskResult, execute
from anwsim.memory import keep_freed_memory

_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
_BROKEN_GRACE = 10.0
"""Seconds a broken pool gets to fail the futures it still holds."""


class BackendError(RuntimeError):
    """The chosen backend cannot be used (Dask not installed, a scheduler that cannot be
    reached): one line, before any replication ran."""


class Backend(Protocol):
    name: str

    def run(self, tasks: Iterable[Task]) -> Iterator[TaskResult]: ...

    def close(self) -> None: ...


@contextmanager
def _interrupt_after_task() -> Iterator[Callable[[], bool]]:
    """While running tasks in this process, a first Ctrl-C only asks to stop (checked
    after the task: the compiled engine cannot be interrupted inside, and a
    KeyboardInterrupt raised as it returns would look like a failed replication); a
    second one interrupts at once. Yields ``asked()``. Outside the main thread, as is."""
    asked = False

    def handler(signum: int, frame: Any) -> None:
        nonlocal asked
        if asked:
            signal.default_int_handler(signum, frame)
        asked = True

    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield lambda: asked
    finally:
        signal.signal(signal.SIGINT, previous)


def guard_hint() -> str:
    """For a Dask LocalCluster that did not start: when the caller is a plain script
    (not the ``anwsim`` command), the likely reason, since Dask's workers import the
    script again and an unguarded one starts its experiment once more in each."""
    main = sys.modules.get("__main__")
    cli = sys.modules.get("anwsim.cli")
    command = cli is not None and getattr(main, "main", None) is getattr(cli, "main", None)
    if getattr(main, "__file__", None) is None or command:
        return ""
    return (
        " (Dask's workers import your script again: put its code under "
        '`if __name__ == "__main__":`)'
    )


@contextmanager
def children_ignore_interrupt() -> Iterator[None]:
    """Processes started inside this block ignore Ctrl-C (SIGINT): an ignored signal
    stays ignored across exec, and Python then installs no KeyboardInterrupt of its own.
    For a Dask LocalCluster, whose workers would otherwise each print a traceback; the
    main process stops them. (Main thread only; elsewhere as is.)"""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class InProcess:
    name = "in-process"

    def run(self, tasks: Iterable[Task]) -> Iterator[TaskResult]:
        with _interrupt_after_task() as asked:
            for task in tasks:
                result = execute(task)
                if asked():
                    if result.ok:
                        yield result  # finished before Ctrl-C took effect: keep it
                    raise KeyboardInterrupt
                yield result

    def close(self) -> None:
        pass


def _die_with_parent(parent: int) -> None:
    """End this worker when the process that started it dies (killed, crashed): on
    Linux the kernel sends SIGKILL (``PR_SET_PDEATHSIG``); everywhere a daemon thread
    checks once a second that the parent is still the same process."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no prctl: the thread does it
            pass
    if os.getppid() != parent:  # the parent died before the above took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="anwsim-parent-watch", daemon=True).start()


def _worker_setup(parent: int | None = None) -> None:
    """Start a local worker: die with the parent process, keep freed memory for the next
    replication, import what a replication needs and exempt those long-lived objects from
    garbage collection (a collection then visits only a replication's own objects)."""
    import gc

    if parent is not None:
        _die_with_parent(parent)
    # Ctrl-C reaches the whole process group: the main process stops the pool, so a
    # worker ignores it rather than print a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    import anwsim.engine.run  # noqa: F401

    keep_freed_memory()
    gc.freeze()


_LAUNCH = threading.Lock()


def _without_main(prepare: Any) -> Any:
    """``multiprocessing.spawn.get_preparation_data`` without the entries that make a
    spawned child run the parent's ``__main__`` again."""

    def data(name: str) -> dict[str, Any]:
        found: dict[str, Any] = prepare(name)
        found.pop("init_main_from_path", None)
        found.pop("init_main_from_name", None)
        return found

    return data


def _spawn_popen() -> Any:
    from multiprocessing import popen_spawn_posix, spawn

    class WorkerPopen(popen_spawn_posix.Popen):
        """Spawn's launcher, minus the re-run of ``__main__`` (`WorkerContext`)."""

        def _launch(self, process_obj: Any) -> None:
            with _LAUNCH:
                prepare = spawn.get_preparation_data
                spawn.get_preparation_data = _without_main(prepare)
                try:
                    super()._launch(process_obj)  # type: ignore[misc]
                finally:
                    spawn.get_preparation_data = prepare

    return WorkerPopen


class WorkerProcess(multiprocessing.context.SpawnProcess):
    """A spawned worker that does not re-run the caller's ``__main__`` (`WorkerContext`)."""

    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        return _spawn_popen()(process_obj)


class WorkerContext(multiprocessing.context.SpawnContext):
    """The spawn start method, except that a worker does not import the caller's main
    module again. Spawn re-runs a script as ``__mp_main__`` so that functions defined in
    it can be unpickled; a worker runs only anwsim's own `execute`, so it needs nothing
    from there, and a script without an ``if __name__ == "__main__":`` guard would start
    its experiment again in every worker (which then dies). What gets computed is the
    same: a worker imports only anwsim. (On Windows, plain spawn.)"""

    if sys.platform != "win32":
        Process = WorkerProcess


Work = Callable[[Task], TaskResult]
"""What a worker does with a task: `execute` (tests pass their own)."""


def _execute_into(work: Work, task: Task, folder: str) -> str:
    """Run ``work(task)`` in a worker and hand its result over in a file of ``folder``;
    returns the file's path.

    Why not return the result itself: `ProcessPoolExecutor` sends it through one pipe
    that its manager thread reads with a blocking ``recv``. A worker killed (OOM killer,
    ``kill -9``) while sending a large result leaves half a message there, and the
    manager thread then waits forever for the rest: the pool never learns that the
    worker died and the run hangs. A path is far below ``PIPE_BUF`` bytes, and such a
    write to a pipe is atomic: it arrives whole or not at all. A worker killed while
    writing the file leaves only a ``.part`` file, removed with the folder."""
    result = work(task)
    # not `store.atomic_write`: that re-creates a missing folder and applies the umask,
    # where a hand-over that cannot be made must fail (`_not_handed_over`) and stay private
    fd, part = tempfile.mkstemp(dir=folder, suffix=".part")
    with os.fdopen(fd, "wb") as file:
        pickle.dump(result, file, protocol=pickle.HIGHEST_PROTOCOL)
    path = part[: -len(".part")] + ".result"
    os.replace(part, path)
    return path


def _collect(path: str) -> TaskResult:
    """The result a worker left in ``path`` (`_execute_into`); the file is removed."""
    with open(path, "rb") as file:
        result: TaskResult = pickle.load(file)  # written by our own worker just now
    os.unlink(path)
    return result


def _not_handed_over(task: Task, exc: OSError) -> TaskResult:
    """A replication whose worker could not write its result file: failed, to be run
    again by a resumed run."""
    return TaskResult(
        task.label,
        task.replication,
        task.scenario.run.seed,
        error="the worker could not hand its result over in "
        f"{os.path.dirname(exc.filename or '') or tempfile.gettempdir()}: {exc.strerror or exc}",
    )


class LocalProcesses:
    """A pool of spawned worker processes (safe with threads and Numba).

    A worker that dies (killed, out of memory) breaks the whole pool: every task not yet
    returned fails with `BrokenProcessPool`. Then a new pool is started and the tasks
    that were in the pool run again, first one at a time (so that a task that kills its
    worker is told from the others); a task whose worker died `MAX_DEATHS` times is
    reported as failed. Results do not depend on any of this: replication ``r`` always
    uses child ``r`` of the seed. Results come back through files in a private
    temporary folder (`_execute_into`; ``TMPDIR`` says where), removed by `close`.
    """

    MAX_DEATHS = 3

    def __init__(self, workers: int, work: Work = execute) -> None:
        self.name = f"{workers} local processes"
        self.workers = workers
        self._work = work
        self._depth = workers + 1  # tasks in the pool: one waiting for each free worker
        self._folder = tempfile.mkdtemp(prefix="anwsim-results-")
        self._remove_folder = weakref.finalize(
            self, shutil.rmtree, self._folder, ignore_errors=True
        )
        self._pool = self._new_pool()
        self.restarts = 0

    def _new_pool(self) -> ProcessPoolExecutor:
        context = WorkerContext()
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=context,
            initializer=_worker_setup,
            initargs=(os.getpid(),),
        )

    def _restart(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._new_pool()
        self.restarts += 1

    def run(self, tasks: Iterable[Task]) -> Iterator[TaskResult]:
        todo = deque(tasks)
        suspects: deque[Task] = deque()  # were in the pool when it broke
        deaths: dict[tuple[str, int], int] = {}
        inflight: dict[Future[str], Task] = {}
        alone = False  # the task in the pool is a suspect, run by itself
        try:
            while todo or suspects or inflight:
                broken = False
                try:  # a pool can break at any moment, also before a submit
                    if not inflight and suspects:
                        inflight[self._submit(suspects[0])] = suspects[0]
                        suspects.popleft()
                        alone = True
                    elif not alone and not suspects:
                        while todo and len(inflight) < self._depth:
                            inflight[self._submit(todo[0])] = todo[0]
                            todo.popleft()
                except BrokenProcessPool:
                    broken = True
                if not broken:
                    finished, _ = wait(inflight, return_when=FIRST_COMPLETED)
                    for future in finished:
                        try:
                            path = future.result()
                        except BrokenProcessPool:
                            broken = True  # handled below with the others
                            continue
                        except OSError as exc:  # the result file (TMPDIR full?)
                            task = inflight.pop(future)
                            yield _not_handed_over(task, exc)
                            continue
                        del inflight[future]
                        yield _collect(path)
                if not broken:
                    if not inflight:
                        alone = False
                    continue
                # The pool is broken: every task still in it fails (or finished just
                # before). Which one's worker died cannot be told, so each is retried
                # by itself in a new pool.
                lost = []
                wait(inflight, timeout=_BROKEN_GRACE)
                for future, task in inflight.items():
                    if future.done() and not future.cancelled() and future.exception() is None:
                        yield _collect(future.result())
                    else:
                        future.cancel()
                        lost.append(task)
                inflight.clear()
                alone = False
                self._restart()
                for task in lost:
                    key = (task.label, task.replication)
                    deaths[key] = deaths.get(key, 0) + 1
                    if deaths[key] < self.MAX_DEATHS:
                        suspects.append(task)
                        continue
                    yield TaskResult(
                        task.label,
                        task.replication,
                        task.scenario.run.seed,
                        error=f"worker process died {deaths[key]} times running this "
                        "replication (killed, or out of memory?)",
                    )
        finally:
            for future in inflight:
                future.cancel()

    def _submit(self, task: Task) -> Future[str]:
        return self._pool.submit(_execute_into, self._work, task, self._folder)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._remove_folder()


def make_backend(
    workers: int | None = None, scheduler: str | None = None, *, dashboard: str | None = None
) -> Backend:
    """The backend for ``--workers`` / ``--scheduler`` (default: all cores locally);
    ``dashboard``: where the local Dask cluster serves its dashboard (default: nowhere)."""
    if scheduler:
        from anwsim.experiment.dask_backend import DaskCluster

        return DaskCluster(scheduler, workers, dashboard)
    n = workers or os.cpu_count() or 1
    if n < 1:
        raise ValueError("workers must be at least 1")
    return InProcess() if n == 1 else LocalProcesses(n)
