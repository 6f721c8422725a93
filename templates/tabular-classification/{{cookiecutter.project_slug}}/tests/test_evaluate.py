"""evaluate, run alone on train's and prepare's outputs."""

import csv
import json


def test_writes_metrics(scored):
    metrics = json.loads(scored["metrics"].read_text())
    assert set(metrics) == {"accuracy", "f1_macro", "roc_auc", "test_rows"}
    assert metrics["accuracy"] > 0.8


def test_writes_one_prediction_per_test_row(scored):
    metrics = json.loads(scored["metrics"].read_text())
    with scored["predictions"].open() as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == metrics["test_rows"]
    assert set(rows[0]) == {"actual", "predicted"}
