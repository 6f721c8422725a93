"""A sweep's limits through the real CLI: max_concurrent_trials bounds how many trials run at
once (with room for more), and limits.timeout stops the sweep as Azure ML cancels it."""

from __future__ import annotations

import json

import pytest
from projects import new_project

pytestmark = pytest.mark.slow

TRAIN = """
import argparse, json, os, time
import mlflow
parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float)
parser.add_argument("--sleep", type=float)
parser.add_argument("--model")
args = parser.parse_args()
start = time.time()
time.sleep(args.sleep if args.x > 1 else min(args.sleep, 1.0))  # the first trial is quick
mlflow.log_metric("score", args.x)
os.makedirs(args.model, exist_ok=True)
with open(os.path.join(args.model, "timing.json"), "w") as handle:
    json.dump({"start": start, "end": time.time()}, handle)
"""


def _project(tmp_path, limits: str, sleep: float):
    project = new_project(tmp_path / "sweep")
    project.write("src/train.py", TRAIN)
    project.write(
        "pipeline.yml",
        f"""
        type: pipeline
        jobs:
          tune:
            type: sweep
            trial:
              type: command
              code: ./src
              command: python train.py --x ${{{{inputs.x}}}} --sleep ${{{{inputs.sleep}}}} --model ${{{{outputs.model}}}}
              inputs:
                x: {{type: number}}
                sleep: {{type: number}}
              outputs:
                model: {{type: uri_folder}}
            inputs:
              sleep: {sleep}
            search_space:
              x: {{type: choice, values: [1, 2, 3, 4]}}
            sampling_algorithm: grid
            objective: {{goal: maximize, primary_metric: score}}
            limits: {limits}
        """,
    )
    project.commit_all("a sweep with limits")
    return project


def test_max_concurrent_trials_bounds_the_trials_running_at_once(tmp_path):
    pytest.importorskip("mlflow")
    project = _project(tmp_path, "{max_total_trials: 4, max_concurrent_trials: 2}", 1.5)
    result = project.run_json("--cpus", "4", "--jobs", "4")
    assert {s["status"] for s in result["steps"].values()} == {"ran"}
    spans = [
        json.loads((project.root / f"outputs/tune__trial_{i}/model/timing.json").read_text())
        for i in range(4)
    ]
    moments = sorted({t for span in spans for t in (span["start"], span["end"])})
    overlap = max(sum(1 for s in spans if s["start"] <= t < s["end"]) for t in moments)
    assert overlap == 2  # never 3 or 4, though 4 CPUs and --jobs 4 allow it
    assert json.loads((project.root / "outputs/tune/sweep_trials.json").read_text())["best_trial"] == 3


def test_a_sweep_past_its_timeout_is_stopped_like_azure_cancels_it(tmp_path):
    pytest.importorskip("mlflow")
    project = _project(tmp_path, "{max_total_trials: 4, max_concurrent_trials: 1, timeout: 20}", 60)
    result = project.pipeyard("run", "--json", "--cpus", "4", "--keep-going")
    assert result.returncode == 1, result.stdout + result.stderr
    steps = json.loads(result.stdout)["steps"]
    assert steps["tune__trial_0"]["status"] == "ran", steps["tune__trial_0"]
    assert steps["tune__trial_1"]["status"] == "failed"
    assert steps["tune__trial_1"]["reasons"][0].startswith("timed out after ")  # what was left of 20 s
    assert steps["tune__trial_2"]["reasons"][0] == "not started: the limits.timeout of 'tune' (20s) passed"
    assert steps["tune"]["status"] == "skipped"


CURVE = """
import argparse, os, time
import mlflow
parser = argparse.ArgumentParser()
parser.add_argument("--x", type=float)
parser.add_argument("--model")
args = parser.parse_args()
for step in range(8):
    mlflow.log_metric("score", args.x * (step + 1) / 8, step=step)
    time.sleep(0.5)
os.makedirs(args.model, exist_ok=True)
with open(os.path.join(args.model, "done.txt"), "w") as handle:
    handle.write(str(args.x))
"""


def test_bandit_early_termination_stops_a_trial_that_falls_behind(tmp_path):
    pytest.importorskip("mlflow")
    project = new_project(tmp_path / "bandit")
    project.write("src/train.py", CURVE)
    project.write(
        "pipeline.yml",
        """
        type: pipeline
        jobs:
          tune:
            type: sweep
            trial:
              type: command
              code: ./src
              command: python train.py --x ${{inputs.x}} --model ${{outputs.model}}
              inputs:
                x: {type: number}
              outputs:
                model: {type: uri_folder}
            search_space:
              x: {type: choice, values: [4, 1, 3.9]}
            sampling_algorithm: grid
            objective: {goal: maximize, primary_metric: score}
            limits: {max_total_trials: 3, max_concurrent_trials: 1}
            early_termination: {type: bandit, slack_factor: 0.2, delay_evaluation: 2, evaluation_interval: 1}
        """,
    )
    project.commit_all("a sweep with a bandit policy")
    result = project.run_json("--cpus", "2")
    assert {s["status"] for s in result["steps"].values()} == {"ran"}
    table = json.loads((project.root / "outputs/tune/sweep_trials.json").read_text())
    stopped = {t["trial"]: t.get("stopped_early") for t in table["trials"]}
    assert stopped[0] is None and stopped[2] is None
    assert stopped[1].startswith("bandit at interval 3: 0.375 is not within the slack of the best, 1.5")
    assert not (project.root / "outputs/tune__trial_1/model/done.txt").exists()  # it never got there
    assert table["best_trial"] == 0
    assert (project.root / "outputs/tune/model/done.txt").read_text() == "4.0"
    assert {s["status"] for s in project.run_json("--cpus", "2")["steps"].values()} == {"cached"}
