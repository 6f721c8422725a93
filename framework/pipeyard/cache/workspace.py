"""The one door to a DVC repository's cache, run-cache and dvc.lock for the runner.

`Workspace(root)` is used from one coordinator thread while steps run in other processes.
Writes are ordered so a crash at any point leaves a consistent repository: objects first,
then the run-cache entry, and dvc.lock (written by `flush_lock`) last.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Location, RepositoryError, StepFailed, UnsafePathError
from ..model.output_rule import escape_problem, normalise, reserved_problem
from ..model.stage import Stage
from ..yamlio import parse_yaml
from .files import remove_path
from .hashing import Hasher, HashState, PathHash
from .links import drop_links, is_link_into, read_cache_settings
from .lockfile import LockFile, lock_entry
from .objects import ObjectCache
from .output_guard import output_targets, removal_problem
from .runcache import RunCache, can_run_cache
from .status import (
    ALWAYS_RUNS,
    FROM_LOCK,
    FROM_RUN_CACHE,
    RESTORABLE,
    STALE,
    UP_TO_DATE,
    StageCheck,
    input_reasons,
    outs_reasons,
    params_reasons,
)

if TYPE_CHECKING:
    from typing_extensions import Self

STATE_DIR = Path(".pipeyard") / "state"


def cache_dir_of(root: Path) -> Path:
    """The DVC cache folder of a repository: `cache.dir` from .dvc/config(.local), else .dvc/cache.

    Relative settings are relative to the .dvc folder, as DVC resolves them.
    """
    try:
        return read_cache_settings(root).folder
    except RepositoryError:  # an unknown cache.type: the folder is still where DVC keeps it
        return read_cache_settings(root, strict=False).folder


def default_workers() -> int:
    """Threads for hashing and copying when the run names no capacity: the CPUs this process
    may use, at most 8 (beyond that the disk, not the CPU, bounds hashing)."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 8))


class Workspace:
    """A DVC repository seen by pipeyard: check stages, record runs, restore outputs.

    workers bounds the threads that hash, store and check out files (give the run's CPU
    capacity; default: `default_workers()`). Outputs reach the workspace by the repository's
    `cache.type`. Raises RepositoryError when root has no `.dvc` folder or an unknown
    `cache.type`.
    """

    def __init__(self, root: Path | str, workers: int | None = None) -> None:
        self.root = Path(root).resolve()
        if not (self.root / ".dvc").is_dir():
            raise RepositoryError(
                f"'{self.root}' is not a DVC repository (no .dvc folder)",
                hint="run `pipeyard init` in the project folder",
            )
        settings = read_cache_settings(self.root)
        workers = default_workers() if workers is None else max(1, workers)
        state_dir = self.root / STATE_DIR
        self.objects = ObjectCache(
            settings.folder, settings.link_types, file_mode=settings.file_mode, workers=workers
        )
        self.run_cache = RunCache(settings.folder)
        self.lock = LockFile(self.root, state_dir)
        self.state = HashState(state_dir / "hashes.json")
        self.hasher = Hasher(self.root, self.state, workers)
        self._dvc_yaml_names: tuple[tuple, set[str]] | None = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _hashes(
        self, paths: Iterable[str], assumed: Mapping[str, PathHash] | None = None
    ) -> dict[str, PathHash | None]:
        if assumed:
            return {p: assumed[p] if p in assumed else self.hasher.hash_path(p) for p in paths}
        return {path: self.hasher.hash_path(path) for path in paths}

    def _param_values(self, stage: Stage, params: Mapping[str, Any]) -> tuple[dict, list[str]]:
        values, missing = {}, []
        for key in stage.params:
            found, value = lookup_param(params, key)
            if found:
                values[key] = value
            else:
                missing.append(f"params {key} is missing from params.yaml")
        return values, missing

    def check(
        self,
        stage: Stage,
        params: Mapping[str, Any],
        assumed: Mapping[str, PathHash] | None = None,
    ) -> StageCheck:
        """Compare the stage with dvc.lock, the workspace and the run-cache.

        params is the whole parameter tree (what params.yaml holds). assumed gives the hashes
        some paths will have by the time the stage is checked in a run (the outputs of
        upstream steps that the run restores first; see `restored_outputs`), so a prediction
        sees what the run will see.
        """
        if stage.always_changed:
            return StageCheck(STALE, (ALWAYS_RUNS,))
        values, reasons = self._param_values(stage, params)
        deps = self._hashes(stage.deps, assumed)
        locked = self.lock.entry(stage.name)
        out_paths = stage.out_paths
        reasons += input_reasons(locked, stage.cmd, deps, values, out_paths, stage.code_deps)
        if not reasons and locked is not None:
            reasons = outs_reasons(locked, self._hashes(out_paths))
            if not reasons:
                return StageCheck(UP_TO_DATE, (), entry=locked)
            if self._all_cached(locked):
                return StageCheck(RESTORABLE, tuple(reasons), FROM_LOCK, locked)
        found = self._from_run_cache(stage, deps, values)
        if found is not None:
            return StageCheck(RESTORABLE, tuple(reasons), FROM_RUN_CACHE, found)
        return StageCheck(STALE, tuple(reasons))

    def params_differ(self, stage: Stage, params: Mapping[str, Any]) -> bool:
        """True when dvc.lock records other parameter values for stage than params holds."""
        locked = self.lock.entry(stage.name)
        if locked is None:
            return False
        values, _missing = self._param_values(stage, params)
        return bool(params_reasons(locked, values))

    @staticmethod
    def restored_outputs(check: StageCheck) -> dict[str, PathHash]:
        """The hashes a restore per check gives the stage's outputs (empty unless restorable)."""
        if not check.restorable or check.entry is None:
            return {}
        return {
            out["path"]: PathHash(out["md5"], out.get("size", 0), out.get("nfiles"), bool(out.get("isexec")))
            for out in check.entry.get("outs") or ()
            if "md5" in out
        }

    def _all_cached(self, entry: Mapping[str, Any]) -> bool:
        return all(self.objects.contains_all(out["md5"]) for out in entry.get("outs") or ())

    def _from_run_cache(
        self, stage: Stage, deps: Mapping[str, PathHash | None], values: Mapping[str, Any]
    ) -> dict | None:
        if any(h is None for h in deps.values()) or set(values) != set(stage.params):
            return None
        present = {p: h for p, h in deps.items() if h is not None}
        probe = lock_entry(stage.cmd, present, values, {})
        probe["outs"] = [{"path": p} for p in sorted(stage.out_paths)]
        if not can_run_cache(probe, stage.always_changed):
            return None
        wanted = sorted(stage.out_paths)
        for found in self.run_cache.lookup(probe):
            if sorted(o["path"] for o in found["outs"]) == wanted and self._all_cached(found):
                return found
        return None

    def prepare_outputs(self, stage: Stage) -> None:
        """Remove the stage's old outputs and create the folders they go in, before it runs.

        Every output is proven safe to delete first (output_guard); UnsafePathError, and
        nothing deleted, when one is not. Outputs linked to the cache (hardlinks, symlinks)
        are unlinked, so the step writes new files and never through a link into the cache.
        """
        out_paths = stage.out_paths
        for target in self._targets(out_paths, stage):
            # links go first, one by one: nothing may chmod or write a name of a cache object
            drop_links(target)
            remove_path(target, root=self.root)
            target.parent.mkdir(parents=True, exist_ok=True)

    def _targets(self, paths: Iterable[str], stage: Stage) -> list[Path]:
        """The guard's output_targets, except for an output that is itself a symlink into the
        cache (DVC's `cache.type` symlink): the guard resolves links, so such an output is
        proven by where the link lies -- a declared output, in a folder the guard accepts --
        since removing or replacing a link never touches the object it points at."""
        paths = list(paths)
        links = {p for p in paths if is_link_into(self.root / p, self.objects.objects_dir)}
        plain = [p for p in paths if p not in links]
        proven = dict(zip(plain, output_targets(self.root, plain, stage.out_paths, stage.name), strict=True))
        for path in links:
            proven[path] = self._cache_link_target(path, stage)
        return [proven[p] for p in paths]

    def _cache_link_target(self, path: str, stage: Stage) -> Path:
        where = Location(step=stage.name)
        relpath = normalise(path)
        if relpath not in {normalise(p) for p in stage.out_paths}:
            raise UnsafePathError(
                f"refusing to replace '{path}': it is not a declared output of step '{stage.name}'",
                location=where,
                hint=f"run the step again (`pipeyard run --force {stage.name}`)",
            )
        folder = posixpath.dirname(relpath)
        problem = escape_problem(relpath) or reserved_problem(relpath)
        if problem is None and folder:
            problem = removal_problem(self.root, folder)
        if problem:
            raise UnsafePathError(f"refusing to replace output '{path}': it {problem}", location=where)
        return self.root / relpath

    def commit(self, stage: Stage, params: Mapping[str, Any]) -> dict:
        """Record a finished run: store outputs, save the run-cache entry, remember the lock entry.

        Returns the lock entry. Raises StepFailed when an output is missing and RepositoryError
        when a dependency or parameter disappeared while the step ran.
        """
        where = Location(step=stage.name)
        values, missing_params = self._param_values(stage, params)
        if missing_params:
            raise RepositoryError(missing_params[0], location=where)
        deps = self._hashes(stage.deps)
        for path, hashed in deps.items():
            if hashed is None:
                raise RepositoryError(
                    f"dependency '{path}' disappeared while the step ran",
                    location=where,
                    hint="restore the file, then run the step again",
                )
        outs = self._hashes(stage.out_paths)
        for path, hashed in outs.items():
            if hashed is None:
                raise StepFailed(
                    f"the step did not create its output '{path}'",
                    location=where,
                    hint="make the command write this path (relative to the project root)",
                )
        for path, hashed in outs.items():
            self.objects.store(self.root / path, hashed, self.hasher.is_fresh)  # type: ignore[arg-type]
        self._link_outputs(stage, outs)  # type: ignore[arg-type]
        entry = lock_entry(stage.cmd, deps, values, outs)  # type: ignore[arg-type]
        if can_run_cache(entry, stage.always_changed):
            self.run_cache.save(entry)
        self.lock.record(stage.name, entry)
        return entry

    def _link_outputs(self, stage: Stage, outs: Mapping[str, PathHash]) -> None:
        """With `cache.type` hardlink or symlink, make the stored outputs links to the cache
        (DVC's relink after a commit), so their bytes are on disk once."""
        targets = self._targets(list(outs), stage)
        for (path, hashed), target in zip(outs.items(), targets, strict=True):
            md5s = {e.relpath: e.md5 for e in hashed.entries} or {"": hashed.md5}
            for relpath in self.objects.relink(hashed.md5, target):
                key = f"{path}/{relpath}" if relpath else path
                self.state.remember(key, os.stat(self.root / key), md5s[relpath])

    def restore(self, stage: Stage, check: StageCheck) -> None:
        """Check the outputs out of the cache per check (from dvc.lock or the run-cache).

        Raises RepositoryError when check is not restorable or an object has gone missing, and
        UnsafePathError (restoring nothing) when an output is not proven safe to replace.
        """
        if not check.restorable or check.entry is None:
            raise RepositoryError(
                f"step '{stage.name}' cannot be restored from the cache ({check.state})",
                location=Location(step=stage.name),
                hint="run the step instead",
            )
        entry = dict(check.entry)
        outs = list(entry.get("outs") or ())
        targets = self._targets([out["path"] for out in outs], stage)
        for out, target in zip(outs, targets, strict=True):
            self.objects.checkout(out["md5"], target, isexec=bool(out.get("isexec")))
            self._remember_checkout(out["path"], out["md5"])
        self.lock.record(stage.name, entry)

    def _remember_checkout(self, path: str, md5: str) -> None:
        if not md5.endswith(".dir"):
            self.state.remember(path, os.stat(self.root / path), md5)
            return
        for relpath, file_md5 in self.objects.read_dir(md5) or ():
            key = f"{path}/{relpath}"
            self.state.remember(key, os.stat(self.root / key), file_md5)

    def flush_lock(self, order: Iterable[str] = ()) -> bool:
        """Write dvc.lock atomically: stages in order (the pipeline's, topological) first.

        Entries of stages that are neither in order nor in dvc.yaml are dropped (DVC itself
        would keep them). Returns True when the file changed.
        """
        return self.lock.flush(order, keep=self._dvc_yaml_stage_names())

    def _dvc_yaml_stage_names(self) -> set[str]:
        path = self.root / "dvc.yaml"
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return set()
        key = (st.st_mtime_ns, st.st_size, st.st_ino)
        if self._dvc_yaml_names is None or self._dvc_yaml_names[0] != key:
            self._dvc_yaml_names = (key, _stage_names_in(path))
        return self._dvc_yaml_names[1]

    def close(self) -> None:
        """Persist the remembered file hashes (dvc.lock is written only by flush_lock)."""
        self.state.save()


def _stage_names_in(dvc_yaml: Path) -> set[str]:
    try:
        document = parse_yaml(dvc_yaml.read_text(encoding="utf-8"))
    except Exception:  # noqa: BLE001 - an unreadable dvc.yaml keeps nothing extra
        return set()
    stages = document.get("stages") if isinstance(document, dict) else None
    return set(stages) if isinstance(stages, dict) else set()


def lookup_param(params: Mapping[str, Any], key: str) -> tuple[bool, Any]:
    """The value of a params.yaml key; dotted keys (`a.b.c`) walk nested mappings as DVC does."""
    if key in params:
        return True, params[key]
    node: Any = params
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node
