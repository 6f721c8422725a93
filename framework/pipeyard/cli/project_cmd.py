"""CLI commands on the project's definition: `pipeyard init`, `validate`, `compile` and `dag`."""

from __future__ import annotations

import click

from .. import errors
from .. import session as sess
from ..executors.capacity import check_capacity
from ._output import out
from .options import overrides_argument, pipeline_option
from .project import load_project, project_root
from .render import DAG_FORMATS, render_dag


@click.command()
def init() -> None:
    """Set up DVC and pipeyard in the current git repository."""
    done = sess.init(project_root())
    for line in done or ["already set up; nothing to do"]:
        out.print(line)


@click.command()
@overrides_argument
@pipeline_option
@click.option(
    "--no-capacity", is_flag=True, help="Do not check steps' resources against this machine (pre-commit, CI)."
)
def validate(overrides: tuple[str, ...], pipeline: str | None, no_capacity: bool) -> None:
    """Check the pipeline, its parameters and the project configuration; change nothing."""
    loaded = load_project(pipeline, overrides)
    if not no_capacity:
        capacity = sess.run_capacity(loaded.project)
        check_capacity(
            loaded.compiled.stages, capacity, source=loaded.source, skip_hint="--no-capacity skips this check"
        )
    n = len(loaded.compiled.stages)
    out.print(f"{loaded.source}: {n} step{'s' if n != 1 else ''}, valid")


@click.command(name="compile")
@overrides_argument
@pipeline_option
@click.option(
    "--check", is_flag=True, help="Exit 1 if dvc.yaml or params.yaml is out of date (for pre-commit)."
)
def compile_(overrides: tuple[str, ...], pipeline: str | None, check: bool) -> None:
    """Write dvc.yaml and params.yaml from the pipeline (or check that they are current)."""
    loaded = load_project(pipeline, overrides)
    if check:
        stale = sess.out_of_sync(loaded)
        if stale:
            raise errors.CheckFailed(
                f"out of date: {', '.join(stale)}; run `pipeyard run`, then commit dvc.yaml, params.yaml and dvc.lock"
            )
        out.print("dvc.yaml and params.yaml are up to date")
        return
    changed = sess.compile_files(loaded, lock=True)
    out.print(f"wrote {', '.join(changed)}" if changed else "dvc.yaml and params.yaml are up to date")


@click.command()
@pipeline_option
@click.option("-F", "--format", "fmt", type=click.Choice(DAG_FORMATS), default="text", help="Output format.")
def dag(pipeline: str | None, fmt: str) -> None:
    """Print the pipeline's graph of steps."""
    loaded = load_project(pipeline)
    print(render_dag(loaded.compiled.stages, fmt))
