"""Create a ready-to-run project from one of the built-in examples."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

import git

from .errors import UserError
from .session import compile_files, init, load

EXAMPLES = ("yaml", "python")


def create_demo(directory: Path, kind: str = "yaml") -> Path:
    """Copy the built-in example into directory, make it a git + DVC repository, commit it."""
    if kind not in EXAMPLES:
        raise UserError(f"unknown example '{kind}'", hint=f"use one of: {', '.join(EXAMPLES)}")
    root = directory.resolve()
    if root.exists() and any(root.iterdir()):
        raise UserError(
            f"{root} exists and is not empty",
            hint="pick a new directory, e.g. `pipeyard demo /tmp/pipeyard-demo-2`",
        )
    source = resources.files("pipeyard") / "examples" / kind
    with resources.as_file(source) as folder:
        shutil.copytree(folder, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    repo = git.Repo.init(root)
    with repo.config_writer() as config:
        if not _has_identity(repo):
            config.set_value("user", "name", "pipeyard demo")
            config.set_value("user", "email", "demo@pipeyard.invalid")
    init(root)
    compile_files(load(root))
    repo.git.add(A=True)
    repo.index.commit("pipeyard demo project")
    return root


def _has_identity(repo: git.Repo) -> bool:
    reader = repo.config_reader()
    return reader.has_option("user", "name") and reader.has_option("user", "email")
