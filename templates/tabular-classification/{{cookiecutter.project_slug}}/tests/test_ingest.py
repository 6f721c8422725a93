"""ingest, run alone."""

import csv
import json

from pipeyard.testing.steps import run_step


def test_writes_the_bundled_dataset(raw):
    with (raw / "table.csv").open() as stream:
        rows = list(csv.reader(stream))
    assert rows[0][-1] == "target"
    assert len(rows) == 1 + 569
    assert json.loads((raw / "dataset.json").read_text())["classes"] == ["malignant", "benign"]


def test_dataset_is_a_parameter(steps, tmp_path):
    result = run_step(steps["ingest"], tmp_path, params={"dataset": "wine"})
    assert len(json.loads((result["raw"] / "dataset.json").read_text())["classes"]) == 3
