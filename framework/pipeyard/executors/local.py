"""Run steps as subprocesses on this machine, one thread waiting on each."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import Future

from ..model import Capacity
from .base import StepResult, StepTask, append_log
from .capacity import detect_capacity
from .watchdog import WATCH_VARIABLE, Watchdog

_PR_SET_PDEATHSIG = 1


@functools.lru_cache(maxsize=1)
def _prctl():
    """libc's prctl, loaded once (finding libc runs ldconfig), or None where there is none."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl
    except (OSError, AttributeError):
        return None


def parent_death_signal():
    """A preexec function that makes the child get SIGKILL when its parent dies (Linux only;
    None elsewhere). Make one for each child, in the process that starts it.

    prctl is resolved here, in the parent, so the child only calls an already resolved
    function between fork and exec. A parent that died before the call left the child
    orphaned already, so the child then exits instead of running its command.
    """
    prctl = _prctl()
    if prctl is None:
        return None
    parent = os.getpid()

    def set_death_signal() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(137)

    return set_death_signal


class LocalExecutor:
    """Runs each task as `/bin/sh -c command` in its own session on this machine.

    The scheduler keeps the number of tasks within `capacity`; this class only starts them.
    No process of a step outlives the step or the coordinator:

    - when a step's shell exits, whatever it left running in its process group is killed;
    - a watchdog process (watchdog.py, one per executor, started with the first task) learns
      each step's session; when the coordinator dies, by any signal, it kills those sessions
      and every process carrying this executor's token in its environment (`PIPEYARD_WATCH`),
      which catches children that left the step's session;
    - on Linux the shell also gets SIGKILL the moment its parent dies (PR_SET_PDEATHSIG).
    """

    name = "local"

    def __init__(self, capacity: Capacity | None = None, *, grace_s: float = 3.0) -> None:
        self.capacity = capacity if capacity is not None else detect_capacity()
        self.grace_s = grace_s
        self._running: dict[int, subprocess.Popen] = {}
        self._cancels = 0  # cancel_all calls so far; a task submitted before one is stopped
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._watchdog: Watchdog | None = None

    def submit(self, task: StepTask) -> Future[StepResult]:
        """Start the task's command now; the future resolves when it ends."""
        future: Future[StepResult] = Future()
        future.set_running_or_notify_cancel()
        with self._lock:
            thread = threading.Thread(
                target=self._run,
                args=(task, future, self._cancels),
                name=f"pipeyard-{task.name}",
                daemon=True,
            )
            self._threads.add(thread)
        thread.start()
        return future

    def cancel_all(self) -> None:
        """SIGTERM every submitted task's process group, then SIGKILL what is left after the grace.

        A task submitted before this call whose process is still starting is stopped as soon
        as it exists; tasks submitted afterwards run normally.
        """
        with self._lock:
            self._cancels += 1
            running = list(self._running.values())
        for process in running:
            _signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + self.grace_s
        for process in running:
            _kill_after(process, max(0.0, deadline - time.monotonic()))

    def shutdown(self) -> None:
        """Wait for every started task to end, then let the watchdog go."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join()
        with self._lock:
            watchdog, self._watchdog = self._watchdog, None
        if watchdog is not None:
            watchdog.close()

    def _watch(self) -> Watchdog:
        """The watchdog of this executor, started on first use."""
        with self._lock:
            if self._watchdog is None:
                self._watchdog = Watchdog(secrets.token_hex(8))
            return self._watchdog

    def _run(self, task: StepTask, future: Future[StepResult], generation: int) -> None:
        started_at, start = time.time(), time.monotonic()
        try:
            returncode, timed_out = self._run_process(task, generation)
        except OSError as error:  # e.g. cwd missing: report it as the step's failure
            append_log(task, f"pipeyard: could not start the step: {error}\n")
            returncode, timed_out = 127, False
        except BaseException as error:  # noqa: BLE001 - a future must always resolve
            future.set_exception(error)
            return
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())
        future.set_result(
            StepResult(
                name=task.name,
                returncode=returncode,
                duration_s=time.monotonic() - start,
                timed_out=timed_out,
                log_path=task.log_path,
                started_at=started_at,
            )
        )

    def _run_process(self, task: StepTask, generation: int) -> tuple[int, bool]:
        with self._lock:
            if generation != self._cancels:
                append_log(task, "pipeyard: cancelled before it started\n")
                return -signal.SIGTERM, False
        watchdog = self._watch()
        env = {
            **os.environ,
            **task.env,
            "CUDA_VISIBLE_DEVICES": ",".join(task.gpu_ids),
            WATCH_VARIABLE: watchdog.token,
        }
        task.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(task.log_path, "wb") as log:
            process = subprocess.Popen(
                ["/bin/sh", "-c", task.command],
                cwd=task.cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                # prctl is resolved before the fork, so the child calls no Python import
                # machinery or locks: the usual hazard of preexec_fn with threads is absent.
                preexec_fn=parent_death_signal(),  # noqa: PLW1509
            )
            watchdog.started(process.pid)
            with self._lock:
                self._running[process.pid] = process
                cancelled = generation != self._cancels  # cancel_all ran while it started
            try:
                if cancelled:
                    _signal_group(process, signal.SIGTERM)
                    _kill_after(process, self.grace_s)
                try:
                    return process.wait(timeout=task.timeout_s), False
                except subprocess.TimeoutExpired:
                    _signal_group(process, signal.SIGTERM)
                    _kill_after(process, self.grace_s)
                    return process.wait(), True
            finally:
                # what the step left running in its group ends with it; the group's id
                # cannot be reused while any member is alive, so this hits no stranger
                _signal_group(process, signal.SIGKILL)
                watchdog.ended(process.pid)
                with self._lock:
                    self._running.pop(process.pid, None)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    """Signal the task's whole process group; a group that is already gone is fine."""
    try:
        os.killpg(process.pid, signum)
    except (ProcessLookupError, PermissionError):
        pass


def _kill_after(process: subprocess.Popen, grace_s: float) -> None:
    """Wait up to grace_s for a signalled task to end, then SIGKILL whatever is left of its group."""
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        pass
    _signal_group(process, signal.SIGKILL)
