"""The last check before pipeyard deletes or replaces an output, made whatever validation said.

A path may be deleted only when it is a declared output of the step and lies strictly inside
the repository: not the root, not in ``.git``, ``.dvc`` or ``.pipeyard``, and still so once
every symbolic link on the way is resolved. Anything else raises UnsafePathError and nothing
is deleted.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import Location, UnsafePathError
from ..model.output_rule import escape_problem, normalise, reserved_problem

_HINT = "fix the output's path in the pipeline (`pipeyard validate` shows the problem), then run again"


def removal_problem(root: Path, relpath: str) -> str | None:
    """Why deleting root/relpath is unsafe (relpath relative to root), or None when it is safe."""
    path = normalise(relpath)
    problem = escape_problem(path) or reserved_problem(path)
    if problem:
        return problem
    real_root = os.path.realpath(root)
    real = os.path.realpath(os.path.join(real_root, path))
    try:
        relative = normalise(os.path.relpath(real, real_root))
    except ValueError:  # another drive
        return f"leads outside the project (to {real})"
    if relative == ".." or relative.startswith("../") or os.path.isabs(relative):
        return f"leads outside the project through a symbolic link (to {real})"
    problem = escape_problem(relative) or reserved_problem(relative)
    if problem:
        return f"leads through a symbolic link to '{relative}', which {problem}"
    return None


def output_targets(root: Path, paths: Iterable[str], declared: Iterable[str], step: str) -> list[Path]:
    """root/path for each of paths, once every one is proven a declared output of step that is
    safe to delete; UnsafePathError for the first that is not (so none is deleted)."""
    allowed = {normalise(p) for p in declared}
    targets = []
    for relpath in paths:
        path = normalise(relpath)
        if path not in allowed:
            raise UnsafePathError(
                f"refusing to delete '{relpath}': it is not a declared output of step '{step}'",
                location=Location(step=step),
                hint="dvc.lock or the run-cache names outputs the pipeline does not; "
                f"run the step again (`pipeyard run --force {step}`)",
            )
        problem = removal_problem(root, path)
        if problem:
            raise UnsafePathError(
                f"refusing to delete output '{relpath}': it {problem}",
                location=Location(step=step),
                hint=_HINT,
            )
        targets.append(Path(root) / path)
    return targets


def check_removable(path: Path, root: Path) -> None:
    """Raise UnsafePathError unless path may be deleted as an output of the project at root."""
    try:
        relpath = os.path.relpath(os.path.abspath(path), os.path.abspath(root))
    except ValueError:  # another drive
        relpath = os.path.abspath(path)
    problem = removal_problem(Path(root), relpath)
    if problem:
        raise UnsafePathError(f"refusing to delete '{path}': it {problem}", hint=_HINT)
