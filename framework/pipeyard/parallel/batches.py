"""An input split into mini-batches the way Azure ML's parallel run step splits it.

A folder (or one file) is a file input: a mini-batch is ``mini_batch_size`` files (a number),
or files up to a size (``10MB``, ``512kb``), in sorted path order. A folder holding an
``MLTable`` file, or a single ``.csv`` / ``.parquet`` file, is a table: a mini-batch is
``mini_batch_size`` rows, given to ``run()`` as a pandas DataFrame (pandas must be installed).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model.sizes import SizeError, read_size

TABLE_SUFFIXES = (".csv", ".parquet", ".tsv")


class BatchError(ValueError):
    """The input cannot be split as asked (bad size, missing input, no pandas for a table)."""


@dataclass(frozen=True)
class MiniBatch:
    """One mini-batch: its index, what run() receives, and how many items it holds."""

    index: int
    items: Any
    size: int


def parse_size(text: str) -> tuple[int, bool]:
    """(amount, is_bytes) of ``mini_batch_size``: ``10`` -> (10, False), ``1kb`` -> (1024, True)."""
    try:
        size = read_size(text)
    except SizeError as error:
        raise BatchError(f"mini_batch_size {error}, nor a count like 10") from None
    amount = size.in_bytes()  # a bare number counts files or rows, one each
    if amount <= 0:
        raise BatchError(f"mini_batch_size '{text}' must be > 0")
    return amount, size.unit is not None


def is_table(path: Path) -> bool:
    """True when path is tabular data (an MLTable folder, or one CSV/Parquet file)."""
    return (path.is_dir() and (path / "MLTable").is_file()) or (
        path.is_file() and path.suffix.lower() in TABLE_SUFFIXES
    )


def mini_batches(path: Path, size_text: str) -> list[MiniBatch]:
    """The mini-batches of the input at path, in order."""
    path = Path(path)
    if not path.exists():
        raise BatchError(f"input_data '{path}' does not exist")
    amount, in_bytes = parse_size(size_text)
    if is_table(path):
        return _table_batches(path, amount, in_bytes)
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    groups: list[list[Path]] = []
    current: list[Path] = []
    total = 0
    for file in files:
        weight = file.stat().st_size if in_bytes else 1
        if current and total + weight > amount:
            groups.append(current)
            current, total = [], 0
        current.append(file)
        total += weight
    if current:
        groups.append(current)
    return [MiniBatch(i, [str(f) for f in group], len(group)) for i, group in enumerate(groups)]


def _table_batches(path: Path, amount: int, in_bytes: bool) -> list[MiniBatch]:
    try:
        import pandas as pd
    except ImportError:
        raise BatchError("tabular input_data needs pandas (pip install pandas)") from None
    frame = pd.concat([_read(f, pd) for f in _table_files(path)], ignore_index=True)
    rows = amount
    if in_bytes:  # a size for a table: rows of about that many bytes
        per_row = max(1, int(frame.memory_usage(deep=True).sum() / max(len(frame), 1)))
        rows = max(1, amount // per_row)
    return [
        MiniBatch(
            i, frame.iloc[start : start + rows].reset_index(drop=True), len(frame.iloc[start : start + rows])
        )
        for i, start in enumerate(range(0, len(frame), rows))
    ]


def _table_files(path: Path) -> list[Path]:
    if path.is_file():
        return [path]
    found = []
    text = (path / "MLTable").read_text()
    for pattern in re.findall(r"(?:file|folder|pattern)\s*:\s*['\"]?([^'\"\n]+)", text):
        pattern = pattern.strip().removeprefix("./")
        found += (
            sorted(p for p in path.glob(pattern) if p.is_file() and p.suffix.lower() in TABLE_SUFFIXES)
            if any(c in pattern for c in "*?[")
            else (
                [path / pattern]
                if (path / pattern).is_file()
                else sorted(p for p in (path / pattern).glob("*") if p.suffix.lower() in TABLE_SUFFIXES)
            )
        )
    if not found:
        found = sorted(p for p in path.rglob("*") if p.suffix.lower() in TABLE_SUFFIXES)
    return found


def _read(file: Path, pd: Any) -> Any:
    if file.suffix.lower() == ".parquet":
        return pd.read_parquet(file)
    return pd.read_csv(file, sep="\t" if file.suffix.lower() == ".tsv" else ",")
