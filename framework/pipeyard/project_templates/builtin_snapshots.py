"""A per-user git repository of the built-in templates, so cruft can fetch them from any install.

cruft (``cruft check``, ``cruft update``) fetches templates only with ``git clone``. When this
pipeyard has no git home for its built-in templates (installed from a package index, or a
checkout whose templates have uncommitted edits; see builtin_source.py), ``pipeyard new`` commits
the built-in templates folder, as it is now, into a bare repository kept per user:

    $PIPEYARD_TEMPLATE_SNAPSHOTS, else $XDG_DATA_HOME/pipeyard/templates.git,
    else ~/.local/share/pipeyard/templates.git

and the project records that repository's path as ``template``, ``directory: <name>`` and the
commit. Each distinct content of the folder is one parentless commit with a fixed author and
date, so the same templates give the same commit id on every machine; it is tagged
``pipeyard-<version>-<hash>``. Branch ``main`` (the repository's HEAD, what cruft compares with)
moves to a snapshot when its content is seen for the first time, and never back to older content.
The repository is data, not a cache: deleting it loses the versions projects were made from.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from ..config.installation import installation
from ..errors import RepositoryError
from ..vcs.git import git_output, run_git
from .sources import TemplateSource, builtin_templates, content_hash, is_git_url

LOCATION_VARIABLE = "PIPEYARD_TEMPLATE_SNAPSHOTS"
BRANCH = "main"
TAG_PREFIX = "pipeyard-"
_SAME_EVERYWHERE = {  # fixed author and date: a snapshot's commit id depends on its files only
    "GIT_AUTHOR_NAME": "pipeyard",
    "GIT_AUTHOR_EMAIL": "pipeyard@localhost.invalid",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00+0000",
    "GIT_COMMITTER_NAME": "pipeyard",
    "GIT_COMMITTER_EMAIL": "pipeyard@localhost.invalid",
    "GIT_COMMITTER_DATE": "2000-01-01T00:00:00+0000",
}
_NOT_IN_A_TAG = re.compile(r"[^A-Za-z0-9._-]+")


def snapshot_repository() -> Path:
    """Where the per-user repository of built-in template snapshots lives (see module docstring)."""
    chosen = os.environ.get(LOCATION_VARIABLE)
    if chosen:
        return Path(chosen).expanduser().resolve()
    data = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return (Path(data).expanduser() / "pipeyard" / "templates.git").resolve()


def snapshot_builtin(name: str, repository: Path | None = None) -> tuple[TemplateSource, str]:
    """(the git source of built-in template name in the snapshot repository, the snapshot commit).

    Commits the built-in templates folder's current content when it is not there yet."""
    folder = _builtin_folder_of(name)
    repo = repository or snapshot_repository()
    _ensure_repository(repo)
    digest = content_hash(folder).removeprefix("sha256:")
    seen = git_output(repo, "tag", "--list", f"{TAG_PREFIX}*-{digest[:16]}")
    commit = _commit_folder(repo, folder, digest)
    if not seen:
        run_git(repo, "update-ref", f"refs/heads/{BRANCH}", commit)
    tag = f"{TAG_PREFIX}{_NOT_IN_A_TAG.sub('-', _version())}-{digest[:16]}"
    run_git(repo, "update-ref", f"refs/tags/{tag}", commit)
    return TemplateSource("git", str(repo), name), commit


def is_snapshot_source(source: TemplateSource) -> bool:
    """Whether source is a template in this user's snapshot repository."""
    return (
        source.kind == "git"
        and not is_git_url(source.location)
        and (Path(source.location).expanduser().resolve() == snapshot_repository())
    )


def refresh_snapshot(source: TemplateSource) -> None:
    """When source is in the snapshot repository, record this pipeyard's built-in templates there
    first, so a check or update sees the templates of the pipeyard installed now."""
    if is_snapshot_source(source) and source.directory and "/" not in source.directory:
        try:
            snapshot_builtin(source.directory)
        except RepositoryError:
            pass  # this pipeyard lacks that template: the recorded snapshots still serve


def _builtin_folder_of(name: str) -> Path:
    for template in builtin_templates():
        if template.name == name:
            return template.path.parent
    raise RepositoryError(
        f"this pipeyard has no built-in template '{name}' to snapshot",
        hint="`pipeyard templates` lists the built-in templates",
    )


def _ensure_repository(repo: Path) -> None:
    if (repo / "HEAD").is_file():
        return
    repo.mkdir(parents=True, exist_ok=True)
    run_git(repo, "init", "--quiet", "--bare", f"--initial-branch={BRANCH}")


def _commit_folder(repo: Path, folder: Path, digest: str) -> str:
    with tempfile.TemporaryDirectory(prefix="pipeyard-builtin-") as scratch:
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        run_git(
            repo,
            f"--work-tree={folder}",
            "add",
            "--all",
            "--force",
            "--",
            ".",
            ":(exclude,glob)**/__pycache__/**",
            ":(exclude,glob)**/*.pyc",
            env=index,
        )  # the files content_hash reads
        tree = git_output(repo, "write-tree", env=index)
    message = f"pipeyard built-in templates sha256:{digest}"
    return git_output(repo, "commit-tree", tree, "-m", message, env=_SAME_EVERYWHERE)


def _version() -> str:
    found = installation()
    return found.version if found is not None else "unknown"
