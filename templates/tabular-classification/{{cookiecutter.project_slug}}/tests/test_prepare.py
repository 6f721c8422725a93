"""prepare, run alone on ingest's output."""

import csv


def rows(path):
    with path.open() as stream:
        return list(csv.reader(stream))


def test_splits_without_losing_rows(split):
    train, test = rows(split["train_set"] / "table.csv"), rows(split["test_set"] / "table.csv")
    assert len(train) - 1 + len(test) - 1 == 569
    assert 0.2 < (len(test) - 1) / 569 < 0.3


def test_keeps_the_chosen_number_of_features(split):
    train, test = rows(split["train_set"] / "table.csv"), rows(split["test_set"] / "table.csv")
    assert len(train[0]) == 5 + 1  # five features and the target
    assert train[0] == test[0]
