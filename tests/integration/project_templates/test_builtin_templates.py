"""The built-in templates shipped in the repository's templates/ folder, rendered and run for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from template_repos import git

from pipeyard.project_templates import builtin_templates
from pipeyard.project_templates.builtin_source import builtin_git_home

BUILTIN = {t.name: t for t in builtin_templates()}


@pytest.mark.slow
@pytest.mark.skipif("minimal" not in BUILTIN, reason="templates/minimal is not there yet")
def test_new_minimal_renders_and_runs(tmp_path, cli):
    listed = cli(tmp_path, "templates")
    assert listed.code == 0 and "minimal" in listed.out

    created = cli(tmp_path, "new", "minimal", "proj", "--no-input")
    assert created.code == 0, created.err

    root = tmp_path / "proj"
    state = json.loads((root / ".cruft.json").read_text())
    home = builtin_git_home("minimal")
    if home is None:  # pipeyard is not a clean git checkout or git install: the snapshot repository
        snapshots = str(Path(os.environ["PIPEYARD_TEMPLATE_SNAPSHOTS"]).resolve())
        assert (state["template"], state["directory"]) == (snapshots, "minimal")
        assert state["commit"] == git(Path(snapshots), "rev-parse", "main").strip()
    else:  # the repository cruft can fetch the template from (test_cruft.py runs cruft on it)
        assert (state["template"], state["directory"], state["commit"]) == (
            home[0].location,
            "templates/minimal",
            home[1],
        )
    assert state["context"]["cookiecutter"]["_commit"] == state["commit"]
    assert git(root, "status", "--porcelain") == ""
    run = subprocess.run(
        [sys.executable, "-m", "pipeyard", "run"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **os.environ,
            "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}",
        },
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert cli(root, "template", "check").code == 0
