"""`pipeyard check-data` on real git (and DVC) repositories, without pre-commit."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from precommit_projects import copy_project, write_bytes
from projects import Project, _env


def _git_project(root: Path) -> Project:
    root.mkdir()
    project = Project(root)
    project.git("init", "-q", "-b", "main")
    return project


def _check_data(project: Project, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeyard", "check-data", *args],
        cwd=cwd or project.root,
        capture_output=True,
        text=True,
        env=_env(),
    )


def test_check_data_is_a_pipeyard_command():
    done = subprocess.run(
        [sys.executable, "-m", "pipeyard", "check-data", "--help"], capture_output=True, text=True
    )
    assert done.returncode == 0, "pipeyard check-data is missing from cli/commands.COMMANDS"


def test_without_files_it_checks_what_is_staged_only(tmp_path):
    project = _git_project(tmp_path / "p")
    project.write("README.md", "hello\n")
    write_bytes(project, "model.pt", 10)
    project.git("add", "README.md")

    assert _check_data(project).returncode == 0  # model.pt is not staged

    project.git("add", "model.pt")
    done = _check_data(project)
    assert done.returncode == 1
    assert "model.pt: a data file (.pt)" in done.stderr
    assert (
        "fix: git rm --cached model.pt && dvc add model.pt && git add model.pt.dvc .gitignore" in done.stderr
    )


def test_files_are_named_from_the_current_folder(tmp_path):
    project = _git_project(tmp_path / "p")
    write_bytes(project, "data/raw/big.txt", 3 * 1024 * 1024)

    done = _check_data(project, "big.txt", cwd=project.root / "data" / "raw")

    assert done.returncode == 1
    assert "data/raw/big.txt: 3.0 MB, over the 1.0 MB limit" in done.stderr


@pytest.mark.parametrize(
    ("args", "refused"),
    [
        ((), ["big.txt", "notes.csv"]),
        (("--max-size", "5MB"), ["notes.csv"]),
        (("--extensions", ""), ["big.txt"]),
        (("--extensions", "txt,.md"), ["big.txt", "README.md"]),
        (("--allow", "*.csv", "--allow", "big.*"), []),
    ],
)
def test_size_extensions_and_allow_are_configurable(tmp_path, args, refused):
    project = _git_project(tmp_path / "p")
    write_bytes(project, "big.txt", 2 * 1024 * 1024)
    project.write("notes.csv", "a,b\n")
    project.write("README.md", "hello\n")
    files = ["big.txt", "notes.csv", "README.md"]

    done = _check_data(project, *args, *files)

    flagged = [name for name in files if f"  {name}: " in done.stderr]
    assert flagged == refused, done.stderr
    assert done.returncode == (1 if refused else 0)


def test_a_bad_size_is_a_user_error(tmp_path):
    project = _git_project(tmp_path / "p")
    done = _check_data(project, "--max-size", "lots")
    assert done.returncode == 2
    assert "'lots' is not a size" in done.stderr and "1MB" in done.stderr


def test_outside_a_git_repository_it_says_so(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pipeyard", "check-data"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert done.returncode == 2
    assert "git" in done.stderr and "Traceback" not in done.stderr


def test_files_dvc_tracks_are_refused_in_git_whatever_the_allow_list(tmp_path, compiled_diamond):
    project = copy_project(compiled_diamond, tmp_path / "p")
    project.write("outputs/prepare/out/data.txt", "prep")  # what the step writes
    project.write("data/labels.json", "{}")
    assert project.dvc("add", "data/labels.json").returncode == 0
    project.git("add", "-f", "outputs/prepare/out/data.txt", "data/labels.json")

    done = _check_data(project, "--allow", "*")

    assert done.returncode == 1
    assert (
        "outputs/prepare/out/data.txt: tracked by DVC (stage 'prepare' in dvc.yaml) yet staged in git"
        in done.stderr
    )
    assert "data/labels.json: tracked by DVC (data/labels.json.dvc) yet staged in git" in done.stderr
    assert "fix: git rm --cached data/labels.json\n" in done.stderr
    assert "--allow" not in done.stderr  # allowing cannot fix these


def test_uncached_dvc_outputs_and_subfolder_dvc_files_are_read_as_dvc_does(tmp_path):
    project = _git_project(tmp_path / "p")
    project.write(
        "sub/dvc.yaml",
        """
        stages:
          train:
            wdir: ..
            cmd: python train.py
            outs:
              - models/
            metrics:
              - metrics.json: {cache: false}
        """,
    )
    project.write("sub/more/raw.dvc", "outs:\n- path: raw.txt\n  md5: 0\n")
    project.write("models/weights.txt", "w")
    project.write("metrics.json", "{}")
    project.write("sub/more/raw.txt", "r")
    project.git("add", "-A")

    done = _check_data(project)

    assert done.returncode == 1
    assert "models/weights.txt: tracked by DVC (stage 'train' in sub/dvc.yaml)" in done.stderr
    assert "sub/more/raw.txt: tracked by DVC (sub/more/raw.dvc)" in done.stderr
    assert "metrics.json" not in done.stderr
