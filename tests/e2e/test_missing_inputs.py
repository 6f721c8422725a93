"""A source input that is not there is a validation error (exit 2), in validate and run alike;
inputs that steps write, and DVC-tracked data a fresh clone pulls later, are not."""

from __future__ import annotations

import shutil

from projects import ECHO_COMPONENT, ECHO_SCRIPT, new_project

PIPELINE = """
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
jobs:
  prep:
    type: command
    component: ./components/echo.yml
    inputs:
      source: {type: uri_folder, path: ./data/raw}
      message: prep
  train:
    type: command
    component: ./components/echo.yml
    inputs:
      source: ${{parent.jobs.prep.outputs.out}}
      message: train
"""
MISSING = "step 'prep': input 'source' reads 'data/raw', which does not exist"


def make_project(tmp_path, *, data: str | None = None):
    """The project; data: None (no data), "git" (committed) or "dvc" (tracked by DVC)."""
    project = new_project(tmp_path / "repo")
    project.write("components/echo.yml", ECHO_COMPONENT)
    project.write("components/src/echo.py", ECHO_SCRIPT)
    project.write("pipeline.yml", PIPELINE)
    if data:
        project.write("data/raw/data.txt", "raw")
    if data == "dvc":
        assert project.dvc("add", "data/raw").returncode == 0
    project.commit_all("pipeline")
    return project


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("error:")]


def test_a_missing_source_input_stops_validate_and_run(tmp_path):
    project = make_project(tmp_path)
    for command in (("validate", "--no-capacity"), ("run",)):
        result = project.pipeyard(*command)
        assert result.returncode == 2, result.stderr
        assert "Traceback" not in result.stderr
        [line] = error_lines(result)
        assert line == f"error: pipeline.yml:4, {MISSING}", line
        assert "parent.jobs.<step>.outputs.<output>" in result.stderr
    assert not (project.root / "outputs").exists()


def test_dvc_tracked_data_may_wait_for_a_pull_and_ci_steps_need_only_their_own_inputs(tmp_path):
    project = make_project(tmp_path, data="dvc")
    project.pipeyard("run", check=True)
    shutil.rmtree(project.root / "data" / "raw")  # a fresh clone before `dvc pull`

    assert project.pipeyard("validate", "--no-capacity").returncode == 0
    result = project.pipeyard("run", "--force", "prep")
    assert result.returncode == 2, result.stderr
    [line] = error_lines(result)
    assert MISSING in line
    assert "dvc pull data/raw.dvc" in result.stderr

    # A CI job for train alone reads prep's output, already in place; prep's data is not needed.
    done = project.pipeyard("ci", "step", "train", "--overrides", "train.message=again")
    assert done.returncode == 0, done.stderr
    assert (project.root / "outputs" / "train" / "out" / "data.txt").read_text() == "raw|prep|again"
