"""`pipeyard new`: render a template into a new git + DVC project and make its first commit."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .. import session
from ..errors import PipeyardError, RepositoryError
from ..loading import CANDIDATES
from ..vcs.git import git_output, identity_env, run_git
from .builtin_snapshots import snapshot_builtin
from .builtin_source import builtin_git_home
from .render import render
from .snapshots import save_render
from .sources import TemplateError, TemplateSource, checkout_template, resolve_source
from .state import TemplateState, write_state


@dataclass(frozen=True)
class Created:
    """A new project: where it is, what it records about its template, and its first commit."""

    root: Path
    state: TemplateState
    compiled: tuple[str, ...]  # files `pipeyard compile` wrote
    commit: str


def create_project(
    template: str,
    directory: Path | None = None,
    *,
    answers: Mapping[str, object] | None = None,
    no_input: bool = False,
    checkout: str | None = None,
    subdirectory: str | None = None,
    cwd: Path | None = None,
    after_setup: Callable[[Path], Sequence[str]] | None = None,
) -> Created:
    """Render template (built-in name, folder or git URL) into directory, then set up the project.

    after_setup runs once the pipeline compiled (e.g. to generate its CI workflow) and returns
    the files it wrote; they go into the first commit too.
    Without directory the project goes to cwd/<the folder the template names>. The project is a
    new git repository with DVC set up, its pipeline compiled, and everything committed once.
    """
    cwd = (cwd or Path.cwd()).resolve()
    target = (cwd / directory).resolve() if directory is not None else None
    if target is not None:
        _require_free(target)
    source = resolve_source(template, subdirectory, cwd)
    pinned = None
    if source.kind == "builtin" and checkout is None:  # recorded in git, so cruft can fetch it
        home = builtin_git_home(source.location) or _snapshot_home(source.location)
        if home is not None:
            source, pinned = home
    with checkout_template(source) as files, tempfile.TemporaryDirectory(prefix="pipeyard-new-") as scratch:
        version = files.resolve(checkout or pinned)
        folder = files.folder(version)
        rendered = render(
            folder, Path(scratch), answers=answers or {}, no_input=no_input, template_label=source.recorded
        )
        if target is None:
            target = cwd / rendered.project_dir.name
            _require_free(target)
        versioned = files.versioned
        if not versioned:  # keep the pure render: the merge base of the next update
            pure = Path(tempfile.mkdtemp(prefix="pipeyard-render-"))
            shutil.copytree(rendered.project_dir, pure, dirs_exist_ok=True, symlinks=True)
        target.mkdir(parents=True, exist_ok=True)
        for item in rendered.project_dir.iterdir():
            shutil.move(str(item), str(target / item.name))
    state = TemplateState(
        template=source.recorded,
        commit=version,
        checkout=checkout,
        answers=rendered.answers,
        directory=source.directory,
    )
    write_state(target, state)
    try:
        compiled = _set_up_project(target)
        if compiled and after_setup is not None:
            compiled = (*compiled, *after_setup(target))
    except PipeyardError as error:
        raise TemplateError(
            f"rendered {source.label} into {target}, but setting the project up failed: {error.message}",
            hint=error.hint
            or "fix the template's pipeline, then run `pipeyard init` and `pipeyard compile` there",
        ) from error
    commit = _first_commit(target, f"Create project from template {source.label}")
    if not versioned:
        try:
            save_render(target, pure, version)
        finally:
            shutil.rmtree(pure, ignore_errors=True)
    return Created(target, state, compiled, commit)


def _snapshot_home(name: str) -> tuple[TemplateSource, str] | None:
    try:
        return snapshot_builtin(name)
    except (RepositoryError, OSError):
        return None  # no writable snapshot repository: the project records builtin:<name>


def _require_free(target: Path) -> None:
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise TemplateError(
            f"{target} already exists and is not empty",
            hint="choose a new folder: `pipeyard new TEMPLATE NEW_DIR`",
        )


def _set_up_project(root: Path) -> tuple[str, ...]:
    if not (root / ".git").exists():
        run_git(root, "init", "--quiet")
    session.init(root)
    if not any((root / name).is_file() for name in CANDIDATES):
        return ()
    return tuple(session.compile_files(session.load(root)))


def _first_commit(root: Path, message: str) -> str:
    run_git(root, "add", "--all")
    run_git(root, "commit", "--quiet", "--no-verify", "-m", message, env=identity_env(root))
    return git_output(root, "rev-parse", "HEAD")
