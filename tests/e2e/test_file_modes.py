"""End-to-end: files pipeyard writes follow the user's umask, and rewritten ones keep their mode."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from projects import Project, _env, diamond_project

pytestmark = pytest.mark.slow

OUTPUT_GITIGNORE = "outputs/prepare/.gitignore"


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def pipeyard_under_umask(project: Project, mask: int, *args: str) -> None:
    command = f"umask {mask:03o} && exec {sys.executable} -m pipeyard " + " ".join(args)
    done = subprocess.run(["sh", "-c", command], cwd=project.root, env=_env(), capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664)])
def test_new_generated_files_follow_the_umask(tmp_path, mask, expected):
    project = diamond_project(tmp_path / "p")
    for name in ("dvc.yaml", "params.yaml", OUTPUT_GITIGNORE):
        assert not (project.root / name).exists()
    pipeyard_under_umask(project, mask, "run", "--json")
    for name in ("dvc.yaml", "params.yaml", OUTPUT_GITIGNORE, "dvc.lock"):
        assert mode_of(project.root / name) == expected, name


def test_rewritten_files_keep_the_mode_the_user_gave_them(tmp_path):
    project = diamond_project(tmp_path / "p")
    gitignore = project.write(OUTPUT_GITIGNORE, "/scratch\n")
    gitignore.chmod(0o640)
    pipeyard_under_umask(project, 0o022, "run", "--json")
    assert gitignore.read_text().splitlines() == ["/scratch", "/out"]
    assert mode_of(gitignore) == 0o640

    for name, mode in (("dvc.lock", 0o640), ("params.yaml", 0o600), ("dvc.yaml", 0o664)):
        (project.root / name).chmod(mode)
    pipeyard_under_umask(project, 0o022, "run", "--json", "left.message=LEFT")
    assert "LEFT" in (project.root / "params.yaml").read_text()
    assert mode_of(project.root / "dvc.lock") == 0o640
    assert mode_of(project.root / "params.yaml") == 0o600
    assert mode_of(project.root / "dvc.yaml") == 0o664
