"""CLI commands: `pipeyard new`, `pipeyard templates`, `pipeyard template update|check|diff`."""

from __future__ import annotations

from pathlib import Path

import click

from .. import ci, errors, session
from ..project_templates import (
    builtin_folder,
    builtin_templates,
    check_project,
    create_project,
    diff_project,
    parse_answers,
    update_project,
)
from ._output import err, out
from .project import project_root

checkout_option = click.option(
    "--checkout",
    default=None,
    metavar="REF",
    help="Template branch, tag or commit (default: the one recorded at `new`, else the default branch).",
)
new_checkout_option = click.option(
    "--checkout",
    default=None,
    metavar="REF",
    help="Template branch, tag or commit to use (default: the default branch); recorded for updates.",
)


@click.command()
@click.argument("template_name", metavar="TEMPLATE")
@click.argument("args", nargs=-1, metavar="[DIR] [KEY=VALUE]...")
@click.option(
    "--no-input", is_flag=True, help="Ask nothing: use the template's defaults and the KEY=VALUE answers."
)
@new_checkout_option
@click.option(
    "--directory",
    "subdirectory",
    default=None,
    metavar="SUBDIR",
    help="The template's folder inside the git repository.",
)
def new(
    template_name: str, args: tuple[str, ...], no_input: bool, checkout: str | None, subdirectory: str | None
) -> None:
    """Create a project from a template: a built-in name (see `pipeyard templates`), a folder,
    or a git URL. The project is a git + DVC repository with its pipeline compiled and committed.

    \b
    Examples:
      pipeyard new minimal my-project --no-input project_name="My project"
      pipeyard new https://github.com/org/ml-template.git --checkout v2
    """
    directory = None
    if args and "=" not in args[0]:
        directory, args = Path(args[0]), args[1:]
    created = create_project(
        template_name,
        directory,
        answers=parse_answers(args),
        no_input=no_input,
        checkout=checkout,
        subdirectory=subdirectory,
        after_setup=_write_ci_workflow,
    )
    version = created.state.commit or ""
    out.print(
        f"created {created.root} from {created.state.template}"
        + (f" at {_short(version)}" if version else ""),
        markup=False,
    )
    if created.compiled:
        out.print(f"compiled the pipeline and its CI workflow: {', '.join(created.compiled)}", markup=False)
    out.print(f"next: cd {created.root} && pipeyard run", markup=False)


def _write_ci_workflow(root: Path) -> list[str]:
    """Generate the project's GitHub Actions workflow (`pipeyard ci github`) into root."""
    loaded = session.load(root)
    return ci.write_files(root, ci.generate_files(loaded, ci.workflow_options(loaded)))


@click.command()
def templates() -> None:
    """List the built-in templates, one line each."""
    found = builtin_templates()
    if not found:
        out.print(
            f"no built-in templates found (looked in {builtin_folder() or 'the pipeyard installation'})",
            markup=False,
        )
        return
    width = max(len(t.name) for t in found)
    for t in found:
        out.print(f"[bold]{t.name:<{width}}[/bold]  {t.description}")
    out.print("\ncreate a project with `pipeyard new NAME [DIR]`", markup=False)


@click.group()
def template() -> None:
    """Keep a project made with `pipeyard new` up to date with its template."""


@template.command()
@checkout_option
def check(checkout: str | None) -> None:
    """Exit 1 if the project is behind its template (for CI and pre-commit), 0 if current."""
    versions = check_project(project_root(), checkout)
    if versions.up_to_date:
        out.print(f"up to date with {versions.template} at {_short(versions.current)}", markup=False)
        return
    raise errors.CheckFailed(
        f"behind the template: project at {_short(versions.current)}, {versions.template} at {_short(versions.latest)}; "
        "see `pipeyard template diff`, apply with `pipeyard template update`"
    )


@template.command()
@checkout_option
@click.argument("paths", nargs=-1, metavar="[PATH]...")
def diff(checkout: str | None, paths: tuple[str, ...]) -> None:
    """Show what an update would change: the template's own change, limited to PATHs if given."""
    from rich.text import Text  # rich costs ~20 ms: only the diff draws with it

    versions, lines = diff_project(project_root(), checkout, paths)
    if versions.up_to_date:
        err.print(
            f"up to date with {versions.template} at {_short(versions.current)}; nothing to show",
            markup=False,
        )
        return
    err.print(f"template change {_short(versions.current)} -> {_short(versions.latest)}:", markup=False)
    for line in lines:
        out.print(Text(line, style=_diff_style(line)))


def _diff_style(line: str) -> str:
    if line.startswith(("+++", "---", "diff ")):
        return "bold"
    if line.startswith("@@"):
        return "cyan"
    if line.startswith("+"):
        return "green"
    if line.startswith("-"):
        return "red"
    return ""


@template.command()
@checkout_option
def update(checkout: str | None) -> None:
    """Merge the template's changes since the project was made (or last updated) into it.

    Your changes are kept, the template's are applied; where both changed the same lines the
    file gets <<<<<<< ours / >>>>>>> template markers and the command exits 1.
    """
    result = update_project(project_root(), checkout)
    versions = result.versions
    if versions.up_to_date:
        out.print(f"already up to date with {versions.template} at {_short(versions.current)}", markup=False)
        return
    out.print(f"updated from template {_short(versions.current)} -> {_short(versions.latest)}", markup=False)
    for change in result.report.changes:
        note = f"  ({change.note})" if change.note else ""
        out.print(f"  {change.action:<9} {change.path}{note}", markup=False)
    for note in result.notes:
        err.print(f"note: {note}", style="yellow", markup=False)
    conflicts = result.report.conflicts
    if conflicts:
        err.print(
            f"\n{len(conflicts)} file{'s' if len(conflicts) != 1 else ''} with conflicts:",
            style="bold red",
            markup=False,
        )
        for path in conflicts:
            err.print(f"  {path}", markup=False)
        err.print(
            "\nto finish: edit them and resolve each <<<<<<< ours / ======= / >>>>>>> template block, then\n"
            '  git add -A && git commit -m "Update from template"\n'
            "  (.cruft.json already records the new template version; committing completes the update)\n"
            "to abandon the update: git reset --hard && git clean -fd",
            markup=False,
        )
        raise SystemExit(errors.EXIT_CHECK_FAILED)  # the conflicts are listed above
    out.print(
        '\nreview with `git status` and `git diff`, then: git add -A && git commit -m "Update from template"',
        markup=False,
    )


def _short(version: str | None) -> str:
    if not version:
        return "an unknown version"
    return version[:19] if version.startswith("sha256:") else version[:8]
