"""How cached objects reach the workspace: DVC's `cache.type` links, protection and unprotect.

DVC reads `cache.type` from `.dvc/config` (then `.dvc/config.local`) as a comma-separated list
of `reflink`, `hardlink`, `symlink` and `copy`, tried in that order for each file; a link type
the file system refuses (another device, no reflink support, too many links) falls through to
the next one. Without the setting DVC uses `reflink,copy`, which never shares bytes that a
program could change: a reflink is copy-on-write.

Cache objects are read-only (0o444), as DVC 3 keeps them. A hardlink shares the object's inode,
so the workspace file is read-only too; a symlink points at the read-only object. A program that
tries to write through either gets a permission error instead of corrupting the cache; before
pipeyard lets a step write a linked file it replaces the link by a private copy (`unprotect`).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import sys
from dataclasses import dataclass
from pathlib import Path

from ..errors import Location, RepositoryError
from ..vcs.dvc import config_value, read_config
from .files import temp_name_for

LINK_TYPES = ("reflink", "hardlink", "symlink", "copy")
DEFAULT_LINK_TYPES = ("reflink", "copy")
LINKED_TYPES = frozenset({"hardlink", "symlink"})  # the workspace file is the cache object
_FALLBACK_ERRNOS = frozenset(
    {
        errno.EPERM,
        errno.ENOTSUP,
        errno.EXDEV,
        errno.ENOTTY,
        errno.ENOSYS,
        errno.EINVAL,
        errno.EAGAIN,
        errno.EMLINK,
        errno.EOPNOTSUPP,
    }
)
_FICLONE = 0x40049409  # Linux ioctl: clone the source file's extents into the destination


def umask() -> int:
    """The process's file creation mask."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


@dataclass(frozen=True)
class CacheSettings:
    """The `[cache]` section of a DVC repository's config, as DVC resolves it.

    folder is the cache folder; link_types the `cache.type` list in order; shared is True for
    `cache.shared = group` (group-writable files and folders).
    """

    folder: Path
    link_types: tuple[str, ...] = DEFAULT_LINK_TYPES
    shared: bool = False

    @property
    def file_mode(self) -> int:
        """The mode of a writable file in the workspace (DVC's `_file_mode`)."""
        return 0o664 if self.shared else 0o666 & ~umask()


def parse_link_types(value: str | None, where: str = ".dvc/config") -> tuple[str, ...]:
    """The link types of a `cache.type` value (DEFAULT_LINK_TYPES when unset).

    Raises RepositoryError for a name DVC does not know, as DVC's config schema does.
    """
    if not value or not value.strip():
        return DEFAULT_LINK_TYPES
    types = tuple(t.strip() for t in value.split(",") if t.strip())
    unknown = [t for t in types if t not in LINK_TYPES]
    if unknown:
        raise RepositoryError(
            f"unsupported cache type(s) in {where}: {', '.join(unknown)}",
            location=Location(file=where),
            hint="use reflink, hardlink, symlink or copy, e.g. `dvc config cache.type reflink,copy`",
        )
    return types or DEFAULT_LINK_TYPES


def read_cache_settings(root: Path, *, strict: bool = True) -> CacheSettings:
    """The cache settings of the DVC repository at root (.dvc/config, then config.local).

    A relative `cache.dir` is relative to the .dvc folder, as DVC resolves it. A config file
    DVC could not read raises RepositoryError; so does an unknown `cache.type`, unless
    strict=False, which gives the default link types for it.
    """
    dvc_dir = Path(root) / ".dvc"
    config = read_config(root)
    configured = config_value(config, "cache", "dir")
    folder = (dvc_dir / os.path.expanduser(configured)).resolve() if configured else dvc_dir / "cache"
    try:
        types = parse_link_types(config_value(config, "cache", "type"))
    except RepositoryError:
        if strict:
            raise
        types = DEFAULT_LINK_TYPES
    shared = config_value(config, "cache", "shared").lower() == "group"
    return CacheSettings(folder, types, shared)


def reflink(source: Path | str, dest: Path | str) -> None:
    """Make dest a copy-on-write clone of source; OSError(ENOTSUP) where that is impossible."""
    if not sys.platform.startswith("linux"):
        raise OSError(errno.ENOTSUP, "reflink is only implemented on Linux")
    import fcntl  # POSIX only

    with open(source, "rb") as src, open(dest, "xb") as dst:
        try:
            fcntl.ioctl(dst.fileno(), _FICLONE, src.fileno())
        except OSError:
            dst.close()
            os.unlink(dest)
            raise


class Linker:
    """Places cache objects in the workspace with the first link type that works.

    A link type that fails with a "not possible here" error is not tried again by this Linker
    (DVC tests the link types once per checkout the same way). Safe to share between threads.
    """

    def __init__(
        self, link_types: tuple[str, ...] = DEFAULT_LINK_TYPES, file_mode: int | None = None
    ) -> None:
        self.link_types = tuple(link_types) or DEFAULT_LINK_TYPES
        self.file_mode = 0o666 & ~umask() if file_mode is None else file_mode
        self._unavailable: set[str] = set()

    def place(self, obj: Path, dest: Path) -> str:
        """Create dest (which must not exist) from the object file obj; returns the link type.

        A reflink or copy is writable (file_mode); a hardlink or symlink is the read-only
        object itself. Raises RepositoryError when no configured link type works.
        """
        error: OSError | None = None
        for kind in self.link_types:
            if kind in self._unavailable:
                continue
            try:
                self._make(kind, obj, dest)
                return kind
            except OSError as exc:
                if kind == "copy" or exc.errno not in _FALLBACK_ERRNOS:
                    raise  # a copy has no fallback: its error is the real one (disk full, ...)
                error = exc
                self._unavailable.add(kind)
        raise RepositoryError(
            f"no cache link type of {','.join(self.link_types)} works for '{dest}' "
            f"({((error.strerror or str(error)) if error else 'none left').lower()})",
            hint="add copy as the last resort: `dvc config cache.type "
            f"{','.join([*[t for t in self.link_types if t != 'copy'], 'copy'])}`",
        )

    def _make(self, kind: str, obj: Path, dest: Path) -> None:
        if kind == "hardlink":
            os.link(obj, dest)
        elif kind == "symlink":
            os.symlink(os.path.abspath(obj), dest)
        elif kind == "reflink":
            reflink(obj, dest)
            os.chmod(dest, self.file_mode)  # a clone may keep the object's read-only mode
        else:
            shutil.copyfile(obj, dest)
            os.chmod(dest, self.file_mode)

    def workspace_kind(self) -> str | None:
        """The link type files get in the workspace when known (the first not yet refused)."""
        for kind in self.link_types:
            if kind not in self._unavailable:
                return kind
        return None


def is_link_to(path: Path, obj: Path) -> bool:
    """True when path is a hardlink of obj or a symlink to it."""
    try:
        if os.path.islink(path):
            return os.path.realpath(path) == os.path.realpath(obj)
        here, there = os.stat(path), os.stat(obj)
    except FileNotFoundError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def is_link_into(path: Path, folder: Path) -> bool:
    """True when path itself is a symlink whose target lies inside folder (a cache link)."""
    if not os.path.islink(path):
        return False
    target = os.path.realpath(path)
    return target.startswith(os.path.realpath(folder) + os.sep)


def is_shared_file(path: Path | str) -> bool:
    """True when writing path would write another name's bytes: a symlink or a hardlink."""
    st = os.lstat(path)
    return stat.S_ISLNK(st.st_mode) or (stat.S_ISREG(st.st_mode) and st.st_nlink > 1)


def unprotect(path: Path, file_mode: int | None = None) -> int:
    """Replace every symlinked or hardlinked file at path (a file or folder) by a private copy.

    The copy is written under a temporary name and renamed over the link, so the cache object
    is never opened for writing; it gets file_mode (writable) and keeps an execute bit.
    Returns how many files were copied. Callers prove path is a declared output first.
    """
    mode = 0o666 & ~umask() if file_mode is None else file_mode
    if os.path.isdir(path) and not os.path.islink(path):
        files = [Path(top) / name for top, _dirs, names in os.walk(path) for name in names]
    else:
        files = [Path(path)] if os.path.lexists(path) else []
    copied = 0
    for file in files:
        if not is_shared_file(file) or not os.path.exists(file):
            continue
        executable = os.stat(file).st_mode & 0o111
        tmp = temp_name_for(file)
        try:
            shutil.copyfile(file, tmp)
            os.chmod(tmp, mode | (executable & ~umask()))
            os.replace(tmp, file)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        copied += 1
    return copied


def drop_links(path: Path) -> int:
    """Unlink every symlinked or hardlinked file at path (a file or a folder); returns how many.

    Only the names go: no mode is changed and nothing is written, so a cache object linked
    here stays as it was. Callers prove path is a declared output first.
    """
    if os.path.islink(path) or os.path.isfile(path):
        files = [Path(path)]
    elif os.path.isdir(path):
        files = [Path(top) / name for top, _dirs, names in os.walk(path) for name in names]
    else:
        return 0
    dropped = 0
    for file in files:
        if is_shared_file(file):
            os.unlink(file)
            dropped += 1
    return dropped
