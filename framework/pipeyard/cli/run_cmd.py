"""CLI commands: `pipeyard run` (with --dry-run; -m and --rev hand over to their modules),
`pipeyard status` and `pipeyard runs`."""

from __future__ import annotations

import json
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import click

from .. import errors
from .. import session as sess
from ..runner.records import list_records
from ..runner.summary import RunSummary, StepOutcome
from . import interrupt_seen
from ._output import err, out
from .cfg_cmd import CFG_CHOICES, print_composed_config
from .commands import RUN_AT_REV, RUN_SWEEP, exit_codes_help, load_function
from .completion import complete_steps
from .options import (
    GpuIds,
    PositiveNumber,
    Size,
    WholeNumber,
    json_option,
    overrides_argument,
    pipeline_option,
    reset_params_option,
)
from .progress import ProgressView
from .project import load_project, project_root
from .render import summary_json, summary_line, tail


@click.command(epilog=exit_codes_help())
@overrides_argument
@pipeline_option
@click.option(
    "-j",
    "--jobs",
    type=WholeNumber(1, "steps"),
    default=None,
    help="Run at most N steps at once (default: as capacity allows).",
)
@click.option("-k", "--keep-going", is_flag=True, help="After a failure, finish every independent branch.")
@click.option(
    "-f",
    "--force",
    multiple=True,
    metavar="STEP",
    shell_complete=complete_steps,
    help="Run STEP even if up to date (repeatable); steps below it rerun only if its outputs change.",
)
@click.option("-n", "--dry-run", is_flag=True, help="Show what would run and why; run nothing.")
@json_option
@click.option(
    "--cpus",
    type=PositiveNumber("CPUs"),
    default=None,
    help="CPU capacity to schedule within (default: this machine's).",
)
@click.option(
    "--gpus",
    type=GpuIds(),
    default=None,
    metavar="IDS",
    help="GPU device ids to schedule on, e.g. 0,1 (or 'none').",
)
@click.option(
    "--memory",
    type=Size(),
    default=None,
    metavar="SIZE",
    help="Memory capacity, e.g. 16GB (default: this machine's).",
)
@click.option(
    "--wait", is_flag=True, help="If another run holds the repository, wait for it instead of refusing."
)
@click.option(
    "-m",
    "--multirun",
    is_flag=True,
    help="Sweep: expand overrides like train.lr=0.1,0.01 into one run per point.",
)
@click.option(
    "--sort-by",
    default=None,
    metavar="METRIC",
    help="With -m: rank the points by this metric (prefix - for ascending).",
)
@click.option(
    "--rev",
    default=None,
    metavar="REV",
    help="Reproduce the pipeline of a past git revision (in a temporary worktree).",
)
@click.option("--keep-worktree", is_flag=True, help="With --rev: keep the temporary worktree after success.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    metavar="DIR",
    help="With --rev: copy the reproduced outputs into DIR.",
)
@reset_params_option
@click.option(
    "--executor",
    default=None,
    metavar="NAME",
    help="Where steps run: local, ray, or a plug-in's name (default: pipeyard.yaml's executor, else local).",
)
@click.option(
    "--address",
    "executor_address",
    default=None,
    metavar="ADDR",
    help="The cluster to join, e.g. auto or ray://head:10001 (default: an embedded one).",
)
@click.option(
    "--env",
    "env_mode",
    type=click.Choice(["isolated", "current", "strict"]),
    default=None,
    help="Step environments: build each declared one (isolated, default), use pipeyard's (current), or refuse a step whose environment cannot be built (strict).",
)
@click.option(
    "--cfg",
    "cfg",
    type=click.Choice(CFG_CHOICES),
    default=None,
    help="Print the composed parameters (job) or the whole params.yaml (all) and exit; writes and runs nothing.",
)
def run(
    overrides: tuple[str, ...],
    pipeline: str | None,
    jobs: int | None,
    keep_going: bool,
    force: tuple[str, ...],
    dry_run: bool,
    as_json: bool,
    cpus: float | None,
    gpus: tuple[str, ...] | None,
    memory: int | None,
    wait: bool,
    multirun: bool,
    sort_by: str | None,
    rev: str | None,
    keep_worktree: bool,
    out_dir: Path | None,
    reset_params: bool,
    executor: str | None,
    executor_address: str | None,
    env_mode: str | None,
    cfg: str | None = None,
) -> None:
    """Run the pipeline: every stale step, in parallel, reusing everything else from the cache.

    OVERRIDES are Hydra overrides, e.g. train.lr=0.01 +train.extra=1 train=large. params.yaml
    records them, and later runs keep them until --reset-params (see docs/parameters.md).
    """
    started = time.perf_counter()
    options = sess.RunOptions(
        pipeline_file=pipeline,
        overrides=tuple(overrides or ()),
        jobs=jobs,
        keep_going=keep_going,
        force=tuple(force or ()),
        dry_run=dry_run,
        cpus=cpus,
        memory_mb=memory,
        gpu_ids=gpus,
        wait=wait,
        executor=executor,
        executor_address=executor_address,
        env_mode=env_mode,
    )
    if cfg:
        if multirun or rev:
            raise click.UsageError("--cfg prints one composed config: leave out -m/--multirun and --rev")
        print_composed_config(options, which=cfg, reset_params=reset_params)
        return
    if multirun:
        if rev:
            raise click.UsageError(
                "-m/--multirun and --rev cannot be combined: sweep at HEAD, or reproduce one revision"
            )
        load_function(RUN_SWEEP)(options, sort_by=sort_by, as_json=as_json)
        return
    if sort_by:
        raise click.UsageError("--sort-by goes with -m/--multirun")
    if rev:
        load_function(RUN_AT_REV)(
            options, rev=rev, as_json=as_json, keep_worktree=keep_worktree, out_dir=out_dir
        )
        return
    if keep_worktree or out_dir:
        raise click.UsageError("--keep-worktree and --out go with --rev")
    resume = resume_command(pipeline, overrides)
    try:
        _run_pipeline(options, resume, reset_params=reset_params, as_json=as_json, started=started)
    except (KeyboardInterrupt, errors.Interrupted) as interrupted:
        raise errors.Interrupted(resume=resume) from interrupted


def resume_command(pipeline: str | None, overrides: Sequence[str]) -> str:
    """The `pipeyard run` command that continues this run: same pipeline file, same overrides."""
    words = ["pipeyard", "run"]
    if pipeline:
        words += ["-p", pipeline]
    words += list(overrides)
    return shlex.join(words)


def _run_pipeline(
    options: sess.RunOptions, resume: str, *, reset_params: bool, as_json: bool, started: float
) -> None:
    """Load, then plan (dry run) or run; a failed step exits 1 with the command that resumes."""
    loaded = load_project(options.pipeline_file, options.overrides, reset_params=reset_params)
    if interrupt_seen():  # a Ctrl-C that Python dropped while loading: start nothing
        raise KeyboardInterrupt
    if options.dry_run:
        _print_status(sess.status(loaded, options.force), as_json, dry_run=True)
        return
    with ProgressView.for_stream(sys.stderr) as view:
        summary = sess.run(loaded, options, view)
    if interrupt_seen() and summary.status == "succeeded":  # Ctrl-C dropped before the run's own handler
        raise errors.Interrupted(resume=resume)
    steps = summary.steps
    if as_json:
        print(json.dumps(summary_json(summary), indent=2))
    err.print(summary_line([r.status for r in steps.values()], time.perf_counter() - started))
    if summary.status == "failed":
        _explain_failures(summary, loaded.source, resume)
        raise SystemExit(errors.EXIT_STEP_FAILED)
    if summary.status == "interrupted":
        raise errors.Interrupted(resume=resume)


def _explain_failures(summary: RunSummary, source: str, resume: str) -> None:
    """The last lines of each failed step's log, and the command that resumes."""
    steps = summary.steps
    not_saved = [name for name in summary.failed if _ran_but_not_saved(steps[name])]
    if not_saved and len(not_saved) == len(summary.failed):
        # every command succeeded; pipeyard could not keep their results (a cache it
        # cannot write, a file changed while saved): the project's fault, not the steps'
        name = not_saved[0]
        raise errors.RepositoryError(
            f"the command succeeded, but {steps[name].reasons[0]}",
            location=errors.Location(file=source, step=name),
            hint=f"then resume with `{resume}`: finished steps are not run again",
        )
    for name in summary.failed:
        result = steps[name]
        if _ran_but_not_saved(result):
            err.print(
                f"\nstep '{name}': the command succeeded, but {result.reasons[0]}",
                style="bold red",
                markup=False,
            )
            continue
        if result.log_path is None:  # failed without starting (e.g. its sweep's timeout passed)
            err.print(f"\nstep '{name}' failed: {result.reasons[0]}", style="bold red", markup=False)
            continue
        err.print(
            f"\nstep '{name}' failed ({_exit_text(result)}); last lines of {result.log_path}:",
            style="bold red",
        )
        err.print(tail(result.log_path), markup=False)
    err.print(f"\nfix the step, then resume with `{resume}`: finished steps are not run again.", markup=False)


def _ran_but_not_saved(result: StepOutcome) -> bool:
    """True when a step's command exited 0 and pipeyard then failed to record its outputs."""
    return result.returncode == 0 and not result.timed_out and bool(result.reasons)


def _exit_text(result: StepOutcome) -> str:
    return "timed out" if result.timed_out else f"exit code {result.returncode}"


@click.command()
@overrides_argument
@pipeline_option
@json_option
def status(overrides: tuple[str, ...], pipeline: str | None, as_json: bool) -> None:
    """Say for each step whether it is up to date, stale (and why), or restorable from cache."""
    loaded = load_project(pipeline, overrides)
    _print_status(sess.status(loaded), as_json, dry_run=False)


def _print_status(statuses: Sequence[sess.StepStatus], as_json: bool, dry_run: bool) -> None:
    if as_json:
        steps = {s.name: {"state": s.state, "action": s.action, "reasons": list(s.reasons)} for s in statuses}
        print(json.dumps({"steps": steps}, indent=2))
        return
    labels = {"skip": "up to date", "restore": "restorable from cache", "run": "stale"}
    if dry_run:
        labels = {"skip": "would skip", "restore": "would restore", "run": "would run"}
    width = max((len(s.name) for s in statuses), default=4)
    for s in statuses:
        style = {"skip": "green", "restore": "magenta", "run": "yellow"}[s.action]
        out.print(f"[{style}]{s.name:<{width}}  {labels[s.action]}[/{style}]", end="")
        out.print(f"  {'; '.join(s.reasons)}" if s.reasons else "", markup=False)
    pending = sum(1 for s in statuses if s.action != "skip")
    out.print(f"{pending} of {len(statuses)} steps would do work" if pending else "everything is up to date")


@click.command()
@click.option("-n", "--limit", type=WholeNumber(1, "runs"), default=10, help="How many runs to list.")
@json_option
def runs(limit: int, as_json: bool) -> None:
    """List recent runs, newest first."""
    records = list_records(project_root(), limit)
    if as_json:
        print(json.dumps([r.to_dict() for r in records], indent=2))
        return
    if not records:
        out.print("no runs yet; start one with `pipeyard run`")
        return
    for r in records:
        counts: dict[str, int] = {}
        for step in r.steps.values():
            counts[step["status"]] = counts.get(step["status"], 0) + 1
        commit = (r.commit or "no-commit")[:8] + ("+dirty" if r.dirty else "")
        what = ", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
        overrides = f"  {' '.join(r.overrides)}" if r.overrides else ""
        out.print(
            f"{r.run_id}  {commit:<14} {r.status:<11} {r.duration_s:7.2f}s  {what}{overrides}", markup=False
        )
