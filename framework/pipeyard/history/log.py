"""Commits with their runs, newest first, for `pipeyard log` and `pipeyard show`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..runner.records import RunRecord, flatten
from ..vcs.git import Commit, commits
from .diff import compare_values
from .runs import RunHistory, StoredRun, load_history

RAN = ("ran", "failed")
_MAX_REASONS = 2


@dataclass(frozen=True)
class CommitRuns:
    """One commit and the runs started from it (newest first)."""

    commit: Commit
    runs: tuple[StoredRun, ...] = ()

    def to_dict(self, history: RunHistory) -> dict[str, Any]:
        """A JSON-ready dict: the commit's fields and a summary of each run."""
        return {
            "commit": self.commit.sha,
            "parents": list(self.commit.parents),
            "time": self.commit.time,
            "author": self.commit.author,
            "subject": self.commit.subject,
            "runs": [run_overview(run, history.previous(run)) for run in self.runs],
        }


def history_log(root: Path, limit: int | None = 10, rev: str = "HEAD") -> tuple[list[CommitRuns], RunHistory]:
    """The last limit commits reachable from rev with their runs, and the history they came from."""
    history = load_history(root)
    entries = [CommitRuns(c, tuple(history.of_commit(c.sha))) for c in commits(root, rev, limit)]
    return entries, history


def step_counts(record: RunRecord) -> dict[str, int]:
    """Step status -> how many steps ended with it."""
    counts: dict[str, int] = {}
    for step in record.steps.values():
        status = str(step.get("status"))
        counts[status] = counts.get(status, 0) + 1
    return dict(sorted(counts.items()))


def steps_rerun(record: RunRecord) -> list[str]:
    """The steps the run executed, each with its first reasons: 'train: params train.lr changed: ...'."""
    lines = []
    for name, step in record.steps.items():
        if step.get("status") not in RAN:
            continue
        reasons = list(step.get("reasons") or ())
        why = "; ".join(reasons[:_MAX_REASONS]) + (
            f"; +{len(reasons) - _MAX_REASONS} more" if len(reasons) > _MAX_REASONS else ""
        )
        failed = " (failed)" if step.get("status") == "failed" else ""
        lines.append(f"{name}{failed}: {why}" if why else f"{name}{failed}")
    return lines


def params_changed(run: StoredRun, previous: StoredRun | None) -> list[str]:
    """The parameters that differ from the previous run's, as 'train.lr: 0.1 -> 0.01'."""
    if previous is None or run.params is None or previous.params is None:
        return []
    return [c.text for c in compare_values(flatten(previous.params), flatten(run.params))]


def run_overview(run: StoredRun, previous: StoredRun | None) -> dict[str, Any]:
    """What `pipeyard log` says of one run, as a JSON-ready dict."""
    record = run.record
    return {
        "run_id": record.run_id,
        "status": record.status,
        "dirty": record.dirty,
        "started_at": record.started_at,
        "duration_s": round(record.duration_s, 3),
        "overrides": list(record.overrides),
        "counts": step_counts(record),
        "metrics": {f: dict(v) for f, v in record.metrics.items()},
        "steps_rerun": steps_rerun(record),
        "params_changed": params_changed(run, previous),
        "in_git": run.in_git,
    }


def run_details(run: StoredRun, previous: StoredRun | None = None) -> dict[str, Any]:
    """What `pipeyard show RUN` says of one run, as a JSON-ready dict."""
    record = run.record
    return {
        **run_overview(run, previous),
        "commit": record.commit,
        "pipeline_file": record.pipeline_file,
        "finished_at": record.finished_at,
        "params": run.params,
        "steps": {
            name: {
                "status": step.get("status"),
                "duration_s": round(float(step.get("duration_s") or 0.0), 3),
                "reasons": list(step.get("reasons") or ()),
                "returncode": step.get("returncode"),
                "log_path": step.get("log_path"),
                "attempts": step.get("attempts"),
                "node": step.get("node"),
            }
            for name, step in record.steps.items()
        },
    }
