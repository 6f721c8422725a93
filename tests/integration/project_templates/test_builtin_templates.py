"""The built-in templates shipped in the repository's templates/ folder, rendered and run for real."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from template_repos import git

from pipeyard.project_templates import builtin_templates

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
    assert state["template"] == "builtin:minimal" and state["commit"].startswith("sha256:")
    assert git(root, "status", "--porcelain") == ""
    run = subprocess.run(
        [sys.executable, "-m", "pipeyard", "run"], cwd=root, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PATH": f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ.get('PATH', '')}"},
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert cli(root, "template", "check").code == 0
