"""The `pipeyard` command: thin commands that parse, call the session, and print."""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from pathlib import Path

import click
from rich.console import Console

from .. import errors
from .. import session as sess

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="pipeyard", prog_name="pipeyard")
def app() -> None:
    """Git-native ML pipelines: define steps in Python or Azure ML YAML, parameterize them
    with Hydra, compile to DVC, and run them in parallel with caching.

    \b
    Start with:  pipeyard demo /tmp/pipeyard-demo
    In a project: pipeyard init && pipeyard run
    """


pipeline_option = click.option(
    "-p", "--pipeline", default=None, metavar="FILE",
    help="Pipeline file (default: pipeline.yml, pipeline.yaml or pipeline.py in the project root).",
)
overrides_argument = click.argument("overrides", nargs=-1, metavar="[OVERRIDES]...")
json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")


def _root() -> Path:
    return sess.find_root()


def _load(pipeline: str | None, overrides: list[str] | None) -> sess.Loaded:
    loaded = sess.load(_root(), pipeline, tuple(overrides or ()))
    for note in loaded.notes:
        err.print(f"note: {note}", style="yellow")
    return loaded


def _parse_gpus(text: str | None) -> tuple[str, ...] | None:
    if text is None:
        return None
    if text.strip().lower() in ("", "none"):
        return ()
    return tuple(part.strip() for part in text.split(",") if part.strip())


def _parse_memory(text: str | None) -> int | None:
    if text is None:
        return None
    from ..config.project import parse_memory_mb

    return parse_memory_mb(text)


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
@click.option("-j", "--jobs", type=click.IntRange(min=1), default=None, help="Run at most N steps at once (default: as capacity allows).")
@click.option("-k", "--keep-going", is_flag=True, help="After a failure, finish every independent branch.")
@click.option("-f", "--force", multiple=True, metavar="STEP", help="Run STEP even if up to date (repeatable); steps below it rerun only if its outputs change.")
@click.option("-n", "--dry-run", is_flag=True, help="Show what would run and why; run nothing.")
@json_option
@click.option("--cpus", type=click.FloatRange(min=0, min_open=True), default=None, help="CPU capacity to schedule within (default: this machine's).")
@click.option("--gpus", default=None, metavar="IDS", help="GPU device ids to schedule on, e.g. 0,1 (or 'none').")
@click.option("--memory", default=None, metavar="SIZE", help="Memory capacity, e.g. 16GB (default: this machine's).")
@click.option("--wait", is_flag=True, help="If another run holds the repository, wait for it instead of refusing.")
@click.option("-m", "--multirun", is_flag=True, help="Sweep: expand overrides like train.lr=0.1,0.01 into one run per point.")
@click.option("--sort-by", default=None, metavar="METRIC", help="With -m: rank the points by this metric (prefix - for ascending).")
@click.option("--rev", default=None, metavar="REV", help="Reproduce the pipeline of a past git revision (in a temporary worktree).")
@click.option("--keep-worktree", is_flag=True, help="With --rev: keep the temporary worktree after success.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=None, metavar="DIR", help="With --rev: copy the reproduced outputs into DIR.")
def run(overrides, pipeline, jobs, keep_going, force, dry_run, as_json, cpus, gpus, memory, wait, multirun, sort_by, rev, keep_worktree, out_dir) -> None:
    """Run the pipeline: every stale step, in parallel, reusing everything else from the cache.

    OVERRIDES are Hydra overrides for this run, e.g. train.lr=0.01 +train.extra=1 train=large;
    params.yaml records the values the last run used.

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
        memory_mb=_parse_memory(memory),
        gpu_ids=_parse_gpus(gpus),
        wait=wait,
    )
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
    loaded = _load(pipeline, overrides)
    if dry_run:
        _print_status(sess.status(loaded, force or ()), as_json, dry_run=True)
        return
    from .progress import ProgressView
    from .render import summary_line, tail

    view = ProgressView.for_stream(sys.stderr)
    with view:
        summary = sess.run(loaded, options, view)
    steps = summary.steps
    if as_json:
        print(json.dumps(_summary_json(summary), indent=2))
    err.print(summary_line([r.status for r in steps.values()], time.perf_counter() - started))
    if summary.status == "failed":
        for name in summary.failed:
            result = steps[name]
            err.print(f"\nstep '{name}' failed ({_exit_text(result)}); last lines of {result.log_path}:", style="bold red")
            err.print(tail(result.log_path), markup=False)
        again = "pipeyard run " + " ".join(overrides or ())
        err.print(f"\nfix the step, then resume with `{again.strip()}`: finished steps are not run again.")
        raise SystemExit(errors.EXIT_STEP_FAILED)
    if summary.status == "interrupted":
        raise errors.Interrupted()


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
            err.print(f"out of date: {', '.join(stale)}; run `pipeyard compile` and commit the result")
            raise SystemExit(1)
        out.print("dvc.yaml and params.yaml are up to date")
        return
    changed = sess.compile_files(loaded)
    out.print(f"wrote {', '.join(changed)}" if changed else "dvc.yaml and params.yaml are up to date")


@app.command()
@click.option("-n", "--limit", type=click.IntRange(min=1), default=10, help="How many runs to list.")
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
    from . import ci_cmd, component_cmd, history_cmd, hooks_cmd, template_cmd

    for module in (template_cmd, component_cmd, history_cmd, ci_cmd, hooks_cmd):
        module.register(app)


_register_command_modules()


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the CLI and map errors to exit codes in one place."""
    try:
        app.main(args=argv, prog_name="pipeyard", standalone_mode=False)
        return errors.EXIT_OK
    except SystemExit as exit_:
        return int(exit_.code or 0)
    except errors.PipeyardError as error:
        _show_trace_if_asked()
        err.print(f"error: {error.format()}", markup=False)
        return error.exit_code
    except (KeyboardInterrupt, click.exceptions.Abort, errors.Interrupted):
        err.print("interrupted: finished steps are recorded; `pipeyard run` resumes the rest", markup=False)
        return errors.EXIT_INTERRUPTED
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except click.ClickException as error:
        error.show()
        return errors.EXIT_USER_ERROR
    except Exception:  # noqa: BLE001 - a bug in pipeyard: show the trace, exit 3
        traceback.print_exc()
        err.print("pipeyard hit an internal error; please report it with the trace above", markup=False)
        return errors.EXIT_INTERNAL_ERROR


def _show_trace_if_asked() -> None:
    if os.environ.get("PIPEYARD_TRACEBACK"):
        traceback.print_exc()


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
