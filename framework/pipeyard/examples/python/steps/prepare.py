"""Split the measurements into a train and a test set."""

import random
from pathlib import Path

from pipeyard import Dir, File, In, Out, step

from .data import read_points, write_points


@step
def prepare(
    measurements: In[File],
    train_set: Out[Dir],
    test_set: Out[Dir],
    test_fraction: float = 0.25,
    seed: int = 42,
) -> None:
    """Shuffle the measurements and split them into train_set/ and test_set/."""
    points = read_points(measurements)
    random.Random(seed).shuffle(points)
    cut = max(1, int(len(points) * test_fraction))
    write_points(Path(test_set) / "data.csv", points[:cut])
    write_points(Path(train_set) / "data.csv", points[cut:])
    print(f"train: {len(points) - cut} rows, test: {cut} rows")
