"""The step that ends an Azure ML sweep: pick the best trial, copy its outputs, write the table.

Run as ``python -m pipeyard.azure_yaml.trial_select --goal maximize --metric acc --values JSON
--table FILE (--trial STORE)... (--from I:NAME=PATH)... (--out NAME=PATH)...`` by the stage
azure_yaml.sweep builds. Each trial's metrics are the last values it logged with MLflow (its
store is one of its outputs). Trials that did not log the primary metric cannot win; when no
trial logged it, the step fails with a line that says so. The table (JSON, a DVC metrics file)
holds the objective, the best trial and every trial's values and metrics; the step's log
prints it as text.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
from pathlib import Path

from ..mlflow_store import STORE_FOLDER, read_store
from .trial_guard import terminated_reason


def best_trial(
    metrics: list[dict[str, float]], metric: str, goal: str, stopped: frozenset[int] = frozenset()
) -> int | None:
    """The index of the best trial by metric (the first one on a tie), leaving out the trials
    stopped early; None when none of the others logged it."""
    scored = [
        (i, m[metric])
        for i, m in enumerate(metrics)
        if i not in stopped and metric in m and not math.isnan(m[metric])
    ]
    if not scored:
        return None
    pick = max if goal == "maximize" else min
    return pick(scored, key=lambda pair: (pair[1], -pair[0]) if goal == "maximize" else (pair[1], pair[0]))[0]


def table_text(
    values: list[dict],
    metrics: list[dict[str, float]],
    best: int | None,
    stopped: frozenset[int] = frozenset(),
) -> str:
    """The trial table as aligned text, the best trial marked with '*', those stopped early with 'x'."""
    params = sorted({k for v in values for k in v})
    names = sorted({k for m in metrics for k in m})
    rows = [["trial", *params, *names]]
    for i, (v, m) in enumerate(zip(values, metrics, strict=True)):
        mark = "*" if i == best else "x" if i in stopped else " "
        rows.append([f"{mark}{i}", *(_short(v.get(p)) for p in params), *(_short(m.get(n)) for n in names)])
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=True)) for r in rows)


def _short(value) -> str:
    if value is None:
        return "-"
    return f"{value:.6g}" if isinstance(value, float) else str(value)


def _copy(source: Path, target: Path) -> None:
    if target.is_dir():
        shutil.rmtree(target)
    elif target.exists():
        target.unlink()
    if source.is_dir():
        shutil.copytree(source, target)
    elif source.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)


def main(argv: list[str] | None = None) -> int:
    """Pick, copy and record; 1 when no trial logged the primary metric."""
    parser = argparse.ArgumentParser(prog="trial_select")
    parser.add_argument("--goal", choices=("maximize", "minimize"), required=True)
    parser.add_argument("--metric", required=True)
    parser.add_argument("--values", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--trial", action="append", default=[])
    parser.add_argument("--from", dest="sources", action="append", default=[])
    parser.add_argument("--out", action="append", default=[])
    args = parser.parse_args(argv)
    values = json.loads(args.values)
    metrics = [read_store(Path(store) / STORE_FOLDER) for store in args.trial]
    reasons = {i: r for i, store in enumerate(args.trial) if (r := terminated_reason(Path(store)))}
    best = best_trial(metrics, args.metric, args.goal, frozenset(reasons))
    print(table_text(values, metrics, best, frozenset(reasons)))
    for index, reason in sorted(reasons.items()):
        print(f"trial {index} was stopped early: {reason}")
    table = {
        "objective": {"goal": args.goal, "primary_metric": args.metric},
        "best_trial": best,
        "best": {args.metric: metrics[best][args.metric]} if best is not None else {},
        "trials": [
            {"trial": i, "values": v, "metrics": m, **({"stopped_early": reasons[i]} if i in reasons else {})}
            for i, (v, m) in enumerate(zip(values, metrics, strict=True))
        ],
    }
    Path(args.table).parent.mkdir(parents=True, exist_ok=True)
    Path(args.table).write_text(json.dumps(table, indent=2, sort_keys=True) + "\n")
    if best is None:
        print(
            f"error: no trial logged the primary metric '{args.metric}' "
            "(log it with mlflow.log_metric in the trial's script)",
            file=sys.stderr,
        )
        return 1
    print(f"best trial: {best} ({args.metric} = {metrics[best][args.metric]:.6g}, {args.goal})")
    sources = {}
    for item in args.sources:
        head, _, path = item.partition("=")
        index, _, name = head.partition(":")
        sources[int(index), name] = Path(path)
    for item in args.out:
        name, _, path = item.partition("=")
        _copy(sources[best, name], Path(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
