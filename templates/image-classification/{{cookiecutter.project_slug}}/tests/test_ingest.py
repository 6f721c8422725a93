"""ingest, run alone."""

import numpy as np


def test_splits_the_digits(digits):
    with np.load(digits / "train.npz") as train, np.load(digits / "test.npz") as test:
        assert train["images"].shape[1:] == (8, 8)
        assert len(train["labels"]) + len(test["labels"]) == 1797
        assert 0.0 <= train["images"].min() and train["images"].max() <= 1.0
        assert set(test["labels"].tolist()) == set(range(10))
