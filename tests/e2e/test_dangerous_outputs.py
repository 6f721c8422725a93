"""Outputs that would destroy the project are refused before anything is deleted.

Each case pins the output of one step to a dangerous path in a copy of a small real project
(git + DVC, run once, so dvc.lock, params.yaml and the cache exist), runs `pipeyard run`
(in this process, for speed; the commands of the last tests run as real subprocesses),
and checks: exit 2, one error line naming the step and the output, and not one byte changed
in the repository or in the folder beside it that its symlinks lead to.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from projects import ECHO_COMPONENT, ECHO_SCRIPT, Project, new_project

from pipeyard.cli.main import main

PIPELINE = """
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
display_name: guarded
jobs:
  prep:
    type: command
    component: ./components/echo.yml
    inputs:
      source: {{type: uri_folder, path: ./data/raw}}
      message: prep
    outputs:
      out: {{type: uri_folder, path: {path}}}
  train:
    type: command
    component: ./components/echo.yml
    inputs:
      source: ${{{{parent.jobs.prep.outputs.out}}}}
      message: train
"""
SAFE = "./outputs/prep/out"

# (id, output path as written in pipeline.yml, a part of the error line, names the output's port)
CASES = [
    ("root-dot-slash", "./", "project root", True),
    ("root-dot", ".", "project root", True),
    ("empty", "", "needs a path", False),
    ("dot-git", "./.git", "git repository", True),
    ("git-hooks", ".git/hooks", "git repository", True),
    ("dot-dvc", ".dvc", "DVC's folder", True),
    ("dvc-cache", ".dvc/cache", "DVC's folder", True),
    ("dot-pipeyard", ".pipeyard", "pipeyard's run state", True),
    ("pipeline-file", "pipeline.yml", "pipeline file", True),
    ("conf", "conf", "parameter configuration", True),
    ("conf-file", "conf/config.yaml", "parameter configuration", True),
    ("params-yaml", "params.yaml", "parameters file", True),
    ("dvc-yaml", "dvc.yaml", "dvc.yaml", True),
    ("dvc-lock", "dvc.lock", "dvc.lock", True),
    ("pipeyard-yaml", "pipeyard.yaml", "project configuration", True),
    ("gitignore", ".gitignore", "ignore file", True),
    ("code-file", "components/src/echo.py", "code of step 'prep'", True),
    ("code-folder", "components/src", "code of step 'prep'", True),
    ("environment-file", "requirements.txt", "code of step 'prep'", True),
    ("component-file", "components/echo.yml", "definition of component", True),
    ("component-folder", "components", "definition of component", True),
    ("input-itself", "data/raw", "input 'source' of step 'prep'", True),
    ("file-in-input", "data/raw/data.txt", "input 'source' of step 'prep'", True),
    ("input-parent", "data", "input 'source' of step 'prep'", True),
    ("parent-folder", "../outside", "outside the project", False),
    ("absolute", "{outside}/absolute", "outside the project", False),
    ("climbs-out", "data/../..", "outside the project", False),
    ("symlink-out", "out", "symbolic link", True),
    ("under-symlink", "link/sub", "symbolic link", True),
    ("symlink-to-git", "gitlink/objects", "git repository", True),
]


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A project that ran once, and the folder beside it that its symlinks lead to."""
    base = tmp_path_factory.mktemp("template")
    outside = base / "outside"
    (outside / "target").mkdir(parents=True)
    (outside / "target" / "precious.txt").write_text("outside the repository\n")
    (outside / "sub").mkdir()
    (outside / "sub" / "keep.txt").write_text("keep me\n")
    (outside / "absolute").mkdir()
    (outside / "absolute" / "keep.txt").write_text("keep me too\n")
    project = new_project(base / "repo")
    project.write("components/echo.yml", ECHO_COMPONENT)
    project.write("components/src/echo.py", ECHO_SCRIPT)
    project.write("requirements.txt", "# the steps need nothing\n")
    project.write("data/raw/data.txt", "raw data")
    project.write("conf/config.yaml", "prep:\n  message: prep\n")
    project.write("pipeyard.yaml", "output_root: outputs\n")
    project.write("pipeline.yml", PIPELINE.format(path=SAFE))
    os.symlink("../outside/target", project.root / "out")
    os.symlink("../outside", project.root / "link")
    os.symlink(".git", project.root / "gitlink")
    project.commit_all("a guarded project")
    done = project.pipeyard("run", check=True)
    assert (project.root / "dvc.lock").is_file(), done.stderr
    project.commit_all("first run")
    return base


def pipeyard_in_process(root: Path, args: list[str], monkeypatch) -> tuple[int, str]:
    """`pipeyard ARGS` run by main() in this process, in root: the exit code and stderr."""
    monkeypatch.chdir(root)
    monkeypatch.delenv("PIPEYARD_TRACEBACK", raising=False)
    with CliRunner().isolation() as (_stdout, stderr, _output):
        code = main(args)
    return code, stderr.getvalue().decode()


def snapshot(folder: Path) -> dict[str, str]:
    """Every path under folder: the content hash of a file, the target of a link, or 'dir'."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.mark.parametrize(
    ("path", "expected", "names_port"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_dangerous_output_is_refused_and_nothing_is_deleted(
    template, tmp_path, monkeypatch, path, expected, names_port
):
    shutil.copytree(template, tmp_path / "case", symlinks=True)
    root, outside = tmp_path / "case" / "repo", tmp_path / "case" / "outside"
    path = path.format(outside=outside)
    (root / "pipeline.yml").write_text(PIPELINE.format(path=json.dumps(path)))
    before = snapshot(root), snapshot(outside)

    code, stderr = pipeyard_in_process(root, ["run"], monkeypatch)

    assert code == 2, stderr
    assert "Traceback" not in stderr
    errors = [line for line in stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, stderr
    line = errors[0]
    assert "step 'prep'" in line and expected in line, line
    if names_port:
        assert f"output 'out' at '{posixpath.normpath(path)}'" in line, line
    elif path:
        assert path in line, line
    assert (snapshot(root), snapshot(outside)) == before


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 20


def test_every_command_that_loads_the_pipeline_refuses(template, tmp_path):
    shutil.copytree(template, tmp_path / "case", symlinks=True)
    project = Project(tmp_path / "case" / "repo")
    (project.root / "pipeline.yml").write_text(PIPELINE.format(path="./"))
    before = snapshot(project.root)
    for command in (["validate", "--no-capacity"], ["compile"], ["status"], ["dag"], ["run", "--dry-run"]):
        result = project.pipeyard(*command)
        assert result.returncode == 2, (command, result.stderr)
        assert "output 'out' at '.' is the project root" in result.stderr, (command, result.stderr)
    assert snapshot(project.root) == before


def test_a_step_reading_the_output_of_another_is_fine(template, tmp_path):
    shutil.copytree(template, tmp_path / "case", symlinks=True)
    project = Project(tmp_path / "case" / "repo")
    result = project.pipeyard("run", "prep.message=again")
    assert result.returncode == 0, result.stderr
    assert (project.root / "outputs" / "train" / "out" / "data.txt").read_text() == "raw data|again|train"
