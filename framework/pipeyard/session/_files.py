"""The files a project's pipeline compiles to (dvc.yaml, params.yaml, .gitignore entries)."""

from __future__ import annotations

from ..cache import Workspace
from ..cache.files import remove_run_leftovers
from ..cache.workspace import cache_dir_of
from ..compile.dvcfiles import out_of_sync as files_out_of_sync
from ..compile.dvcfiles import write_dvc_files
from ..runner.dvc_lock import DvcLock
from ..runner.lock import RunLock
from ._project import Loaded


def compile_files(loaded: Loaded, *, lock: bool = False) -> list[str]:
    """Write dvc.yaml, params.yaml and .gitignore entries; return the files that changed.

    lock (for `pipeyard compile`) first takes the run lock and DVC's lock, so a run or a DVC
    command never has its files rewritten under it: while one holds them this refuses.
    """
    if not lock:
        return write_dvc_files(loaded.root, loaded.compiled, loaded.source)
    again = "wait for it to finish, then run `pipeyard compile` again"
    with RunLock(loaded.root, busy_hint=again) as run_lock, DvcLock(loaded.root, busy_hint=again):
        if run_lock.left_by_killed_run:
            remove_killed_runs_leftovers(loaded)
        return write_dvc_files(loaded.root, loaded.compiled, loaded.source)


def remove_killed_runs_leftovers(loaded: Loaded) -> None:
    """Remove the half-written files a killed run left (call holding the run lock)."""
    outs = [p for s in loaded.compiled.stages for p in s.out_paths]
    remove_run_leftovers(loaded.root, outs, cache_dir_of(loaded.root))


def out_of_sync(loaded: Loaded) -> list[str]:
    """The generated files that differ from what the pipeline compiles to, and dvc.lock when
    the parameter values it records for a step differ from those params.yaml must hold."""
    stale = files_out_of_sync(loaded.root, loaded.compiled, loaded.source)
    if (loaded.root / ".dvc").is_dir():
        with Workspace(loaded.root) as workspace:
            if any(workspace.params_differ(s, loaded.compiled.params) for s in loaded.compiled.stages):
                stale.append("dvc.lock")
    return stale
