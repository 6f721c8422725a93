"""Template renders kept in the project's own git repository, as merge bases for updates.

A template kept in git can be rendered again at any earlier commit. A plain folder, and the
templates built into pipeyard, keep no history: once pipeyard is upgraded, the version a
project was made from is gone. So `pipeyard new` and `pipeyard template update` store the pure
render of each version they use as a commit under `refs/pipeyard/templates/<version>`; the
next update takes its base from there. The refs travel with `git push/fetch` of
`refs/pipeyard/*` like any other ref.
"""

from __future__ import annotations

import io
import tarfile
import tempfile
from pathlib import Path

from ..vcs.git import git_bytes, git_output, identity_env, run_git, succeeds

REF_PREFIX = "refs/pipeyard/templates/"


def snapshot_ref(version: str) -> str:
    """The ref that keeps the render of a template version (a commit id or `sha256:...`)."""
    return REF_PREFIX + version.replace(":", "-")


def save_render(root: Path, rendered: Path, version: str) -> str:
    """Store the files under rendered as a commit at snapshot_ref(version); returns its id."""
    with tempfile.TemporaryDirectory(prefix="pipeyard-snapshot-") as scratch:
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        run_git(root, f"--work-tree={rendered}", "add", "--all", "--force", ".", env=index)
        tree = git_output(root, "write-tree", env=index)
    message = f"pipeyard template render {version}"
    commit = git_output(root, "commit-tree", tree, "-m", message, env=identity_env(root))
    run_git(root, "update-ref", snapshot_ref(version), commit)
    return commit


def restore_render(root: Path, version: str, into: Path) -> Path | None:
    """Write the stored render of version into the folder into; None when none is stored."""
    ref = snapshot_ref(version)
    if not succeeds(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"):
        return None
    archive = git_bytes(
        root, "archive", "--format=tar", ref, hint="check that the repository is intact (`git fsck`)"
    )
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into
