"""Tables of features and a target: loading the dataset, CSV files, splitting, selecting features.

`ingest` and `prepare` are the work of the steps of those names, free of pipeline code.
"""

import csv
import json
from pathlib import Path

import numpy as np

TARGET = "target"
DATASETS = ("breast_cancer", "wine")


def load_dataset(name: str) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
    """Features, target, feature names and class names of a dataset bundled with scikit-learn."""
    from sklearn import datasets

    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {DATASETS}")
    bunch = getattr(datasets, f"load_{name}")()
    names = [str(n).replace(" ", "_") for n in bunch.feature_names]
    return bunch.data, bunch.target, names, [str(c) for c in bunch.target_names]


def write_table(path: Path, features: np.ndarray, target: np.ndarray, names: list[str]) -> None:
    """A CSV file with one column per feature, then the target column."""
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow([*names, TARGET])
        for row, label in zip(features, target, strict=True):
            writer.writerow([*(f"{value:.6g}" for value in row), int(label)])


def read_table(path: Path) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Features, target and feature names of a CSV file written by write_table."""
    with path.open(newline="") as stream:
        rows = list(csv.reader(stream))
    header, body = rows[0], rows[1:]
    if not header or header[-1] != TARGET:
        raise ValueError(f"{path}: the last column must be '{TARGET}', got {header[-1:]}")
    values = np.array(body, dtype=float).reshape(len(body), len(header))
    return values[:, :-1], values[:, -1].astype(int), header[:-1]


def split(features, target, test_fraction: float, seed: int):
    """A stratified train/test split: (train features, test features, train target, test target)."""
    from sklearn.model_selection import train_test_split

    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must be between 0 and 1, got {test_fraction}")
    return train_test_split(features, target, test_size=test_fraction, random_state=seed, stratify=target)


def select_features(features, target, names: list[str], n_features: int) -> list[str]:
    """The n_features most informative feature names (ANOVA F-test); all of them when 0."""
    from sklearn.feature_selection import f_classif

    if n_features <= 0 or n_features >= len(names):
        return list(names)
    scores, _ = f_classif(features, target)
    best = np.argsort(-np.nan_to_num(scores), kind="stable")[:n_features]
    return [names[i] for i in sorted(best)]


def columns(features: np.ndarray, names: list[str], keep: list[str]) -> np.ndarray:
    """The columns of features named in keep, in that order."""
    index = {name: i for i, name in enumerate(names)}
    missing = [name for name in keep if name not in index]
    if missing:
        raise ValueError(f"features not in the table: {missing}")
    return features[:, [index[name] for name in keep]]


def write_json(path: Path, value) -> None:
    """Write value as indented JSON."""
    path.write_text(json.dumps(value, indent=2) + "\n")


def read_json(path: Path):
    """Read a JSON file."""
    return json.loads(path.read_text())


def ingest(dataset: str, raw: Path) -> None:
    """Write the bundled dataset to raw/table.csv and its description to raw/dataset.json."""
    features, target, names, classes = load_dataset(dataset)
    raw.mkdir(parents=True, exist_ok=True)
    write_table(raw / "table.csv", features, target, names)
    write_json(raw / "dataset.json", {"dataset": dataset, "classes": classes})
    print(f"{dataset}: {len(target)} rows, {len(names)} features, classes {classes}")


def prepare(
    raw: Path, train_set: Path, test_set: Path, *, test_fraction: float, n_features: int, seed: int
) -> None:
    """Split raw/ into train_set/ and test_set/, keeping the features chosen on the train rows."""
    features, target, names = read_table(raw / "table.csv")
    description = read_json(raw / "dataset.json")
    train_x, test_x, train_y, test_y = split(features, target, test_fraction, seed)
    keep = select_features(train_x, train_y, names, n_features)
    for folder, rows, labels in ((train_set, train_x, train_y), (test_set, test_x, test_y)):
        folder.mkdir(parents=True, exist_ok=True)
        write_table(folder / "table.csv", columns(rows, names, keep), labels, keep)
        write_json(folder / "dataset.json", description)
    print(f"train: {len(train_y)} rows, test: {len(test_y)} rows, {len(keep)} features")
