"""File operations the cache relies on: atomic writes, temporary names, removal of outputs."""

from __future__ import annotations

import os
import shutil
import stat
import sys
import uuid
from pathlib import Path


def temp_name_for(path: Path) -> Path:
    """A unique temporary name in the same folder as path (so os.replace is atomic).

    The form `<name>.<uuid>.tmp` is the one DVC uses, so `dvc gc` treats leftovers the same way.
    """
    return path.with_name(f"{path.name}.{uuid.uuid4().hex}.tmp")


def write_atomic(path: Path, data: bytes, *, fsync: bool = True, mode: int | None = None) -> None:
    """Write data to path so that readers see the old or the new content, never a part.

    The data goes to a temporary file in the same folder, optionally fsynced, then replaces path.
    """
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


def remove_path(path: Path) -> None:
    """Remove a file, a link or a whole folder at path; nothing happens when it is absent."""
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
