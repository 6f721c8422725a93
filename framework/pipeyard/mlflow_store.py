"""An MLflow file store (``mlruns/<experiment>/<run>/metrics/<key>``) read without MLflow.

Each metric file holds lines ``<timestamp ms> <value> <step>``; the value that counts is the
one of the highest step, then the latest time. The runner reads a step's store into its run
record (runner.tracking) and a sweep's selecting step reads its trials' stores
(azure_yaml.trial_select), both through read_store.
"""

from __future__ import annotations

from pathlib import Path

import yaml

STORE_FOLDER = "mlruns"  # inside a step's tracking output: MLflow creates it on first use


def read_store(folder: Path) -> dict[str, float]:
    """The last value (highest step, then latest time) of every metric in an MLflow file store;
    when several runs log one metric, the run that started last wins."""
    runs = []
    for meta in Path(folder).glob("*/*/meta.yaml"):
        try:
            started = (yaml.safe_load(meta.read_text()) or {}).get("start_time") or 0
        except (OSError, yaml.YAMLError):
            continue
        runs.append((started, meta.parent))
    found: dict[str, float] = {}
    for _, run in sorted(runs, key=lambda r: (r[0], str(r[1]))):
        metrics = run / "metrics"
        for file in sorted(p for p in metrics.rglob("*") if p.is_file()):
            value = _last_value(file)
            if value is not None:
                found[file.relative_to(metrics).as_posix()] = value
    return found


def _last_value(file: Path) -> float | None:
    best = None
    try:
        lines = file.read_text().splitlines()
    except OSError:
        return None
    for line in lines:
        parts = line.split()
        if len(parts) < 2:
            continue
        try:
            timestamp, value = int(parts[0]), float(parts[1])
            step = int(parts[2]) if len(parts) > 2 else 0
        except ValueError:
            continue
        if best is None or (step, timestamp) >= best[0]:
            best = ((step, timestamp), value)
    return None if best is None else best[1]


def metric_history(folder: Path, name: str) -> list[float]:
    """Every value of one metric in an MLflow file store, in the order logged (step, then time);
    what a sweep's early termination compares. Values of the run that started last."""
    runs = sorted(Path(folder).glob(f"*/*/metrics/{name}"), key=lambda p: p.stat().st_mtime)
    if not runs:
        return []
    entries = []
    try:
        lines = runs[-1].read_text().splitlines()
    except OSError:
        return []
    for line in lines:
        parts = line.split()
        try:
            timestamp, value = int(parts[0]), float(parts[1])
            step = int(parts[2]) if len(parts) > 2 else 0
        except (ValueError, IndexError):
            continue
        entries.append(((step, timestamp), value))
    return [value for _, value in sorted(entries, key=lambda e: e[0])]
