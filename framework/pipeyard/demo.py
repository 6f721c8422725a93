"""Create a ready-to-run project from one of the built-in examples."""

from __future__ import annotations

import shutil
from importlib import resources
from pathlib import Path

from .errors import UserError
from .session import compile_files, init, load
from .vcs.git import has_identity, run_git

EXAMPLES = ("yaml", "python")
# Written into the demo repository's own config when git has no identity, so that the first
# commit, and the ones the user makes while trying the demo, succeed.
DEMO_IDENTITY = {"user.name": "pipeyard demo", "user.email": "demo@pipeyard.invalid"}


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
    run_git(root, "init", "--quiet")
    if not has_identity(root):
        for key, value in DEMO_IDENTITY.items():
            run_git(root, "config", key, value)
    init(root)
    compile_files(load(root))
    run_git(root, "add", "--all")
    run_git(root, "commit", "--quiet", "--no-verify", "-m", "pipeyard demo project")
    return root
