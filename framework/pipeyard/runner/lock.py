"""One run at a time per repository: an exclusive lock on `.pipeyard/run.lock`."""

from __future__ import annotations

import fcntl
import os
import time
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..errors import RepositoryError

if TYPE_CHECKING:
    from typing_extensions import Self

LOCK_FILE = Path(".pipeyard") / "run.lock"
_POLL_S = 0.1


class RunLock:
    """Hold the repository's run lock inside a `with` block.

    The lock is an flock on `.pipeyard/run.lock`, so the system frees it when the holder
    exits, even after SIGKILL; the file keeps the holder's pid and start time for the message
    a second run gets. wait says how long to wait for another run to finish: False or 0 not
    at all, True as long as it takes, a number that many seconds; busy_hint replaces the
    hint of the refusal (for a command without --wait).

    The holder's line is cleared on release, so finding it still there on acquire means the
    last holder was killed: `left_by_killed_run` is then True, and the new holder cleans up
    after it (temporary files, see `pipeyard.cache.files.remove_run_leftovers`).
    """

    def __init__(self, root: Path, wait: bool | float = False, busy_hint: str | None = None) -> None:
        self.path = Path(root) / LOCK_FILE
        self.wait_s = float("inf") if wait is True else float(wait)
        self.busy_hint = busy_hint
        self.left_by_killed_run = False
        self._handle: TextIO | None = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock, waiting as long as allowed, or raise RepositoryError naming the holder."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = read_holder(self.path)
                    handle.close()
                    raise self._busy_error(holder) from None
                time.sleep(_POLL_S)
        handle.seek(0)
        self.left_by_killed_run = bool(handle.read().strip())
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {time.time()}\n")
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Let the next run start."""
        if self._handle is None:
            return
        try:
            self._handle.truncate(0)
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        finally:
            self._handle.close()
            self._handle = None

    def _busy_error(self, holder: tuple[int, float | None] | None) -> RepositoryError:
        pid, started = holder if holder is not None else (None, None)
        if started is None:
            who, hint = (
                "another pipeyard run",
                "wait for it to finish, or pass --wait to queue behind it",
            )
        else:
            clock = datetime.fromtimestamp(started).strftime("%H:%M:%S")
            who = f"another pipeyard run (pid {pid}, started {clock})"
            hint = f"wait for it to finish (--wait queues behind it), or stop it with `kill {pid}`"
        return RepositoryError(f"{who} is running in this repository", hint=self.busy_hint or hint)


def read_holder(path: Path) -> tuple[int, float | None] | None:
    """(pid, start time) of the process a lock file names, None when it names none.

    The run lock's file holds "<pid> <start time>"; DVC's (zc.lockfile) " <pid>" alone, so
    the start time is None there.
    """
    try:
        words = path.read_text(encoding="utf-8").split()
        return int(words[0]), float(words[1]) if len(words) > 1 else None
    except (OSError, ValueError, IndexError):
        return None
