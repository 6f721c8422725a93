"""CLI commands used by the pre-commit hooks (checks that guard a commit): `pipeyard check-data`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from .. import checks, errors
from ._output import err
from .project import project_root

MAX_SIZE_DEFAULT = "1MB"


@click.command(name="check-data")
@click.argument("files", nargs=-1, metavar="[FILES]...")
@click.option(
    "--max-size",
    default=MAX_SIZE_DEFAULT,
    show_default=True,
    metavar="SIZE",
    help="Largest file git may take, e.g. 500KB, 5MB.",
)
@click.option(
    "--extensions",
    default=None,
    metavar="LIST",
    help="Comma-separated data-like extensions refused at any size "
    "(default: csv, parquet, npy, pkl, h5, pt, ckpt, zip and more); '' refuses none.",
)
@click.option(
    "--allow",
    multiple=True,
    metavar="GLOB",
    help="Let files matching GLOB (from the repository root, e.g. 'tests/fixtures/*') "
    "into git whatever their size or extension; repeatable.",
)
def check_data(files: tuple[str, ...], max_size: str, extensions: str | None, allow: tuple[str, ...]) -> None:
    """Fail when data is about to be committed to git instead of DVC.

    Checks FILES (default: the files staged for the next commit) and refuses any that is larger
    than --max-size, has a data-like extension, or is tracked by DVC (an output in dvc.yaml, or
    in a .dvc file) yet staged in git. Each refusal prints the commands that fix it.

    Exit codes: 0 nothing to refuse, 1 a file should not be committed, 2 bad input.
    """
    root = project_root()
    refused = checks.DEFAULT_DATA_EXTENSIONS if extensions is None else checks.parse_extensions(extensions)
    policy = checks.DataPolicy(max_size=checks.parse_size(max_size), extensions=refused, allow=tuple(allow))
    paths = [_from_root(root, f) for f in files] if files else checks.staged_files(root)
    problems = checks.find_data_problems(root, paths, policy, checks.find_dvc_tracked(root))
    if not problems:
        return
    count = f"{len(problems)} file{'s' if len(problems) != 1 else ''}"
    err.print(f"{count} should not be committed to git (data belongs in DVC):", markup=False)
    for problem in problems:
        err.print(f"  {problem.path}: {'; '.join(problem.reasons)}", markup=False)
        err.print(f"    fix: {problem.fix}", markup=False)
    if any(problem.allowable for problem in problems):
        err.print(
            "a file that belongs in git can be let through with --allow GLOB "
            "(in .pre-commit-config.yaml: args: [--allow, 'GLOB'])",
            markup=False,
        )
    raise SystemExit(errors.EXIT_CHECK_FAILED)  # the files are listed above


def _from_root(root: Path, name: str) -> str:
    """FILES are relative to the current folder (as pre-commit passes them from the root)."""
    absolute = os.path.abspath(name)
    path = Path(os.path.realpath(os.path.dirname(absolute))) / os.path.basename(absolute)
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return Path(name).as_posix()
