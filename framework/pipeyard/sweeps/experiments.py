"""Record a sweep point as a DVC experiment, the way `dvc exp run` does.

DVC keeps experiments as git refs, `refs/exps/<baseline[:2]>/<baseline[2:]>/<name>`, each on
a commit whose parent is the baseline commit and which holds the experiment's dvc.yaml,
dvc.lock and params.yaml; its outputs (metrics included) are read through dvc.lock from the
cache. So `dvc exp show` and `dvc exp list` list the points with their parameters and metrics,
and `dvc exp apply <name>` brings one into the workspace.
"""

from __future__ import annotations

from pathlib import Path

from ..vcs.git import git_output, identity_env, run_git

EXPS_NAMESPACE = "refs/exps"


def experiment_ref(baseline: str, name: str) -> str:
    """The git ref DVC reads for experiment name on top of baseline."""
    return f"{EXPS_NAMESPACE}/{baseline[:2]}/{baseline[2:]}/{name}"


def record_experiment(folder: Path, baseline: str, name: str, message: str) -> str:
    """Commit the point's worktree (detached at baseline) and set its experiment ref.

    Returns the experiment's commit. The run's own files (.pipeyard/) stay out of the commit.
    """
    run_git(folder, "add", "--all")
    run_git(folder, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", ".pipeyard")
    run_git(
        folder, "commit", "--quiet", "--no-verify", "--allow-empty", "-m", message, env=identity_env(folder)
    )
    commit = git_output(folder, "rev-parse", "HEAD")
    run_git(folder, "update-ref", experiment_ref(baseline, name), commit)
    return commit
