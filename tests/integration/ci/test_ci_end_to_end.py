"""The generated workflow's commands, run job by job in fresh clones, equal a local run.

GitHub-only steps (checkout, the setup action, the report comment) are skipped: the clone
stands for checkout and this venv for the setup action. The DVC remote is a local folder.
"""

from __future__ import annotations

import graphlib
import json
import subprocess
from pathlib import Path

import pytest
from projects import diamond_project

from pipeyard.ci.github import PORTABLE_STEP_PREFIX, REMOTE_JOB, WORKFLOW_PATH, load

OVERRIDES = "left.message=LEFT"


def _sh(script: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def _clone(origin: Path, where: Path, env: dict) -> Path:
    subprocess.run(["git", "clone", "-q", str(origin), str(where)], check=True, env=env)
    return where


def _run_jobs(origin: Path, workdir: Path, env: dict) -> dict[str, Path]:
    """Run every job's portable steps in dependency order; return each job's clone."""
    workflow = load((origin / WORKFLOW_PATH).read_text())
    jobs = workflow["jobs"]
    order = graphlib.TopologicalSorter({name: job.get("needs", []) for name, job in jobs.items()})
    clones = {}
    for name in order.static_order():
        if name == REMOTE_JOB:  # GitHub-only: decides whether the remote is reachable (it is)
            continue
        clone = clones[name] = _clone(origin, workdir / name, env)
        for step in jobs[name]["steps"]:
            if not step.get("id", "").startswith(PORTABLE_STEP_PREFIX):
                continue
            assert "${{" not in step["run"], step
            result = _sh(step["run"], clone, env)
            assert result.returncode == 0, f"{name}/{step['id']}:\n{result.stdout}\n{result.stderr}"
    return clones


def _statuses(clone: Path) -> dict[str, str]:
    (record,) = (clone / ".pipeyard" / "runs").glob("*/record.json")
    return {name: step["status"] for name, step in json.loads(record.read_text())["steps"].items()}


def _files(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.mark.slow
def test_the_jobs_reproduce_a_local_run(tmp_path, ci_env, cli_bin):
    project = diamond_project(tmp_path / "origin")
    remote = tmp_path / "remote"
    assert project.dvc("remote", "add", "-d", "storage", str(remote)).returncode == 0
    generate = subprocess.run(
        [str(cli_bin / "pipeyard"), "ci", "github"],
        cwd=project.root,
        env=ci_env,
        capture_output=True,
        text=True,
    )
    assert generate.returncode == 0, generate.stderr
    project.commit_all("CI workflow and DVC remote")
    env = {**ci_env, "PIPEYARD_OVERRIDES": OVERRIDES}

    clones = _run_jobs(project.root, tmp_path / "jobs", env)

    # each step job ran only its own steps; the upstream ones came from the remote
    assert _statuses(clones["step-prepare"]) == {"prepare": "ran"}
    assert _statuses(clones["step-left"]) == {"left": "ran", "join": "ran"}
    assert _statuses(clones["step-right"]) == {"right": "ran"}
    assert (remote / "runs").is_dir()
    # the report job ran nothing: every step came back from the run-cache
    final = clones["report"]
    assert set(_statuses(final).values()) <= {"cached", "restored"}

    local = _clone(project.root, tmp_path / "local", env)
    result = _sh(f"pipeyard run {OVERRIDES}", local, env)
    assert result.returncode == 0, result.stderr
    assert (final / "dvc.lock").read_text() == (local / "dvc.lock").read_text()
    assert _files(final / "outputs") == _files(local / "outputs")
    assert b"LEFT" in (final / "outputs" / "join" / "out" / "data.txt").read_bytes()


@pytest.mark.slow
def test_a_job_restores_results_the_remote_already_has(tmp_path, ci_env, cli_bin):
    project = diamond_project(tmp_path / "origin")
    assert project.dvc("remote", "add", "-d", "storage", str(tmp_path / "remote")).returncode == 0
    subprocess.run(
        [str(cli_bin / "pipeyard"), "ci", "github", "--no-merge-chains"],
        cwd=project.root,
        env=ci_env,
        check=True,
    )
    project.commit_all("CI workflow and DVC remote")
    env = {**ci_env, "PIPEYARD_OVERRIDES": ""}
    # a developer ran the pipeline and pushed its results with the run-cache
    local = _clone(project.root, tmp_path / "local", env)
    assert _sh("pipeyard run && dvc push --run-cache", local, env).returncode == 0

    job = load((project.root / WORKFLOW_PATH).read_text())["jobs"]["step-join"]
    clone = _clone(project.root, tmp_path / "job", env)
    for step in job["steps"]:
        if step.get("id", "").startswith(PORTABLE_STEP_PREFIX):
            result = _sh(step["run"], clone, env)
            assert result.returncode == 0, result.stderr

    assert _statuses(clone) == {"join": "cached"}
    assert _files(clone / "outputs" / "join") == _files(local / "outputs" / "join")


def test_a_job_whose_upstream_results_are_missing_stops_with_a_clear_message(tmp_path, ci_env):
    project = diamond_project(tmp_path / "origin")
    assert project.dvc("remote", "add", "-d", "storage", str(tmp_path / "remote")).returncode == 0
    project.commit_all("DVC remote")

    result = _sh('pipeyard ci pull join --overrides ""', project.root, ci_env)

    assert result.returncode == 2
    assert "the DVC remote has no result of upstream step(s) prepare, left" in result.stderr
    assert "dvc push --run-cache" in result.stderr
