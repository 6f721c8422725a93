"""The images: scikit-learn's bundled 8x8 digits, split and stored as .npz files.

`ingest` is the work of the step of that name, free of pipeline code.
"""

from pathlib import Path

import numpy as np

CLASSES = [str(digit) for digit in range(10)]


def ingest(digits: Path, *, test_fraction: float, seed: int) -> None:
    """Write digits/train.npz and digits/test.npz: images scaled to [0, 1] and their labels."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    bunch = load_digits()
    images = (bunch.images / 16.0).astype(np.float32)
    train_x, test_x, train_y, test_y = train_test_split(
        images, bunch.target, test_size=test_fraction, random_state=seed, stratify=bunch.target
    )
    digits.mkdir(parents=True, exist_ok=True)
    save(digits / "train.npz", train_x, train_y)
    save(digits / "test.npz", test_x, test_y)
    print(f"digits: {len(train_y)} training and {len(test_y)} test images of 8x8 pixels")


def save(path: Path, images: np.ndarray, labels: np.ndarray) -> None:
    """Write images (n, 8, 8) and labels (n,) to an .npz file."""
    np.savez_compressed(path, images=images, labels=labels.astype(np.int64))


def load(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """Images and labels from an .npz file written by save."""
    with np.load(path) as stored:
        return stored["images"], stored["labels"]
