"""Three-way merge of a template change into a project, file by file, and its unified diff.

base is the old render, theirs the new render, ours the project's work tree. Text files that
both sides changed are merged by `git merge-file`, which leaves `<<<<<<< ours` /
`>>>>>>> template` markers where the same lines changed on both sides.
"""

from __future__ import annotations

import difflib
import filecmp
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InternalError
from ..vcs.git import run_git

UPDATED, ADDED, DELETED, MERGED, CONFLICT, KEPT = "updated", "added", "deleted", "merged", "conflict", "kept"


@dataclass(frozen=True)
class FileChange:
    """What an update did to one file; note says why for KEPT."""

    path: str
    action: str
    note: str = ""


@dataclass(frozen=True)
class MergeReport:
    """Every file an update touched or deliberately left alone."""

    changes: tuple[FileChange, ...]

    @property
    def conflicts(self) -> tuple[str, ...]:
        """Files left with conflict markers."""
        return tuple(c.path for c in self.changes if c.action == CONFLICT)


def list_files(folder: Path) -> dict[str, Path]:
    """Every file under folder by its POSIX path relative to folder."""
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*")) if p.is_file()}


def merge_update(
    project: Path, base: Path, theirs: Path, skips: Callable[[str], bool], protected: Sequence[str] = ()
) -> MergeReport:
    """Apply the change base -> theirs to the project's work tree; return what happened per file."""
    old, new = list_files(base), list_files(theirs)
    changes = []
    for path in sorted(set(old) | set(new)):
        if path in protected or skips(path):
            continue
        change = _merge_one(path, old.get(path), new.get(path), project / path)
        if change is not None:
            changes.append(change)
    return MergeReport(tuple(changes))


def _merge_one(path: str, base: Path | None, theirs: Path | None, ours: Path) -> FileChange | None:
    if base and theirs and _same(base, theirs):
        return None
    if not ours.exists():
        if theirs is None:
            return None
        if base is None:
            _take(theirs, ours)
            return FileChange(path, ADDED)
        return FileChange(path, KEPT, "you deleted it; it stays deleted")
    if not ours.is_file():
        return FileChange(path, KEPT, "it is not a file in your project; left alone")
    if theirs is None:
        if base is not None and _same(base, ours):
            ours.unlink()
            _remove_empty_parents(ours)
            return FileChange(path, DELETED)
        return FileChange(path, KEPT, "the template deleted it, but you changed it; kept your copy")
    if _same(ours, theirs):
        return None
    if base is not None and _same(base, ours):
        _take(theirs, ours)
        return FileChange(path, UPDATED)
    if any(_is_binary(p) for p in (ours, theirs, base) if p is not None):
        return FileChange(path, KEPT, "binary file changed by both you and the template; kept yours")
    conflicts = _merge_file(ours, base, theirs)
    return FileChange(path, CONFLICT if conflicts else MERGED)


def _merge_file(ours: Path, base: Path | None, theirs: Path) -> int:
    with tempfile.TemporaryDirectory(prefix="pipeyard-merge-") as scratch:
        if base is None:
            base = Path(scratch) / "empty"
            base.write_bytes(b"")
        files = [str(path.absolute()) for path in (ours, base, theirs)]
        result = run_git(
            Path(scratch), "merge-file", "-L", "ours", "-L", "base", "-L", "template", *files, check=False
        )
    if result.returncode < 0 or result.returncode > 127:
        raise InternalError(f"`git merge-file` failed on {ours}: {result.stderr.strip()}")
    return result.returncode


def _take(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    shutil.copymode(source, target)


def _remove_empty_parents(path: Path) -> None:
    folder = path.parent
    while folder != folder.parent and not any(folder.iterdir()):
        if (folder / ".git").exists():
            break
        folder.rmdir()
        folder = folder.parent


def _same(a: Path, b: Path) -> bool:
    return filecmp.cmp(a, b, shallow=False)


def _is_binary(path: Path) -> bool:
    from binaryornot.check import is_binary

    return is_binary(str(path))


def unified_diff(
    base: Path, theirs: Path, skips: Callable[[str], bool], only: Sequence[str] = ()
) -> list[str]:
    """The change base -> theirs as unified-diff lines (`a/` old render, `b/` new render).

    only limits it to these paths or the folders holding them.
    """
    old, new = list_files(base), list_files(theirs)
    lines: list[str] = []
    for path in sorted(set(old) | set(new)):
        if skips(path) or (only and not any(_within(path, o) for o in only)):
            continue
        a, b = old.get(path), new.get(path)
        if a and b and _same(a, b):
            continue
        lines.append(f"diff a/{path} b/{path}")
        if (a and _is_binary(a)) or (b and _is_binary(b)):
            lines.append(
                f"Binary files {'a/' + path if a else '/dev/null'} and {'b/' + path if b else '/dev/null'} differ"
            )
            continue
        lines.extend(
            line.rstrip("\n")
            for line in difflib.unified_diff(
                _lines(a),
                _lines(b),
                fromfile=f"a/{path}" if a else "/dev/null",
                tofile=f"b/{path}" if b else "/dev/null",
            )
        )
    return lines


def _within(path: str, prefix: str) -> bool:
    prefix = prefix.strip("/")
    return path == prefix or path.startswith(prefix + "/")


def _lines(path: Path | None) -> list[str]:
    if path is None:
        return []
    return path.read_text(encoding="utf-8", errors="replace").splitlines(keepends=True)
