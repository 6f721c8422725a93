"""Run records: what each run did, kept as JSON under `.pipeyard/runs/<run_id>/`.

    .pipeyard/runs/<run_id>/record.json      the RunRecord (written atomically)
    .pipeyard/runs/<run_id>/logs/<step>.log  each step's stdout and stderr

Run ids sort by the time the run started, so listing the folder newest first needs no index.
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from ..cache.files import write_atomic
from ..model import OutputRole, Stage

RUNS_DIR = Path(".pipeyard") / "runs"
RECORD_FILE = "record.json"


def new_run_id(now: datetime | None = None) -> str:
    """A new run id like '20240131-120502-123-9f2c': UTC start time, then a random part."""
    now = now or datetime.now(timezone.utc)
    return f"{now:%Y%m%d-%H%M%S}-{now.microsecond // 1000:03d}-{secrets.token_hex(2)}"


def run_dir(root: Path, run_id: str) -> Path:
    """The folder of one run's record and logs."""
    return Path(root) / RUNS_DIR / run_id


def logs_dir(root: Path, run_id: str) -> Path:
    """The folder of one run's step logs."""
    return run_dir(root, run_id) / "logs"


def step_log_path(log_dir: Path, step: str) -> Path:
    """The log file of a step inside a run's log folder."""
    return Path(log_dir) / f"{step.replace('/', '_').replace(os.sep, '_')}.log"


@dataclass(frozen=True)
class RunRecord:
    """One run, as shown by `pipeyard runs`: when, at which commit, with what, and how it went.

    steps maps each step name to {status, duration_s, reasons, attempts, executor, resources,
    gpu_ids, returncode, log_path, node: {host, node_id} or None}; metrics maps each metrics file to its flattened values
    ({'scores.accuracy': 0.9}).
    """

    run_id: str
    status: str
    started_at: float
    finished_at: float
    commit: str | None = None
    dirty: bool = False
    overrides: tuple[str, ...] = ()
    pipeline_file: str | None = None
    steps: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    metrics: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        """How long the run took."""
        return self.finished_at - self.started_at

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (a copy: changing it leaves the record as it is)."""
        data = {f.name: _copy(getattr(self, f.name)) for f in fields(self)}
        data["overrides"] = list(self.overrides)
        data["duration_s"] = self.duration_s
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RunRecord:
        """The record a to_dict() dict describes."""
        return cls(
            run_id=data["run_id"],
            status=data["status"],
            started_at=float(data["started_at"]),
            finished_at=float(data["finished_at"]),
            commit=data.get("commit"),
            dirty=bool(data.get("dirty", False)),
            overrides=tuple(data.get("overrides", ())),
            pipeline_file=data.get("pipeline_file"),
            steps=dict(data.get("steps", {})),
            metrics=dict(data.get("metrics", {})),
        )

    @classmethod
    def from_summary(
        cls,
        summary,
        *,
        root: Path,
        commit: str | None = None,
        dirty: bool = False,
        overrides: Iterable[str] = (),
        pipeline_file: str | None = None,
        stages: Iterable[Stage] = (),
        metrics: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> RunRecord:
        """The record of a runner.summary.RunSummary; log paths are kept relative to root.

        metrics, when not given, are read from the metrics outputs of stages.
        """
        if metrics is None:
            metrics = read_metrics(root, metric_paths(stages))
        steps = {
            name: {
                "status": o.status,
                "duration_s": o.duration_s,
                "reasons": list(o.reasons),
                "attempts": o.attempts,
                "executor": o.executor,
                "resources": {
                    "cpus": o.resources.cpus,
                    "memory_mb": o.resources.memory_mb,
                    "gpus": o.resources.gpus,
                    **({"custom": dict(o.resources.custom)} if o.resources.custom else {}),
                },
                "gpu_ids": list(o.gpu_ids),
                "returncode": o.returncode,
                "timed_out": o.timed_out,
                "log_path": _relative(o.log_path, root),
                "node": {"host": o.host, "node_id": o.node_id} if o.host or o.node_id else None,
            }
            for name, o in summary.steps.items()
        }
        return cls(
            run_id=summary.run_id,
            status=summary.status,
            started_at=summary.started_at,
            finished_at=summary.finished_at,
            commit=commit if commit is not None else summary.commit,
            dirty=dirty,
            overrides=tuple(overrides),
            pipeline_file=pipeline_file,
            steps=steps,
            metrics=dict(metrics),
        )


def _copy(value: Any) -> Any:
    """value with its dicts, lists and tuples copied: dataclasses.asdict's result for a
    record's plain JSON values, without deep-copying every leaf (a tenth of a 1,000-step run)."""
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_copy(v) for v in value)
    return value


def write_record(root: Path, record: RunRecord) -> Path:
    """Write the record atomically to its run folder and return the file's path."""
    folder = run_dir(root, record.run_id)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / RECORD_FILE
    write_atomic(target, json.dumps(record.to_dict(), indent=2, sort_keys=True))
    return target


def load_record(path: Path) -> RunRecord:
    """Read one record.json."""
    with open(path, encoding="utf-8") as handle:
        return RunRecord.from_dict(json.load(handle))


def list_records(root: Path, limit: int | None = None) -> list[RunRecord]:
    """The recorded runs of a project, newest first; unreadable records are left out."""
    folder = Path(root) / RUNS_DIR
    if not folder.is_dir():
        return []
    records = []
    for entry in sorted((p for p in folder.iterdir() if p.is_dir()), reverse=True):
        try:
            records.append(load_record(entry / RECORD_FILE))
        except (OSError, ValueError, KeyError, TypeError):
            continue
        if limit is not None and len(records) >= limit:
            break
    return records


def metric_paths(stages: Iterable[Stage]) -> tuple[str, ...]:
    """The metrics outputs of the stages, in order."""
    return tuple(o.path for s in stages for o in s.outs if o.role == OutputRole.METRICS)


def read_metrics(root: Path, paths: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Each readable JSON or YAML metrics file -> its values flattened to dotted keys."""
    metrics = {}
    for path in paths:
        file = Path(root) / path
        if not file.is_file() or file.suffix.lower() not in (".json", ".yaml", ".yml"):
            continue
        try:
            text = file.read_text(encoding="utf-8")
            data = json.loads(text) if file.suffix.lower() == ".json" else yaml.safe_load(text)
        except (OSError, ValueError, yaml.YAMLError):
            continue
        metrics[path] = flatten(data)
    return metrics


def flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    """Nested dicts and lists -> {'a.b': 1, 'a.c.0': 2}; only scalar values are kept."""
    if isinstance(data, Mapping):
        items = ((str(k), v) for k, v in data.items())
    elif isinstance(data, list):
        items = ((str(i), v) for i, v in enumerate(data))
    elif isinstance(data, (str, int, float, bool)) or data is None:
        return {prefix or "value": data}
    else:
        return {}
    flat: dict[str, Any] = {}
    for key, value in items:
        flat.update(flatten(value, f"{prefix}.{key}" if prefix else key))
    return flat


def _relative(path: Path | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return str(path)
