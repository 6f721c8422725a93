"""The Azure ML corpus (tests/data/azure/) copied into fresh repositories and run unchanged
through the real CLI: nested pipeline components, grid and random sweeps feeding a downstream
step, a parallel job with a failing mini-batch, code keys finer than the code folder, steps
that leave their code alone, and the one error that names every cloud asset."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from projects import Project, new_project

pytestmark = pytest.mark.slow
CORPUS = Path(__file__).parents[1] / "data" / "azure"


def _copy(name: str, tmp_path: Path) -> Project:
    project = new_project(tmp_path / name)
    shutil.copytree(CORPUS / name, project.root, dirs_exist_ok=True)
    project.commit_all(f"the {name} sample, unchanged")
    return project


def _statuses(result: dict) -> dict[str, str]:
    return {name: step["status"] for name, step in result["steps"].items()}


def _latest_record(project: Project) -> dict:
    records = sorted((project.root / ".pipeyard" / "runs").glob("*/record.json"))
    return json.loads(records[-1].read_text())


def test_nested_pipeline_components_run_cache_and_rerun_exactly_the_importers(tmp_path):
    project = _copy("nested", tmp_path)
    first = project.run_json()
    assert set(_statuses(first)) == {
        "prep",
        "train_and_evaluate__train",
        "train_and_evaluate__evaluate__score",
        "train_and_evaluate__evaluate__summarize",
        "publish",
    }
    assert set(_statuses(first).values()) == {"ran"}
    report = project.root / "outputs/train_and_evaluate__evaluate__summarize/report/report.json"
    assert "mean_error" in json.loads(report.read_text())
    assert set(_statuses(project.run_json()).values()) == {"cached"}
    # steps' own writes (bytecode caches, MLflow stores) stay out of the code and of git
    assert project.git("status", "--porcelain", "--", "src") == ""
    assert not list((project.root / "src").rglob("__pycache__"))

    dag = project.pipeyard("dag", "--format", "mermaid", check=True).stdout
    assert 'subgraph n_g_train_and_evaluate__evaluate["evaluate"]' in dag  # grouped by component
    assert "train_and_evaluate__evaluate__score" in project.pipeyard("status", check=True).stdout

    # a helper module imported by four of the five steps: exactly those four rerun
    with open(project.root / "src" / "common.py", "a") as handle:
        handle.write("\n# a comment changes the file\n")
    result = project.run_json()
    ran = {n for n, s in _statuses(result).items() if s == "ran"}
    assert ran == {
        "prep",
        "train_and_evaluate__train",
        "train_and_evaluate__evaluate__score",
        "train_and_evaluate__evaluate__summarize",
    }
    assert _statuses(result)["publish"] == "cached"
    assert "code src/common.py changed" in result["steps"]["prep"]["reasons"][0]

    # one script: only its step reruns (its output is unchanged, so nothing below it does)
    with open(project.root / "src" / "publish.py", "a") as handle:
        handle.write("\n# only publish reads this\n")
    result = project.run_json()
    assert {n for n, s in _statuses(result).items() if s == "ran"} == {"publish"}


def test_grid_and_random_sweeps_feed_their_best_trial_downstream(tmp_path):
    pytest.importorskip("mlflow")
    project = _copy("sweep", tmp_path)
    result = project.run_json("--cpus", "4")
    statuses = _statuses(result)
    assert len([n for n in statuses if n.startswith("grid_search__trial_")]) == 4
    assert len([n for n in statuses if n.startswith("random_search__trial_")]) == 3
    assert set(statuses.values()) == {"ran"}
    table = json.loads((project.root / "outputs/grid_search/sweep_trials.json").read_text())
    errors = [t["metrics"]["error"] for t in table["trials"]]
    assert table["best_trial"] == errors.index(min(errors))
    best = table["best_trial"]
    chosen = (project.root / f"outputs/grid_search__trial_{best}/model/slope.txt").read_text()
    assert (project.root / "outputs/grid_search/model/slope.txt").read_text() == chosen
    summary = (project.root / "outputs/compare/summary/summary.txt").read_text()
    assert f"grid {chosen.strip()}" in summary
    record = _latest_record(project)
    assert record["metrics"]["mlflow/grid_search__trial_0"]["error"] == errors[0]
    assert "outputs/grid_search/sweep_trials.json" in record["metrics"]
    assert set(_statuses(project.run_json()).values()) == {"cached"}
    assert _latest_record(project)["metrics"]["mlflow/grid_search__trial_0"]["error"] == errors[0]
    assert project.git("status", "--porcelain", "--", "src") == ""


def test_a_parallel_job_over_40_files_tolerates_one_failing_mini_batch(tmp_path):
    project = _copy("parallel", tmp_path)
    result = project.run_json()
    assert set(_statuses(result).values()) == {"ran"}
    rows = (project.root / "outputs/score_files/scores").read_text().splitlines()
    assert len(rows) == 36  # 10 mini-batches of 4; the one holding item_13 failed twice
    assert "item_12.txt 36" not in rows and "item_16.txt 48" in rows
    assert rows == sorted(rows)  # gathered in mini-batch order
    total = json.loads((project.root / "outputs/total/total/total.json").read_text())
    assert total["scored"] == 36
    log = (project.root / _latest_record(project)["steps"]["score_files"]["log_path"]).read_text()
    workers = min(4, os.cpu_count() or 1)  # max_concurrency 2 x 2 instances, one reserved CPU each
    assert f"10 mini-batches on {workers} worker(s): 9 succeeded, 1 failed" in log
    assert set(_statuses(project.run_json()).values()) == {"cached"}

    (project.root / "pipeline.yml").write_text(
        (project.root / "pipeline.yml")
        .read_text()
        .replace("mini_batch_error_threshold: 1", "mini_batch_error_threshold: 0")
    )
    failed = project.pipeyard("run")
    assert failed.returncode == 1


def test_a_pipeline_that_needs_cloud_assets_stops_with_one_line_naming_them_all(tmp_path):
    project = _copy("cloud_assets", tmp_path)
    result = project.pipeyard("run")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    first, *rest = result.stderr.strip().splitlines()
    assert first.startswith("error: ") and "needs 5 cloud assets" in first
    for reference in ("azureml:raw-data:1", "azureml:prep:3", "train_model", "table.csv", "extra.csv"):
        assert reference in first
    assert len(rest) <= 1 and (not rest or rest[0].strip().startswith("hint:"))


MLFLOW_STEP = """
import argparse, json, os
import mlflow
parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float)
parser.add_argument("--out")
parser.add_argument("--metrics")
args = parser.parse_args()
mlflow.log_metric("accuracy", 1 - args.lr)
mlflow.log_metric("loss", 0.5, step=0)
mlflow.log_metric("loss", 0.25, step=1)
os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "model.txt"), "w") as handle:
    handle.write(str(args.lr))
with open(args.metrics, "w") as handle:
    json.dump({"lr": args.lr}, handle)
"""


def test_what_a_step_logs_with_mlflow_reaches_record_log_show_diff_and_report(tmp_path):
    pytest.importorskip("mlflow")
    project = new_project(tmp_path / "mlflow")
    project.write("src/train.py", MLFLOW_STEP)
    project.write(
        "pipeline.yml",
        """
        type: pipeline
        jobs:
          train:
            type: command
            code: ./src
            command: python train.py --lr ${{inputs.lr}} --out ${{outputs.model}} --metrics ${{outputs.scores}}
            inputs:
              lr: 0.1
            outputs:
              model: {type: uri_folder}
              scores: {type: uri_file, path: ./scores.json, dvc: metrics}
        """,
    )
    project.commit_all("a step that logs with MLflow")
    project.run_json()
    record = _latest_record(project)
    assert record["metrics"]["mlflow/train"] == {"accuracy": 0.9, "loss": 0.25}
    assert record["metrics"]["scores.json"] == {"lr": 0.1}  # a metrics file works as before
    assert project.git("status", "--porcelain", "--", "src") == ""  # no mlruns/ in the code
    assert "mlflow/train accuracy=0.9" in project.pipeyard("log", check=True).stdout
    project.commit_all("ran")
    assert set(_statuses(project.run_json("train.lr=0.1")).values()) == {"cached"}
    assert _latest_record(project)["metrics"]["mlflow/train"]["accuracy"] == 0.9  # recalled
    project.run_json("train.lr=0.3")
    diff = project.pipeyard("diff", "HEAD", check=True).stdout
    assert "mlflow/train accuracy: 0.9 -> 0.7" in diff
    assert (
        "| `mlflow/train` | `accuracy` | 0.9 | 0.7 |"
        in project.pipeyard("report", "--base", "HEAD", check=True).stdout
    )
    assert "mlflow/train accuracy: 0.7" in project.pipeyard("show", "HEAD", check=True).stdout
