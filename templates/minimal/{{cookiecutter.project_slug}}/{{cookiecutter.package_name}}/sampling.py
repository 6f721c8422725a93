"""The work itself, free of pipeline code: make random numbers and summarize them."""

import csv
import json
import random
import statistics
from pathlib import Path


def make_numbers(n_rows: int, seed: int) -> list[float]:
    """n_rows numbers drawn from a normal distribution (mean 10, sd 2), reproducibly."""
    generator = random.Random(seed)
    return [round(generator.gauss(10.0, 2.0), 4) for _ in range(n_rows)]


def write_numbers(path: Path, numbers: list[float]) -> None:
    """Write the numbers as a CSV file with one column, x."""
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["x"])
        writer.writerows([x] for x in numbers)


def read_numbers(path: Path) -> list[float]:
    """The x column of a CSV file."""
    with path.open(newline="") as stream:
        return [float(row["x"]) for row in csv.DictReader(stream)]


def summary_of(numbers: list[float]) -> dict:
    """Count, mean, standard deviation, min and max, rounded for reading."""
    return {
        "count": len(numbers),
        "mean": round(statistics.fmean(numbers), 4),
        "stdev": round(statistics.stdev(numbers), 4) if len(numbers) > 1 else 0.0,
        "min": min(numbers),
        "max": max(numbers),
    }


def write_summary(path: Path, summary: dict) -> None:
    """Write the summary as JSON, the format `dvc metrics show` reads."""
    path.write_text(json.dumps(summary, indent=2) + "\n")
