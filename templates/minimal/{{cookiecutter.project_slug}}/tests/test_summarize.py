"""summarize, run alone on a tiny hand-written input."""

import json

from pipeyard.testing.steps import run_step


def test_summarizes_the_numbers(steps, tmp_path):
    numbers = tmp_path / "numbers.csv"
    numbers.write_text("x\n1\n2\n3\n")
    result = run_step(steps["summarize"], tmp_path, inputs={"numbers": numbers})
    summary = json.loads(result["summary"].read_text())
    assert summary == {"count": 3, "mean": 2.0, "stdev": 1.0, "min": 1.0, "max": 3.0}
