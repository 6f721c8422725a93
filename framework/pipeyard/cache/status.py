"""Whether a stage is up to date, restorable from the cache, or stale -- and why, in words.

The one explainer of dvc.lock differences (`lock_differences`): `status` and `run` compare a
lock entry with the workspace through it, `diff` and `report` two lock entries, so every
command words a change the same way: ``command changed``, ``params train.lr changed: 0.1 ->
0.01``, ``environment changed: py311 -> py312``, ``code src/train.py changed``,
``environment uv.lock changed``, ``dependency data/raw.csv is missing``, ``output model.pkl
added``. The comparisons are pure: they take the recorded lock entry and the other side's
values (hashes and parameter values) and return short sentences a user reads.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from ..model.project_layout import ENVIRONMENT_FILES, ENVIRONMENT_PARAMS_PREFIX, PARAMS_FILE
from .hashing import PathHash
from .lockfile import plain

UP_TO_DATE = "up_to_date"
RESTORABLE = "restorable"
STALE = "stale"

FROM_LOCK = "lock"
FROM_RUN_CACHE = "run-cache"

CODE = "code"
ENVIRONMENT = "environment"
DEPENDENCY = "dependency"

NEW_STEP = "new step (not in dvc.lock)"
ALWAYS_RUNS = "always runs (not deterministic)"
_MAX_VALUE_WIDTH = 40


@dataclass(frozen=True)
class StageCheck:
    """The verdict on one stage: state, the reasons for it, and where outputs would come from.

    state is "up_to_date", "restorable" or "stale"; source is "lock" or "run-cache" when
    restorable, else None; entry is the lock entry a restore would check out and record.
    """

    state: str
    reasons: tuple[str, ...] = ()
    source: str | None = None
    entry: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def up_to_date(self) -> bool:
        """True when nothing needs to happen."""
        return self.state == UP_TO_DATE

    @property
    def restorable(self) -> bool:
        """True when the outputs can come back from the cache instead of running."""
        return self.state == RESTORABLE

    @property
    def stale(self) -> bool:
        """True when the stage must run."""
        return self.state == STALE


def format_value(value: Any) -> str:
    """A parameter value shortened for a one-line reason."""
    text = value if isinstance(value, str) else json.dumps(plain(value), default=str)
    return text if len(text) <= _MAX_VALUE_WIDTH else text[: _MAX_VALUE_WIDTH - 3] + "..."


def _same(old: Any, new: Any) -> bool:
    return plain(old) == plain(new)


def param_changes(name: str, old: Any, new: Any) -> list[str]:
    """Reasons for each difference between two values of parameter name, nested keys dotted."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        reasons: list[str] = []
        for key in [*new, *(k for k in old if k not in new)]:
            dotted = f"{name}.{key}"
            if key not in old:
                reasons.append(f"params {dotted} added: {format_value(new[key])}")
            elif key not in new:
                reasons.append(f"params {dotted} removed")
            else:
                reasons.extend(param_changes(dotted, old[key], new[key]))
        return reasons
    if _same(old, new):
        return []
    return [f"params {name} changed: {format_value(old)} -> {format_value(new)}"]


def params_reasons(locked: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    """Reasons the parameter values a stage reads differ from those in its lock entry."""
    return _params_differences(recorded_params(locked), current)


def recorded_params(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The params.yaml values a lock entry records, by top-level key."""
    return dict((entry.get("params") or {}).get(PARAMS_FILE) or {})


def _params_differences(recorded: Mapping[str, Any], current: Mapping[str, Any]) -> list[str]:
    reasons: list[str] = []
    for key in [*current, *(k for k in recorded if k not in current)]:
        if key.startswith(ENVIRONMENT_PARAMS_PREFIX):  # the step's environment, not a parameter
            if not _same(recorded.get(key), current.get(key)):
                before = format_value(recorded[key]) if key in recorded else "none"
                after = format_value(current[key]) if key in current else "none"
                reasons.append(f"environment changed: {before} -> {after}")
        elif key not in recorded:
            reasons.append(f"params {key} added: {format_value(current[key])}")
        elif key not in current:
            reasons.append(f"params {key} removed")
        else:
            reasons.extend(param_changes(key, recorded[key], current[key]))
    return reasons


def _by_path(items: Any) -> dict[str, Mapping[str, Any]]:
    return {i["path"]: i for i in items or () if isinstance(i, Mapping) and "path" in i}


def dependency_kinds(code_deps: Iterable[str]) -> dict[str, str]:
    """What reasons call each code dependency: "environment" for a file that pins the Python
    environment (uv.lock, requirements.txt, ...), else "code"; other dependencies are data,
    called "dependency"."""
    return {
        path: ENVIRONMENT if PurePosixPath(path).name in ENVIRONMENT_FILES else CODE for path in code_deps
    }


def _deps_differences(
    recorded_deps: Any,
    deps: Mapping[str, str | None],
    missing: Collection[str],
    kinds: Mapping[str, str],
) -> list[str]:
    recorded = _by_path(recorded_deps)
    absent = set(missing)
    reasons = []
    for path, md5 in deps.items():
        kind = kinds.get(path, DEPENDENCY)
        if path in absent:
            reasons.append(f"{kind} {path} is missing")
        elif path not in recorded:
            reasons.append(f"{kind} {path} added")
        elif md5 is not None and recorded[path].get("md5") != md5:
            reasons.append(f"{kind} {path} changed")
    reasons.extend(f"{kinds.get(path, DEPENDENCY)} {path} removed" for path in recorded if path not in deps)
    return reasons


def lock_differences(
    recorded: Mapping[str, Any],
    *,
    cmd: str | list[str] | None = None,
    params: Mapping[str, Any],
    deps: Mapping[str, str | None] | None = None,
    missing: Collection[str] = (),
    outs: Sequence[str] | None = None,
    kinds: Mapping[str, str] | None = None,
) -> list[str]:
    """Why the dvc.lock entry recorded does not describe a run with these inputs ([] if it does).

    The one explanation of a lock difference: `status`, `run`, `diff` and `report` all word a
    change through it. cmd, deps and outs left None are not compared. deps maps each
    dependency path to its md5 (None: not known yet, so not compared); missing names those
    not on disk. kinds names dependencies as `dependency_kinds` does (others: "dependency").
    """
    kinds = kinds or {}
    reasons = []
    if cmd is not None and not _same(recorded.get("cmd"), cmd):
        reasons.append("command changed")
    reasons.extend(_params_differences(recorded_params(recorded), params))
    if deps is not None:
        reasons.extend(_deps_differences(recorded.get("deps"), deps, missing, kinds))
    if outs is not None:
        outs_recorded = _by_path(recorded.get("outs"))
        reasons.extend(f"output {p} added" for p in outs if p not in outs_recorded)
        reasons.extend(f"output {p} removed" for p in outs_recorded if p not in outs)
    return reasons


def entry_differences(
    old: Mapping[str, Any], new: Mapping[str, Any], kinds: Mapping[str, str] | None = None
) -> list[str]:
    """Why lock entry new differs from lock entry old, by `lock_differences`.

    A part new lacks (cmd, deps, outs: a step declared but never run) is not compared, nor
    a dependency without an md5 (not made yet).
    """
    new_deps, new_outs = new.get("deps"), new.get("outs")
    return lock_differences(
        old,
        cmd=new.get("cmd"),
        params=recorded_params(new),
        deps=None if new_deps is None else {p: item.get("md5") for p, item in _by_path(new_deps).items()},
        outs=None if new_outs is None else list(_by_path(new_outs)),
        kinds=kinds,
    )


def outs_reasons(locked: Mapping[str, Any], outs: Mapping[str, PathHash | None]) -> list[str]:
    """Reasons the outputs in the workspace differ from those the lock entry records."""
    recorded = _by_path(locked.get("outs"))
    reasons = []
    for path, hashed in outs.items():
        if hashed is None:
            reasons.append(f"output {path} is missing")
        elif recorded.get(path, {}).get("md5") != hashed.md5:
            reasons.append(f"output {path} was modified")
    return reasons


def input_reasons(
    locked: Mapping[str, Any] | None,
    cmd: str | list[str],
    deps: Mapping[str, PathHash | None],
    params: Mapping[str, Any],
    out_paths: Sequence[str],
    code_deps: Sequence[str] = (),
) -> list[str]:
    """Why the lock entry does not describe a run with the stage's current inputs ([] if it does).

    deps maps each dependency path to its hash, None when it is not on disk.
    """
    kinds = dependency_kinds(code_deps)
    missing = [path for path, hashed in deps.items() if hashed is None]
    if locked is None:
        return [NEW_STEP] + [f"{kinds.get(path, DEPENDENCY)} {path} is missing" for path in missing]
    return lock_differences(
        locked,
        cmd=cmd,
        params=params,
        deps={path: None if hashed is None else hashed.md5 for path, hashed in deps.items()},
        missing=missing,
        outs=out_paths,
        kinds=kinds,
    )
