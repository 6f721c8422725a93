"""DVC's own repository lock, taken while pipeyard writes what DVC writes.

DVC (3.x) locks a repository for `repro`, `checkout`, `commit`, `add`, `gc` and the like with
an flock on `.dvc/tmp/lock` (zc.lockfile: the file holds " <pid>\\n" of the last holder). While
`dvc repro` runs a stage's command it lets that lock go (dvc/stage/decorators.py,
`unlocked_repo`) and keeps the stage's paths in `.dvc/tmp/rwlock` instead: JSON naming the
pid and command that read the deps and write the outs, edited under the flock
`.dvc/tmp/rwlock.lock`; it takes the repository lock again before recording the stage.

pipeyard takes the repository lock for a whole run and for `pipeyard compile`, and counts
it as taken only when no live process has paths in the rwlock file: otherwise a DVC stage
is running, and pipeyard lets the lock go again at once so that DVC can finish. So `dvc
repro` and `pipeyard run` never write dvc.lock, the cache or outputs at the same time: the
second one waits, or stops with one line naming the other. Like DVC, a busy lock is retried
for a few seconds before giving up (commands such as `dvc status` hold it briefly); entries
of processes that no longer exist are ignored, as DVC ignores them.

DVC's `core.hardlink_lock` (flufl.lock, for file systems without flock) is not supported:
a repository that sets it is refused with a line that says so.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from ..errors import RepositoryError
from ..vcs.dvc import CONFIG_SCOPES, read_config
from .lock import read_holder

if TYPE_CHECKING:
    from typing_extensions import Self

DVC_LOCK_FILE = Path(".dvc") / "tmp" / "lock"
RWLOCK_FILE = Path(".dvc") / "tmp" / "rwlock"
RWLOCK_GUARD = Path(".dvc") / "tmp" / "rwlock.lock"
GRACE_S = 3.0  # DVC's own retry time (dvc.lock.DEFAULT_TIMEOUT)
_POLL_S = 0.1


class DvcLock:
    """Hold DVC's repository lock inside a `with` block (nothing to hold without `.dvc/`).

    wait: False waits GRACE_S at most, True as long as it takes, a number that many seconds;
    busy_hint replaces the hint of the refusal (for a command without --wait).
    """

    def __init__(self, root: Path, wait: bool | float = False, busy_hint: str | None = None) -> None:
        self.root = Path(root)
        self.busy_hint = busy_hint
        self.path = self.root / DVC_LOCK_FILE
        self.wait_s = float("inf") if wait is True else GRACE_S if wait is False else float(wait)
        self._handle: TextIO | None = None

    def __enter__(self) -> Self:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def acquire(self) -> None:
        """Take the lock, or raise RepositoryError naming the DVC process that holds it."""
        if not (self.root / ".dvc").is_dir():
            return
        if hardlink_lock_configured(self.root):
            raise RepositoryError(
                "this repository sets DVC's core.hardlink_lock, which pipeyard does not support",
                hint="pipeyard shares DVC's flock on .dvc/tmp/lock; unset it with "
                "`dvc config --unset core.hardlink_lock` where the file system supports flock",
            )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            handle = open(self.path, "r+", encoding="utf-8")  # noqa: SIM115 - held until release
        except FileNotFoundError:
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115
        deadline = time.monotonic() + self.wait_s
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = read_holder(self.path)
                busy = _busy_error(holder[0] if holder else None, self.busy_hint)
            else:
                stage = running_stage(self.root)
                if stage is None:
                    break
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)  # DVC needs it back to finish
                busy = _stage_error(*stage, self.busy_hint)
            if time.monotonic() >= deadline:
                handle.close()
                raise busy
            time.sleep(_POLL_S)
        handle.seek(0)
        handle.write(f" {os.getpid()}\n")  # what zc.lockfile writes
        handle.truncate()
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Let DVC (or the next pipeyard command) in."""
        if self._handle is None:
            return
        try:
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
        finally:
            self._handle.close()
            self._handle = None


def hardlink_lock_configured(root: Path) -> bool:
    """True when DVC's repository, local, user or system config turns core.hardlink_lock on."""
    try:
        return read_config(root, CONFIG_SCOPES).getboolean("core", "hardlink_lock", fallback=False)
    except ValueError:  # not a boolean: DVC's schema refuses it, and so does its next command
        return False


def running_stage(root: Path) -> tuple[int, str] | None:
    """(pid, command) of a live process other than this one with paths in DVC's rwlock file.

    The file is read under its guard, the flock DVC edits it under; a guard held for long
    (a DVC being killed mid-edit cannot hold it: flocks go with their holder) is waited on.
    """
    if not (Path(root) / RWLOCK_FILE).exists():
        return None  # no DVC stage has run here yet
    try:
        guard = open(Path(root) / RWLOCK_GUARD, "a", encoding="utf-8")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return None
    with guard:
        fcntl.flock(guard.fileno(), fcntl.LOCK_EX)
        try:
            document = json.loads((Path(root) / RWLOCK_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
    import psutil

    for mode in ("write", "read"):
        section = document.get(mode) if isinstance(document, dict) else None
        for infos in (section or {}).values():
            for info in infos if isinstance(infos, list) else [infos]:
                try:
                    pid = int(info["pid"])
                except (TypeError, KeyError, ValueError):
                    continue
                if pid != os.getpid() and psutil.pid_exists(pid):
                    return pid, str(info.get("cmd", ""))
    return None


def _busy_error(pid: int | None, hint: str | None) -> RepositoryError:
    who = f"a DVC command (pid {pid}{_command_of(pid)})" if pid else "a DVC command"
    return RepositoryError(
        f"{who} holds this repository's lock ({DVC_LOCK_FILE.as_posix()})",
        hint=hint or "wait for it to finish, or pass --wait to queue behind it",
    )


def _stage_error(pid: int, cmd: str, hint: str | None) -> RepositoryError:
    return RepositoryError(
        f"a DVC command (pid {pid}{_dvc_subcommand(cmd.split())}) is running a stage in this repository "
        f"({RWLOCK_FILE.as_posix()})",
        hint=hint or "wait for it to finish, or pass --wait to queue behind it",
    )


def _command_of(pid: int | None) -> str:
    """', `dvc repro`' for the holder's command line, or '' when it cannot be read."""
    import psutil

    try:
        return _dvc_subcommand(psutil.Process(pid).cmdline())
    except (psutil.Error, OSError, ValueError, TypeError):
        return ""


def _dvc_subcommand(words: list[str]) -> str:
    """', `dvc repro`' for a command line that runs dvc, else ''."""
    for index, word in enumerate(words):
        if Path(word).name == "dvc":
            return ", `" + " ".join(["dvc", *words[index + 1 : index + 2]]) + "`"
    return ""
