"""CLI commands: `pipeyard ci github`, and `ci pull` / `ci step` that the generated jobs run."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from .. import ci as ci_files
from .. import errors
from .. import session as sess
from ..vcs.dvc import read_config
from ._output import err, out
from .options import pipeline_option
from .progress import ProgressView
from .project import load_project
from .render import summary_line, tail


@click.group()
def ci() -> None:
    """Continuous integration: generate GitHub Actions workflows for the pipeline."""


_overrides = click.option(
    "--overrides",
    default="",
    metavar="TEXT",
    help="Hydra overrides in one string, split like a shell line (every job must use the same).",
)


@ci.command()
@pipeline_option
@click.option(
    "--output",
    default=ci_files.WORKFLOW_PATH,
    show_default=True,
    metavar="PATH",
    help="Where to write the workflow, relative to the project root.",
)
@click.option(
    "--merge-chains/--no-merge-chains",
    default=None,
    help="Run a linear chain of steps on the same runner in one job "
    "(default: ci.github.merge_chains in pipeyard.yaml, else yes).",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 if the files are out of date or invalid (for pre-commit).",
)
def github(pipeline: str | None, output: str, merge_chains: bool | None, check: bool) -> None:
    """Write a GitHub Actions workflow that runs the pipeline one job per step.

    Jobs follow the pipeline's graph, run on the runner labels of ci.github.runners in
    pipeyard.yaml (cpu/gpu or a compute name), and pass outputs only through the DVC remote.
    Also writes the setup action .github/actions/pipeyard-setup/action.yml.

    Exit codes: 0 written or up to date, 1 --check found a problem, 2 bad input.
    """
    loaded = load_project(pipeline)
    options = ci_files.workflow_options(loaded, merge_chains=merge_chains, pipeline_file=pipeline)
    generated = ci_files.generate_files(loaded, options, output)
    if _has_no_remote(loaded.root):
        err.print(
            "note: no DVC remote is configured; the jobs need one "
            "(dvc remote add -d NAME URL, then commit .dvc/config)",
            style="yellow",
        )
    if not check:
        changed = ci_files.write_files(loaded.root, generated)
        out.print(f"wrote {', '.join(changed)}" if changed else "the workflow files are up to date")
        out.print(
            f"{len(generated.jobs)} step job(s): " + "; ".join(", ".join(j.steps) for j in generated.jobs)
        )
        return
    result = ci_files.check(loaded.root, generated, options, output)
    for note in result.notes:
        err.print(f"note: {note}", style="yellow")
    for problem in (*result.graph_problems, *result.schema_problems):
        err.print(f"problem: {problem}", markup=False)
    if result.out_of_date:
        err.print(
            f"out of date: {', '.join(result.out_of_date)}; run `pipeyard ci github` and commit the result",
            markup=False,
        )
    if not result.ok:
        raise SystemExit(errors.EXIT_CHECK_FAILED)  # the problems are listed above
    out.print("the workflow files are up to date and valid")


@ci.command(hidden=True)
@click.argument("steps", nargs=-1, metavar="[STEPS]...")
@pipeline_option
@_overrides
@click.option("--all", "all_steps", is_flag=True, help="Every step of the pipeline.")
def pull(steps: tuple[str, ...], pipeline: str | None, overrides: str, all_steps: bool) -> None:
    """(In a CI job) rebuild dvc.lock from the remote's run-cache and pull what STEPS read."""
    if bool(steps) == all_steps:
        raise click.UsageError("name the steps, or give --all")
    loaded = load_project(pipeline, shlex.split(overrides))
    pulled = ci_files.pull(loaded, None if all_steps else list(steps))
    for note in pulled.notes:
        err.print(f"note: {note}", style="yellow")
    err.print(
        f"from the run-cache: {', '.join(pulled.resolved) or 'nothing'}; "
        f"pulled: {', '.join(pulled.pulled + pulled.own_restorable) or 'nothing'}",
        markup=False,
    )


@ci.command(hidden=True)
@click.argument("steps", nargs=-1, metavar="[STEPS]...")
@pipeline_option
@_overrides
@click.option("--all", "all_steps", is_flag=True, help="Every step (what `pipeyard run` does).")
def step(steps: tuple[str, ...], pipeline: str | None, overrides: str, all_steps: bool) -> None:
    """(In a CI job) run exactly STEPS; the outputs they read must already be in place."""
    if bool(steps) == all_steps:
        raise click.UsageError("name the steps, or give --all")
    split = tuple(shlex.split(overrides))
    loaded = load_project(pipeline, split)
    options = sess.RunOptions(pipeline_file=pipeline, overrides=split, only=tuple(steps))
    with ProgressView.for_stream(sys.stderr) as view:
        summary = sess.run(loaded, options, view)
    err.print(summary_line([r.status for r in summary.steps.values()], summary.duration_s))
    if summary.status == "failed":
        for name in summary.failed:
            err.print(f"\nstep '{name}' failed; last lines of its log:", style="bold red")
            err.print(tail(summary.steps[name].log_path), markup=False)
        raise SystemExit(errors.EXIT_STEP_FAILED)
    if summary.status == "interrupted":
        raise errors.Interrupted()


def _has_no_remote(root: Path) -> bool:
    """True when neither .dvc/config nor .dvc/config.local names a DVC remote."""
    return not any(section.strip("'\"").startswith("remote ") for section in read_config(root).sections())
