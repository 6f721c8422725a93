"""Score two models on the test set; write their mean squared errors as metrics JSON."""

import argparse
import csv
import json
from pathlib import Path


def mse(model: dict, points: list[tuple[float, float]]) -> float:
    """Mean squared error of model on points."""
    return sum((model["a"] * x + model["b"] - y) ** 2 for x, y in points) / len(points)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--test-set", type=Path, required=True)
    parser.add_argument("--model-a", type=Path, required=True)
    parser.add_argument("--model-b", type=Path, required=True)
    parser.add_argument("--metrics", type=Path, required=True)
    args = parser.parse_args()

    with (args.test_set / "data.csv").open(newline="") as stream:
        points = [(float(r["x"]), float(r["y"])) for r in csv.DictReader(stream)]
    models = {path: json.loads(path.read_text()) for path in (args.model_a, args.model_b)}
    scores = {model["method"]: round(mse(model, points), 4) for model in models.values()}
    best = min(scores, key=scores.__getitem__)
    args.metrics.parent.mkdir(parents=True, exist_ok=True)
    args.metrics.write_text(json.dumps({"mse": scores, "best": best}, indent=2) + "\n")
    print(f"best: {best} ({scores})")


if __name__ == "__main__":
    main()
