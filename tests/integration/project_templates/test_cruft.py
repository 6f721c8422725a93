"""cruft itself (`cruft check`, `cruft update`) on projects made from the built-in templates.

A fresh clone of this repository stands for "pipeyard installed from git": the project records
that repository with `directory: templates/<name>`, the commit, and cruft's `_commit`.
pipeyard "installed from a package index" records its per-user snapshot repository instead.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from template_repos import git

from pipeyard.config.installation import Installation
from pipeyard.project_templates import builtin_source, create_project, sources
from pipeyard.project_templates import create as create_module
from pipeyard.project_templates.builtin_snapshots import LOCATION_VARIABLE, snapshot_builtin
from pipeyard.project_templates.builtin_source import builtin_git_home

REPO = Path(__file__).resolve().parents[3]
CRUFT = Path(sys.executable).with_name("cruft")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not CRUFT.exists(), reason="cruft is not installed")]


def _cruft(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "PATH": f"{CRUFT.parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "GIT_SSH_COMMAND": "false",
    }  # `builtin:<name>` reads to git as host:path; stay offline
    return subprocess.run([str(CRUFT), *args], cwd=root, capture_output=True, text=True, timeout=300, env=env)


@pytest.fixture
def fresh_clone(tmp_path) -> Path:
    """A fresh clone of this repository (its committed templates)."""
    clone = tmp_path / "pipeyard"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    git(clone, "remote", "remove", "origin")  # the clone itself is the template's home
    return clone


def test_a_builtin_template_records_its_git_home(fresh_clone):
    commit = git(fresh_clone, "rev-parse", "HEAD").strip()
    installed = Installation("0.1.0", folder=fresh_clone)
    source, pinned = builtin_git_home("minimal", installed)
    assert (source.kind, source.location, source.directory, pinned) == (
        "git",
        str(fresh_clone),
        "templates/minimal",
        commit,
    )
    from_git = Installation("0.1.0", vcs_url="https://example.invalid/pipeyard.git", commit=commit)
    assert builtin_git_home("minimal", from_git)[0].location == "https://example.invalid/pipeyard.git"
    assert builtin_git_home("minimal", Installation("0.1.0")) is None  # from an index: built-in form
    bare = fresh_clone.parent / "origin.git"
    git(fresh_clone, "clone", "-q", "--bare", str(fresh_clone), str(bare))
    git(fresh_clone, "remote", "add", "origin", str(bare))
    git(fresh_clone, "fetch", "-q", "origin")
    assert builtin_git_home("minimal", installed)[0].location == str(bare)  # pushed: its origin
    (fresh_clone / "templates" / "minimal" / "cookiecutter.json").write_text("{}")
    assert builtin_git_home("minimal", installed) is None  # uncommitted edits: built-in form


def test_cruft_checks_and_updates_a_project_made_from_a_builtin_template(fresh_clone, tmp_path):
    source, commit = builtin_git_home("minimal", Installation("0.1.0", folder=fresh_clone))
    created = create_project(source.location, tmp_path / "proj", no_input=True, subdirectory=source.directory)
    root = created.root
    state = json.loads((root / ".cruft.json").read_text())
    assert state["commit"] == commit and state["context"]["cookiecutter"]["_commit"] == commit
    checked = _cruft(root, "check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "up to date" in checked.stdout

    # a new version of the template: cruft sees it, and cruft update brings it in
    readme = fresh_clone / "templates" / "minimal" / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + "\nA line added by a newer template.\n")
    git(fresh_clone, "commit", "-q", "-am", "template: one more line")
    newer = git(fresh_clone, "rev-parse", "HEAD").strip()
    stale = _cruft(root, "check")
    assert stale.returncode == 1 and "Traceback" not in stale.stderr, stale.stdout + stale.stderr
    updated = _cruft(root, "update", "--skip-apply-ask", "--allow-untracked-files")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "A line added by a newer template." in (root / "README.md").read_text()
    assert json.loads((root / ".cruft.json").read_text())["commit"] == newer
    assert _cruft(root, "check").returncode == 0


def test_pipeyard_template_update_reads_the_same_state(fresh_clone, tmp_path, cli):
    source, _ = builtin_git_home("minimal", Installation("0.1.0", folder=fresh_clone))
    root = create_project(
        source.location, tmp_path / "proj", no_input=True, subdirectory=source.directory
    ).root
    readme = fresh_clone / "templates" / "minimal" / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + "\nAnother line.\n")
    git(fresh_clone, "commit", "-q", "-am", "template: another line")
    updated = cli(root, "template", "update")
    assert updated.code == 0, updated.err
    assert "Another line." in (root / "README.md").read_text()
    state = json.loads((root / ".cruft.json").read_text())
    assert (
        state["context"]["cookiecutter"]["_commit"]
        == state["commit"]
        == git(fresh_clone, "rev-parse", "HEAD").strip()
    )
    assert _cruft(root, "check").returncode == 0


def test_cruft_on_the_builtin_form_stops_at_the_template_it_cannot_fetch(tmp_path, monkeypatch, cli):
    """No git home and no snapshot repository (or a project from an older pipeyard): `builtin:<name>`.

    cruft exits non-zero naming `builtin:minimal` and changes nothing (docs/templates.md says
    why, and what to record instead); pipeyard's own `template check` works on the same file.
    """
    monkeypatch.setattr(create_module, "builtin_git_home", lambda name: None)
    monkeypatch.setattr(create_module, "_snapshot_home", lambda name: None)  # no writable snapshot repository
    root = create_project("minimal", tmp_path / "proj", no_input=True).root
    written = (root / ".cruft.json").read_text()
    state = json.loads(written)
    assert state["template"] == "builtin:minimal" and state["commit"].startswith("sha256:")
    assert state["context"]["cookiecutter"]["_commit"] == state["commit"]
    for args in (("check",), ("update", "--skip-apply-ask", "--allow-untracked-files")):
        done = _cruft(root, *args)
        said = done.stdout + done.stderr
        assert done.returncode == 1 and "builtin:minimal" in said and "Failed to clone" in said, said
    assert (root / ".cruft.json").read_text() == written
    assert git(root, "status", "--porcelain") == ""
    assert cli(root, "template", "check").code == 0


@pytest.fixture
def packaged(tmp_path, monkeypatch) -> Path:
    """pipeyard as installed from a package index (so no git home for its built-in templates),
    with its built-in templates in a folder this test may change; returns that folder."""
    monkeypatch.setattr(builtin_source, "installation", lambda: Installation("0.1.0"))
    templates = tmp_path / "builtin"
    shutil.copytree(
        sources.builtin_folder(), templates, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    monkeypatch.setattr(sources, "builtin_folder", lambda: templates)
    monkeypatch.setenv(LOCATION_VARIABLE, str(tmp_path / "user-data" / "templates.git"))
    assert builtin_git_home("minimal") is None
    return templates


def test_cruft_updates_a_project_made_from_a_builtin_template_of_a_packaged_pipeyard(packaged, tmp_path, cli):
    snapshots = tmp_path / "user-data" / "templates.git"
    root = create_project("minimal", tmp_path / "proj", no_input=True).root
    state = json.loads((root / ".cruft.json").read_text())
    first = git(snapshots, "rev-parse", "main").strip()
    assert (state["template"], state["directory"], state["checkout"]) == (str(snapshots), "minimal", None)
    assert state["commit"] == state["context"]["cookiecutter"]["_commit"] == first
    assert state["context"]["cookiecutter"]["_template"] == str(snapshots)
    assert snapshots.is_dir() and root not in snapshots.parents
    checked = _cruft(root, "check")
    assert checked.returncode == 0 and "up to date" in checked.stdout, checked.stdout + checked.stderr
    assert cli(root, "template", "check").code == 0

    # a newer pipeyard changes the template; a pipeyard command records it as a new snapshot
    readme = packaged / "minimal" / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + "\nA line added by a newer pipeyard.\n")
    assert cli(root, "template", "check").code == 1
    newer = git(snapshots, "rev-parse", "main").strip()
    assert newer != first and git(snapshots, "cat-file", "-t", first).strip() == "commit"  # the old one stays
    stale = _cruft(root, "check")
    said = stale.stdout + stale.stderr
    assert stale.returncode == 1 and "out of date" in said and "Traceback" not in said, said
    updated = _cruft(root, "update", "--skip-apply-ask", "--allow-untracked-files")
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "A line added by a newer pipeyard." in (root / "README.md").read_text()
    state = json.loads((root / ".cruft.json").read_text())
    assert state["commit"] == state["context"]["cookiecutter"]["_commit"] == newer
    assert _cruft(root, "check").returncode == 0
    assert cli(root, "template", "check").code == 0
    git(root, "commit", "-q", "-am", "cruft update")

    # and pipeyard's own update, from the same state, on the next change
    readme.write_text(readme.read_text() + "Another line.\n")
    updated = cli(root, "template", "update")
    assert updated.code == 0, updated.err
    assert "Another line." in (root / "README.md").read_text()
    state = json.loads((root / ".cruft.json").read_text())
    assert (
        state["commit"]
        == state["context"]["cookiecutter"]["_commit"]
        == git(snapshots, "rev-parse", "main").strip()
    )
    assert _cruft(root, "check").returncode == 0


def test_a_snapshot_is_made_once_per_content_and_is_the_same_everywhere(packaged, tmp_path):
    mine, theirs = tmp_path / "mine.git", tmp_path / "theirs.git"
    source, commit = snapshot_builtin("minimal", mine)
    assert (source.kind, source.location, source.directory) == ("git", str(mine), "minimal")
    assert snapshot_builtin("minimal", mine)[1] == commit
    assert snapshot_builtin("minimal", theirs)[1] == commit  # fixed author and date: same id elsewhere
    assert git(mine, "rev-list", "--all").split() == [commit]
    tags = git(mine, "tag", "--list").split()
    assert len(tags) == 1 and tags[0].startswith("pipeyard-")

    added = packaged / "minimal" / "{{cookiecutter.project_slug}}" / "NOTES.md"
    added.write_text("notes\n")
    changed = snapshot_builtin("minimal", mine)[1]
    assert changed != commit and git(mine, "rev-parse", "main").strip() == changed
    added.unlink()  # an older pipeyard again: its snapshot is reused, main stays at the newest
    assert snapshot_builtin("minimal", mine)[1] == commit
    assert git(mine, "rev-parse", "main").strip() == changed
