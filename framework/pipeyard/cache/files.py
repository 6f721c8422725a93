"""File operations the cache relies on: atomic writes, temporary names, removal of outputs."""

from __future__ import annotations

import os
import re
import shutil
import stat
import sys
import time
import uuid
from collections.abc import Iterable
from pathlib import Path

from .output_guard import check_removable

_TEMP_NAME = re.compile(r"\.[0-9a-f]{32}\.tmp$")  # what temp_name_for appends
CACHE_TEMP_MIN_AGE_S = 0.5  # a cache temp file untouched this long and open nowhere is abandoned


def temp_name_for(path: Path) -> Path:
    """A unique temporary name in the same folder as path (so os.replace is atomic).

    The form `<name>.<uuid>.tmp` is the one DVC uses, so `dvc gc` treats leftovers the same way.
    """
    return path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")


def write_atomic(path: Path, data: bytes | str, *, fsync: bool = True, mode: int | None = None) -> None:
    """Write data to path so that readers see the old or the new content, never a part.

    The one atomic writer of pipeyard. The data (str is written as UTF-8, newlines untouched)
    goes to a temporary file in the same folder, optionally fsynced, then replaces path. The
    new file has mode when given; otherwise the mode path already has, or, for a new file,
    0o666 less the umask, as `open()` would make it. A link is written through: its target is
    replaced and the link kept.
    """
    path = Path(path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            pass
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_name_for(path)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as fobj:
            fobj.write(data)
            if fsync:
                fobj.flush()
                os.fsync(fobj.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _make_writable_and_retry(func, path, _exc) -> None:
    os.chmod(path, stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
    func(path)


def remove_path(path: Path, *, root: Path | None = None) -> None:
    """Remove a file, a link or a whole folder at path; nothing happens when it is absent.

    With root (the project root), path must be an output's place strictly inside it (see
    output_guard.check_removable); UnsafePathError is raised and nothing deleted otherwise.
    """
    if root is not None:
        check_removable(path, root)
    try:
        if path.is_symlink() or not path.is_dir():
            path.unlink()
        else:
            if sys.version_info >= (3, 12):
                shutil.rmtree(path, onexc=_make_writable_and_retry)
            else:
                shutil.rmtree(path, onerror=_make_writable_and_retry)
    except FileNotFoundError:
        pass


def is_executable(mode: int) -> bool:
    """True when a file mode has an execute bit set (DVC's `isexec`)."""
    return bool(mode & (stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH))


def remove_run_leftovers(root: Path, out_paths: Iterable[str], cache_dir: Path | None = None) -> list[Path]:
    """Remove what a killed run left half-written; returns what was removed.

    Call it only while holding the run lock and DVC's lock, so no live writer owns these:
    temporary names (`temp_name_for`) in the repository root (dvc.lock, params.yaml, dvc.yaml),
    under .pipeyard/state/, next to each output (a folder being checked out) and, when it is
    given, in the cache; and the record files (`.record-*.tmp`) of .pipeyard/runs/. A cache
    may be shared (sweep worktrees, other repositories), so of its temporary files only those
    untouched for CACHE_TEMP_MIN_AGE_S and open in no process go.
    """
    root = Path(root)
    removed: list[Path] = []
    stems: dict[Path, set[str] | None] = {}
    for out in out_paths:
        stems.setdefault((root / out).parent, set()).add((root / out).name)  # type: ignore[union-attr]
    stems[root] = None  # every temporary name in the root
    for folder, names in stems.items():
        removed += _remove_temps(folder, names)
    for current, _dirs, _files in os.walk(root / ".pipeyard" / "state"):
        removed += _remove_temps(Path(current), None)
    if cache_dir is not None:
        removed += _remove_abandoned_cache_temps(cache_dir)
    for temp in (root / ".pipeyard" / "runs").glob("*/.record-*.tmp"):
        remove_path(temp)
        removed.append(temp)
    return removed


def _remove_temps(folder: Path, stems: set[str] | None) -> list[Path]:
    """Remove the temporary names in folder (only those of stems, when given)."""
    removed = []
    for path in _temps_in(folder, stems):
        remove_path(path)
        removed.append(path)
    return removed


def _temps_in(folder: Path, stems: set[str] | None = None) -> list[Path]:
    try:
        names = os.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return []
    found = []
    for name in names:
        match = _TEMP_NAME.search(name)
        if match is not None and (stems is None or name[: match.start()] in stems):
            found.append(folder / name)
    return found


def _remove_abandoned_cache_temps(cache_dir: Path) -> list[Path]:
    now = time.time()
    candidates = []
    for current, _dirs, _files in os.walk(cache_dir):
        for path in _temps_in(Path(current)):
            try:
                if now - path.lstat().st_mtime >= CACHE_TEMP_MIN_AGE_S:
                    candidates.append(path)
            except FileNotFoundError:
                continue
    if not candidates:
        return []
    busy = _open_anywhere()
    removed = []
    for path in candidates:
        if os.path.realpath(path) not in busy:
            remove_path(path)
            removed.append(path)
    return removed


def _open_anywhere() -> set[str]:
    """The real paths of the files some process on this machine has open (as far as visible)."""
    import psutil

    paths: set[str] = set()
    for process in psutil.process_iter():
        try:
            paths.update(os.path.realpath(f.path) for f in process.open_files())
        except (psutil.Error, OSError):
            continue
    return paths
