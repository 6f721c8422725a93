"""The git repository that holds a built-in template, so cruft can fetch it again.

A built-in template is a folder shipped with pipeyard. cruft (``cruft check``, ``cruft update``)
can only fetch templates kept in git, so a project made from a built-in template records the
repository pipeyard itself came from, with ``directory: templates/<name>`` and the commit
pipeyard was installed at:

* pipeyard installed from a git URL: that URL and commit;
* pipeyard installed from a clean checkout (``pip install -e .``): the checkout's ``origin``
  when HEAD is pushed there, else the checkout's own path, at HEAD.

Otherwise (installed from a package index, or a checkout whose template has uncommitted
edits) there is none, and the project records the per-user snapshot repository instead
(builtin_snapshots.py); ``builtin:<name>`` with a content hash only when that cannot be written.
"""

from __future__ import annotations

from pathlib import Path

from ..config.installation import Installation, installation
from ..errors import RepositoryError
from ..vcs.git import git_output, run_git
from .sources import TemplateSource

TEMPLATES_FOLDER = "templates"


def builtin_git_home(name: str, installed: Installation | None = None) -> tuple[TemplateSource, str] | None:
    """(the git source of built-in template name, the commit to render) or None when there is
    no git repository cruft could fetch it from. installed: this pipeyard's installation."""
    found = installed if installed is not None else installation()
    if found is None:
        return None
    directory = f"{TEMPLATES_FOLDER}/{name}"
    if found.vcs_url and found.commit:
        return TemplateSource("git", found.vcs_url, directory), found.commit
    if found.folder is None:
        return None
    return _checkout_home(Path(found.folder), directory)


def _checkout_home(folder: Path, directory: str) -> tuple[TemplateSource, str] | None:
    if not (folder / directory / "cookiecutter.json").is_file() or not (folder / ".git").exists():
        return None
    try:
        if git_output(folder, "status", "--porcelain", "--", directory):
            return None  # the files differ from every commit: keep the built-in form
        commit = git_output(folder, "rev-parse", "HEAD")
        origin = run_git(folder, "remote", "get-url", "origin", check=False).stdout.strip()
        pushed = (
            origin
            and run_git(folder, "branch", "--remotes", "--contains", commit, check=False).stdout.strip()
        )
    except RepositoryError:
        return None
    return TemplateSource("git", origin if pushed else str(folder.resolve()), directory), commit
