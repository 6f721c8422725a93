"""`.dvcignore` rules: rewriting nested patterns, matching, reading once, costing nothing unused.

DVC's own verdicts are checked in tests/integration/cache/test_dvcignore_with_dvc.py.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeyard.cache.hashing import Hasher, HashState
from pipeyard.cache.ignore import (
    DEFAULT_RULES,
    RepositoryIgnores,
    anchored_pattern,
    read_patterns,
)
from pipeyard.errors import RepositoryError


@pytest.mark.parametrize(
    ("pattern", "folder", "expected"),
    [
        ("x.tmp", "", "x.tmp"),
        ("x.tmp", "a", "a/**/x.tmp"),
        ("/x.tmp", "a/b", "a/b/x.tmp"),
        ("dir/", "a", "a/**/dir/"),
        ("d/x", "a", "a/d/x"),
        ("**/x", "a", "a/**/x"),
        ("!keep", "a", "!/a/**/keep"),
        ("!d/keep", "a", "!/a/d/keep"),
        ("\\#x", "a", "a/**/#x"),
    ],
)
def test_nested_patterns_are_rewritten_from_the_root(pattern, folder, expected):
    assert anchored_pattern(pattern, folder) == expected


def _ignores(tmp_path: Path, files: dict[str, str]) -> RepositoryIgnores:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return RepositoryIgnores(tmp_path)


def test_the_last_matching_pattern_decides_and_folders_hide_what_they_hold(tmp_path):
    rules = _ignores(tmp_path, {".dvcignore": "*.tmp\n!keep.tmp\nbuild/\n"}).rules_for("")
    assert rules.is_ignored("a/x.tmp", is_dir=False)
    assert not rules.is_ignored("a/keep.tmp", is_dir=False)
    assert rules.is_ignored("build", is_dir=True)
    assert not rules.is_ignored("build", is_dir=False)  # a file named like a folder pattern
    assert rules.is_ignored("build/keep.tmp", is_dir=False)  # its folder is ignored
    assert rules.is_ignored("x/.git", is_dir=False) and rules.is_ignored("x/.dvc", is_dir=True)


def test_a_deeper_dvcignore_wins_and_reaches_only_below_itself(tmp_path):
    ignores = _ignores(tmp_path, {".dvcignore": "*.tmp\n", "a/.dvcignore": "!keep.tmp\n"})
    assert not ignores.rules_for("a/b").is_ignored("a/b/keep.tmp", is_dir=False)
    assert ignores.rules_for("c").is_ignored("c/keep.tmp", is_dir=False)


def test_an_ignored_dvcignore_is_not_read(tmp_path):
    ignores = _ignores(tmp_path, {".dvcignore": "a/.dvcignore\n", "a/.dvcignore": "*\n"})
    assert not ignores.rules_for("a").is_ignored("a/x", is_dir=False)


def test_without_any_dvcignore_only_dvc_defaults_apply(tmp_path):
    assert _ignores(tmp_path, {"a/x": ""}).rules_for("a") is DEFAULT_RULES
    comments = _ignores(tmp_path, {".dvcignore": "# nothing yet\n\n"})
    assert comments.rules_for("a") is DEFAULT_RULES


def test_a_dvcignore_is_parsed_once_until_it_changes(tmp_path):
    path = tmp_path / ".dvcignore"
    path.write_text("a\n")
    first = read_patterns(path, "")
    assert read_patterns(path, "") is first
    path.write_text("a\nb\n")
    assert [text for text, _ in read_patterns(path, "")] == ["a", "b"]


def test_an_invalid_pattern_names_the_file_and_line(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / ".dvcignore").write_text("ok\nbad\\\n")
    with pytest.raises(RepositoryError) as raised:
        RepositoryIgnores(tmp_path).rules_for("a")
    assert raised.value.location is not None and str(raised.value.location) == "a/.dvcignore:2"


def test_folder_hashes_leave_out_ignored_files_but_keep_file_hashes(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a.csv").write_text("1\n")
    state = HashState(tmp_path / "state.json")
    before = Hasher(tmp_path, state).hash_path("data")
    (data / "scratch.txt").write_text("notes\n")
    (tmp_path / ".dvcignore").write_text("scratch.txt\n")
    assert Hasher(tmp_path, state).hash_path("data") == before
    assert Hasher(tmp_path, state).hash_path("./data/") == before
    file_only = Hasher(tmp_path, state).hash_path("data/scratch.txt")  # a file is hashed as asked
    assert file_only is not None and file_only.nfiles is None


def test_a_dvcignore_inside_a_hashed_folder_is_refused_as_dvc_does(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / ".dvcignore").write_text("x\n")
    with pytest.raises(RepositoryError, match="move its patterns"):
        Hasher(tmp_path, HashState(tmp_path / "s.json")).hash_path("data")


def test_folders_outside_the_root_get_no_dvcignore_rules(tmp_path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "x.tmp").write_text("x\n")
    (root / ".dvcignore").write_text("*.tmp\n")
    hashed = Hasher(root, HashState(tmp_path / "s.json")).hash_path(os.path.join("..", "outside"))
    assert hashed is not None and hashed.nfiles == 1


def test_a_dvcignore_that_is_not_utf8_is_a_repository_error(tmp_path):
    (tmp_path / ".dvcignore").write_bytes(b"caf\xe9\n")
    with pytest.raises(RepositoryError, match="UTF-8"):
        RepositoryIgnores(tmp_path).rules_for("")
