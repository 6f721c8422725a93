"""`pipeyard ci github` on real projects: write, --check, runner labels, GitHub's schemas."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from projects import diamond_project

from pipeyard.ci.files import ACTION_SCHEMA, WORKFLOW_SCHEMA, schema_checker, validate_schema
from pipeyard.ci.github import SETUP_ACTION_PATH, WORKFLOW_PATH, load

REPO = Path(__file__).resolve().parents[3]
needs_checker = pytest.mark.skipif(schema_checker() is None, reason="check-jsonschema is not installed")


def _ci(root: Path, env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["pipeyard", "ci", "github", *args], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def project(tmp_path):
    return diamond_project(tmp_path / "project")


@needs_checker
def test_generated_files_pass_githubs_schemas_and_check_passes(project, ci_env):
    written = _ci(project.root, ci_env)
    assert written.returncode == 0, written.stderr
    assert "no DVC remote is configured" in written.stderr
    for relpath, schema in ((WORKFLOW_PATH, WORKFLOW_SCHEMA), (SETUP_ACTION_PATH, ACTION_SCHEMA)):
        assert validate_schema(schema_checker(), schema, (project.root / relpath).read_text()) == []
    checked = _ci(project.root, ci_env, "--check")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "up to date and valid" in checked.stdout


def test_check_fails_when_the_pipeline_changed(project, ci_env):
    assert _ci(project.root, ci_env).returncode == 0
    pipeline = project.root / "pipeline.yml"
    pipeline.write_text(
        pipeline.read_text().replace(
            "${{parent.jobs.left.outputs.out}}", "${{parent.jobs.right.outputs.out}}"
        )
    )
    checked = _ci(project.root, ci_env, "--check")
    assert checked.returncode == 1
    assert f"out of date: {WORKFLOW_PATH}" in checked.stderr
    assert _ci(project.root, ci_env).returncode == 0
    assert _ci(project.root, ci_env, "--check").returncode == 0


def test_runner_labels_and_merging_come_from_pipeyard_yaml(project, ci_env):
    project.write(
        "pipeyard.yaml",
        """
        compute:
          cpu-cluster: {cpus: 1}
        ci:
          github:
            runners: {cpu: [self-hosted, linux], cpu-cluster: big-box}
            merge_chains: false
            secrets: [AWS_ACCESS_KEY_ID]
        """,
    )
    result = _ci(project.root, ci_env, "--output", ".github/workflows/ml.yml")
    assert result.returncode == 0, result.stderr
    jobs = load((project.root / ".github/workflows/ml.yml").read_text())["jobs"]
    assert [name for name in jobs if name.startswith("step-")] == [
        "step-prepare",
        "step-left",
        "step-right",
        "step-join",
    ]
    assert jobs["step-left"]["runs-on"] == "big-box"
    assert jobs["remote"]["runs-on"] == ["self-hosted", "linux"]
    assert jobs["step-join"]["env"] == {"AWS_ACCESS_KEY_ID": "${{ secrets.AWS_ACCESS_KEY_ID }}"}
    assert _ci(project.root, ci_env, "--output", ".github/workflows/ml.yml", "--check").returncode == 0


def test_an_output_outside_the_project_is_refused(project, ci_env):
    result = _ci(project.root, ci_env, "--output", "../elsewhere.yml")
    assert result.returncode == 2
    assert "inside the project" in result.stderr


@needs_checker
def test_an_invalid_workflow_fails_the_schema():
    problems = validate_schema(schema_checker(), WORKFLOW_SCHEMA, "on: push\njobs:\n  a:\n    steps: []\n")
    assert problems and all(p.startswith(WORKFLOW_SCHEMA) for p in problems)


@needs_checker
def test_pipeyards_own_ci_workflow_is_valid():
    text = (REPO / ".github" / "workflows" / "ci.yml").read_text()
    assert validate_schema(schema_checker(), WORKFLOW_SCHEMA, text) == []
    jobs = load(text)["jobs"]
    commands = " ".join(step.get("run", "") for job in jobs.values() for step in job["steps"])
    for command in ("lint-imports", "ruff check framework tests bench", "pytest -n 2"):
        assert command in commands
