"""A guard per Ray worker process: the steps it ran die with the worker or with the coordinator.

    python node_guard.py TOKEN COORDINATOR_PID COORDINATOR_START      stdin: a pipe from the worker

Ray kills a worker's direct children when the worker exits, but not their descendants, and a
worker outlives a killed driver by seconds. So every step a worker runs carries TOKEN in its
environment (`GUARD_VARIABLE`, inherited by whatever the step starts, in any session), and this
guard, started detached from the worker (not its child, so Ray's clean-up spares it), SIGKILLs
every process of this user carrying TOKEN as soon as either

- its stdin ends: the worker died (its write end closes with it), or
- the coordinator, when it runs on this same machine (COORDINATOR_PID > 0), is gone: its
  pid no longer runs the process that started at COORDINATOR_START (clock ticks since boot).

It imports only the standard library, so it starts as a plain script.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

GUARD_VARIABLE = "PIPEYARD_NODE_GUARD"
_POLL_S = 0.05
_PASSES = 20
_PASS_PAUSE_S = 0.02


def process_start(pid: int) -> int | None:
    """The start time of pid in clock ticks since boot, or None when it does not run."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    if fields[0] == "Z":
        return None
    return int(fields[19])


def kill_marked(token: str) -> int:
    """SIGKILL every process of this user whose environment carries token; how many were hit."""
    marker = b"\0" + f"{GUARD_VARIABLE}={token}".encode() + b"\0"
    me, hit = os.getpid(), 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == me:
            continue
        try:
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker in b"\0" + environ:
            try:
                os.kill(int(entry.name), signal.SIGKILL)
                hit += 1
            except OSError:
                pass
    return hit


def main(argv: list[str]) -> int:
    """Wait for the worker or the coordinator to go, then kill what the steps left."""
    token, coordinator, started = argv[1], int(argv[2]), int(argv[3])
    worker_gone = threading.Event()

    def read_stdin() -> None:
        while sys.stdin.buffer.read(4096):
            pass
        worker_gone.set()

    threading.Thread(target=read_stdin, daemon=True).start()
    while not worker_gone.wait(_POLL_S):
        if coordinator > 0 and process_start(coordinator) != started:
            break
    for _ in range(_PASSES):
        if kill_marked(token) == 0:
            break
        time.sleep(_PASS_PAUSE_S)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
