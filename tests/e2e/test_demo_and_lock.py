"""End-to-end: the built-in demo (README's first command) and one run per repository."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from projects import _env, diamond_project
from run_events import wait_for_event

from pipeyard.vcs.dvc import dvc_command

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("kind", ["yaml", "python"])
def test_demo_runs_every_step_then_nothing(tmp_path, kind):
    target = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, "-m", "pipeyard", "demo", str(target), "--kind", kind],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    first, second = result.stdout.split("second run")[0], result.stdout.split("second run")[1]
    assert " ran" in first
    assert " ran" not in second.split("try:")[0]
    assert "cached" in second
    dvc = subprocess.run(
        dvc_command("status"),
        cwd=target,
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert "up to date" in dvc.stdout, dvc.stdout + dvc.stderr


def test_demo_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "file").write_text("mine")
    result = subprocess.run(
        [sys.executable, "-m", "pipeyard", "demo", str(tmp_path / "x")],
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert result.returncode == 2
    assert "not empty" in result.stderr
    assert (tmp_path / "x" / "file").read_text() == "mine"


def test_second_run_in_the_same_repository_refuses_while_one_runs(tmp_path):
    project = diamond_project(tmp_path / "p", sleep=2.0)
    first = subprocess.Popen(
        [sys.executable, "-m", "pipeyard", "run"],
        cwd=project.root,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_event(first, project.root, "StepStarted", ("left", "right"))  # they sleep 2 s
        second = project.pipeyard("run")
        assert second.returncode == 2, second.stderr
        assert "another pipeyard run" in second.stderr
    finally:
        assert first.wait(timeout=120) == 0


@pytest.mark.parametrize("kind", ["python", "yaml"])
def test_demo_runs_from_an_environment_that_is_not_activated(tmp_path, kind):
    """README's first command: `.venv/bin/pipeyard demo` with the venv absent from PATH."""
    env = {k: v for k, v in _env().items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    bin_dir = str(Path(sys.executable).parent)
    env["PATH"] = os.pathsep.join(p for p in env["PATH"].split(os.pathsep) if p != bin_dir) or "/usr/bin:/bin"
    result = subprocess.run(
        [str(Path(bin_dir) / "pipeyard"), "demo", str(tmp_path / "demo"), "--kind", kind],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No module named" not in result.stdout + result.stderr
    dvc_yaml = (tmp_path / "demo" / "dvc.yaml").read_text()
    assert bin_dir not in dvc_yaml  # dvc.yaml stays free of this machine's paths
