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

from . import _git

REF_PREFIX = "refs/pipeyard/templates/"
FALLBACK_IDENTITY = ("-c", "user.name=pipeyard", "-c", "user.email=pipeyard@localhost.invalid")


def snapshot_ref(version: str) -> str:
    """The ref that keeps the render of a template version (a commit id or `sha256:...`)."""
    return REF_PREFIX + version.replace(":", "-")


def save_render(root: Path, rendered: Path, version: str) -> str:
    """Store the files under rendered as a commit at snapshot_ref(version); returns its id."""
    with tempfile.TemporaryDirectory(prefix="pipeyard-snapshot-") as scratch:
        index = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
        _git.git(root, f"--work-tree={rendered}", "add", "--all", "--force", ".", extra_env=index)
        tree = _git.output(root, "write-tree", extra_env=index)
    identity = () if _git.has_identity(root) else FALLBACK_IDENTITY
    commit = _git.output(root, *identity, "commit-tree", tree, "-m", f"pipeyard template render {version}")
    _git.git(root, "update-ref", snapshot_ref(version), commit)
    return commit


def restore_render(root: Path, version: str, into: Path) -> Path | None:
    """Write the stored render of version into the folder into; None when none is stored."""
    ref = snapshot_ref(version)
    if _git.git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False).returncode:
        return None
    archive = _git.git_bytes(root, "archive", "--format=tar", ref)
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return into
