"""CLI commands: `pipeyard log`, `show`, `diff`, `report`, and `run --rev`."""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from .. import errors
from .. import session as sess
from ..cache.status import format_value
from ..history.diff import diff_snapshots
from ..history.log import history_log, params_changed, run_details, step_counts, steps_rerun
from ..history.markdown import diff_markdown, diff_text
from ..history.report import build_report, report_json_text, report_markdown
from ..history.reproduce import reproduce
from ..history.runs import load_history
from ..history.snapshot import Snapshot, snapshot_at, workspace_snapshot
from ..runner.records import flatten
from ..runner.summary import RunSummary
from ..vcs.git import head_commit, resolve_commit
from ._output import err, out
from .options import WholeNumber, json_option
from .progress import ProgressView
from .project import load_project, project_root
from .render import summary_json, summary_line, tail


@click.command()
@click.option("-n", "--limit", type=WholeNumber(1, "commits"), default=10, help="How many commits to show.")
@click.argument("rev", default="HEAD", metavar="[REV]")
@json_option
def log(limit: int, rev: str, as_json: bool) -> None:
    """Commits (newest first) with the runs made at each, and what each run re-ran and why.

    Runs are read from git notes (refs/notes/pipeyard, shared by push/fetch) and this clone's
    .pipeyard/runs/.
    """
    root = project_root()
    if rev != "HEAD":  # a typo gets the same one line as in `show` and `diff`, not git's words
        resolve_commit(root, rev)
    entries, history = history_log(root, limit, rev)
    if as_json:
        print(json.dumps([e.to_dict(history) for e in entries], indent=2, default=str))
        return
    if not entries:
        out.print("no commits yet")
        return
    for entry in entries:
        c = entry.commit
        when = datetime.fromtimestamp(c.time).strftime("%Y-%m-%d %H:%M")
        out.print(f"[yellow]{c.short}[/yellow]  {when}  {c.author}  ", end="")
        out.print(c.subject, markup=False)
        if not entry.runs:
            out.print("    no runs", style="dim")
        for run in entry.runs:
            r = run.record
            counts = ", ".join(f"{n} {s}" for s, n in step_counts(r).items())
            flags = ("  dirty" if r.dirty else "") + ("" if run.in_git else "  local only")
            style = {"succeeded": "green", "failed": "red"}.get(r.status, "yellow")
            out.print(
                f"    {r.run_id}  [{style}]{r.status:<11}[/{style}] {r.duration_s:7.2f}s  {counts}{flags}"
            )
            details = [("overrides", " ".join(r.overrides))] if r.overrides else []
            details += [("re-ran", line) for line in steps_rerun(r)]
            details += [("params", line) for line in params_changed(run, history.previous(run))]
            details += [("metrics", _metrics_line(f, v)) for f, v in r.metrics.items()]
            for label, text in details:
                out.print(f"        {label}: {text}", markup=False)


def _metrics_line(file: str, values: Mapping[str, Any]) -> str:
    shown = ", ".join(f"{k}={_short(v)}" for k, v in list(values.items())[:6])
    return f"{file} {shown}" + (" ..." if len(values) > 6 else "")


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else format_value(value)


@click.command()
@click.argument("target", metavar="RUN|REV")
@json_option
def show(target: str, as_json: bool) -> None:
    """One run (by run id or unique prefix), or every run of a revision, in detail."""
    root = project_root()
    history = load_history(root)
    run = history.find(target)
    if run is not None:
        details = run_details(run, history.previous(run))
        if as_json:
            print(json.dumps(details, indent=2, default=str))
        else:
            _print_run(details)
        return
    try:
        commit = resolve_commit(root, target)
    except errors.RepositoryError:
        raise errors.RepositoryError(
            f"'{target}' is neither a run id nor a revision{history.suggestion(target)}",
            hint="`pipeyard log` lists commits and their run ids",
        ) from None
    runs = [run_details(r, history.previous(r)) for r in history.of_commit(commit)]
    if as_json:
        print(json.dumps({"commit": commit, "runs": runs}, indent=2, default=str))
        return
    out.print(f"commit {commit}: {len(runs)} run{'s' if len(runs) != 1 else ''}")
    for details in runs:
        out.print()
        _print_run(details)


def _print_run(details: dict[str, Any]) -> None:
    commit = (details.get("commit") or "no commit")[:8] + ("+dirty" if details.get("dirty") else "")
    out.print(
        f"run {details['run_id']}  {details['status']}  {details['duration_s']:.2f}s  at {commit}",
        markup=False,
    )
    if details.get("overrides"):
        out.print(f"overrides: {' '.join(details['overrides'])}", markup=False)
    width = max((len(n) for n in details["steps"]), default=4)
    out.print("steps:")
    for name, step in details["steps"].items():
        why = "; ".join(step["reasons"])
        node = step.get("node") or {}
        if node.get("host"):
            why = f"on {node['host']} ({(node.get('node_id') or '')[:8]})" + (f"; {why}" if why else "")
        out.print(
            f"  {name:<{width}}  {step['status']:<9} {step['duration_s']:7.2f}s  {why}".rstrip(), markup=False
        )
    if details.get("params_changed"):
        out.print("params changed since the previous run:")
        for line in details["params_changed"]:
            out.print(f"  {line}", markup=False)
    if details.get("params"):
        out.print("params:")
        for key, value in flatten(details["params"]).items():
            out.print(f"  {key}: {_short(value)}", markup=False)
    if details.get("metrics"):
        out.print("metrics:")
        for file, values in details["metrics"].items():
            for key, value in values.items():
                out.print(f"  {file} {key}: {_short(value)}", markup=False)


def _snapshot(root: Path, rev: str | None, *, with_plots: bool = False) -> Snapshot:
    """The snapshot of rev, or of the workspace (as `pipeyard run` would see it) when rev is None."""
    if rev is not None:
        return snapshot_at(root, rev, with_plots=with_plots)
    try:
        loaded = sess.load(root)
    except errors.Interrupted:  # a PipeyardError too: Ctrl-C is never "does not load"
        raise
    except errors.PipeyardError as error:
        err.print(
            f"note: the pipeline does not load ({error.message}); comparing the files on disk", markup=False
        )
        return workspace_snapshot(root, with_plots=with_plots)
    return workspace_snapshot(root, loaded.compiled.stages, loaded.compiled.params, with_plots=with_plots)


@click.command()
@click.argument("a", metavar="A")
@click.argument("b", required=False, metavar="[B]")
@click.option(
    "-F",
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    help="Output format.",
)
def diff(a: str, b: str | None, fmt: str) -> None:
    """Compare revision A with revision B (default: the workspace).

    Shows the parameters that differ, metrics with their deltas, and which steps re-run and
    why (code, parameters, data, environment), from the two versions' dvc.lock entries.
    """
    root = project_root()
    result = diff_snapshots(_snapshot(root, a), _snapshot(root, b))
    if fmt == "json":
        print(json.dumps(result.to_dict(), indent=2, default=str))
    elif fmt == "markdown":
        print(diff_markdown(result), end="")
    else:
        print(diff_text(result))


@click.command()
@click.option("--base", required=True, metavar="REV", help="The revision to compare with (e.g. origin/main).")
@click.option(
    "--head", default=None, metavar="REV", help="The revision to report on (default: the workspace)."
)
@click.option(
    "-F",
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    help="Output format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the report to FILE instead of stdout.",
)
def report(base: str, head: str | None, fmt: str, output: Path | None) -> None:
    """A pull-request report: steps re-run vs reused and why, parameter diff, metric deltas, plots.

    Plots are mermaid xychart blocks, which GitHub draws inside the comment itself.
    """
    root = project_root()
    base_snapshot = _snapshot(root, base, with_plots=True)
    head_snapshot = _snapshot(root, head, with_plots=True)
    head_sha = resolve_commit(root, head) if head else head_commit(root)
    latest = load_history(root).latest_of(head_sha) if head_sha else None
    built = build_report(base_snapshot, head_snapshot, latest)
    text = report_json_text(built) if fmt == "json" else report_markdown(built)
    if output is None:
        print(text, end="")
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    err.print(f"wrote {output}", markup=False)


def run_at_rev_command(
    options: sess.RunOptions,
    *,
    rev: str,
    as_json: bool,
    keep_worktree: bool = False,
    out_dir: Path | None = None,
) -> None:
    """Reproduce the pipeline of a past revision (`pipeyard run --rev REV`).

    Runs in a temporary git worktree sharing the DVC cache; a version run before comes back
    from the cache without executing a step, and every output is checked against the
    revision's dvc.lock. The worktree is removed on success unless keep_worktree; outputs
    can be copied to out_dir.
    """
    if options.dry_run:
        raise click.UsageError(
            "--rev runs a past version; to see what differs from it, use `pipeyard diff REV`"
        )

    def run_there(project: Path) -> RunSummary:
        loaded = load_project(options.pipeline_file, options.overrides, root=project)
        with ProgressView.for_stream(sys.stderr) as view:
            return sess.run(loaded, options, view)

    err.print(f"running {rev} in a temporary git worktree that shares this project's DVC cache", markup=False)
    result = reproduce(
        project_root(),
        rev,
        run_there,
        verify=not options.overrides,
        keep_worktree=keep_worktree,
        out_dir=out_dir,
    )
    summary, check = result.summary, result.verification
    if as_json:
        data = summary_json(summary)
        data.update(
            rev=rev,
            worktree=str(result.worktree) if result.worktree else None,
            outputs_copied_to=str(result.copied_to) if result.copied_to else None,
            verification=check.to_dict(),
        )
        print(json.dumps(data, indent=2))
    err.print(summary_line([r.status for r in summary.steps.values()], summary.duration_s))
    for name in summary.failed:
        step = summary.steps[name]
        err.print(f"\nstep '{name}' failed; last lines of {step.log_path}:", style="bold red")
        err.print(tail(step.log_path), markup=False)
    if check.skipped:
        err.print(f"outputs not checked against dvc.lock: {check.skipped}", markup=False)
    elif check.ok:
        err.print(f"all {check.checked} outputs match dvc.lock at {result.commit[:8]}", style="green")
    else:
        err.print(
            f"MISMATCH: {len(check.mismatches)} output(s) differ from dvc.lock at {result.commit[:8]}:",
            style="bold red",
        )
        for mismatch in check.mismatches:
            err.print(f"  {mismatch.text}", style="red", markup=False)
        err.print("the steps that made them are not reproducible (or dvc.lock was edited)", style="red")
    if check.unrecorded:
        err.print(
            f"not in dvc.lock at {result.commit[:8]} (never run there): {', '.join(check.unrecorded)}",
            markup=False,
        )
    if result.copied_to:
        err.print(f"outputs copied to {result.copied_to}", markup=False)
    if result.worktree:
        err.print(
            f"worktree kept at {result.worktree} (remove it with `git worktree remove --force {result.worktree}`)",
            markup=False,
        )
    elif not result.copied_to:
        err.print(
            "outputs stay in the DVC cache; `git checkout REV && pipeyard run` brings them back", markup=False
        )
    if summary.status == "interrupted":
        raise errors.Interrupted()
    if summary.status == "failed":
        raise SystemExit(errors.EXIT_STEP_FAILED)
    if not check.ok:
        raise SystemExit(errors.EXIT_CHECK_FAILED)  # the outputs that differ are listed above
