"""Keep data out of git: flag large files, data-like files and DVC-tracked files staged in git.

`find_data_problems` judges a list of paths against a `DataPolicy` and what DVC tracks; each
`DataProblem` says what is wrong and the commands that fix it.
"""

from __future__ import annotations

import fnmatch
import os
import posixpath
import shlex
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from ..errors import ParameterError
from ..model.sizes import MIB as MB
from ..model.sizes import SizeError, read_size
from .dvc_tracked import DvcTracked

DEFAULT_MAX_SIZE = MB

DEFAULT_DATA_EXTENSIONS = frozenset(
    {
        # tables
        "csv", "tsv", "parquet", "feather", "arrow", "avro", "orc", "xlsx", "xls",
        # arrays and serialized objects
        "npy", "npz", "pkl", "pickle", "joblib", "h5", "hdf5", "nc", "mat",
        # model weights and checkpoints
        "pt", "pth", "ckpt", "safetensors", "onnx", "pb", "tflite", "bin",
        # archives
        "zip", "tar", "gz", "tgz", "bz2", "xz", "zst", "7z", "rar",
        # databases
        "db", "sqlite", "sqlite3",
    }
)  # fmt: skip


def parse_size(text: str) -> int:
    """Bytes from a size such as ``1MB``, ``500KB``, ``2.5MiB`` or a bare number of bytes.

    Units are binary (1KB = 1024 bytes), as elsewhere in pipeyard (`model.sizes`).
    """
    try:
        size = read_size(text).in_bytes()
    except SizeError as error:
        raise ParameterError(
            str(error), hint="write a size like 1MB, 500KB or 2GB (or a number of bytes)"
        ) from None
    if size <= 0:
        raise ParameterError(f"the size limit must be above zero, got '{text}'", hint="e.g. --max-size 1MB")
    return size


def format_size(size: int) -> str:
    """A size for people: ``2.0 MB``, ``512 KB``, ``17 bytes``."""
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} bytes"


def parse_extensions(text: str) -> frozenset[str]:
    """Extensions from a comma-separated list such as ``csv,.parquet, npy`` (empty: none)."""
    return frozenset(part.strip().lstrip(".").lower() for part in text.split(",") if part.strip())


@dataclass(frozen=True)
class DataPolicy:
    """What may be committed to git: a size limit, data-like extensions, and allowed globs.

    Globs match the path from the repository root, fnmatch style (``*`` crosses folders):
    ``tests/fixtures/*``, ``*.csv``, ``docs/images/*.png``.
    """

    max_size: int = DEFAULT_MAX_SIZE
    extensions: frozenset[str] = DEFAULT_DATA_EXTENSIONS
    allow: tuple[str, ...] = ()

    def allows(self, path: str) -> bool:
        """True when path matches one of the allowed globs."""
        return any(fnmatch.fnmatchcase(path, glob) for glob in self.allow)

    def data_extension(self, path: str) -> str | None:
        """The data-like extension of path (``csv`` of ``a/b.csv``, ``gz`` of ``x.tar.gz``), or None."""
        name = posixpath.basename(path).lower()
        _stem, dot, extension = name.rpartition(".")
        return extension if dot and _stem and extension in self.extensions else None


@dataclass(frozen=True)
class DataProblem:
    """One file that should not be committed to git: why, and the commands that fix it."""

    path: str
    reasons: tuple[str, ...]
    fix: str
    allowable: bool = True  # False when DVC tracks the file: an allow-list cannot help


@dataclass(frozen=True)
class FileFacts:
    """What the check knows of one file: its path from the root and its size in bytes."""

    path: str
    size: int
    tracked_by: str | None = None  # who tracks it in DVC, e.g. data/raw.csv.dvc


def judge(facts: FileFacts, policy: DataPolicy) -> DataProblem | None:
    """The problem with committing one file to git, or None when it may be committed."""
    path = facts.path
    if facts.tracked_by is not None:
        return DataProblem(
            path,
            (f"tracked by DVC ({facts.tracked_by}) yet staged in git",),
            f"git rm --cached {_quote(path)}",
            allowable=False,
        )
    if policy.allows(path):
        return None
    reasons = []
    if facts.size > policy.max_size:
        reasons.append(f"{format_size(facts.size)}, over the {format_size(policy.max_size)} limit")
    extension = policy.data_extension(path)
    if extension:
        reasons.append(f"a data file (.{extension})")
    if not reasons:
        return None
    return DataProblem(path, tuple(reasons), _dvc_add_fix(path))


def find_data_problems(
    root: Path, paths: Iterable[str], policy: DataPolicy, tracked: DvcTracked
) -> list[DataProblem]:
    """The problems of committing paths (relative to root) to git; missing paths are skipped."""
    problems = []
    for path in sorted(set(paths)):
        try:
            size = os.lstat(root / path).st_size
        except FileNotFoundError:
            continue  # deleted in the work tree: nothing of it is committed from here
        problem = judge(FileFacts(path, size, tracked.owner(path)), policy)
        if problem is not None:
            problems.append(problem)
    return problems


def _dvc_add_fix(path: str) -> str:
    folder = posixpath.dirname(path)
    gitignore = posixpath.join(folder, ".gitignore") if folder else ".gitignore"
    quoted = _quote(path)
    return (
        f"git rm --cached {quoted} && dvc add {quoted} && git add {_quote(path + '.dvc')} {_quote(gitignore)}"
    )


def _quote(path: str) -> str:
    return shlex.quote(path)
