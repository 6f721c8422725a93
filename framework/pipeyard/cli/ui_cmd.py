"""CLI: `pipeyard ui` serves the project's pages on loopback; `pipeyard ui build` writes one HTML file.

The web stack (Starlette, uvicorn), an extra, is imported only when `pipeyard ui` serves:
`ui build` and a pipeyard installed without the extra do without it.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..ui.export import write_report
from ._output import err
from .project import project_root


@click.group(invoke_without_command=True)
@click.option(
    "--port",
    type=click.IntRange(min=0, max=65535),
    default=8765,
    show_default=True,
    help="Port to serve on (0: any free port).",
)
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to bind; anything but loopback also needs --allow-remote.",
)
@click.option(
    "--allow-remote",
    is_flag=True,
    help="Allow a non-loopback --host; every request then needs the printed token.",
)
@click.option("--no-browser", is_flag=True, help="Do not open a browser.")
@click.pass_context
def ui(ctx: click.Context, port: int, host: str, allow_remote: bool, no_browser: bool) -> None:
    """Open the project in the browser: the graph live while runs go, history, compare, sweeps.

    Serves on 127.0.0.1 only unless --host and --allow-remote say otherwise.
    """
    if ctx.invoked_subcommand is not None:
        return
    try:  # the web stack is an extra: the server's module imports it
        from ..ui.app import serve
    except ImportError as missing:
        raise click.ClickException(
            f"pipeyard ui needs its web extras ({missing.name} is missing): pip install 'pipeyard[ui]'"
        ) from None
    serve(
        project_root(),
        host=host,
        port=port,
        open_browser=not no_browser,
        allow_remote=allow_remote,
        say=lambda text: err.print(text, markup=False),
    )


@ui.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="The HTML file to write.",
)
@click.option(
    "-n",
    "--limit",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="How many commits of history to include.",
)
def build(output: Path, limit: int) -> None:
    """Write one self-contained HTML file (graph, last run, history) that opens from file://."""
    written = write_report(project_root(), output, limit=limit)
    err.print(f"wrote {written}", markup=False)
