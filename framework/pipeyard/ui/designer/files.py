"""The pipeline files the designer reads and writes: found inside the project only, read with
the version (content hash) they had, saved only over that same version, committed alone.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ...errors import ReferenceError_, RepositoryError, UnsupportedError
from ...loading import CANDIDATES, YAML_SUFFIXES
from ...vcs.git import git_output, run_git, top_level
from ..security import PathRefused, inside_project

PYTHON_SUFFIX = ".py"
MAX_BYTES = 2_000_000


@dataclass(frozen=True)
class FileState:
    """A pipeline file as read: its path (relative to the root, POSIX), text and version."""

    path: str
    text: str
    version: str

    @property
    def editable(self) -> bool:
        """True for YAML pipelines; Python (SDK) pipelines are shown read-only."""
        return self.path.endswith(YAML_SUFFIXES)


@dataclass(frozen=True)
class Conflict:
    """A save refused because the file changed on disk since it was loaded."""

    path: str
    version: str | None  # the version on disk now (None: the file is gone)

    @property
    def message(self) -> str:
        """What the page tells the user."""
        what = "was deleted" if self.version is None else "changed on disk"
        return f"{self.path} {what} since you loaded it; reload it to see the change (your unsaved edits are lost)"


def version_of(data: bytes) -> str:
    """The version of a file's content: its sha256."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def resolve(root: Path, relpath: str) -> Path:
    """The pipeline file relpath names inside root (no .., absolute paths, symlinks out or .git);
    PathRefused otherwise, or for a file that is not a YAML or Python pipeline."""
    path = inside_project(root, relpath)
    if not path.name.endswith((*YAML_SUFFIXES, PYTHON_SUFFIX)):
        raise PathRefused(f"{relpath}: not a pipeline file (.yml, .yaml or .py)")
    return path


def shown(root: Path, path: Path) -> str:
    """path relative to the (resolved) root, POSIX."""
    return Path(os.path.relpath(path, Path(root).resolve())).as_posix()


def read(root: Path, relpath: str) -> FileState:
    """The file with its text and version; ReferenceError_ when it does not exist."""
    path = resolve(root, relpath)
    data = _bytes(path, relpath)
    if data is None:
        raise ReferenceError_(f"{relpath} not found", hint="create it, or open another pipeline file")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UnsupportedError(f"{relpath} is not UTF-8 text") from None
    return FileState(shown(root, path), text, version_of(data))


def _bytes(path: Path, relpath: str) -> bytes | None:
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UnsupportedError(f"{relpath} is larger than {MAX_BYTES // 1_000_000} MB")
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None


def current_version(root: Path, relpath: str) -> str | None:
    """The version of the file on disk now (None when it is gone): what the canvas polls."""
    path = resolve(root, relpath)
    data = _bytes(path, relpath)
    return None if data is None else version_of(data)


def save(root: Path, relpath: str, text: str, version: str) -> FileState | Conflict:
    """Write text over the file when it is still at version; a Conflict when it is not."""
    path = resolve(root, relpath)
    data = _bytes(path, relpath)
    on_disk = None if data is None else version_of(data)
    if on_disk != version:
        return Conflict(shown(root, path), on_disk)
    if not path.name.endswith(YAML_SUFFIXES):
        raise UnsupportedError(
            f"{relpath} is a Python pipeline; the designer does not write it", hint="edit it in your editor"
        )
    encoded = text.encode("utf-8")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(encoded)
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return FileState(shown(root, path), text, version_of(encoded))


def commit(root: Path, relpath: str, message: str) -> str:
    """Commit the file alone (other staged changes stay staged) with message; its sha."""
    path = resolve(root, relpath)
    if not message.strip():
        raise RepositoryError("a commit needs a message", hint="say what the change does")
    if not path.is_file():
        raise ReferenceError_(f"{relpath} not found")
    top = top_level(root).resolve()
    spec = f":(literal){Path(os.path.relpath(path, top)).as_posix()}"
    run_git(top, "add", "--", spec)
    if run_git(top, "diff", "--cached", "--quiet", "--", spec, check=False).returncode == 0:
        raise RepositoryError(
            f"nothing to commit: {shown(root, path)} is as in the last commit", hint="save an edit first"
        )
    run_git(top, "commit", "--quiet", "-m", message, "--only", "--", spec)
    return git_output(top, "rev-parse", "HEAD")


def pipeline_files(root: Path) -> list[str]:
    """The project's pipeline files: pipeline.yml / .yaml / .py at the root, then other YAML
    files at the top two levels that declare ``type: pipeline``."""
    root = Path(root).resolve()
    found = [name for name in CANDIDATES if (root / name).is_file()]
    for pattern in ("*.yml", "*.yaml", "*/*.yml", "*/*.yaml"):
        for path in sorted(root.glob(pattern)):
            relative = path.relative_to(root).as_posix()
            if relative in found or relative.startswith(".") or "/." in relative or not path.is_file():
                continue
            try:
                head = path.read_text(encoding="utf-8", errors="replace")[:20000]
            except OSError:
                continue
            if "type: pipeline" in head and "jobs:" in head:
                found.append(relative)
    return found
