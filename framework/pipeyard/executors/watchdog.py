"""A watchdog per executor: when the coordinator dies, every process its steps started dies too.

    python watchdog.py TOKEN        reads lines on stdin:   + PID    a step (its own session) started
                                                             - PID    that step ended
                                                             p PID T  a process (started at T) to kill
                                                             exit     the coordinator is done

The coordinator starts one watchdog for a run, in the watchdog's own session, so that neither
SIGKILL of the coordinator nor of its whole process group reaches it; stdin is a pipe whose
only writer is the coordinator (the write end is close-on-exec, so no step inherits it). When
stdin ends, by `exit` or because the coordinator died, the watchdog SIGKILLs every step's
process group still recorded, then, in a few passes, every process that is in one of the
recorded sessions or carries TOKEN in its environment (`WATCH_VARIABLE`, which every step
inherits), so children that moved to another process group or session (`setsid`, a double
fork) go too, and so do the descendants of each such process, found before it is killed (a
process that rewrites its title, as Ray's agents do, no longer shows its environment). An
embedded Ray is watched this way too: its processes inherit the token (`RayExecutor`). Then
it exits. Per step the coordinator writes two short lines; the cost of a
Python start-up is paid once per run.

This file imports only the standard library at start, so it runs as a plain script without
importing pipeyard; psutil is imported only when there is something to kill.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

WATCH_VARIABLE = "PIPEYARD_WATCH"
_PASSES = 20  # scans after stdin ended; a pass that finds nothing ends them
_PASS_PAUSE_S = 0.02


class Watchdog:
    """The coordinator's side: start the watchdog process, then tell it of each step.

    Thread-safe. Writing never raises: a watchdog that is gone only means less protection.
    """

    def __init__(self, token: str) -> None:
        self.token = token
        self._lock = threading.Lock()
        self._process = subprocess.Popen(
            [sys.executable, str(Path(__file__).resolve()), token],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # out of reach of a kill of the coordinator's group
            close_fds=True,
        )

    @property
    def pid(self) -> int:
        """The watchdog process's id."""
        return self._process.pid

    def started(self, pid: int) -> None:
        """A step started as the leader of session pid."""
        self._send(f"+ {pid}\n")

    def ended(self, pid: int) -> None:
        """The step of session pid ended and its process group was killed."""
        self._send(f"- {pid}\n")

    def adopt(self, pid: int, started: float) -> None:
        """Kill process pid (and its descendants) at the end too, if it is still the one started at started."""
        self._send(f"p {pid} {started!r}\n")

    def close(self) -> None:
        """Say the coordinator is done: the watchdog kills what is left of the steps and exits."""
        self._send("exit\n")
        with self._lock:
            try:
                if self._process.stdin is not None:
                    self._process.stdin.close()
            except OSError:
                pass

    def _send(self, line: str) -> None:
        with self._lock:
            stdin = self._process.stdin
            if stdin is None or stdin.closed:
                return
            try:
                stdin.write(line.encode("ascii"))
                stdin.flush()
            except OSError:  # the watchdog is gone (killed by hand)
                pass


def kill_sessions(sessions: set[int], token: str | None, adopted: dict[int, float] | None = None) -> int:
    """SIGKILL each session's process group, then every process in those sessions or with token.

    adopted maps a pid to its start time: those processes (when still the same) go first, with
    their descendants. Returns how many processes were signalled (process groups not counted).
    """
    for sid in sessions:
        _killpg(sid)
    import psutil  # only now: a run whose steps all ended cleanly may never need it

    me = os.getpid()
    signalled = _kill_adopted(adopted or {})
    for _ in range(_PASSES):
        found = 0
        doomed: dict[int, psutil.Process] = {}
        for process in psutil.process_iter():  # all of them first: a kill orphans the children of one
            if process.pid != me and _belongs(process, sessions, token):
                doomed[process.pid] = process
                try:
                    doomed.update((child.pid, child) for child in process.children(recursive=True))
                except psutil.Error:
                    pass
        for process in doomed.values():
            try:
                process.kill()
                found += 1
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        signalled += found
        if not found:
            break
        time.sleep(_PASS_PAUSE_S)
    return signalled


def _kill_adopted(adopted: dict[int, float]) -> int:
    import psutil

    doomed = []
    for pid, started in adopted.items():
        try:
            process = psutil.Process(pid)
            if abs(process.create_time() - started) < 0.01:  # not a reused pid
                doomed += [process, *process.children(recursive=True)]
        except psutil.Error:
            continue
    killed = 0
    for process in doomed:
        try:
            process.kill()
            killed += 1
        except psutil.Error:
            pass
    return killed


def _belongs(process, sessions: set[int], token: str | None) -> bool:
    import psutil

    try:
        if sessions and os.getsid(process.pid) in sessions:
            return True
        if token is None:
            return False
        return process.environ().get(WATCH_VARIABLE) == token
    except (OSError, psutil.Error):
        return False


def _killpg(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def watch(lines, token: str) -> None:
    """Follow the coordinator's lines until they end, then kill what is left of the steps."""
    sessions: set[int] = set()
    adopted: dict[int, float] = {}
    for raw in lines:
        line = raw.decode("ascii", "replace").strip()
        if line == "exit":
            break
        sign, _, number = line.partition(" ")
        if sign == "p":
            pid, _, started = number.partition(" ")
            try:
                adopted[int(pid)] = float(started)
            except ValueError:
                pass
            continue
        if not number.isdigit():
            continue
        if sign == "+":
            sessions.add(int(number))
        elif sign == "-":
            sessions.discard(int(number))
    kill_sessions(sessions, token, adopted)


def _main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # only the end of stdin stops a watchdog
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    if len(sys.argv) != 2:
        return 2
    watch(sys.stdin.buffer, sys.argv[1])
    return 0


if __name__ == "__main__":
    sys.exit(_main())
