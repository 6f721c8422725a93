"""register, run alone; then `python -m {{ cookiecutter.package_name }}.register --tag` in a scratch repository."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeyard.testing.steps import run_step

ROOT = Path(__file__).resolve().parents[1]
IDENTITY = {
    "GIT_AUTHOR_NAME": "tests", "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "tests", "GIT_COMMITTER_EMAIL": "tests@example.invalid",
}


@pytest.fixture(scope="module")
def package(steps, trained, scored, split, tmp_path_factory):
    inputs = {"model": trained, "metrics": scored["metrics"], "train_set": split["train_set"]}
    folder = tmp_path_factory.mktemp("register")
    return run_step(steps["register"], folder, inputs=inputs, params={"version": "1.2.3"})["package"]


def test_packages_model_card_and_version(package):
    info = json.loads((package / "model.json").read_text())
    assert info["tag"] == "{{ cookiecutter.model_name }}@v1.2.3"
    assert info["metrics"]["accuracy"] > 0.8
    assert (package / "model.joblib").is_file()
    card = (package / "MODEL_CARD.md").read_text()
    assert "# Model card: {{ cookiecutter.model_name }} v1.2.3" in card


def test_rejects_a_version_that_is_not_semantic(steps, trained, scored, split, tmp_path):
    inputs = {"model": trained, "metrics": scored["metrics"], "train_set": split["train_set"]}
    with pytest.raises(Exception, match="version"):
        run_step(steps["register"], tmp_path, inputs=inputs, params={"version": "v1"})


def register(*args, root):
    env = {**os.environ, **IDENTITY}
    module = "{{ cookiecutter.package_name }}.register"
    command = [sys.executable, "-m", module, "--root", str(root), *args]
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)


def git(*args, root):
    env = {**os.environ, **IDENTITY}
    result = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True)
    return result.stdout


def test_tags_the_commit_in_gto_form(package, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", root=repo)
    shutil.copytree(package, repo / "package")
    (repo / "dvc.lock").write_text("schema: '2.0'\n")
    git("add", "dvc.lock", root=repo)
    git("commit", "-q", "-m", "model", root=repo)

    dry = register(root=repo)
    assert dry.returncode == 0, dry.stderr
    assert "{{ cookiecutter.model_name }}@v1.2.3" in dry.stdout
    assert git("tag", root=repo) == ""

    tagged = register("--tag", root=repo)
    assert tagged.returncode == 0, tagged.stderr
    assert git("tag", root=repo).split() == ["{{ cookiecutter.model_name }}@v1.2.3"]

    again = register("--tag", root=repo)
    assert again.returncode == 1
    assert "already exists" in again.stderr


def test_refuses_uncommitted_pipeline_records(package, tmp_path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git("init", "-q", root=repo)
    shutil.copytree(package, repo / "package")
    (repo / "dvc.lock").write_text("schema: '2.0'\n")
    git("add", "dvc.lock", root=repo)
    git("commit", "-q", "-m", "model", root=repo)
    (repo / "dvc.lock").write_text("schema: '2.0'\nstages: {}\n")

    result = register("--tag", root=repo)
    assert result.returncode == 1
    assert "commit them first" in result.stderr
