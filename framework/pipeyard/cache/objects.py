"""DVC's object cache (`.dvc/cache/files/md5/<2>/<30>`): store, look up and check out outputs.

Objects are written under a temporary name and renamed into place, so a killed process never
leaves a partial object under its final name; they are made read-only, as DVC does. A folder is
stored as its files followed by its `.dir` listing, so a listing is never present without them.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

from ..errors import RepositoryError
from .files import remove_path, temp_name_for, write_atomic
from .hashing import CHUNK_SIZE, PathHash, dir_listing_bytes

_READ_ONLY = 0o444


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class ObjectCache:
    """The md5 object store of a DVC cache folder (by default `.dvc/cache`)."""

    def __init__(self, cache_dir: Path) -> None:
        self.cache_dir = cache_dir
        self.objects_dir = cache_dir / "files" / "md5"
        self._file_mode = 0o666 & ~_umask()

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

    def store(self, path: Path, hashed: PathHash) -> None:
        """Save the file or folder at path (whose hash is hashed); present objects are skipped.

        Raises RepositoryError when a file changes while it is being copied.
        """
        if not hashed.is_dir:
            self._store_file(path, hashed.md5)
            return
        for entry in hashed.entries:
            self._store_file(path / entry.relpath, entry.md5)
        listing_path = self.object_path(hashed.md5)
        if not listing_path.is_file():
            write_atomic(listing_path, dir_listing_bytes(hashed.entries), mode=_READ_ONLY)

    def _store_file(self, source: Path, md5: str) -> None:
        final = self.object_path(md5)
        if final.is_file():
            return
        final.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_name_for(final)
        hasher = hashlib.md5(usedforsecurity=False)
        try:
            with open(source, "rb") as src, open(tmp, "xb") as dst:
                while chunk := src.read(CHUNK_SIZE):
                    hasher.update(chunk)
                    dst.write(chunk)
            if hasher.hexdigest() != md5:
                raise RepositoryError(
                    f"'{source}' changed while it was being saved to the cache",
                    hint="make sure no other process writes it, then run the step again",
                )
            os.chmod(tmp, _READ_ONLY)
            os.replace(tmp, final)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def checkout(self, md5: str, dest: Path, *, isexec: bool = False) -> None:
        """Replace whatever is at dest with a copy of the object md5 (a file or a folder).

        A folder is assembled under a temporary name next to dest and renamed into place.
        Raises RepositoryError when an object is missing.
        """
        dest.parent.mkdir(parents=True, exist_ok=True)
        if md5.endswith(".dir"):
            listing = self.read_dir(md5)
            if listing is None:
                raise self._missing(md5, dest)
            staging = temp_name_for(dest)
            try:
                staging.mkdir()
                for relpath, file_md5 in listing:
                    target = staging / relpath
                    target.parent.mkdir(parents=True, exist_ok=True)
                    self._copy_object(file_md5, target, dest)
                remove_path(dest)
                os.replace(staging, dest)
            except BaseException:
                remove_path(staging)
                raise
            return
        tmp = temp_name_for(dest)
        try:
            self._copy_object(md5, tmp, dest)
            if isexec:
                os.chmod(tmp, self._file_mode | (0o111 & ~_umask()))
            remove_path(dest)
            os.replace(tmp, dest)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def _copy_object(self, md5: str, target: Path, dest: Path) -> None:
        try:
            with open(self.object_path(md5), "rb") as src, open(target, "xb") as dst:
                shutil.copyfileobj(src, dst, CHUNK_SIZE)
        except FileNotFoundError:
            raise self._missing(md5, dest) from None

    def _missing(self, md5: str, dest: Path) -> RepositoryError:
        return RepositoryError(
            f"the cache has no object {md5} for '{dest}'",
            hint="run the step again to rebuild it (or `dvc pull` if you use a remote)",
        )
