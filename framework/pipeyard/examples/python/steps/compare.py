"""Compare the two models on the test set."""

import json

from pipeyard import Dir, File, In, Metrics, Out, step

from .data import read_points


@step
def compare(test_set: In[Dir], model_a: In[File], model_b: In[File], metrics: Out[Metrics]) -> None:
    """Score both models on the test set; write their mean squared errors as metrics JSON."""
    points = read_points(test_set / "data.csv")
    scores: dict[str, float] = {}
    for path in (model_a, model_b):
        model = json.loads(path.read_text())
        error = sum((model["a"] * x + model["b"] - y) ** 2 for x, y in points) / len(points)
        scores[model["method"]] = round(error, 4)
    best = min(scores, key=scores.__getitem__)
    metrics.write_text(json.dumps({"mse": scores, "best": best}, indent=2) + "\n")
    print(f"best: {best} ({scores})")
