"""train, run alone on ingest's output: it trains on cuda when it can see a GPU, else on the CPU."""

import csv

import torch

from pipeyard.testing.steps import run_step


def test_logs_the_device_it_trains_on(trained):
    expected = "cuda" if torch.cuda.is_available() else "cpu"
    assert f"device: {expected}" in trained.log


def test_records_one_history_row_per_epoch(trained):
    with trained["history"].open() as stream:
        rows = list(csv.DictReader(stream))
    assert [row["epoch"] for row in rows] == ["1", "2"]
    assert float(rows[-1]["accuracy"]) > 0.5


def test_trains_the_cnn_on_the_cpu_when_asked(steps, digits, tmp_path):
    result = run_step(
        steps["train"], tmp_path, inputs={"digits": digits},
        params={"arch": "cnn", "epochs": 1, "device": "cpu"},
    )
    assert "device: cpu" in result.log
    saved = torch.load(result["model"], weights_only=True)
    assert saved["arch"] == "cnn"
