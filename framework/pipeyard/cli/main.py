"""The `pipeyard` command: thin commands that parse, call the session, and print."""

from __future__ import annotations

import errno
import gc
import json
import os
import shlex
import sys
import time
import traceback
from pathlib import Path

import click

from .. import errors
from .. import session as sess
from . import interrupt_seen
from ._output import OutputConsole
from .completion import complete_overrides, complete_steps
from .options import GpuIds, PositiveNumber, Size, WholeNumber, usage_error_line

out = OutputConsole()
err = OutputConsole(stderr=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="pipeyard", prog_name="pipeyard")
def app() -> None:
    """Git-native ML pipelines: define steps in Python or Azure ML YAML, parameterize them
    with Hydra, compile to DVC, and run them in parallel with caching.

    \b
    Start with:  pipeyard demo /tmp/pipeyard-demo
    In a project: pipeyard init && pipeyard run
    """
    _remove_what_killed_sweeps_left()


def _remove_what_killed_sweeps_left() -> None:
    """Every command first ends the workers and removes the worktrees of sweeps that were killed."""
    root = sess.find_root()
    if (root / sess.SWEEPS_DIR).is_dir():  # a stat when no sweep ever ran: nothing to import or scan
        from ..sweeps.worktrees import remove_stale_sweeps

        remove_stale_sweeps(root)


pipeline_option = click.option(
    "-p", "--pipeline", default=None, metavar="FILE",
    help="Pipeline file (default: pipeline.yml, pipeline.yaml or pipeline.py in the project root).",
)
overrides_argument = click.argument("overrides", nargs=-1, metavar="[OVERRIDES]...", shell_complete=complete_overrides)
reset_params_option = click.option(
    "--reset-params",
    is_flag=True,
    help="Forget the overrides params.yaml keeps from earlier runs (and values edited there); start from conf/.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")


def _root() -> Path:
    return sess.find_root()


def _load(pipeline: str | None, overrides: list[str] | None, reset_params: bool = False) -> sess.Loaded:
    # Loading makes tens of thousands of objects (1,000 steps: the parsed YAML, the pipeline,
    # its stages) that the command keeps to its end: the cyclic collector would walk them again
    # and again for nothing (a tenth of a 1,000-step no-op). It runs as usual afterwards, with
    # what the load kept frozen out of its walks.
    collecting = gc.isenabled()
    gc.disable()
    try:
        loaded = sess.load(_root(), pipeline, tuple(overrides or ()), reset_params=reset_params)
    finally:
        if collecting:
            gc.enable()
    gc.freeze()
    for note in loaded.notes:
        err.print(f"note: {note}", style="yellow")
    return loaded


def _resume_command(pipeline: str | None, overrides) -> str:
    """The `pipeyard run` command that continues this run: same pipeline file, same overrides."""
    words = ["pipeyard", "run"]
    if pipeline:
        words += ["-p", pipeline]
    words += list(overrides or ())
    return shlex.join(words)


@app.command()
def init() -> None:
    """Set up DVC and pipeyard in the current git repository."""
    root = _root()
    done = sess.init(root)
    for line in done or ["already set up; nothing to do"]:
        out.print(f"{line}")


@app.command()
@overrides_argument
@pipeline_option
@click.option("-j", "--jobs", type=WholeNumber(1, "steps"), default=None, help="Run at most N steps at once (default: as capacity allows).")
@click.option("-k", "--keep-going", is_flag=True, help="After a failure, finish every independent branch.")
@click.option("-f", "--force", multiple=True, metavar="STEP", shell_complete=complete_steps, help="Run STEP even if up to date (repeatable); steps below it rerun only if its outputs change.")
@click.option("-n", "--dry-run", is_flag=True, help="Show what would run and why; run nothing.")
@json_option
@click.option("--cpus", type=PositiveNumber("CPUs"), default=None, help="CPU capacity to schedule within (default: this machine's).")
@click.option("--gpus", type=GpuIds(), default=None, metavar="IDS", help="GPU device ids to schedule on, e.g. 0,1 (or 'none').")
@click.option("--memory", type=Size(), default=None, metavar="SIZE", help="Memory capacity, e.g. 16GB (default: this machine's).")
@click.option("--wait", is_flag=True, help="If another run holds the repository, wait for it instead of refusing.")
@click.option("-m", "--multirun", is_flag=True, help="Sweep: expand overrides like train.lr=0.1,0.01 into one run per point.")
@click.option("--sort-by", default=None, metavar="METRIC", help="With -m: rank the points by this metric (prefix - for ascending).")
@click.option("--rev", default=None, metavar="REV", help="Reproduce the pipeline of a past git revision (in a temporary worktree).")
@click.option("--keep-worktree", is_flag=True, help="With --rev: keep the temporary worktree after success.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None, metavar="DIR", help="With --rev: copy the reproduced outputs into DIR.")
@reset_params_option
@click.option("--executor", default=None, metavar="NAME", help="Where steps run: local, ray, or a plug-in's name (default: pipeyard.yaml's executor, else local).")
@click.option("--address", "executor_address", default=None, metavar="ADDR", help="The cluster to join, e.g. auto or ray://head:10001 (default: an embedded one).")
@click.option("--env", "env_mode", type=click.Choice(["isolated", "current", "strict"]), default=None, help="Step environments: build each declared one (isolated, default), use pipeyard's (current), or refuse a step whose environment cannot be built (strict).")
@click.option("--cfg", "cfg", type=click.Choice(["job", "all"]), default=None, help="Print the composed parameters (job) or the whole params.yaml (all) and exit; writes and runs nothing.")
def run(overrides, pipeline, jobs, keep_going, force, dry_run, as_json, cpus, gpus, memory, wait, multirun, sort_by, rev, keep_worktree, out_dir, reset_params, executor, executor_address, env_mode, cfg=None) -> None:
    """Run the pipeline: every stale step, in parallel, reusing everything else from the cache.

    OVERRIDES are Hydra overrides, e.g. train.lr=0.01 +train.extra=1 train=large. params.yaml
    records them, and later runs keep them until --reset-params (see docs/parameters.md).

    Exit codes: 0 success, 1 a step failed, 2 bad input, 130 interrupted.
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
        from .cfg_cmd import print_composed_config

        print_composed_config(options, which=cfg, reset_params=reset_params)
        return
    if multirun:
        if rev:
            raise click.UsageError("-m/--multirun and --rev cannot be combined: sweep at HEAD, or reproduce one revision")
        from .sweep_cmd import run_sweep_command

        run_sweep_command(options, sort_by=sort_by, as_json=as_json)
        return
    if sort_by:
        raise click.UsageError("--sort-by goes with -m/--multirun")
    if rev:
        from .history_cmd import run_at_rev_command

        run_at_rev_command(options, rev=rev, as_json=as_json, keep_worktree=keep_worktree, out_dir=out_dir)
        return
    if keep_worktree or out_dir:
        raise click.UsageError("--keep-worktree and --out go with --rev")
    resume = _resume_command(pipeline, overrides)
    try:
        _run_pipeline(options, resume, reset_params=reset_params, as_json=as_json, started=started)
    except (KeyboardInterrupt, errors.Interrupted) as interrupted:
        raise errors.Interrupted(resume=resume) from interrupted


def _run_pipeline(options: sess.RunOptions, resume: str, *, reset_params: bool, as_json: bool, started: float) -> None:
    """Load, then plan (dry run) or run; a failed step exits 1 with the command that resumes."""
    loaded = _load(options.pipeline_file, options.overrides, reset_params)
    if interrupt_seen():  # a Ctrl-C that Python dropped while loading: start nothing
        raise KeyboardInterrupt
    if options.dry_run:
        _print_status(sess.status(loaded, options.force), as_json, dry_run=True)
        return
    from .progress import ProgressView
    from .render import summary_line, tail

    view = ProgressView.for_stream(sys.stderr)
    with view:
        summary = sess.run(loaded, options, view)
    if interrupt_seen() and summary.status == "succeeded":  # Ctrl-C dropped before the run's own handler
        raise errors.Interrupted(resume=resume)
    steps = summary.steps
    if as_json:
        print(json.dumps(_summary_json(summary), indent=2))
    err.print(summary_line([r.status for r in steps.values()], time.perf_counter() - started))
    if summary.status == "failed":
        not_saved = [name for name in summary.failed if _ran_but_not_saved(steps[name])]
        if not_saved and len(not_saved) == len(summary.failed):
            # every command succeeded; pipeyard could not keep their results (a cache it
            # cannot write, a file changed while saved): the project's fault, not the steps'
            name = not_saved[0]
            raise errors.RepositoryError(
                f"the command succeeded, but {steps[name].reasons[0]}",
                location=errors.Location(file=loaded.source, step=name),
                hint=f"then resume with `{resume}`: finished steps are not run again",
            )
        for name in summary.failed:
            result = steps[name]
            if _ran_but_not_saved(result):
                err.print(f"\nstep '{name}': the command succeeded, but {result.reasons[0]}", style="bold red", markup=False)
                continue
            if result.log_path is None:  # failed without starting (e.g. its sweep's timeout passed)
                err.print(f"\nstep '{name}' failed: {result.reasons[0]}", style="bold red", markup=False)
                continue
            err.print(f"\nstep '{name}' failed ({_exit_text(result)}); last lines of {result.log_path}:", style="bold red")
            err.print(tail(result.log_path), markup=False)
        err.print(f"\nfix the step, then resume with `{resume}`: finished steps are not run again.", markup=False)
        raise SystemExit(errors.EXIT_STEP_FAILED)
    if summary.status == "interrupted":
        raise errors.Interrupted(resume=resume)


def _ran_but_not_saved(result) -> bool:
    """True when a step's command exited 0 and pipeyard then failed to record its outputs."""
    return result.returncode == 0 and not getattr(result, "timed_out", False) and bool(result.reasons)


def _exit_text(result) -> str:
    if getattr(result, "timed_out", False):
        return "timed out"
    return f"exit code {result.returncode}"


def _summary_json(summary) -> dict:
    return {
        "run_id": summary.run_id,
        "commit": summary.commit,
        "status": summary.status,
        "duration_s": round(summary.duration_s, 3),
        "steps": {
            name: {
                "status": r.status,
                "duration_s": round(r.duration_s, 3),
                "reasons": list(r.reasons),
                **({"attempts": r.attempts} if r.attempts > 1 else {}),
                **({"node": {"host": r.host, "node_id": r.node_id}} if r.host or r.node_id else {}),
            }
            for name, r in summary.steps.items()
        },
    }


@app.command()
@overrides_argument
@pipeline_option
@json_option
def status(overrides, pipeline, as_json) -> None:
    """Say for each step whether it is up to date, stale (and why), or restorable from cache."""
    loaded = _load(pipeline, overrides)
    _print_status(sess.status(loaded), as_json, dry_run=False)


def _print_status(statuses, as_json: bool, dry_run: bool) -> None:
    if as_json:
        print(
            json.dumps(
                {
                    "steps": {
                        s.name: {"state": s.state, "action": s.action, "reasons": list(s.reasons)}
                        for s in statuses
                    }
                },
                indent=2,
            )
        )
        return
    labels = {"skip": "up to date", "restore": "restorable from cache", "run": "stale"}
    width = max((len(s.name) for s in statuses), default=4)
    for s in statuses:
        label = labels[s.action] if not dry_run else {"skip": "would skip", "restore": "would restore", "run": "would run"}[s.action]
        style = {"skip": "green", "restore": "magenta", "run": "yellow"}[s.action]
        out.print(f"[{style}]{s.name:<{width}}  {label}[/{style}]", end="")
        out.print(f"  {'; '.join(s.reasons)}" if s.reasons else "", markup=False)
    pending = sum(1 for s in statuses if s.action != "skip")
    out.print(f"{pending} of {len(statuses)} steps would do work" if pending else "everything is up to date")


@app.command()
@pipeline_option
@click.option("-F", "--format", "fmt", type=click.Choice(["text", "mermaid", "dot", "json"]), default="text", help="Output format.")
def dag(pipeline, fmt) -> None:
    """Print the pipeline's graph of steps."""
    from .render import render_dag

    loaded = _load(pipeline, None)
    print(render_dag(loaded.compiled.stages, fmt))


@app.command()
@overrides_argument
@pipeline_option
@click.option("--no-capacity", is_flag=True, help="Do not check steps' resources against this machine (pre-commit, CI).")
def validate(overrides, pipeline, no_capacity) -> None:
    """Check the pipeline, its parameters and the project configuration; change nothing."""
    loaded = _load(pipeline, overrides)
    if not no_capacity:
        from ..executors.capacity import detect_capacity

        capacity = detect_capacity(**sess._project_capacity(loaded.root))
        for stage in loaded.compiled.stages:
            short = capacity.shortfall(stage.resources.fitted_to(capacity))
            if short:
                raise errors.CapacityError(
                    f"asks for {short}",
                    location=errors.Location(file=loaded.source, step=stage.name),
                    hint="lower its resources, or declare capacity with --cpus/--gpus or in pipeyard.yaml; "
                    "--no-capacity skips this check",
                )
    n = len(loaded.compiled.stages)
    out.print(f"{loaded.source}: {n} step{'s' if n != 1 else ''}, valid")


@app.command(name="compile")
@overrides_argument
@pipeline_option
@click.option("--check", is_flag=True, help="Exit 1 if dvc.yaml or params.yaml is out of date (for pre-commit).")
def compile_(overrides, pipeline, check) -> None:
    """Write dvc.yaml and params.yaml from the pipeline (or check that they are current)."""
    loaded = _load(pipeline, overrides)
    if check:
        stale = sess.out_of_sync(loaded)
        if stale:
            err.print(f"out of date: {', '.join(stale)}; run `pipeyard run`, then commit dvc.yaml, params.yaml and dvc.lock")
            raise SystemExit(1)
        out.print("dvc.yaml and params.yaml are up to date")
        return
    changed = sess.compile_files(loaded, lock=True)
    out.print(f"wrote {', '.join(changed)}" if changed else "dvc.yaml and params.yaml are up to date")


@app.command()
@click.option("-n", "--limit", type=WholeNumber(1, "runs"), default=10, help="How many runs to list.")
@json_option
def runs(limit, as_json) -> None:
    """List recent runs, newest first."""
    from ..runner.records import list_records

    records = list_records(_root(), limit)
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
        out.print(f"{r.run_id}  {commit:<14} {r.status:<11} {r.duration_s:7.2f}s  {what}{overrides}", markup=False)


@app.command()
@click.argument("directory", type=click.Path(path_type=Path), default="pipeyard-demo")
@click.option("--kind", type=click.Choice(["yaml", "python"]), default="yaml", help="yaml (Azure ML CLI v2 files) or python (the SDK).")
def demo(directory, kind) -> None:
    """Create a project from a built-in example, run it, then run it again (all cached)."""
    from ..demo import create_demo

    root = create_demo(directory, kind)
    out.print(f"created {root} from the built-in '{kind}' example\n")
    for title in ("first run: every step runs", "second run: nothing to do"):
        out.print(f"[bold]{title}[/bold]")
        os.chdir(root)
        started = time.perf_counter()
        loaded = sess.load(root, None, ())
        from .progress import ProgressView
        from .render import summary_line

        with ProgressView.for_stream(sys.stdout) as view:
            summary = sess.run(loaded, sess.RunOptions(), view)
        out.print(summary_line([r.status for r in summary.steps.values()], time.perf_counter() - started) + "\n")
        if summary.status != "succeeded":
            raise SystemExit(errors.EXIT_STEP_FAILED)
    out.print(f"try: cd {root} && pipeyard run inputs.test_fraction=0.4   # reruns what depends on it")


def _register_command_modules() -> None:
    """Commands of the other areas live in their own modules, each adding itself to `app`."""
    from . import ci_cmd, component_cmd, history_cmd, hooks_cmd, template_cmd, ui_cmd

    for module in (template_cmd, component_cmd, history_cmd, ci_cmd, hooks_cmd, ui_cmd):
        module.register(app)


_register_command_modules()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map errors to exit codes in one place."""
    try:
        app.main(args=argv, prog_name="pipeyard", standalone_mode=False)
        return errors.EXIT_OK
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except errors.Interrupted as interrupted:
        err.print(interrupted.format(), markup=False)
        return errors.EXIT_INTERRUPTED
    except errors.PipeyardError as error:
        _show_trace_if_asked()
        err.print(f"error: {error.format()}", markup=False)
        return error.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort):
        err.print(errors.Interrupted().format(), markup=False)
        return errors.EXIT_INTERRUPTED
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.ClickException as error:
        if type(error).__name__ == "NoArgsIsHelpError":  # click 8.2+: `pipeyard component` shows its help
            error.show()
            return error.exit_code
        _show_trace_if_asked()
        message, hint = usage_error_line(error)
        err.print(f"error: {message}" + (f"\n  hint: {hint}" if hint else ""), markup=False)
        return errors.EXIT_USER_ERROR
    except Exception as error:  # noqa: BLE001 - a bug in pipeyard: show the trace, exit 3
        if isinstance(error, OSError) and error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            _show_trace_if_asked()  # the project folder's permissions, not a bug
            err.print(f"error: {_not_writable(error).format()}", markup=False)
            return errors.EXIT_USER_ERROR
        traceback.print_exc()
        err.print("pipeyard hit an internal error; please report it with the trace above", markup=False)
        return errors.EXIT_INTERNAL_ERROR


def _not_writable(error: OSError) -> errors.RepositoryError:
    """A permission or read-only-file-system error: which path, and how to get past it."""
    path = error.filename or "a file of the project"
    reason = (error.strerror or "permission denied").lower()
    return errors.RepositoryError(
        f"cannot access {path}: {reason}",
        hint="pipeyard writes into the project folder (.pipeyard/, dvc.yaml, dvc.lock, outputs); "
        f"make it writable for your user (see `ls -ld {Path(path).parent}`), or work in a copy you own",
    )


def _show_trace_if_asked() -> None:
    if os.environ.get("PIPEYARD_TRACEBACK"):
        traceback.print_exc()


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
