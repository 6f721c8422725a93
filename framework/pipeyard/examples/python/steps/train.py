"""Fit a line, or the mean as a baseline."""

import json
from typing import Literal

from pipeyard import Dir, File, In, Out, step

from .data import read_points


@step(retries=1, timeout="5m")
def train(
    train_set: In[Dir],
    model: Out[File],
    method: Literal["linear", "mean"] = "linear",
    l2: float = 0.0,
) -> None:
    """Fit y = a*x + b by least squares (method linear) or predict the mean (method mean)."""
    points = read_points(train_set / "data.csv")
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    slope = 0.0
    if method == "linear":
        sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
        sxx = sum((x - mean_x) ** 2 for x, _ in points)
        slope = sxy / (sxx + l2)
    coefficients = {"method": method, "a": slope, "b": mean_y - slope * mean_x}
    model.write_text(json.dumps(coefficients, indent=2) + "\n")
    print(f"{method}: y = {coefficients['a']:.3f} * x + {coefficients['b']:.3f}")
