"""The hooks of .pre-commit-hooks.yaml, run by the real pre-commit on real git + DVC projects."""

from __future__ import annotations

import subprocess
import sys

import pytest
from precommit_projects import copy_project, git_commit, pre_commit, use_hooks, write_bytes
from projects import Project, _env

GUARDS = [{"id": "pipeyard-validate"}, {"id": "pipeyard-compile-check"}, {"id": "pipeyard-no-large-data"}]


@pytest.fixture
def guarded(tmp_path, compiled_diamond, hooks_repo):
    """Make a copy of the compiled diamond project that uses the given pipeyard hooks."""

    def make(hooks: list[dict] = GUARDS) -> Project:
        project = copy_project(compiled_diamond, tmp_path / "p")
        use_hooks(project, hooks_repo, hooks)
        return project

    return make


def test_a_clean_project_passes_every_hook(guarded, pre_commit_home):
    project = guarded()

    done = pre_commit(project, pre_commit_home, "run", "--all-files")

    assert done.returncode == 0, done.stdout
    for name in ("pipeyard validate", "pipeyard compile --check", "pipeyard check-data"):
        assert any(line.startswith(name) and line.endswith("Passed") for line in done.stdout.splitlines()), (
            done.stdout
        )


def test_an_edited_pipeline_without_compiling_is_caught_until_compiled(guarded, pre_commit_home):
    project = guarded()
    pipeline = project.root / "pipeline.yml"
    pipeline.write_text(pipeline.read_text().replace("message: prep", "message: prepared"))
    project.git("add", "pipeline.yml")

    stale = pre_commit(project, pre_commit_home, "run", "--all-files")

    assert stale.returncode == 1
    # a parameter value lives in params.yaml only (dvc.yaml refers to it as ${prepare.message})
    assert "out of date: params.yaml; run `pipeyard run`" in stale.stdout, stale.stdout[-600:]

    project.pipeyard("compile", check=True)  # nothing ran yet: no dvc.lock to disagree with
    project.git("add", "-A")
    assert pre_commit(project, pre_commit_home, "run", "--all-files").returncode == 0


def test_a_large_data_file_added_to_git_is_caught_until_dvc_tracks_it(guarded, pre_commit_home):
    project = guarded()
    write_bytes(project, "data/raw.csv", 2 * 1024 * 1024)
    project.git("add", "data/raw.csv")

    caught = pre_commit(project, pre_commit_home, "run", "--all-files")

    assert caught.returncode == 1
    assert "data/raw.csv: 2.0 MB, over the 1.0 MB limit; a data file (.csv)" in caught.stdout
    assert (
        "fix: git rm --cached data/raw.csv && dvc add data/raw.csv && git add data/raw.csv.dvc data/.gitignore"
        in caught.stdout
    )

    project.git("rm", "-q", "--cached", "data/raw.csv")
    assert project.dvc("add", "data/raw.csv").returncode == 0
    project.git("add", "data/raw.csv.dvc", "data/.gitignore")
    fixed = pre_commit(project, pre_commit_home, "run", "--all-files")
    assert fixed.returncode == 0, fixed.stdout


def test_the_installed_hook_refuses_a_commit_of_data_and_the_fix_lets_it_through(guarded, pre_commit_home):
    project = guarded()
    assert pre_commit(project, pre_commit_home, "install").returncode == 0
    write_bytes(project, "data/raw.csv", 2 * 1024 * 1024)
    project.git("add", "data/raw.csv")

    refused = git_commit(project, pre_commit_home, "add data")

    assert refused.returncode != 0
    assert "dvc add data/raw.csv" in refused.stdout
    assert project.git("log", "-1", "--format=%s").strip() == "use pipeyard's pre-commit hooks"

    project.git("rm", "-q", "--cached", "data/raw.csv")
    assert project.dvc("add", "data/raw.csv").returncode == 0
    project.git("add", "data/raw.csv.dvc", "data/.gitignore")
    accepted = git_commit(project, pre_commit_home, "add data")
    assert accepted.returncode == 0, accepted.stdout
    assert project.git("ls-files", "data").split() == ["data/.gitignore", "data/raw.csv.dvc"]


def test_allowed_files_pass_through_hook_args(guarded, pre_commit_home):
    hooks = [{"id": "pipeyard-no-large-data", "args": ["--allow", "tests/fixtures/*"]}]
    project = guarded(hooks)
    project.write("tests/fixtures/sample.csv", "a,b\n1,2\n")
    project.write("data/other.csv", "a,b\n1,2\n")
    project.git("add", "-A")

    done = pre_commit(project, pre_commit_home, "run", "--all-files")

    assert done.returncode == 1
    assert "data/other.csv: a data file (.csv)" in done.stdout
    assert "sample.csv" not in done.stdout


def test_validate_hook_ignores_this_machines_capacity_but_catches_a_broken_pipeline(guarded, pre_commit_home):
    project = guarded([{"id": "pipeyard-validate"}])
    project.write("pipeyard.yaml", "compute:\n  cpu-cluster: {gpus: 64}\n")
    project.git("add", "pipeyard.yaml")
    assert project.pipeyard("validate").returncode == 2  # no machine here has 64 GPUs

    gpu_pipeline = pre_commit(project, pre_commit_home, "run", "--all-files")
    assert gpu_pipeline.returncode == 0, gpu_pipeline.stdout

    pipeline = project.root / "pipeline.yml"
    pipeline.write_text(pipeline.read_text().replace("jobs.left.outputs", "jobs.lefty.outputs"))
    project.git("add", "pipeline.yml")
    broken = pre_commit(project, pre_commit_home, "run", "--all-files")
    assert broken.returncode == 1
    assert "lefty" in broken.stdout and "did you mean 'left'" in broken.stdout


def _workflows_check_exists() -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "pipeyard", "ci", "github", "--help"],
        capture_output=True,
        text=True,
        env=_env(),
    )
    return done.returncode == 0 and "--check" in done.stdout


@pytest.mark.skipif(
    not _workflows_check_exists(), reason="`pipeyard ci github --check` is not available yet (another area)"
)
def test_workflows_hook_catches_a_new_step_until_workflows_are_generated(guarded, pre_commit_home):
    project = guarded([{"id": "pipeyard-workflows-check"}])
    project.pipeyard("ci", "github", check=True)
    project.git("add", "-A")
    assert pre_commit(project, pre_commit_home, "run", "--all-files").returncode == 0

    pipeline = project.root / "pipeline.yml"
    pipeline.write_text(pipeline.read_text() + EXTRA_JOB)
    project.pipeyard("compile", check=True)
    project.git("add", "-A")
    stale = pre_commit(project, pre_commit_home, "run", "--all-files")
    assert stale.returncode == 1
    assert "pipeyard ci github" in stale.stdout and "out of date" in stale.stdout

    project.pipeyard("ci", "github", check=True)
    project.git("add", "-A")
    fixed = pre_commit(project, pre_commit_home, "run", "--all-files")
    assert fixed.returncode == 0, fixed.stdout


EXTRA_JOB = """\
  extra:
    type: command
    component: ./components/echo.yml
    inputs:
      source: ${{parent.jobs.join.outputs.out}}
      message: extra
"""
