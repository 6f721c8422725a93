"""Helpers the nested sample's scripts share."""

import os


def read_rows(folder):
    """Every data row of every CSV file in folder."""
    rows = []
    for name in sorted(os.listdir(folder)):
        if name.endswith(".csv"):
            with open(os.path.join(folder, name)) as handle:
                rows.extend(line.strip().split(",") for line in handle.readlines()[1:] if line.strip())
    return rows


def write(folder, name, text):
    """Write text to folder/name, creating folder."""
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "w") as handle:
        handle.write(text)
