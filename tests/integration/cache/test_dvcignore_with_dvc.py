"""pipeyard's folder hashes honour `.dvcignore` exactly as DVC's do: a differential test.

Each pattern of the corpus is written once to the root `.dvcignore` and once to a nested
`proj/.dvcignore` (which DVC rewrites relative to the root), and the hash of `proj/data` (its
`.dir` md5, file count and size) is compared with the one DVC's own code computes for the same
folder with the same repository. dvc is imported here only, never on pipeyard's hot path.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from dvc.repo import Repo
from dvc_data.hashfile.build import IgnoreInCollectedDirError, build
from dvc_objects.fs import LocalFileSystem
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeyard.cache.hashing import Hasher, HashState
from pipeyard.errors import RepositoryError

pytestmark = pytest.mark.slow

TREE = (
    "a.txt",
    "b.tmp",
    "keep.tmp",
    "scratch.txt",
    "rooted",
    "notes.md",
    "#hash.txt",
    "!bang.txt",
    "star*.txt",
    "trail ",
    "q?.txt",
    ".git",
    "dir/x.txt",
    "dir/keep.tmp",
    "logs/l.log",
    "logs/keep.log",
    "scratch/s1.txt",
    "scratch/s2.log",
    "scratch/inner/s3.txt",
    "sub/x",
    "sub/rooted",
    "sub/c.tmp",
    "sub/dir/y.txt",
    "sub/deep/b",
    "sub/deep/x/z.txt",
    "a/b",
    "a/m/b",
    "a/m/n/b/w.txt",
    "a/m/c",
    "b/b",
    "data.csv",
    ".hg/store",
    "cache/.keep",
)

# each is the text of one .dvcignore; "{d}" stands for the hashed folder as written from the
# .dvcignore's own folder ("proj/data" at the root, "data" in proj/)
CORPUS = (
    "scratch.txt",
    "*.tmp",
    "*.tmp\n!keep.tmp",
    "!keep.tmp\n*.tmp",
    "/{d}/rooted",
    "/rooted",
    "rooted",
    "dir/",
    "dir",
    "/{d}/dir/",
    "**/x",
    "**/deep/x",
    "a/**/b",
    "{d}/a/**/b",
    "{d}/a/**",
    "{d}/a/*",
    "\\#hash.txt",
    "\\!bang.txt",
    "star\\*.txt",
    "q\\?.txt",
    "q?.txt",
    "*.tmp   \n  scratch.txt  ",
    "# a comment\n\n  # an indented comment\nnotes.md",
    "#hash.txt",
    "scratch/*",
    "scratch/**",
    "{d}/scratch/*",
    "**/scratch/**",
    "{d}/sub/**/z.txt",
    "**/a/**/b",
    "*.txt\n!dir/",
    "{d}/scratch/*\n!{d}/scratch/inner/",
    "logs/\n!logs/keep.log",
    "*.log\n!keep.log",
    "*\n!*/\n!*.txt",
    "[ab].t*",
    "[!a]*.txt",
    "sub/",
    "sub\n!sub/dir",
    "**/b",
    "b/",
    "*.md\n*.tmp\n*.log\nscratch/\n!scratch/s2.log",
    ".keep",
    "cache/",
    "data.csv/",
    "**",
    "!.git",  # DVC's own rules come first, so a .dvcignore can re-include
    "!*",
)
# patterns that rightly ignore nothing in the tree: anchored to the .dvcignore's folder (where
# no such path is), a comment, or folder-only for a file
IGNORE_NOTHING = {"/rooted", "a/**/b", "#hash.txt", "scratch/*", "scratch/**", "data.csv/"}


def _layout(root: Path) -> None:
    for rel in TREE:
        path = root / "proj" / "data" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"content of {rel}\n")


def pipeyard_hash(root: Path, target: str) -> tuple[str, int, int]:
    hasher = Hasher(root, HashState(root.parent / f"{root.name}-state.json"))
    hashed = hasher.hash_path(target)
    assert hashed is not None and hashed.nfiles is not None
    return hashed.md5, hashed.nfiles, hashed.size


def dvc_hash(root: Path, target: str) -> tuple[str, int, int]:
    repo = Repo(str(root))
    try:
        _, meta, obj = build(
            repo.cache.local,
            str(root / target),
            LocalFileSystem(),
            "md5",
            dry_run=True,
            ignore=repo.dvcignore,
        )
    finally:
        repo.close()
    return obj.hash_info.value, meta.nfiles, meta.size


def both_hashes(root: Path, target: str) -> tuple[object, object]:
    """What DVC and pipeyard compute for target: a hash, or 'refused' for both errors."""
    try:
        theirs: object = dvc_hash(root, target)
    except IgnoreInCollectedDirError:
        theirs = "refused"
    try:
        ours: object = pipeyard_hash(root, target)
    except RepositoryError:
        ours = "refused"
    return ours, theirs


@pytest.fixture
def tree(tmp_path: Path, empty_dvc_repo: Path) -> Path:
    root = shutil.copytree(empty_dvc_repo, tmp_path / "repo", symlinks=True)
    _layout(root)
    return root


@pytest.mark.parametrize("where", ["root", "nested"])
def test_folder_hashes_match_dvc_for_every_pattern(tree: Path, where: str) -> None:
    ignore_file = tree / ".dvcignore" if where == "root" else tree / "proj" / ".dvcignore"
    hashed_folder = "proj/data" if where == "root" else "data"
    unignored = pipeyard_hash(tree, "proj/data")
    mismatches, unchanged = [], set()
    for text in CORPUS:
        ignore_file.write_text(text.replace("{d}", hashed_folder) + "\n")
        for target in ("proj/data", "proj/data/sub"):
            ours, theirs = both_hashes(tree, target)
            if ours != theirs:
                mismatches.append((text, target, ours, theirs))
        if pipeyard_hash(tree, "proj/data") == unignored:
            unchanged.add(text)
    assert len(CORPUS) >= 40
    assert not mismatches
    assert unchanged == IGNORE_NOTHING


def test_root_and_nested_files_combine_as_in_dvc(tree: Path) -> None:
    cases = [
        ("*.tmp", "!keep.tmp"),  # the deeper file re-includes
        ("!keep.tmp", "*.tmp"),
        ("scratch/", "!scratch/"),
        ("proj/.dvcignore", "*.txt"),  # the nested file is itself ignored: never read
        ("", "/data/rooted\n**/x"),
        ("proj/data/a/**/b", "!b"),
    ]
    for top, nested in cases:
        (tree / ".dvcignore").write_text(top + "\n")
        (tree / "proj" / ".dvcignore").write_text(nested + "\n")
        for target in ("proj/data", "proj/data/a", "proj/data/scratch"):
            ours, theirs = both_hashes(tree, target)
            assert ours == theirs, (top, nested, target)


def test_a_dvcignore_inside_the_hashed_folder_is_refused_unless_ignored(tree: Path) -> None:
    inner = tree / "proj" / "data" / "sub" / ".dvcignore"
    inner.write_text("x\n")
    assert both_hashes(tree, "proj/data") == ("refused", "refused")
    (tree / ".dvcignore").write_text("proj/data/sub/.dvcignore\n")
    ours, theirs = both_hashes(tree, "proj/data")
    assert ours == theirs and ours != "refused"
    (tree / ".dvcignore").write_text(".dvcignore\n")  # ignores nested ones, not the root's
    ours, theirs = both_hashes(tree, "proj/data")
    assert ours == theirs and ours != "refused"


def test_editing_dvcignore_changes_the_hash_as_in_dvc(tree: Path) -> None:
    state = HashState(tree.parent / "state.json")
    before = Hasher(tree, state).hash_path("proj/data")
    (tree / ".dvcignore").write_text("*.tmp\n")
    after = Hasher(tree, state).hash_path("proj/data")
    assert before != after and (after.md5, after.nfiles, after.size) == dvc_hash(tree, "proj/data")
    (tree / ".dvcignore").write_text("*.tmp\n!keep.tmp\n")  # same size class, new content
    again = Hasher(tree, state).hash_path("proj/data")
    assert again not in (before, after)
    assert (again.md5, again.nfiles, again.size) == dvc_hash(tree, "proj/data")
    (tree / ".dvcignore").unlink()
    assert Hasher(tree, state).hash_path("proj/data") == before


def test_an_invalid_pattern_is_a_repository_error_as_dvc_fails_too(tree: Path) -> None:
    (tree / ".dvcignore").write_text("ok.txt\nbad\\ \n")
    with pytest.raises(RepositoryError, match=r"\.dvcignore"):
        pipeyard_hash(tree, "proj/data")
    with pytest.raises(Exception):  # noqa: B017, PT011 - DVC's own pathspec error
        dvc_hash(tree, "proj/data")


_PARTS = st.sampled_from(
    [
        "a",
        "b",
        "sub",
        "dir",
        "x",
        "scratch",
        "logs",
        "*",
        "**",
        "?",
        "[ab]",
        "*.tmp",
        "keep*",
        "\\#hash.txt",
        "*.txt",
        "deep",
        "data",
    ]
)
_PATTERN = st.builds(
    lambda negate, lead, parts, trail: ("!" if negate else "") + lead + "/".join(parts) + trail,
    st.booleans(),
    st.sampled_from(["", "/", "**/"]),
    st.lists(_PARTS, min_size=1, max_size=3),
    st.sampled_from(["", "/", "  "]),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(patterns=st.lists(_PATTERN, min_size=1, max_size=4), nested=st.booleans())
def test_generated_patterns_match_dvc(tree: Path, patterns: list[str], nested: bool) -> None:
    (tree / ".dvcignore").unlink(missing_ok=True)
    (tree / "proj" / ".dvcignore").unlink(missing_ok=True)
    ignore_file = tree / "proj" / ".dvcignore" if nested else tree / ".dvcignore"
    ignore_file.write_text("\n".join(patterns) + "\n")
    ours, theirs = both_hashes(tree, "proj/data")
    assert ours == theirs, patterns
