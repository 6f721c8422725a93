"""The three-way, file-by-file merge of a template change (real `git merge-file`, plain folders)."""

from __future__ import annotations

from pathlib import Path

from pipeyard.project_templates.merge import (
    ADDED,
    CONFLICT,
    DELETED,
    KEPT,
    MERGED,
    UPDATED,
    merge_update,
    unified_diff,
)


def _tree(root: Path, files: dict[str, str | bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return root


def _never(path: str) -> bool:
    return False


def _merge(tmp_path, base, theirs, ours, skips=_never):
    project = _tree(tmp_path / "ours", ours)
    report = merge_update(
        project,
        _tree(tmp_path / "base", base),
        _tree(tmp_path / "theirs", theirs),
        skips,
        protected=(".cruft.json",),
    )
    return project, {c.path: c for c in report.changes}, report


def test_each_kind_of_change_lands_where_it_should(tmp_path):
    base = {
        "same.txt": "s\n",
        "tpl.txt": "1\n",
        "mine.txt": "1\n",
        "gone.txt": "g\n",
        "both.txt": "a\nb\nc\nd\ne\n",
    }
    theirs = {
        "same.txt": "s\n",
        "tpl.txt": "2\n",
        "mine.txt": "1\n",
        "new/file.txt": "n\n",
        "both.txt": "A\nb\nc\nd\ne\n",
    }
    ours = {
        "same.txt": "s\n",
        "tpl.txt": "1\n",
        "mine.txt": "mine\n",
        "gone.txt": "g\n",
        "both.txt": "a\nb\nc\nd\nE\n",
    }

    project, changes, report = _merge(tmp_path, base, theirs, ours)

    assert (project / "tpl.txt").read_text() == "2\n" and changes["tpl.txt"].action == UPDATED
    assert (project / "mine.txt").read_text() == "mine\n" and "mine.txt" not in changes
    assert (project / "new/file.txt").read_text() == "n\n" and changes["new/file.txt"].action == ADDED
    assert not (project / "gone.txt").exists() and changes["gone.txt"].action == DELETED
    assert (project / "both.txt").read_text() == "A\nb\nc\nd\nE\n" and changes["both.txt"].action == MERGED
    assert "same.txt" not in changes and report.conflicts == ()


def test_same_lines_changed_on_both_sides_conflict_with_markers(tmp_path):
    project, changes, report = _merge(
        tmp_path, {"f.txt": "x = 1\n"}, {"f.txt": "x = 2\n"}, {"f.txt": "x = 3\n"}
    )
    assert report.conflicts == ("f.txt",) and changes["f.txt"].action == CONFLICT
    assert (project / "f.txt").read_text() == "<<<<<<< ours\nx = 3\n=======\nx = 2\n>>>>>>> template\n"


def test_a_file_both_sides_added_differently_conflicts(tmp_path):
    project, _, report = _merge(tmp_path, {}, {"f.txt": "theirs\n"}, {"f.txt": "ours\n"})
    assert report.conflicts == ("f.txt",)
    assert "<<<<<<< ours\nours\n=======\ntheirs\n>>>>>>> template" in (project / "f.txt").read_text()


def test_deletions_respect_the_users_choices(tmp_path):
    base = {"user_deleted.txt": "1\n", "tpl_deleted_user_changed.txt": "1\n"}
    theirs = {"user_deleted.txt": "2\n"}
    ours = {"tpl_deleted_user_changed.txt": "mine\n"}
    project, changes, _ = _merge(tmp_path, base, theirs, ours)
    assert not (project / "user_deleted.txt").exists() and changes["user_deleted.txt"].action == KEPT
    assert (project / "tpl_deleted_user_changed.txt").read_text() == "mine\n"
    assert changes["tpl_deleted_user_changed.txt"].action == KEPT


def test_binary_files_are_taken_or_kept_never_merged(tmp_path):
    base = {"untouched.bin": b"\x00a", "both.bin": b"\x00a"}
    theirs = {"untouched.bin": b"\x00b", "both.bin": b"\x00b"}
    ours = {"untouched.bin": b"\x00a", "both.bin": b"\x00mine"}
    project, changes, report = _merge(tmp_path, base, theirs, ours)
    assert (project / "untouched.bin").read_bytes() == b"\x00b"
    assert (project / "both.bin").read_bytes() == b"\x00mine" and changes["both.bin"].action == KEPT
    assert report.conflicts == ()


def test_skipped_and_protected_files_are_left_alone(tmp_path):
    files = ({"keep/a.txt": "1\n", ".cruft.json": "{}"}, {"keep/a.txt": "2\n", ".cruft.json": "[]"})
    project, changes, _ = _merge(
        tmp_path, *files, {"keep/a.txt": "1\n", ".cruft.json": "{}"}, skips=lambda p: p.startswith("keep/")
    )
    assert changes == {}
    assert (project / "keep/a.txt").read_text() == "1\n" and (project / ".cruft.json").read_text() == "{}"


def test_unified_diff_of_two_renders(tmp_path):
    base = _tree(tmp_path / "base", {"a.txt": "1\n", "old.txt": "o\n", "same.txt": "s\n"})
    theirs = _tree(tmp_path / "theirs", {"a.txt": "2\n", "new.txt": "n\n", "same.txt": "s\n"})
    text = "\n".join(unified_diff(base, theirs, _never))
    assert "--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-1\n+2" in text
    assert "--- /dev/null\n+++ b/new.txt" in text and "--- a/old.txt\n+++ /dev/null" in text
    assert "same.txt" not in text
    assert unified_diff(base, theirs, _never, only=("new.txt",))[0] == "diff a/new.txt b/new.txt"
