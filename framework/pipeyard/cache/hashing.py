"""Hashes of files and folders in DVC 3's format, remembered between runs.

A file hashes to the md5 of its bytes. A folder hashes to `<md5>.dir`, the md5 of the JSON list
of its files (`[{"md5": ..., "relpath": ...}]`, sorted by relpath, keys sorted) -- the same
bytes DVC stores as the `.dir` object in its cache. `.git`, `.hg` and `.dvc` folders inside are
skipped, as DVC's default ignore rules do, and so are sub-repos (folders holding a `.dvc`).
`.dvcignore` files are honoured as DVC honours them (see `ignore`); like DVC, hashing refuses
a folder that holds a `.dvcignore` it does not ignore.

`HashState` remembers md5s by path, mtime, size and inode under `.pipeyard/state/`, so an
unchanged file is never read twice (DVC's state database does the same). The files of a folder
that the state does not vouch for are read by up to `workers` threads at once.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..errors import Location, RepositoryError
from .files import is_executable, write_atomic
from .ignore import DEFAULT_RULES, DVCIGNORE, IgnoreRules, RepositoryIgnores

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


def md5_of_file(path: Path | str) -> str:
    """The md5 of a file's bytes, read in chunks."""
    hasher = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as fobj:
        while chunk := fobj.read(CHUNK_SIZE):
            hasher.update(chunk)
    return hasher.hexdigest()


def _md5_if_unchanged(path: Path | str, st: os.stat_result) -> tuple[str, bool]:
    """The md5 of path, and whether its mtime and size after reading are those of st."""
    md5 = md5_of_file(path)
    after = os.stat(path)
    return md5, (after.st_mtime_ns, after.st_size) == (st.st_mtime_ns, st.st_size)


def dir_listing_bytes(entries: tuple[DirEntry, ...] | list[DirEntry]) -> bytes:
    """The bytes of a folder's `.dir` object: its files sorted by relpath, as JSON."""
    listing = sorted(({"md5": e.md5, "relpath": e.relpath} for e in entries), key=lambda d: d["relpath"])
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
        if found and found[0] == st.st_mtime_ns and found[1] == st.st_size and found[2] == (st.st_ino):
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
    """Hashes paths under a project root, remembering file md5s in a HashState.

    Folders are listed as DVC lists them, without what `.dvcignore` files exclude; those are
    read once per Hasher, so make a new one to see edits.
    """

    def __init__(self, root: Path, state: HashState, workers: int = 1) -> None:
        self.root = root
        self.state = state
        self.ignores = RepositoryIgnores(root)
        self.workers = max(1, workers)

    def file_md5(self, path: Path, key: str, st: os.stat_result) -> str:
        """The md5 of the file at path (key: its root-relative name), from the state if fresh."""
        md5 = self.state.lookup(key, st)
        if md5 is None:
            md5, unchanged = _md5_if_unchanged(path, st)
            if unchanged:
                self.state.remember(key, st, md5)
        return md5

    def files_md5(self, files: list[tuple[Path | str, str, os.stat_result]]) -> list[str]:
        """The md5s of many (path, key, stat) files: from the state, the rest read in parallel.

        Up to `workers` files are read at once (hashlib releases the GIL on large buffers);
        the state is only touched from the calling thread.
        """
        found = [self.state.lookup(key, st) for _path, key, st in files]
        missing = [i for i, md5 in enumerate(found) if md5 is None]
        if self.workers > 1 and len(missing) > 1:
            with ThreadPoolExecutor(max_workers=min(self.workers, len(missing))) as pool:
                computed = list(pool.map(lambda i: _md5_if_unchanged(files[i][0], files[i][2]), missing))
        else:
            computed = [_md5_if_unchanged(files[i][0], files[i][2]) for i in missing]
        for i, (md5, unchanged) in zip(missing, computed, strict=True):
            found[i] = md5
            if unchanged:
                self.state.remember(files[i][1], files[i][2], md5)
        return found  # type: ignore[return-value]

    def is_fresh(self, path: Path, md5: str) -> bool:
        """True when the state vouches, by the file's current stat, that path has md5."""
        try:
            key = Path(os.path.relpath(path, self.root)).as_posix()
            return self.state.lookup(key, os.stat(path)) == md5
        except (OSError, ValueError):
            return False

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
        base = _inside_root(top_key, self.root)
        files: list[tuple[Path | str, str, os.stat_result]] = []
        pending = [("", top)]
        while pending:
            prefix, folder = pending.pop()
            with os.scandir(folder) as listing:
                items = list(listing)
            has_ignore_file = any(i.name == DVCIGNORE and i.is_file() for i in items)
            rules = DEFAULT_RULES
            if base is not None:  # DVC applies no .dvcignore outside its repository
                folder_key = posixpath.join(base, prefix[:-1]) if prefix else base
                rules = self.ignores.rules_for(folder_key, has_file=has_ignore_file)
            if rules is DEFAULT_RULES:  # the common case: DVC's defaults, checked by name
                items = [i for i in items if not _skipped_by_default(i)]
            else:
                items = _kept(items, rules, folder_key)
                has_ignore_file = any(i.name == DVCIGNORE and i.is_file() for i in items)
            if has_ignore_file:
                raise _ignore_file_inside(top_key, posixpath.join(top_key, prefix, DVCIGNORE))
            for item in items:
                rel = prefix + item.name
                if item.is_dir():
                    # DVC's walk does not descend into linked folders nor DVC sub-repos
                    sub = Path(item.path)
                    if not (item.is_symlink() or os.path.lexists(sub / ".dvc")):
                        pending.append((rel + "/", sub))
                    continue
                files.append((item.path, f"{top_key}/{rel}", item.stat()))  # a str: no Path per file
        md5s = self.files_md5(files)
        prefix_len = len(top_key) + 1
        return [
            DirEntry(key[prefix_len:], md5, st.st_size, is_executable(st.st_mode))
            for (_path, key, st), md5 in zip(files, md5s, strict=True)
        ]


def _inside_root(relpath: str, root: Path) -> str | None:
    """relpath as a normal POSIX path ("" for the root), or None when it is outside root."""
    if os.path.isabs(relpath):
        relpath = os.path.relpath(relpath, root)
    normal = posixpath.normpath(relpath.replace(os.sep, "/"))
    if normal == ".." or normal.startswith("../"):
        return None
    return "" if normal == "." else normal


def _skipped_by_default(item: os.DirEntry) -> bool:
    """True for what DVC's default rules (`.hg/`, `.git/`, `.git`, `.dvc/`) leave out."""
    return item.name == ".git" or (item.name in _SKIPPED_DIRS and item.is_dir())


def _kept(items: list[os.DirEntry], rules: IgnoreRules, folder_key: str) -> list[os.DirEntry]:
    """The entries of a folder that rules do not ignore."""
    base = f"{folder_key}/" if folder_key else ""
    return [i for i in items if not rules.is_ignored(base + i.name, is_dir=i.is_dir())]


def _ignore_file_inside(top_key: str, found: str) -> RepositoryError:
    return RepositoryError(
        f"'{found}' is inside '{top_key}', a folder DVC tracks; DVC refuses to hash such a folder",
        location=Location(file=found),
        hint=f"move its patterns to a .dvcignore above '{top_key}' (patterns may name "
        "sub-folders, e.g. 'data/scratch/')",
    )
