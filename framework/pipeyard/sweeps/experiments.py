"""Record a sweep point as a DVC experiment, the way `dvc exp run` does.

DVC keeps experiments as git refs, `refs/exps/<baseline[:2]>/<baseline[2:]>/<name>`, each on
a commit whose parent is the baseline commit and which holds the experiment's dvc.yaml,
dvc.lock and params.yaml; its outputs (metrics included) are read through dvc.lock from the
cache. So `dvc exp show` and `dvc exp list` list the points with their parameters and metrics,
and `dvc exp apply <name>` brings one into the workspace.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .worktrees import git

EXPS_NAMESPACE = "refs/exps"
_FALLBACK_IDENTITY = {"name": "pipeyard", "email": "pipeyard@localhost"}


def experiment_ref(baseline: str, name: str) -> str:
    """The git ref DVC reads for experiment name on top of baseline."""
    return f"{EXPS_NAMESPACE}/{baseline[:2]}/{baseline[2:]}/{name}"


def record_experiment(folder: Path, baseline: str, name: str, message: str) -> str:
    """Commit the point's worktree (detached at baseline) and set its experiment ref.

    Returns the experiment's commit. The run's own files (.pipeyard/) stay out of the commit.
    """
    git(folder, "add", "--all")
    git(folder, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", ".pipeyard")
    git(
        folder, "commit", "--quiet", "--no-verify", "--allow-empty", "-m", message, env=_with_identity(folder)
    )
    commit = git(folder, "rev-parse", "HEAD").strip()
    git(folder, "update-ref", experiment_ref(baseline, name), commit)
    return commit


def _with_identity(folder: Path) -> dict:
    """The environment for `git commit`, with a stand-in identity where git has none."""
    env = dict(os.environ)
    for role in ("AUTHOR", "COMMITTER"):
        done = subprocess.run(
            ["git", "var", f"GIT_{role}_IDENT"], cwd=folder, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            env.setdefault(f"GIT_{role}_NAME", _FALLBACK_IDENTITY["name"])
            env.setdefault(f"GIT_{role}_EMAIL", _FALLBACK_IDENTITY["email"])
    return env
