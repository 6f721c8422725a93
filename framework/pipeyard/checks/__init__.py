"""Checks that guard a commit (run by the pre-commit hooks): keep data out of git.

Layer: below the CLI, beside `session`; imports only `errors`, `model.sizes` and `vcs`
(git through `vcs.git`; PyYAML for `.dvc` files).
"""

from .data_files import (
    DEFAULT_DATA_EXTENSIONS,
    DEFAULT_MAX_SIZE,
    DataPolicy,
    DataProblem,
    FileFacts,
    find_data_problems,
    format_size,
    judge,
    parse_extensions,
    parse_size,
)
from .dvc_tracked import DvcTracked, find_dvc_tracked
from .gitfiles import git_files, staged_files

__all__ = [
    "DEFAULT_DATA_EXTENSIONS",
    "DEFAULT_MAX_SIZE",
    "DataPolicy",
    "DataProblem",
    "DvcTracked",
    "FileFacts",
    "find_data_problems",
    "find_dvc_tracked",
    "format_size",
    "git_files",
    "judge",
    "parse_extensions",
    "parse_size",
    "staged_files",
]
