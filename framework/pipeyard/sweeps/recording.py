"""A point's run, told whole: its warm-up runs folded into its final run, recorded in the main
repository's `.pipeyard/runs/` with its logs.

A step the final run found done (cached, restored) says what the first warm-up that did
something with it did (ran, restored, failed), with that warm-up's duration and log; so over
all points of a sweep each execution of a step counts as `ran` exactly once.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from ..runner.records import RunRecord, logs_dir, step_log_path, write_record

_FOUND_DONE = ("cached", "restored")


def fold_warmups(final: RunRecord, warmups: Iterable[RunRecord]) -> RunRecord:
    """final, with its steps found done told by the warm-up runs that did them."""
    warmups = list(warmups)
    steps = dict(final.steps)
    for name, step in final.steps.items():
        if step.get("status") not in _FOUND_DONE:
            continue
        earlier = [
            w.steps[name] for w in warmups if w.steps.get(name, {}).get("status") not in (None, "cached")
        ]
        if earlier:
            steps[name] = earlier[0]
    started = min([final.started_at, *(w.started_at for w in warmups)])
    return replace(final, steps=steps, started_at=started)


def save_point_record(
    main_root: Path, workspace: Path, record: RunRecord, *, commit: str, dirty: bool
) -> RunRecord:
    """Copy record (of a run in workspace) and its step logs into main_root; return the copy."""
    target_logs = logs_dir(main_root, record.run_id)
    steps = {}
    for name, step in record.steps.items():
        step = dict(step)
        log = Path(workspace) / step["log_path"] if step.get("log_path") else None
        if log is not None and log.is_file():
            copy = step_log_path(target_logs, name)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(log, copy)
            step["log_path"] = copy.relative_to(main_root).as_posix()
        steps[name] = step
    saved = replace(record, steps=steps, commit=commit, dirty=dirty)
    write_record(main_root, saved)
    return saved
