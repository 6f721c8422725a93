"""Two snapshots compared: parameters per step, metric deltas, and which steps re-run and why.

Pure: it takes two `Snapshot` values and returns a `Diff` value. Steps are compared through
their dvc.lock entries as DVC would: command, parameter values, dependency hashes by path,
outputs, worded by the cache's one explainer (`cache.status.lock_differences`), as `status`
and `run` word them ("params train.lr changed: 0.1 -> 0.01", "code src/train.py changed",
"dependency outputs/prep/out changed", "environment changed: py311 -> py312").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from ..cache.lockfile import plain
from ..cache.status import entry_differences, format_value
from ..cache.workspace import lookup_param
from ..model.project_layout import PARAMS_FILE
from ..runner.records import flatten
from .snapshot import Snapshot

RERUNS = "re-runs"
REUSED = "reused"
ADDED = "added"
REMOVED = "removed"


@dataclass(frozen=True)
class ValueChange:
    """One value that differs: key (dotted), old and new (None when absent), and how.

    change is "changed", "added" or "removed".
    """

    key: str
    old: Any
    new: Any
    change: str

    @property
    def text(self) -> str:
        """The change in one line, e.g. 'train.lr: 0.1 -> 0.01'."""
        if self.change == "added":
            return f"{self.key}: added {format_value(self.new)}"
        if self.change == "removed":
            return f"{self.key}: removed (was {format_value(self.old)})"
        return f"{self.key}: {format_value(self.old)} -> {format_value(self.new)}"


@dataclass(frozen=True)
class MetricDelta:
    """A metric in both snapshots (or one): file, key, values, and new - old when both are numbers."""

    file: str
    key: str
    old: Any
    new: Any
    delta: float | None = None

    @property
    def changed(self) -> bool:
        """True when the value differs."""
        return self.old != self.new


@dataclass(frozen=True)
class StepChange:
    """What happens to one step going from A to B: state and the reasons, in the user's words.

    state is "re-runs", "reused", "added" (a step new in B) or "removed" (only in A).
    """

    step: str
    state: str
    reasons: tuple[str, ...] = ()

    @property
    def reruns(self) -> bool:
        """True when the step runs again (new steps included)."""
        return self.state in (RERUNS, ADDED)


@dataclass(frozen=True)
class Diff:
    """Everything `pipeyard diff A B` reports."""

    a: str  # label of A: short sha
    b: str  # label of B: short sha or "workspace"
    a_commit: str | None
    b_commit: str | None
    params: tuple[ValueChange, ...] = ()
    metrics: tuple[MetricDelta, ...] = ()
    steps: tuple[StepChange, ...] = ()

    @property
    def reruns(self) -> tuple[StepChange, ...]:
        """The steps that run again, in pipeline order."""
        return tuple(s for s in self.steps if s.reruns)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "a": {"label": self.a, "commit": self.a_commit},
            "b": {"label": self.b, "commit": self.b_commit},
            "params": [asdict(p) for p in self.params],
            "metrics": [asdict(m) for m in self.metrics],
            "steps": {s.step: {"state": s.state, "reasons": list(s.reasons)} for s in self.steps},
        }


def diff_snapshots(a: Snapshot, b: Snapshot) -> Diff:
    """Compare snapshot a (the older, the base) with b."""
    return Diff(
        a=a.label,
        b=b.label,
        a_commit=a.commit,
        b_commit=b.commit,
        params=tuple(compare_values(flatten(plain(a.params)), flatten(plain(b.params)))),
        metrics=tuple(metric_deltas(a.metrics, b.metrics)),
        steps=tuple(step_changes(a, b)),
    )


def compare_values(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[ValueChange]:
    """The differences between two flat mappings, in new's key order, then removed keys."""
    changes = []
    for key, value in new.items():
        if key not in old:
            changes.append(ValueChange(key, None, value, "added"))
        elif old[key] != value or type(old[key]) is not type(value):
            changes.append(ValueChange(key, old[key], value, "changed"))
    changes.extend(ValueChange(key, value, None, "removed") for key, value in old.items() if key not in new)
    return changes


def metric_deltas(
    old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]
) -> list[MetricDelta]:
    """Every metric of either side, with new - old where both are numbers."""
    deltas = []
    for file in [*new, *(f for f in old if f not in new)]:
        before, after = old.get(file, {}), new.get(file, {})
        for key in [*after, *(k for k in before if k not in after)]:
            a, b = before.get(key), after.get(key)
            deltas.append(MetricDelta(file, key, a, b, _delta(a, b)))
    return deltas


def _delta(a: Any, b: Any) -> float | None:
    numbers = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (a, b))
    if not numbers:
        return None
    delta = b - a
    return None if isinstance(delta, float) and math.isnan(delta) else delta


def step_changes(a: Snapshot, b: Snapshot) -> list[StepChange]:
    """For each step of b (then those only in a): whether it re-runs, and why."""
    changes: dict[str, StepChange] = {}
    for name, stage in b.stages.items():
        old, new = a.lock.get(name), b.lock.get(name)
        if name not in a.stages and old is None:
            changes[name] = StepChange(name, ADDED, (f"new step (not in {a.label})",))
            continue
        if old is None:
            changes[name] = StepChange(name, RERUNS, (f"never run at {a.label} (no dvc.lock entry)",))
            continue
        if new is None:
            new = _declared_entry(b, name)
        reasons = entry_differences(old, new, b.kinds)  # the cache's one wording
        if not reasons and b.predicted:
            reasons = [
                f"upstream {u} re-runs" for u in _upstream(b, stage.deps) if changes.get(u, _KEPT).reruns
            ]
        changes[name] = StepChange(name, RERUNS if reasons else REUSED, tuple(reasons))
    for name in a.stages:
        if name not in b.stages:
            changes[name] = StepChange(name, REMOVED, (f"not in {b.label}",))
    return list(changes.values())


_KEPT = StepChange("", REUSED)


def _declared_entry(b: Snapshot, name: str) -> dict[str, Any]:
    """A step b declares but never ran: compare what dvc.yaml and params.yaml say (no hashes)."""
    stage = b.stages[name]
    values = {}
    for key in stage.params:
        found, value = lookup_param(b.params, key)
        if found and value is not None:
            values[key] = value
    entry: dict[str, Any] = {"cmd": stage.cmd}
    if values:
        entry["params"] = {PARAMS_FILE: values}
    return entry


def _upstream(b: Snapshot, deps: tuple[str, ...]) -> list[str]:
    found = []
    for dep in deps:
        producer = b.producer(dep)
        if producer and producer not in found:
            found.append(producer)
    return found
