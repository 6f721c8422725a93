"""Hashes of files and folders in DVC 3's format, remembered between runs.

A file hashes to the md5 of its bytes. A folder hashes to `<md5>.dir`, the md5 of the JSON list
of its files (`[{"md5": ..., "relpath": ...}]`, sorted by relpath, keys sorted) -- the same
bytes DVC stores as the `.dir` object in its cache. `.git`, `.hg` and `.dvc` folders inside are
skipped, as DVC's default ignore rules do, and so are sub-repos (folders holding a `.dvc`).
`.dvcignore` files are not read.

`HashState` remembers md5s by path, mtime, size and inode under `.pipeyard/state/`, so an
unchanged file is never read twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from .files import is_executable, write_atomic

CHUNK_SIZE = 1 << 20
DIR_SUFFIX = ".dir"
_SKIPPED_DIRS = frozenset({".git", ".hg", ".dvc"})
_STATE_VERSION = 1


@dataclass(frozen=True)
class DirEntry:
    """One file inside a hashed folder: its path relative to the folder and its md5."""

    relpath: str
    md5: str
    size: int
    isexec: bool = False


@dataclass(frozen=True)
class PathHash:
    """The hash of a file or folder as dvc.lock records it.

    For a folder, md5 ends in `.dir`, nfiles counts its files and entries lists them.
    """

    md5: str
    size: int
    nfiles: int | None = None
    isexec: bool = False
    entries: tuple[DirEntry, ...] = ()

    @property
    def is_dir(self) -> bool:
        """True for a folder's hash."""
        return self.md5.endswith(DIR_SUFFIX)

    def lock_fields(self) -> dict:
        """The fields DVC writes after `path` in a deps/outs entry, in DVC's order."""
        fields: dict = {"hash": "md5", "md5": self.md5, "size": self.size}
        if self.nfiles is not None:
            fields["nfiles"] = self.nfiles
        if self.isexec:
            fields["isexec"] = True
        return fields


def md5_of_file(path: Path) -> str:
    """The md5 of a file's bytes, read in chunks."""
    hasher = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fobj:
        while chunk := fobj.read(CHUNK_SIZE):
            hasher.update(chunk)
    return hasher.hexdigest()


def dir_listing_bytes(entries: tuple[DirEntry, ...] | list[DirEntry]) -> bytes:
    """The bytes of a folder's `.dir` object: its files sorted by relpath, as JSON."""
    listing = sorted(
        ({"md5": e.md5, "relpath": e.relpath} for e in entries), key=lambda d: d["relpath"]
    )
    return json.dumps(listing, sort_keys=True).encode("utf-8")


def dir_hash(entries: tuple[DirEntry, ...] | list[DirEntry]) -> PathHash:
    """The PathHash of a folder made of entries."""
    ordered = tuple(sorted(entries, key=lambda e: e.relpath))
    md5 = hashlib.md5(dir_listing_bytes(ordered), usedforsecurity=False).hexdigest()
    return PathHash(
        md5=md5 + DIR_SUFFIX,
        size=sum(e.size for e in ordered),
        nfiles=len(ordered),
        entries=ordered,
    )


class HashState:
    """md5s of files keyed by (mtime_ns, size, inode), persisted in a JSON file.

    Loaded on first use and saved by `save()`; the file is replaced atomically and merged with
    what other processes saved meanwhile, so concurrent runs and crashes only cost re-hashing.
    """

    def __init__(self, file: Path) -> None:
        self.file = file
        self._entries: dict[str, list] | None = None
        self._changed: dict[str, list] = {}

    def _read_file(self) -> dict[str, list]:
        try:
            data = json.loads(self.file.read_bytes())
        except (FileNotFoundError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("version") != _STATE_VERSION:
            return {}
        entries = data.get("files")
        return entries if isinstance(entries, dict) else {}

    def _loaded(self) -> dict[str, list]:
        if self._entries is None:
            self._entries = self._read_file()
        return self._entries

    def lookup(self, key: str, st: os.stat_result) -> str | None:
        """The md5 remembered for key when the file still has the stat it had, else None."""
        found = self._loaded().get(key)
        if (
            found
            and found[0] == st.st_mtime_ns
            and found[1] == st.st_size
            and found[2] == (st.st_ino)
        ):
            return found[3]
        return None

    def remember(self, key: str, st: os.stat_result, md5: str) -> None:
        """Record the md5 of the file at key with its current stat."""
        record = [st.st_mtime_ns, st.st_size, st.st_ino, md5]
        entries = self._loaded()
        if entries.get(key) != record:
            entries[key] = record
            self._changed[key] = record

    def save(self) -> None:
        """Persist new records (merged with the file on disk); a no-op when nothing changed."""
        if not self._changed:
            return
        merged = self._read_file()
        merged.update(self._changed)
        payload = json.dumps({"version": _STATE_VERSION, "files": merged}, separators=(",", ":"))
        write_atomic(self.file, payload.encode("utf-8"), fsync=False)
        self._entries = merged
        self._changed = {}


class Hasher:
    """Hashes paths under a project root, remembering file md5s in a HashState."""

    def __init__(self, root: Path, state: HashState) -> None:
        self.root = root
        self.state = state

    def file_md5(self, path: Path, key: str, st: os.stat_result) -> str:
        """The md5 of the file at path (key: its root-relative name), from the state if fresh."""
        md5 = self.state.lookup(key, st)
        if md5 is None:
            md5 = md5_of_file(path)
            after = os.stat(path)
            if (after.st_mtime_ns, after.st_size) == (st.st_mtime_ns, st.st_size):
                self.state.remember(key, st, md5)
        return md5

    def hash_path(self, relpath: str) -> PathHash | None:
        """The hash of the file or folder at root/relpath, or None when nothing is there."""
        path = self.root / relpath
        try:
            st = os.stat(path)
        except (FileNotFoundError, NotADirectoryError):
            return None
        if os.path.isdir(path):
            return dir_hash(self._dir_entries(path, relpath))
        return PathHash(
            md5=self.file_md5(path, relpath, st),
            size=st.st_size,
            isexec=is_executable(st.st_mode),
        )

    def _dir_entries(self, top: Path, top_key: str) -> list[DirEntry]:
        entries: list[DirEntry] = []
        pending = [("", top)]
        while pending:
            prefix, folder = pending.pop()
            with os.scandir(folder) as listing:
                for item in listing:
                    rel = prefix + item.name
                    if item.is_dir():
                        # DVC's walk does not descend into linked folders nor DVC sub-repos
                        sub = Path(item.path)
                        if not (
                            item.name in _SKIPPED_DIRS
                            or item.is_symlink()
                            or os.path.lexists(sub / ".dvc")
                        ):
                            pending.append((rel + "/", sub))
                        continue
                    if item.name == ".git":
                        continue
                    st = item.stat()
                    md5 = self.file_md5(Path(item.path), f"{top_key}/{rel}", st)
                    entries.append(DirEntry(rel, md5, st.st_size, is_executable(st.st_mode)))
        return entries
