"""DVC's object cache (`.dvc/cache/files/md5/<2>/<30>`): store, look up and check out outputs.

Objects are written under a temporary name and renamed into place, so a killed process never
leaves a partial object under its final name; they are made read-only, as DVC does. A folder is
stored as its files followed by its `.dir` listing, so a listing is never present without them.

Outputs reach the workspace with the repository's `cache.type` (see `links`): with `hardlink`
or `symlink` the workspace file is the read-only cache object, so data sits on disk once and a
checkout moves no bytes. Files of a folder are stored and checked out by a small thread pool.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from ..errors import RepositoryError
from .files import remove_path, temp_name_for, write_atomic
from .hashing import CHUNK_SIZE, PathHash, dir_listing_bytes
from .links import DEFAULT_LINK_TYPES, LINKED_TYPES, Linker, is_link_to, umask

_READ_ONLY = 0o444
_Item = TypeVar("_Item")

Fresh = Callable[[Path, str], bool]
"""fresh(path, md5) is True when the file at path is known, by its stat, to still have md5."""


def _each(func: Callable[[_Item], object], items: Iterable[_Item], workers: int) -> None:
    """Call func on every item, in a thread pool when workers > 1; the first error is raised."""
    items = list(items)
    if workers <= 1 or len(items) < 2:
        for item in items:
            func(item)
        return
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        for future in [pool.submit(func, item) for item in items]:
            future.result()


class ObjectCache:
    """The md5 object store of a DVC cache folder (by default `.dvc/cache`).

    link_types is the repository's `cache.type` list; file_mode the mode of writable workspace
    files (DVC's, from the umask or `cache.shared`); workers bounds the threads that copy files.
    """

    def __init__(
        self,
        cache_dir: Path,
        link_types: tuple[str, ...] = DEFAULT_LINK_TYPES,
        *,
        file_mode: int | None = None,
        workers: int = 1,
    ) -> None:
        self.cache_dir = cache_dir
        self.objects_dir = cache_dir / "files" / "md5"
        self._file_mode = 0o666 & ~umask() if file_mode is None else file_mode
        self.linker = Linker(link_types, self._file_mode)
        # DVC moves bytes into the cache by link only when hardlink comes first
        self._copy_in = Linker(("reflink", "copy"), _READ_ONLY)
        self._link_in = Linker(("reflink", "hardlink", "copy"), _READ_ONLY)
        self._hardlink_in = link_types[:1] == ("hardlink",)
        self.workers = max(1, workers)

    def object_path(self, md5: str) -> Path:
        """Where the object with this md5 (or `<md5>.dir`) lives."""
        return self.objects_dir / md5[:2] / md5[2:]

    def contains(self, md5: str) -> bool:
        """True when the object itself is present (for a folder: only its listing)."""
        return self.object_path(md5).is_file()

    def read_dir(self, md5: str) -> list[tuple[str, str]] | None:
        """The (relpath, md5) pairs of a stored folder, or None when its listing is absent."""
        try:
            listing = json.loads(self.object_path(md5).read_bytes())
        except (FileNotFoundError, ValueError):
            return None
        if not isinstance(listing, list):
            return None
        return [(item["relpath"], item["md5"]) for item in listing]

    def contains_all(self, md5: str) -> bool:
        """True when the object and, for a folder, every file in it are present."""
        if not md5.endswith(".dir"):
            return self.contains(md5)
        listing = self.read_dir(md5)
        return listing is not None and all(self.contains(m) for _, m in listing)

    def store(self, path: Path, hashed: PathHash, fresh: Fresh | None = None) -> None:
        """Save the file or folder at path (whose hash is hashed); present objects are skipped.

        A file that fresh vouches for is moved in by reflink, hardlink (when `cache.type`
        starts with hardlink) or a plain copy; any other is copied and hashed again on the way.
        Raises RepositoryError when a file changes while it is being saved, or when the cache
        folder cannot be written (read-only, another owner, a read-only file system).
        """
        try:
            self._store(path, hashed, fresh)
        except OSError as exc:
            if exc.errno not in (errno.EACCES, errno.EPERM, errno.EROFS) or not self._in_cache(exc):
                raise
            raise RepositoryError(
                f"cannot save '{path.name}' to the DVC cache: {self.cache_dir} is not writable "
                f"({(exc.strerror or 'permission denied').lower()}); make it writable with "
                f"`chmod -R u+w {self.cache_dir}`",
                hint="or point DVC at a cache you can write: `dvc cache dir <folder>`",
            ) from None

    def _in_cache(self, exc: OSError) -> bool:
        """True unless the error names a file outside the cache folder (an output, say)."""
        names = [n for n in (exc.filename, exc.filename2) if n is not None]
        cache = os.path.abspath(self.cache_dir)
        return not names or any(
            os.path.abspath(os.fsdecode(n)).startswith(cache + os.sep)
            or os.path.abspath(os.fsdecode(n)) == cache
            for n in names
        )

    def _store(self, path: Path, hashed: PathHash, fresh: Fresh | None) -> None:
        if not hashed.is_dir:
            self._store_file(path, hashed.md5, fresh)
            return
        _each(lambda e: self._store_file(path / e.relpath, e.md5, fresh), hashed.entries, self.workers)
        listing_path = self.object_path(hashed.md5)
        if not listing_path.is_file():
            write_atomic(listing_path, dir_listing_bytes(hashed.entries), mode=_READ_ONLY)

    def _store_file(self, source: Path, md5: str, fresh: Fresh | None) -> None:
        final = self.object_path(md5)
        if final.is_file():
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_name_for(final)
        try:
            mode = _READ_ONLY
            if fresh is not None and not os.path.islink(source) and fresh(source, md5):
                if self._transfer(source, tmp) == "hardlink":  # keep the workspace file's x bit
                    mode |= os.stat(source).st_mode & 0o111
            else:
                self._copy_verified(source, tmp, md5)
            os.chmod(tmp, mode)  # with a hardlink this protects the workspace file too
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _transfer(self, source: Path, tmp: Path) -> str:
        """Move source's bytes to tmp by reflink, hardlink or copy; returns the kind used."""
        before = os.lstat(source)
        # a file with other names (or a symlink) is copied: linking it in would make the
        # other names read-only cache objects too
        own = stat.S_ISREG(before.st_mode) and before.st_nlink == 1
        kind = (self._link_in if self._hardlink_in and own else self._copy_in).place(source, tmp)
        after = os.stat(source)
        if (before.st_mtime_ns, before.st_size) != (after.st_mtime_ns, after.st_size):
            raise _changed(source)
        return kind

    def _copy_verified(self, source: Path, tmp: Path, md5: str) -> None:
        hasher = hashlib.md5(usedforsecurity=False)
        with open(source, "rb") as src, open(tmp, "xb") as dst:
            while chunk := src.read(CHUNK_SIZE):
                hasher.update(chunk)
                dst.write(chunk)
        if hasher.hexdigest() != md5:
            raise _changed(source)

    def checkout(self, md5: str, dest: Path, *, isexec: bool = False) -> None:
        """Replace whatever is at dest with the object md5 (a file or a folder), by `cache.type`.

        A folder is assembled under a temporary name next to dest and renamed into place.
        Raises RepositoryError when an object is missing or no link type works.
        """
        dest.parent.mkdir(parents=True, exist_ok=True)
        if md5.endswith(".dir"):
            listing = self.read_dir(md5)
            if listing is None:
                raise self._missing(md5, dest)
            staging = temp_name_for(dest)
            try:
                staging.mkdir()
                for folder in sorted({(staging / rel).parent for rel, _ in listing}):
                    folder.mkdir(parents=True, exist_ok=True)
                _each(lambda item: self._place(item[1], staging / item[0], dest), listing, self.workers)
                remove_path(dest)
                os.replace(staging, dest)
            except BaseException:
                remove_path(staging)
                raise
            return
        tmp = temp_name_for(dest)
        try:
            kind = self._place(md5, tmp, dest)
            if isexec:
                self._set_exec(tmp, kind)
            remove_path(dest)
            os.replace(tmp, dest)
        except BaseException:
            if os.path.lexists(tmp):
                os.unlink(tmp)
            raise

    def relink(self, md5: str, dest: Path) -> list[str]:
        """After a store: make the files at dest links to their objects when `cache.type` says so.

        Only the files the hash lists are touched, each replaced atomically (a link made under a
        temporary name, then renamed); files already linked are left alone. Returns the relative
        paths ("" for a file) that were replaced.
        """
        if self.linker.workspace_kind() not in LINKED_TYPES:
            return []
        files = self.read_dir(md5) if md5.endswith(".dir") else [("", md5)]
        replaced: list[str] = []
        for relpath, file_md5 in files or ():
            target = dest / relpath if relpath else dest
            obj = self.object_path(file_md5)
            if is_link_to(target, obj):
                continue
            tmp = temp_name_for(target)
            kind = self._place(file_md5, tmp, dest)
            if kind not in LINKED_TYPES:  # linking is not possible here: keep the copies
                tmp.unlink()
                break
            if os.stat(target).st_mode & 0o111:
                self._set_exec(tmp, kind)
            os.replace(tmp, target)
            replaced.append(relpath)
        return replaced

    def _place(self, md5: str, target: Path, dest: Path) -> str:
        try:
            return self.linker.place(self.object_path(md5), target)
        except FileNotFoundError:
            raise self._missing(md5, dest) from None

    def _set_exec(self, path: Path, kind: str) -> None:
        if kind in LINKED_TYPES:  # the object itself gets the bit, as DVC's set_exec does
            mode = os.stat(path).st_mode & 0o777
            os.chmod(path, mode | (0o111 & ~umask()))
        else:
            os.chmod(path, self._file_mode | (0o111 & ~umask()))

    def _missing(self, md5: str, dest: Path) -> RepositoryError:
        return RepositoryError(
            f"the cache has no object {md5} for '{dest}'",
            hint="run the step again to rebuild it (or `dvc pull` if you use a remote)",
        )


def _changed(source: Path) -> RepositoryError:
    return RepositoryError(
        f"'{source}' changed while it was being saved to the cache",
        hint="make sure no other process writes it, then run the step again",
    )
