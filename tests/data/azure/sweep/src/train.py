"""Fit y = slope * x by gradient steps; log the error the Azure ML way (mlflow.log_metric)."""

import argparse
import csv
import glob
import os

import mlflow

parser = argparse.ArgumentParser()
parser.add_argument("--data")
parser.add_argument("--learning_rate", type=float)
parser.add_argument("--epochs", type=int)
parser.add_argument("--shrink", type=int)
parser.add_argument("--model")
args = parser.parse_args()
rows = []
for name in sorted(glob.glob(os.path.join(args.data, "*.csv"))):
    with open(name) as handle:
        rows += [(float(r["x"]), float(r["y"])) for r in csv.DictReader(handle)]
slope = 0.0
for epoch in range(args.epochs):
    for x, y in rows:
        slope += args.learning_rate * (y - slope * x) * x
    slope *= 0.9 if args.shrink else 1.0
    error = sum(abs(y - slope * x) for x, y in rows) / len(rows)
    mlflow.log_metric("error", error, step=epoch)
os.makedirs(args.model, exist_ok=True)
with open(os.path.join(args.model, "slope.txt"), "w") as handle:
    handle.write(f"{slope:.6f}\n")
