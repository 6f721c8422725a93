"""Shuffle measurements.csv and split it into train/ and test/ folders (standard library only)."""

import argparse
import csv
import random
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measurements", type=Path, required=True)
    parser.add_argument("--test-fraction", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--train-set", type=Path, required=True)
    parser.add_argument("--test-set", type=Path, required=True)
    args = parser.parse_args()

    with args.measurements.open(newline="") as stream:
        rows = list(csv.DictReader(stream))
    random.Random(args.seed).shuffle(rows)
    cut = max(1, int(len(rows) * args.test_fraction))
    for folder, part in ((args.test_set, rows[:cut]), (args.train_set, rows[cut:])):
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "data.csv").open("w", newline="") as stream:
            writer = csv.DictWriter(stream, fieldnames=["x", "y"])
            writer.writeheader()
            writer.writerows(part)
    print(f"train: {len(rows) - cut} rows, test: {cut} rows")


if __name__ == "__main__":
    main()
