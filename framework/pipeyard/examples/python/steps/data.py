"""Reading and writing the x,y CSV files the steps exchange."""

import csv
from pathlib import Path


def read_points(path: Path) -> list[tuple[float, float]]:
    """The (x, y) rows of a CSV file with columns x and y."""
    with path.open(newline="") as stream:
        return [(float(row["x"]), float(row["y"])) for row in csv.DictReader(stream)]


def write_points(path: Path, points: list[tuple[float, float]]) -> None:
    """Write (x, y) rows to a CSV file with columns x and y."""
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["x", "y"])
        writer.writerows(points)
