"""Sweep and parallel jobs: sampling (pure), the trial pick, the sweep's jobs, parallel mini-batches."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest

from pipeyard.azure_yaml import load_pipeline_yaml
from pipeyard.azure_yaml.search_space import sample
from pipeyard.azure_yaml.trial_select import best_trial, table_text
from pipeyard.errors import DefinitionError, Location, ReferenceError_, UnsupportedError
from pipeyard.mlflow_store import read_store
from pipeyard.model import JobOutputRef, Value
from pipeyard.parallel.batches import BatchError, mini_batches, parse_size

SWEEP = Path(__file__).parents[2] / "data" / "azure" / "sweep"
PARALLEL = Path(__file__).parents[2] / "data" / "azure" / "parallel"
HERE = Location("pipeline.yml", 1)


def test_grid_enumerates_every_choice_combination_in_key_order():
    space = {"a": {"type": "choice", "values": [1, 2]}, "b": {"type": "choice", "values": ["x", "y"]}}
    assert sample(space, "grid", None, None, "s", HERE) == [
        {"a": 1, "b": "x"},
        {"a": 1, "b": "y"},
        {"a": 2, "b": "x"},
        {"a": 2, "b": "y"},
    ]
    assert len(sample(space, "grid", None, 3, "s", HERE)) == 3


def test_random_draws_each_distribution_within_its_bounds_and_repeats_with_the_seed():
    space = {
        "c": {"type": "choice", "values": [1, 2, 3]},
        "r": {"type": "randint", "upper": 5},
        "u": {"type": "uniform", "min_value": 1, "max_value": 2},
        "lu": {"type": "loguniform", "min_value": -3, "max_value": -1},
        "qu": {"type": "quniform", "min_value": 0, "max_value": 10, "q": 2},
        "n": {"type": "normal", "mu": 0, "sigma": 1},
        "ln": {"type": "lognormal", "mu": 0, "sigma": 1},
        "qn": {"type": "qnormal", "mu": 10, "sigma": 3, "q": 1},
        "qlu": {"type": "qloguniform", "min_value": 0, "max_value": 3, "q": 5},
        "qln": {"type": "qlognormal", "mu": 1, "sigma": 0.5, "q": 0.5},
    }
    trials = sample(space, "random", 3, 50, "s", HERE)
    assert trials == sample(space, "random", 3, 50, "s", HERE)
    assert trials != sample(space, "random", 4, 50, "s", HERE)
    assert sample(space, "random", None, 5, "a", HERE) == sample(space, "random", None, 5, "a", HERE)
    for t in trials:
        assert t["c"] in (1, 2, 3) and 0 <= t["r"] < 5 and 1 <= t["u"] <= 2
        assert math.exp(-3) <= t["lu"] <= math.exp(-1)
        assert t["qu"] % 2 == 0 and isinstance(t["qu"], int) and t["qln"] > 0 and t["qlu"] % 5 == 0
        assert t["ln"] > 0 and isinstance(t["qn"], int)


@pytest.mark.parametrize(
    ("space", "algorithm", "limit", "message"),
    [
        (
            {"a": {"type": "uniform", "min_value": 0, "max_value": 1}},
            "grid",
            None,
            "grid sampling takes only choice",
        ),
        ({"a": {"type": "choice", "values": [1]}}, "random", None, "needs limits.max_total_trials"),
        ({"a": {"type": "unifrom"}}, "random", 2, "unknown type 'unifrom' (did you mean 'uniform'?)"),
        ({"a": {"type": "normal", "mu": 0}}, "random", 2, "lacks sigma"),
        ({}, "random", 2, "empty search_space"),
    ],
)
def test_bad_search_spaces(space, algorithm, limit, message):
    with pytest.raises(DefinitionError) as caught:
        sample(space, algorithm, 1, limit, "s", HERE)
    assert message in caught.value.format()


def test_the_best_trial_by_goal_and_the_table():
    metrics = [{"acc": 0.5}, {"acc": 0.9, "loss": 1.0}, {}, {"acc": 0.9}]
    assert best_trial(metrics, "acc", "maximize") == 1
    assert best_trial(metrics, "acc", "minimize") == 0
    assert best_trial(metrics, "f1", "maximize") is None
    text = table_text([{"lr": 0.1}, {"lr": 0.2}, {"lr": 0.3}, {"lr": 0.4}], metrics, 1)
    assert text.splitlines()[2].startswith("*1") and "0.9" in text


def test_an_mlflow_file_store_is_read_without_mlflow(tmp_path):
    run = tmp_path / "0" / "abc"
    (run / "metrics" / "loss").mkdir(parents=True)
    (run / "meta.yaml").write_text("start_time: 5\n")
    (run / "metrics" / "acc").write_text("100 0.5 0\n200 0.7 1\n150 0.6 1\n")
    (run / "metrics" / "loss" / "train").write_text("100 2.0 0\n")
    assert read_store(tmp_path) == {"acc": 0.7, "loss/train": 2.0}
    assert read_store(tmp_path / "missing") == {}


def test_a_sweep_becomes_trials_and_a_job_that_picks_the_best():
    pipeline = load_pipeline_yaml(Path("pipeline.yml"), SWEEP)
    trials = [j for j in pipeline.jobs if j.name.startswith("grid_search__trial_")]
    assert [t.parameters["learning_rate"] for t in trials] == [
        Value(0.01),
        Value(0.01),
        Value(0.05),
        Value(0.05),
    ]
    assert all(t.tracking_output == "sweep_mlruns" and t.timeout_s == 300 for t in trials)
    assert all(t.parameters["epochs"] == Value(2) for t in trials)
    pick = pipeline.job("grid_search")
    assert pick.inputs["t3_model"] == JobOutputRef("grid_search__trial_3", "model")
    assert "--goal minimize --metric error" in pick.component.command
    assert pipeline.job("compare").inputs["grid_model"] == JobOutputRef("grid_search", "model")
    assert len([j for j in pipeline.jobs if j.name.startswith("random_search__trial_")]) == 3
    policy = json.loads(pipeline.job("random_search__trial_0").group.termination)
    assert policy == {
        "goal": "minimize",
        "metric": "error",
        "policy": {
            "type": "median_stopping",
            "evaluation_interval": 1,
            "delay_evaluation": 2,
            "slack_factor": 0.0,
            "slack_amount": 0.0,
            "truncation_percentage": 0,
        },
    }


@pytest.mark.parametrize(
    ("extra", "error", "message"),
    [
        (
            "    search_space: {learning_rate: {type: choice, values: [1]}}\n    objective: {goal: up, primary_metric: a}\n",
            DefinitionError,
            "a sweep needs objective",
        ),
        (
            "    search_space: {learning_rat: {type: choice, values: [1]}}\n    objective: {goal: maximize, primary_metric: a}\n",
            ReferenceError_,
            "search_space 'learning_rat' is not a parameter of trial component 'train_slope' (did you mean 'learning_rate'?)",
        ),
        (
            "    search_space: {learning_rate: {type: choice, values: [1]}}\n"
            "    objective: {goal: maximize, primary_metric: a}\n    sampling_algorithm: bayesian\n",
            UnsupportedError,
            "sampling_algorithm 'bayesian'",
        ),
        (
            "    search_space: {learning_rate: {type: choice, values: [1]}}\n"
            "    objective: {goal: maximize, primary_metric: a}\n    sampling_algorithm: grid\n    early_termination: {type: median_stoping}\n",
            DefinitionError,
            "unknown early_termination type 'median_stoping' (did you mean 'median_stopping'?)",
        ),
    ],
)
def test_bad_sweeps(project, extra, error, message):
    root = project(
        {
            "pipeline.yml": "type: pipeline\njobs:\n  s:\n    type: sweep\n"
            "    trial: ./train.yml\n    inputs: {data: {path: ./d}}\n" + extra,
            "train.yml": (SWEEP / "components" / "train.yml").read_text().replace("../src", "."),
            "train.py": "",
            "d/x": "",
        }
    )
    with pytest.raises(error) as caught:
        load_pipeline_yaml(Path("pipeline.yml"), root)
    assert message in caught.value.format()
    assert caught.value.location.file == "pipeline.yml"


def test_a_standalone_sweep_job_with_an_inline_trial(project):
    root = project(
        {
            "sweep.yml": """
        $schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json
        type: sweep
        name: tune
        trial:
          code: ./src
          command: python train.py --lr ${{search_space.lr}} --n ${{inputs.n}}
          environment: azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu@latest
        inputs:
          n: 3
        search_space:
          lr: {type: choice, values: [0.1, 0.2]}
        sampling_algorithm: grid
        objective: {goal: maximize, primary_metric: accuracy}
        """,
            "src/train.py": "",
        }
    )
    pipeline = load_pipeline_yaml(Path("sweep.yml"), root)
    assert pipeline.job_names == ("tune__trial_0", "tune__trial_1", "tune")
    assert pipeline.job("tune__trial_1").parameters == {"n": Value(3), "lr": Value(0.2)}
    assert "--lr ${{inputs.lr}}" in pipeline.job("tune__trial_0").component.command


def test_a_parallel_job_becomes_a_driver_command_in_its_code():
    pipeline = load_pipeline_yaml(Path("pipeline.yml"), PARALLEL)
    job = pipeline.job("score_files")
    command = job.component.command
    assert command.startswith(
        "python -m pipeyard.parallel --entry-script score.py --mini-batch-size 4 --workers 4"
    )
    assert "--mini-batch-error-threshold 1" in command and "--max-retries 1 --timeout 60" in command
    assert command.endswith(
        "--input-data ${{inputs.files}} --append-row-to ${{outputs.scores}} "
        "-- --factor ${{inputs.factor}} --broken item_13.txt"
    )
    assert job.component.code == ("src",)
    assert job.inputs == {"files": JobOutputRef("make_files", "files")}


def test_mini_batches_of_files_by_count_and_by_size(tmp_path):
    for i in range(10):
        (tmp_path / f"f{i}.txt").write_text("x" * 100)
    assert [b.size for b in mini_batches(tmp_path, "4")] == [4, 4, 2]
    assert [b.size for b in mini_batches(tmp_path, "250b")] == [2, 2, 2, 2, 2]
    assert mini_batches(tmp_path / "f3.txt", "5")[0].items == [str(tmp_path / "f3.txt")]
    assert parse_size("1kb") == (1024, True) and parse_size("7") == (7, False)
    with pytest.raises(BatchError):
        parse_size("lots")


def test_mini_batches_of_a_table_are_rows(tmp_path):
    pytest.importorskip("pandas")
    (tmp_path / "MLTable").write_text(
        "paths:\n  - pattern: ./*.csv\ntransformations:\n  - read_delimited: {}\n"
    )
    (tmp_path / "a.csv").write_text("x,y\n" + "".join(f"{i},{i * 2}\n" for i in range(7)))
    batches = mini_batches(tmp_path, "3")
    assert [b.size for b in batches] == [3, 3, 1]
    assert list(batches[1].items["x"]) == [3, 4, 5]
    assert json.loads(batches[2].items.to_json(orient="records")) == [{"x": 6, "y": 12}]
