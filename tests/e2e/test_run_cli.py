"""End-to-end: the real CLI on real git + DVC repositories."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from projects import Project, _env, diamond_project, statuses
from run_events import wait_for_event, wait_until

pytestmark = pytest.mark.slow


def _timing(project: Project, step: str) -> dict:
    return json.loads((project.root / "outputs" / step / "out" / "timing.json").read_text())


def test_first_run_runs_everything_and_second_run_nothing(tmp_path):
    project = diamond_project(tmp_path / "p")
    first = project.run_json()
    assert statuses(first) == {"prepare": "ran", "left": "ran", "right": "ran", "join": "ran"}
    assert (project.root / "outputs/join/out/data.txt").read_text() == "prep|left|join"
    second = project.run_json()
    assert set(statuses(second).values()) == {"cached"}


def test_dvc_agrees_after_a_run(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.run_json()
    dvc_status = project.dvc("status")
    assert dvc_status.returncode == 0, dvc_status.stderr
    assert "up to date" in dvc_status.stdout, dvc_status.stdout
    repro = project.dvc("repro")
    assert repro.returncode == 0, repro.stderr
    assert "Running stage" not in repro.stdout, repro.stdout


def test_independent_steps_overlap_in_time(tmp_path):
    project = diamond_project(tmp_path / "p", sleep=1.0)
    result = project.run_json("--cpus", "2")
    assert statuses(result)["left"] == "ran"
    left, right = _timing(project, "left"), _timing(project, "right")
    assert left["start"] < right["end"] and right["start"] < left["end"], (left, right)


def test_capacity_of_one_cpu_serialises_steps(tmp_path):
    project = diamond_project(tmp_path / "p", sleep=0.5)
    project.run_json("--cpus", "1")
    left, right = _timing(project, "left"), _timing(project, "right")
    assert left["end"] <= right["start"] or right["end"] <= left["start"], (left, right)


def test_override_reruns_exactly_the_affected_steps(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.run_json()
    result = project.run_json("left.message=LEFT")
    assert statuses(result) == {"prepare": "cached", "left": "ran", "right": "cached", "join": "ran"}
    assert any("left.message" in reason for reason in result["steps"]["left"]["reasons"])
    assert (project.root / "outputs/join/out/data.txt").read_text() == "prep|LEFT|join"
    params = yaml.safe_load((project.root / "params.yaml").read_text())
    assert params["left"]["message"] == "LEFT"


def test_upstream_rerun_with_identical_output_does_not_rerun_downstream(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.run_json()
    result = project.run_json("--force", "prepare")
    assert statuses(result)["prepare"] == "ran"
    assert statuses(result)["left"] == "cached"
    assert statuses(result)["join"] == "cached"


def test_branch_switch_restores_from_cache(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.run_json()
    project.commit_all("run on main")
    project.git("checkout", "-q", "-b", "experiment")
    pipeline = project.root / "pipeline.yml"
    pipeline.write_text(pipeline.read_text().replace("message: right", "message: exp"))
    assert statuses(project.run_json())["right"] == "ran"
    project.commit_all("experiment run")
    project.git("checkout", "-q", "main")
    back = project.run_json()
    assert statuses(back)["right"] == "restored"
    assert "ran" not in statuses(back).values()
    assert (project.root / "outputs/right/out/data.txt").read_text() == "prep|right"
    project.git("checkout", "-q", "experiment")
    again = project.run_json()
    assert "ran" not in statuses(again).values()
    assert (project.root / "outputs/right/out/data.txt").read_text() == "prep|exp"


def test_status_and_dry_run_explain_without_running(tmp_path):
    project = diamond_project(tmp_path / "p")
    status = project.pipeyard("status", "--json")
    assert status.returncode == 0, status.stderr
    steps = json.loads(status.stdout)["steps"]
    assert {s["action"] for s in steps.values()} == {"run"}
    dry = project.pipeyard("run", "--dry-run")
    assert dry.returncode == 0
    assert not (project.root / "outputs").exists()


def test_failed_step_keeps_finished_work_and_resumes(tmp_path):
    project = diamond_project(tmp_path / "p")
    env = {**_env(), "PIPEYARD_TEST_FAIL": "left"}
    failed = subprocess.run(
        [sys.executable, "-m", "pipeyard", "run", "--json"],
        cwd=project.root,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert failed.returncode == 1, failed.stderr
    result = statuses(json.loads(failed.stdout))
    assert result["left"] == "failed" and result["join"] == "skipped" and result["prepare"] == "ran"
    assert "asked to fail" in failed.stderr
    assert "pipeyard run" in failed.stderr
    resumed = project.run_json()
    assert statuses(resumed)["prepare"] == "cached"
    assert statuses(resumed)["left"] == "ran"
    assert statuses(resumed)["right"] in ("cached", "ran")


def test_sigkill_mid_run_then_resume_runs_only_unfinished_steps(tmp_path):
    project = diamond_project(tmp_path / "p", sleep=3.0)
    runner = subprocess.Popen(
        [sys.executable, "-m", "pipeyard", "run", "--cpus", "1"],
        cwd=project.root,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    lock = project.root / "dvc.lock"
    wait_until(lambda: lock.exists() and "prepare" in lock.read_text(), "prepare in dvc.lock", runner)
    wait_for_event(runner, project.root, "StepStarted", ("left", "right"))  # one CPU: it runs 3 s alone
    runner.send_signal(signal.SIGKILL)
    runner.wait(timeout=30)
    yaml.safe_load(lock.read_text())  # never left half-written
    resumed = project.run_json()
    assert statuses(resumed)["prepare"] in ("cached", "restored")
    assert project.dvc("status").stdout.strip().endswith("up to date.")


def test_bad_input_exits_2_with_one_clear_line(tmp_path):
    project = diamond_project(tmp_path / "p")
    result = project.pipeyard("run", "left.mesage=x")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error:")
    broken = (
        (project.root / "pipeline.yml")
        .read_text()
        .replace("parent.jobs.left.outputs", "parent.jobs.lefty.outputs")
    )
    (project.root / "pipeline.yml").write_text(broken)
    result = project.pipeyard("validate")
    assert result.returncode == 2
    assert "lefty" in result.stderr and "did you mean 'left'" in result.stderr
    assert "Traceback" not in result.stderr


def test_compile_check_detects_out_of_date_files(tmp_path):
    project = diamond_project(tmp_path / "p")
    assert project.pipeyard("compile").returncode == 0
    assert project.pipeyard("compile", "--check").returncode == 0
    text = (project.root / "pipeline.yml").read_text().replace("message: right", "message: RIGHT")
    (project.root / "pipeline.yml").write_text(text)
    assert project.pipeyard("compile", "--check").returncode == 1


def test_gpu_step_gets_its_own_device_and_cpu_steps_none(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.write(
        "components/gpu.yml",
        """
        type: command
        name: gpu_probe
        outputs:
          out:
            type: uri_file
        command: python -c "import os; open('${{outputs.out}}', 'w').write(os.environ.get('CUDA_VISIBLE_DEVICES', 'unset'))"
        """,
    )
    project.write("pipeyard.yaml", "compute:\n  gpu-cluster:\n    gpus: 1\n")
    text = (project.root / "pipeline.yml").read_text() + (
        "  probe_gpu:\n    type: command\n    component: ./components/gpu.yml\n    compute: azureml:gpu-cluster\n"
        "  probe_cpu:\n    type: command\n    component: ./components/gpu.yml\n"
    )
    (project.root / "pipeline.yml").write_text(text)
    project.run_json("--gpus", "0,1")
    assert (project.root / "outputs/probe_gpu/out").read_text() in ("0", "1")
    assert (project.root / "outputs/probe_cpu/out").read_text() == ""
    too_many = project.pipeyard("run", "--gpus", "none")
    assert too_many.returncode == 2
    assert "GPU" in too_many.stderr


def test_runs_lists_the_records(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.run_json()
    listed = project.pipeyard("runs", "--json")
    records = json.loads(listed.stdout)
    assert len(records) == 1
    assert records[0]["commit"] == project.git("rev-parse", "HEAD").strip()
    assert (Path(project.root) / ".pipeyard").is_dir()
    assert os.listdir(project.root / ".pipeyard" / "runs")


def test_a_gpu_profile_with_cpu_fallback_runs_on_the_cpu_without_a_gpu(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.write("pipeyard.yaml", "compute:\n  gpu-cluster:\n    gpus: 1\n    cpu_fallback: true\n")
    text = (
        (project.root / "pipeline.yml")
        .read_text()
        .replace("  join:\n", "  join:\n    compute: azureml:gpu-cluster\n")
    )
    (project.root / "pipeline.yml").write_text(text)
    result = project.pipeyard("run", "--json", "--gpus", "none")
    assert result.returncode == 0, result.stderr
    assert "runs on the CPU" in result.stderr
    assert statuses(json.loads(result.stdout))["join"] == "ran"
    with_gpu = project.pipeyard("run", "--json", "--gpus", "0", "--force", "join")
    assert with_gpu.returncode == 0 and "runs on the CPU" not in with_gpu.stderr
