"""CLI: `pipeyard run -m` (sweeps): plan, run, and print the table of parameters and metrics."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from .. import errors
from .. import session as sess
from ..runner.records import RunRecord
from ..sweeps import (
    PointFinished,
    SweepPlan,
    SweepResult,
    SweepStarted,
    SweepTable,
    WarmupFinished,
    plan_sweep,
    run_sweep,
    sweep_table,
)
from ..sweeps.sweep import step_counts
from ..sweeps.table import format_value, markdown, metric_columns, plain_text, sort_table
from ._output import OutputConsole, err, out
from .project import print_notes, project_root
from .render import tail

if TYPE_CHECKING:  # rich is imported when a terminal shows the table
    from rich.table import Table


def run_sweep_command(options: sess.RunOptions, *, sort_by: str | None, as_json: bool) -> None:
    """Run every point of a sweep (`pipeyard run -m ...`) and print the ranked table.

    Exit codes: 0 when every point succeeded, 1 when one failed or was skipped.
    """
    if sort_by is not None and not sort_by.lstrip("-"):
        raise click.UsageError("--sort-by needs a column name, e.g. --sort-by accuracy or --sort-by -loss")
    plan = plan_sweep(project_root(), options)
    print_notes(plan.notes)
    if options.dry_run:
        _print_plan(plan, options)
        return
    result = run_sweep(plan, options, _Progress(err))
    table = sweep_table(result.points)
    if sort_by:
        try:
            table = sort_table(table, sort_by)
        except errors.ParameterError as error:
            err.print(
                f"note: {error.format()}\n  (the table is in point order)", style="yellow", markup=False
            )
    if as_json:
        print(json.dumps(_sweep_json(result, table), indent=2, default=str))
    elif out.is_terminal:
        out.print(_rich_table(table))
    else:
        print(plain_text(table))
    _print_failures(result, plan.root)
    if result.failed:
        raise SystemExit(errors.EXIT_STEP_FAILED)


class _Progress:
    """One plain line on stderr per warm-up run and per finished point."""

    def __init__(self, console: OutputConsole) -> None:
        self.console = console

    def __call__(self, event: object) -> None:
        """Print the line of a sweep event; other events print nothing."""
        if isinstance(event, SweepStarted):
            slot = event.slots[0]
            self.console.print(
                f"sweep {event.sweep_id}: {event.points} point{'s' if event.points != 1 else ''}, "
                f"{len(event.slots)} at a time ({slot.describe()} each)",
                markup=False,
            )
        elif isinstance(event, WarmupFinished):
            self.console.print(
                f"  shared steps {', '.join(event.steps)} in point {event.point.number}: "
                f"{event.status}{_counts(event.counts)}",
                markup=False,
            )
        elif isinstance(event, PointFinished):
            result = event.result
            mark = {"succeeded": "✓", "failed": "✗", "skipped": "-"}.get(result.status, "!")
            took = f" in {result.run.duration_s:.2f}s" if result.run is not None else ""
            counts = _counts(step_counts(result.run)) if result.run is not None else ""
            self.console.print(
                f"{mark} point {result.point.number} ({event.done}/{event.total}) {result.point.label}: "
                f"{result.status}{counts}{took}",
                markup=False,
            )


def _counts(counts: Mapping[str, int]) -> str:
    order = ["ran", "restored", "cached", "failed", "skipped"]
    parts = [f"{counts[k]} {k}" for k in order if counts.get(k)]
    return f" ({', '.join(parts)})" if parts else ""


def _print_plan(plan: SweepPlan, options: sess.RunOptions) -> None:
    slots = plan.slots(len(plan.points), options.jobs)
    out.print(f"{len(plan.points)} points, {len(slots)} at a time ({slots[0].describe()} each)", markup=False)
    for point in plan.points:
        out.print(f"  point {point.number}: {' '.join(point.overrides)}", markup=False)
    if plan.shared:
        out.print("steps shared by several points run once:", markup=False)
        for step in plan.shared:
            others = ", ".join(str(n) for n in step.points[1:])
            out.print(f"  {step.name}: runs in point {step.runs_in}, restored in {others}", markup=False)
    if plan.changes:
        out.print(f"uncommitted changes carried into every point: {', '.join(plan.changes)}", markup=False)


def _rich_table(table: SweepTable) -> Table:
    from rich.table import Table
    from rich.text import Text

    styles = {"succeeded": "green", "failed": "bold red", "skipped": "yellow"}
    shown = Table(title=f"sorted by {table.sorted_by}" if table.sorted_by else None)
    for name in table.columns:
        numeric = name in table.metrics or name == "point"
        shown.add_column(
            name,
            justify="right" if numeric else "left",
            style="bold" if name == (table.sorted_by or "").lstrip("-") else None,
        )
    for row in table.rows:
        cells = [Text(format_value(v)) for v in row]  # values are not rich markup
        cells[-1].stylize(styles.get(row[-1], "yellow"))
        shown.add_row(*cells)
    return shown


def _sweep_json(result: SweepResult, table: SweepTable) -> dict[str, Any]:
    by_number = {p.point.number: p for p in result.points}
    columns = metric_columns([p.metrics for p in result.points])
    points = []
    for row in table.rows:
        point = by_number[row[0]]
        metrics = {
            name: point.metrics[file][key]
            for name, (file, key) in columns.items()
            if key in point.metrics.get(file, {})
        }
        points.append(
            {
                "point": point.point.number,
                "overrides": list(point.point.overrides),
                "swept": dict(point.point.swept),
                "status": point.status,
                "metrics": metrics,
                "experiment": point.experiment,
                "workspace": str(point.workspace) if point.workspace else None,
                "error": point.error,
                "run": _run_json(point.run) if point.run is not None else None,
            }
        )
    return {
        "sweep_id": result.sweep_id,
        "baseline": result.baseline,
        "sorted_by": table.sorted_by,
        "points": points,
        "table_markdown": markdown(table),
    }


def _run_json(record: RunRecord) -> dict[str, Any]:
    """A point's run in the shape of `pipeyard run --json`."""
    return {
        "run_id": record.run_id,
        "commit": record.commit,
        "status": record.status,
        "duration_s": round(record.duration_s, 3),
        "steps": {
            name: {
                "status": step["status"],
                "duration_s": round(step.get("duration_s") or 0.0, 3),
                "reasons": list(step.get("reasons") or ()),
            }
            for name, step in record.steps.items()
        },
    }


def _print_failures(result: SweepResult, result_root: Path) -> None:
    for point in result.points:
        if point.status == "succeeded" and point.error:
            err.print(
                f"note: point {point.point.number} ran, but recording it failed: {point.error}", markup=False
            )
        if point.status in ("succeeded", "skipped"):
            continue
        where = (
            f"; its workspace is kept in {point.workspace} (remove it with `git worktree remove --force PATH`)"
            if point.workspace
            else ""
        )
        err.print(
            f"\npoint {point.point.number} ({point.point.label}) {point.status}{where}",
            style="bold red",
            markup=False,
        )
        if point.error:
            err.print(point.error, markup=False)
        steps = point.run.steps if point.run is not None else {}
        for name, step in steps.items():
            if step["status"] == "failed":
                log = step.get("log_path")
                err.print(f"step '{name}' failed; last lines of {log}:", markup=False)
                err.print(tail(result_root / log) if log else "", markup=False)
    skipped = [p for p in result.points if p.status == "skipped"]
    if skipped:
        err.print(
            f"\n{len(skipped)} point{'s' if len(skipped) != 1 else ''} not run after the failure; "
            "run the sweep again with -k to run every point (finished steps come from the cache)",
            markup=False,
        )
    print(
        f"{len(result.points) - len(result.failed)} of {len(result.points)} points succeeded", file=sys.stderr
    )
