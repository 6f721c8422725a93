"""History for the page: the timeline of commits with their runs, two commits compared, sweeps.

Everything is read from git through the history package (run records in git notes, dvc.lock
and params.yaml at each revision), so a fresh clone with fetched notes shows the same pages
and no state of the UI is kept anywhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..cache.lockfile import plain
from ..errors import PipeyardError
from ..history.diff import diff_snapshots
from ..history.log import history_log
from ..history.snapshot import WORKSPACE, Snapshot, snapshot_at, workspace_snapshot
from ..runner.records import flatten
from ..sweeps.table import SweepTable, metric_columns, sort_table
from ..vcs.git import run_git

EXPERIMENTS_PREFIX = "refs/exps/"


def timeline(root: Path, limit: int = 50) -> list[dict[str, Any]]:
    """The newest commits (up to limit) with the runs made at each, as `pipeyard log --json`."""
    entries, history = history_log(root, limit)
    return [entry.to_dict(history) for entry in entries]


def compare(root: Path, a: str, b: str) -> dict[str, Any]:
    """Revision a against b ('workspace' for the files on disk): graph diff, parameters, metrics."""
    first = _snapshot(root, a)
    second = _snapshot(root, b)
    diff = diff_snapshots(first, second)
    data = diff.to_dict()
    steps = data["steps"]
    for name, step in steps.items():
        old, new = first.stages.get(name), second.stages.get(name)
        step["changed"] = old is not None and new is not None and old != new
    data["edges"] = sorted(_edges(first) | _edges(second))
    params_a, params_b = flatten(plain(first.params)), flatten(plain(second.params))
    data["params_side_by_side"] = [
        {
            "key": key,
            "a": params_a.get(key),
            "b": params_b.get(key),
            "changed": params_a.get(key) != params_b.get(key),
        }
        for key in [*params_b, *(k for k in params_a if k not in params_b)]
    ]
    return data


def sweeps(root: Path) -> list[dict[str, Any]]:
    """Each baseline commit's sweep points (DVC experiments): a table ranked by its first metric."""
    listing = run_git(
        root, "for-each-ref", "--format=%(refname) %(objectname)", EXPERIMENTS_PREFIX, check=False
    )
    by_baseline: dict[str, list[tuple[str, str]]] = {}
    for line in listing.stdout.splitlines():
        ref, _, commit = line.partition(" ")
        parts = ref[len(EXPERIMENTS_PREFIX) :].split("/")
        if len(parts) == 3:
            by_baseline.setdefault(parts[0] + parts[1], []).append((parts[2], commit))
    found = []
    for baseline, points in sorted(by_baseline.items()):
        found.append(_sweep_table(root, baseline, sorted(points)))
    return found


def _sweep_table(root: Path, baseline: str, points: list[tuple[str, str]]) -> dict[str, Any]:
    base = _safe_snapshot(root, baseline)
    base_params = flatten(plain(base.params)) if base else {}
    snapshots = [(name, _safe_snapshot(root, commit)) for name, commit in points]
    params = [flatten(plain(s.params)) if s else {} for _, s in snapshots]
    varied: list[str] = []
    for values in params:
        varied.extend(
            k
            for k, v in values.items()
            if k not in varied and (v != base_params.get(k) or any(other.get(k) != v for other in params))
        )
    metrics = [dict(s.metrics) if s else {} for _, s in snapshots]
    columns = metric_columns(metrics)
    rows = []
    for (name, snap), values, metric in zip(snapshots, params, metrics, strict=True):
        cells = [metric.get(file, {}).get(key) for file, key in columns.values()]
        rows.append((name, *(values.get(k) for k in varied), *cells, "succeeded" if snap else "unreadable"))
    table = SweepTable(tuple(varied), tuple(columns), tuple(rows))
    if table.metrics:
        table = sort_table(table, table.metrics[0])
    return {
        "baseline": baseline,
        "columns": ["point", *table.columns[1:]],
        "parameters": list(table.parameters),
        "metrics": list(table.metrics),
        "sorted_by": table.sorted_by,
        "rows": [list(row) for row in table.rows],
    }


def _snapshot(root: Path, rev: str) -> Snapshot:
    if rev == WORKSPACE:
        return workspace_snapshot(root)
    return snapshot_at(root, rev)


def _safe_snapshot(root: Path, rev: str) -> Snapshot | None:
    try:
        return snapshot_at(root, rev)
    except PipeyardError:
        return None


def _edges(snapshot: Snapshot) -> set[tuple[str, str]]:
    edges = set()
    for stage in snapshot.stages.values():
        for dep in stage.deps:
            producer = snapshot.producer(dep)
            if producer and producer != stage.name:
                edges.add((producer, stage.name))
    return edges
