"""Real project folders driven through the real command line, for tests and benchmarks.

    env = cli_environment()              # this environment's bin/ first on PATH, no tracebacks
    run_cli(root, "pipeyard", "run")     # `python -m pipeyard run` in root
    run_cli(root, "dvc", "status")       # the `dvc` installed beside this Python
    init_project(root)                   # a new git repository (branch main) with pipeyard init
    commit_all(root, "message")          # everything staged and committed

Used by tests/e2e/projects.py and pipeyard.testing.faults.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from ..vcs.dvc import dvc_command
from ..vcs.git import identity_env, run_git

BIN = Path(sys.executable).parent


def cli_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of a command in a test: this Python's bin/ first on PATH, DVC without
    analytics, errors without tracebacks, plus extra."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["DVC_NO_ANALYTICS"] = "1"
    env.pop("PIPEYARD_TRACEBACK", None)
    env.update(extra or {})
    return env


def cli_argv(program: str, *args: str) -> list[str]:
    """The argv that runs `program args`: pipeyard through this Python, dvc through pipeyard.vcs.dvc,
    anything else as given."""
    if program == "pipeyard":
        return [sys.executable, "-m", "pipeyard", *args]
    if program == "dvc":
        return dvc_command(*args)
    return [program, *args]


def run_cli(
    root: Path, program: str, *args: str, env: Mapping[str, str] | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run `program args` in root (environment: cli_environment() unless env) and wait; never raises
    for an exit code."""
    return subprocess.run(
        cli_argv(program, *args),
        cwd=root,
        capture_output=True,
        text=True,
        env=dict(env) if env is not None else cli_environment(),
        timeout=timeout,
        check=False,
    )


def init_project(root: Path) -> None:
    """Make root a new git repository (branch main) with pipeyard (and DVC) set up in it."""
    root.mkdir(parents=True, exist_ok=True)
    run_git(root, "init", "--quiet", "--initial-branch=main")
    done = run_cli(root, "pipeyard", "init")
    if done.returncode != 0:
        raise AssertionError(f"pipeyard init failed:\n{done.stdout}\n{done.stderr}")


def commit_all(root: Path, message: str) -> None:
    """Stage everything in root and commit it (with a stand-in identity where git has none)."""
    run_git(root, "add", "--all", env=cli_environment())
    run_git(root, "commit", "--quiet", "-m", message, env={**cli_environment(), **identity_env(root)})
