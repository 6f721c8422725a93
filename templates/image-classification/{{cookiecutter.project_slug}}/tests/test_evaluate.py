"""evaluate, run alone on train's and ingest's outputs."""

import csv
import json

from pipeyard.testing.steps import run_step


def test_scores_the_network(steps, trained, digits, tmp_path):
    result = run_step(steps["evaluate"], tmp_path, inputs={"model": trained["model"], "digits": digits})
    metrics = json.loads(result["metrics"].read_text())
    assert metrics["accuracy"] > 0.5
    with result["predictions"].open() as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == metrics["test_images"]
