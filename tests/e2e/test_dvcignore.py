"""End-to-end: a file `.dvcignore` excludes changes nothing, for pipeyard as for DVC."""

from __future__ import annotations

import json

import pytest
from projects import ECHO_COMPONENT, Project, diamond_project, statuses

pytestmark = pytest.mark.slow


def _states(project: Project) -> set[str]:
    result = project.pipeyard("status", "--json")
    assert result.returncode == 0, result.stdout + result.stderr
    return {step["state"] for step in json.loads(result.stdout)["steps"].values()}


def _dvc_status(project: Project) -> str:
    done = project.dvc("status")
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_an_ignored_scratch_file_in_the_code_folder_changes_nothing(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.write(".dvcignore", "# scratch files\nscratch.txt\n*.tmp\n")
    # a command pipeyard cannot read as `python <script>` keeps its whole code folder as code
    project.write("components/echo.yml", ECHO_COMPONENT.replace("python echo.py", "env python echo.py"))
    project.commit_all("ignore scratch files")
    assert set(statuses(project.run_json()).values()) == {"ran"}

    project.write("components/src/scratch.txt", "notes\n")
    project.write("components/src/cache/x.tmp", "temporary\n")
    assert _states(project) == {"up_to_date"}
    assert set(statuses(project.run_json()).values()) == {"cached"}
    assert "up to date" in _dvc_status(project)

    # once .dvcignore stops ignoring it, the file is code again, for both tools
    project.write(".dvcignore", "*.tmp\n")
    assert _states(project) == {"stale"}
    assert "changed deps" in _dvc_status(project)
    assert set(statuses(project.run_json()).values()) == {"ran"}
    assert "up to date" in _dvc_status(project)
