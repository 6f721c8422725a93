"""Whether a stage is up to date, restorable from the cache, or stale -- and why, in words.

The comparisons here are pure: they take the recorded lock entry and what the workspace holds
now (hashes and parameter values) and return short sentences a user reads.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .hashing import PathHash
from .lockfile import PARAMS_FILE_NAME, plain

UP_TO_DATE = "up_to_date"
RESTORABLE = "restorable"
STALE = "stale"

FROM_LOCK = "lock"
FROM_RUN_CACHE = "run-cache"

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
    recorded = (locked.get("params") or {}).get(PARAMS_FILE_NAME) or {}
    reasons: list[str] = []
    for key in current:
        if key not in recorded:
            reasons.append(f"params {key} added: {format_value(current[key])}")
        else:
            reasons.extend(param_changes(key, recorded[key], current[key]))
    reasons.extend(f"params {key} removed" for key in recorded if key not in current)
    return reasons


def _by_path(items: Any) -> dict[str, Mapping]:
    return {i["path"]: i for i in items or () if isinstance(i, Mapping) and "path" in i}


def deps_reasons(
    locked: Mapping[str, Any],
    deps: Mapping[str, PathHash | None],
    code_deps: Sequence[str] = (),
) -> list[str]:
    """Reasons the dependencies differ from the lock entry (deps maps path -> hash or None)."""
    recorded = _by_path(locked.get("deps"))
    code = set(code_deps)
    reasons = []
    for path, hashed in deps.items():
        kind = "code" if path in code else "dependency"
        if hashed is None:
            reasons.append(f"{kind} {path} is missing")
        elif path not in recorded:
            reasons.append(f"{kind} {path} added")
        elif recorded[path].get("md5") != hashed.md5:
            reasons.append(f"{kind} {path} changed")
    reasons.extend(f"dependency {path} removed" for path in recorded if path not in deps)
    return reasons


def outs_list_reasons(locked: Mapping[str, Any], out_paths: Sequence[str]) -> list[str]:
    """Reasons the list of outputs differs from the lock entry's."""
    recorded = _by_path(locked.get("outs"))
    reasons = [f"output {p} added" for p in out_paths if p not in recorded]
    reasons.extend(f"output {p} removed" for p in recorded if p not in out_paths)
    return reasons


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
    """Why the lock entry does not describe a run with the stage's current inputs ([] if it does)."""
    if locked is None:
        code = set(code_deps)
        return [NEW_STEP] + [
            f"{'code' if path in code else 'dependency'} {path} is missing"
            for path, hashed in deps.items()
            if hashed is None
        ]
    reasons = []
    if not _same(locked.get("cmd"), cmd):
        reasons.append("command changed")
    reasons.extend(params_reasons(locked, params))
    reasons.extend(deps_reasons(locked, deps, code_deps))
    reasons.extend(outs_list_reasons(locked, out_paths))
    return reasons
