"""What a CI job needs before it runs its steps, taken from the DVC remote only.

A CI job starts from a fresh clone. It rebuilds `dvc.lock` from the remote's run-cache:
the entry of each step follows from the entries of the steps above it (a step's inputs are
its upstream's outputs, whose hashes the upstream entry holds), so no upstream output has
to be checked out to find it. Then only the outputs the job reads are pulled, and the
job's own steps' results too when the run-cache has them (so a rerun restores instead of
running again).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..cache import PathHash, Workspace, can_run_cache, lock_entry
from ..errors import RepositoryError, did_you_mean, known
from ..model import Stage
from ..session import Loaded, compile_files
from ..vcs.dvc import run_dvc, tracked_data_files

_REMOTE_HINT = "check the DVC remote (`dvc remote list`) and its credentials"


@dataclass(frozen=True)
class Pulled:
    """What `pull` did: the steps whose entries came from the run-cache, and what it pulled."""

    resolved: tuple[str, ...]
    pulled: tuple[str, ...]
    own_restorable: tuple[str, ...]
    notes: tuple[str, ...] = ()


def ancestors(stages: Sequence[Stage], names: Iterable[str]) -> list[str]:
    """Every step above the named ones, in pipeline order (the named ones excluded)."""
    upstream = {s.name: s.upstream for s in stages}
    wanted = set(names)
    seen: set[str] = set()
    todo = [u for name in wanted for u in upstream[name]]
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            todo.extend(upstream[name])
    return [s.name for s in stages if s.name in seen and s.name not in wanted]


def resolve_entries(
    stages: Sequence[Stage],
    params: Mapping[str, Any],
    wanted: Iterable[str],
    hash_path: Callable[[str], PathHash | None],
    lookup: Callable[[dict], Iterator[dict]],
) -> dict[str, dict]:
    """The run-cache entry of each wanted step that has one, visiting steps in pipeline order.

    A dependency that another step produces takes its hash from that step's entry; any
    other dependency is hashed with hash_path. A step whose upstream has no entry has none.
    """
    wanted = set(wanted)
    producer = {out.path: stage.name for stage in stages for out in stage.outs}
    entries: dict[str, dict] = {}
    for stage in stages:
        if stage.name not in wanted:
            continue
        deps = _dep_hashes(stage, producer, entries, hash_path)
        values = _param_values(stage, params)
        if deps is None or values is None:
            continue
        probe = lock_entry(stage.cmd, deps, values, {})
        probe["outs"] = [{"path": p} for p in sorted(stage.out_paths)]
        if not can_run_cache(probe, stage.always_changed):
            continue
        wanted_outs = sorted(stage.out_paths)
        for found in lookup(probe):
            if sorted(o["path"] for o in found.get("outs", [])) == wanted_outs:
                entries[stage.name] = found
                break
    return entries


def _dep_hashes(
    stage: Stage,
    producer: Mapping[str, str],
    entries: Mapping[str, Mapping[str, Any]],
    hash_path: Callable[[str], PathHash | None],
) -> dict[str, PathHash] | None:
    deps: dict[str, PathHash] = {}
    for dep in stage.deps:
        if dep in producer:
            upstream = entries.get(producer[dep])
            out = next((o for o in (upstream or {}).get("outs", []) if o["path"] == dep), None)
            if out is None:
                return None
            deps[dep] = PathHash(out["md5"], out.get("size", 0), out.get("nfiles"), bool(out.get("isexec")))
        else:
            hashed = hash_path(dep)
            if hashed is None:
                return None
            deps[dep] = hashed
    return deps


def _param_values(stage: Stage, params: Mapping[str, Any]) -> dict | None:
    values = {}
    for key in stage.params:
        node: Any = params
        if key in node:
            values[key] = node[key]
            continue
        for part in key.split("."):
            if not isinstance(node, Mapping) or part not in node:
                return None
            node = node[part]
        values[key] = node
    return values


def pull(loaded: Loaded, steps: Sequence[str] | None) -> Pulled:
    """Prepare a fresh clone to run steps (None: every step) with results from the remote.

    Writes dvc.yaml/params.yaml, rebuilds dvc.lock from the remote's run-cache, pulls the
    outputs of the steps upstream of them (which must be there: their jobs pushed them) and
    the DVC-tracked data files, then tries to pull the steps' own earlier results.
    Raises RepositoryError when an upstream step's result is not in the remote.
    """
    root = Path(loaded.root)
    stages = loaded.compiled.stages
    names = [s.name for s in stages]
    targets = list(names if steps is None else steps)
    for name in targets:
        if name not in names:
            raise RepositoryError(
                f"unknown step '{name}'{did_you_mean(name, names)}", hint=f"steps: {known(names)}"
            )
    compile_files(loaded)
    (root / "dvc.lock").unlink(missing_ok=True)  # rebuilt from the run-cache below
    run_dvc(root, "fetch", "--run-cache", hint=_REMOTE_HINT)
    above = ancestors(stages, targets)
    workspace = Workspace(root)
    try:
        entries = resolve_entries(
            stages,
            loaded.compiled.params,
            [*above, *targets],
            workspace.hasher.hash_path,
            workspace.run_cache.lookup,
        )
        for name in [n for n in names if n in entries]:
            workspace.lock.record(name, entries[name])
        workspace.flush_lock(names)
    finally:
        workspace.close()
    missing = [name for name in above if name not in entries]
    if missing:
        raise RepositoryError(
            f"the DVC remote has no result of upstream step(s) {', '.join(missing)}",
            hint="their CI jobs push them with `dvc push --run-cache`; rerun the workflow, "
            "or run the pipeline and push from a machine with access to the remote",
        )
    inside = set(targets)
    direct = [u for s in stages if s.name in inside for u in s.upstream if u not in inside]
    required = [*dict.fromkeys(direct), *tracked_data_files(root)]
    if required:
        run_dvc(root, "pull", *required, hint=_REMOTE_HINT)
    own = [name for name in targets if name in entries]
    notes: list[str] = []
    if own:
        try:
            run_dvc(root, "pull", *own, hint=_REMOTE_HINT)
        except RepositoryError as error:
            notes.append(
                f"could not pull earlier results of {', '.join(own)}; they run again ({error.message})"
            )
            own = []
    return Pulled(tuple(entries), tuple(required), tuple(own), tuple(notes))
