"""CLI command: `pipeyard demo` makes a project from a built-in example and runs it twice."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from .. import errors
from .. import session as sess
from ..demo import create_demo
from ._output import out
from .progress import ProgressView
from .render import summary_line


@click.command()
@click.argument("directory", type=click.Path(path_type=Path), default="pipeyard-demo")
@click.option(
    "--kind",
    type=click.Choice(["yaml", "python"]),
    default="yaml",
    help="yaml (Azure ML CLI v2 files) or python (the SDK).",
)
def demo(directory: Path, kind: str) -> None:
    """Create a project from a built-in example, run it, then run it again (all cached)."""
    root = create_demo(directory, kind)
    out.print(f"created {root} from the built-in '{kind}' example\n")
    for title in ("first run: every step runs", "second run: nothing to do"):
        out.print(f"[bold]{title}[/bold]")
        os.chdir(root)
        started = time.perf_counter()
        loaded = sess.load(root, None, ())
        with ProgressView.for_stream(sys.stdout) as view:
            summary = sess.run(loaded, sess.RunOptions(), view)
        out.print(
            summary_line([r.status for r in summary.steps.values()], time.perf_counter() - started) + "\n"
        )
        if summary.status != "succeeded":
            raise SystemExit(errors.EXIT_STEP_FAILED)
    out.print(f"try: cd {root} && pipeyard run inputs.test_fraction=0.4   # reruns what depends on it")
