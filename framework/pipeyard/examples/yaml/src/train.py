"""Fit y = a*x + b by least squares (method linear) or predict the mean (method mean)."""

import argparse
import csv
import json
from pathlib import Path


def fit(points: list[tuple[float, float]], method: str, l2: float) -> dict:
    """The model's coefficients as a dict {"a": slope, "b": intercept}."""
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    if method == "mean":
        return {"a": 0.0, "b": mean_y}
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in points)
    sxx = sum((x - mean_x) ** 2 for x, _ in points)
    slope = sxy / (sxx + l2)
    return {"a": slope, "b": mean_y - slope * mean_x}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--train-set", type=Path, required=True)
    parser.add_argument("--method", choices=["linear", "mean"], default="linear")
    parser.add_argument("--l2", type=float, default=0.0)
    parser.add_argument("--model", type=Path, required=True)
    args = parser.parse_args()

    with (args.train_set / "data.csv").open(newline="") as stream:
        points = [(float(r["x"]), float(r["y"])) for r in csv.DictReader(stream)]
    model = {"method": args.method, **fit(points, args.method, args.l2)}
    args.model.parent.mkdir(parents=True, exist_ok=True)
    args.model.write_text(json.dumps(model, indent=2) + "\n")
    print(f"{args.method}: y = {model['a']:.3f} * x + {model['b']:.3f}")


if __name__ == "__main__":
    main()
