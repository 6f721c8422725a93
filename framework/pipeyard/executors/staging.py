"""Move a step's inputs to a node that cannot see the project, and its outputs back, by content hash.

The coordinator lists the files a step reads (`StepTask.inputs`: its data, code and parameter
files) as (path, md5) pairs, hashed as DVC hashes them, and offers each object once per run
through a store (`put`: Ray's object store); nothing moves yet. The node keeps its own
content-addressed cache (`node_cache_dir()`, laid out like DVC's), fetches (`get`) only the
objects that cache lacks, lays the files out in a fresh folder shaped like the project, runs the
command there, hashes its outputs, keeps their objects in its cache and offers them back. The
coordinator fetches only the objects its own DVC cache lacks, checks each one's md5, stores it,
and checks the outputs out into the project; the run then records them as for any step (the
coordinator alone writes the cache and dvc.lock), so dvc.lock is the same wherever a step ran.

Whether a node sees the project is asked, not assumed: the coordinator writes a marker file in
the project (`ProjectMarker`) and a node that cannot read it back is staged. A node may be told
to treat some folders as not shared (`PIPEYARD_NODE_UNSEEN`, path prefixes separated by `:`),
which is how tests make one node of a one-machine cluster a node without the project.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cache import Hasher, HashState, ObjectCache, cache_dir_of
from ..cache.files import write_atomic
from ..errors import RepositoryError, UnsafePathError

UNSEEN_VARIABLE = "PIPEYARD_NODE_UNSEEN"
NODE_CACHE_VARIABLE = "PIPEYARD_NODE_CACHE"
_READ_ONLY = 0o444


@dataclass(frozen=True)
class StagedFile:
    """One file a step reads or writes: its path relative to the project root, md5, x bit."""

    relpath: str
    md5: str
    isexec: bool = False


@dataclass(frozen=True)
class StagedPaths:
    """Files by content: the files, and a handle (an ObjectRef) per md5 to fetch the bytes."""

    files: tuple[StagedFile, ...]
    objects: Mapping[str, Any]


@dataclass(frozen=True)
class Transfer:
    """What one staging moved: objects listed, fetched (not in the receiving cache) and bytes."""

    listed: int = 0
    fetched: int = 0
    size: int = 0

    def describe(self, what: str) -> str:
        """One line for the step's log."""
        return f"{what}: {self.listed} objects, {self.fetched} sent ({self.size} bytes)"


# -- seeing the project ---------------------------------------------------------------------


class ProjectMarker:
    """A file only this run writes in the project: a node that reads it back sees the project."""

    def __init__(self, root: Path) -> None:
        self.token = secrets.token_hex(8)
        self.path = root / ".pipeyard" / f"node-probe-{self.token}"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(self.token)

    def remove(self) -> None:
        """Delete the marker, and its folder when nothing else is in it (the run is over)."""
        self.path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.path.parent.rmdir()


def sees(path: str, token: str) -> bool:
    """On a node: True when path is readable here, holds token and is not under an unseen prefix."""
    unseen = [p for p in os.environ.get(UNSEEN_VARIABLE, "").split(os.pathsep) if p]
    if any(path == p or path.startswith(p.rstrip("/") + "/") for p in unseen):
        return False
    try:
        return Path(path).read_text() == token
    except OSError:
        return False


# -- the coordinator's side ---------------------------------------------------------------


class InputOffer:
    """The coordinator's inputs by content: each object offered once per run through put."""

    def __init__(self, root: Path, put: Callable[[bytes], Any]) -> None:
        self.root = root
        self._put = put
        self._hasher = Hasher(root, HashState(root / ".pipeyard" / "state" / "hashes.json"))
        self._cache = ObjectCache(cache_dir_of(root))
        self._offered: dict[str, Any] = {}
        self._lock = threading.Lock()

    def offer(self, paths: Iterable[str]) -> StagedPaths:
        """The files under paths (files or folders relative to root) that exist, by md5."""
        files: list[StagedFile] = []
        with self._lock:
            for relpath in sorted(set(paths)):
                hashed = self._hasher.hash_path(relpath)
                if hashed is None:
                    continue
                if hashed.is_dir:
                    files += [StagedFile(f"{relpath}/{e.relpath}", e.md5, e.isexec) for e in hashed.entries]
                else:
                    files.append(StagedFile(relpath, hashed.md5, hashed.isexec))
            for file in files:
                if file.md5 not in self._offered:
                    self._offered[file.md5] = self._put(self._bytes_of(file))
            return StagedPaths(tuple(files), {f.md5: self._offered[f.md5] for f in files})

    def _bytes_of(self, file: StagedFile) -> bytes:
        stored = self._cache.object_path(file.md5)
        data = stored.read_bytes() if stored.is_file() else (self.root / file.relpath).read_bytes()
        if _md5(data) != file.md5:
            raise RepositoryError(f"'{file.relpath}' changed while the step's inputs were being sent")
        return data


def receive_outputs(root: Path, outputs: StagedPaths, get: Callable[[Any], bytes]) -> Transfer:
    """Store the objects of a staged step's outputs the coordinator lacks, then check them out.

    Each fetched object's md5 is checked before it is stored. The output paths were emptied
    before the step ran; their files are placed from the cache by its `cache.type`.
    """
    cache = ObjectCache(cache_dir_of(root))
    fetched = size = 0
    for md5 in sorted({f.md5 for f in outputs.files}):
        if cache.contains(md5):
            continue
        data = get(outputs.objects[md5])
        _store_bytes(cache, md5, data)
        fetched, size = fetched + 1, size + len(data)
    for file in outputs.files:
        cache.checkout(file.md5, _inside(root, file.relpath), isexec=file.isexec)
    return Transfer(len({f.md5 for f in outputs.files}), fetched, size)


# -- the node's side ------------------------------------------------------------------------


def node_cache_dir() -> Path:
    """This node's own content-addressed cache: $PIPEYARD_NODE_CACHE, else the user's cache folder."""
    if folder := os.environ.get(NODE_CACHE_VARIABLE):
        return Path(folder)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "pipeyard" / "node-cache"


def lay_out_inputs(inputs: StagedPaths, folder: Path, get: Callable[[Any], bytes]) -> Transfer:
    """Fill folder with the inputs, fetching into the node cache only the objects it lacks."""
    cache = ObjectCache(node_cache_dir())
    fetched = size = 0
    for md5 in sorted({f.md5 for f in inputs.files}):
        if cache.contains(md5):
            continue
        data = get(inputs.objects[md5])
        _store_bytes(cache, md5, data)
        fetched, size = fetched + 1, size + len(data)
    for file in inputs.files:
        target = _inside(folder, file.relpath)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cache.object_path(file.md5), target)  # a copy: the step may change it
        os.chmod(target, 0o755 if file.isexec else 0o644)
    return Transfer(len({f.md5 for f in inputs.files}), fetched, size)


def offer_outputs(folder: Path, paths: Iterable[str], put: Callable[[bytes], Any]) -> StagedPaths:
    """Hash the outputs the step wrote under folder, keep them in the node cache, offer them back."""
    cache = ObjectCache(node_cache_dir())
    hasher = Hasher(folder, HashState(folder / ".pipeyard-state.json"))
    files: list[StagedFile] = []
    for relpath in sorted(set(paths)):
        hashed = hasher.hash_path(relpath)
        if hashed is None:
            continue
        cache.store(folder / relpath, hashed)
        if hashed.is_dir:
            files += [StagedFile(f"{relpath}/{e.relpath}", e.md5, e.isexec) for e in hashed.entries]
        else:
            files.append(StagedFile(relpath, hashed.md5, hashed.isexec))
    objects = {md5: put(cache.object_path(md5).read_bytes()) for md5 in sorted({f.md5 for f in files})}
    return StagedPaths(tuple(files), objects)


# -- shared ---------------------------------------------------------------------------------


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _store_bytes(cache: ObjectCache, md5: str, data: bytes) -> None:
    if _md5(data) != md5:
        raise RepositoryError(f"an object sent for {md5} has md5 {_md5(data)}: refused")
    final = cache.object_path(md5)
    final.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(final, data, fsync=False, mode=_READ_ONLY)


def _inside(root: Path, relpath: str) -> Path:
    target = (root / relpath).resolve()
    if os.path.isabs(relpath) or ".." in Path(relpath).parts or not target.is_relative_to(root.resolve()):
        raise UnsafePathError(f"a staged file is named '{relpath}', outside the step's folder")
    return root / relpath
