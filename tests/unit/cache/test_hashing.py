"""Hashes of files and folders match what DVC's own hashing library computes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeyard.cache.hashing import Hasher, HashState


def dvc_hash(path: Path, tmp: Path):
    """(md5, size, nfiles) of path as DVC computes them (dvc_data's build, DVC's ignore rules)."""
    from dvc.ignore import DvcIgnoreFilter
    from dvc_data.hashfile.build import build
    from dvc_data.hashfile.db.local import LocalHashFileDB
    from dvc_objects.fs import localfs

    odb = LocalHashFileDB(localfs, str(tmp / "dvc-cache"))
    ignore = DvcIgnoreFilter(localfs, str(path.parent))
    _, meta, obj = build(odb, str(path), localfs, "md5", ignore=ignore)
    return obj.hash_info.value, meta.size, meta.nfiles


def hasher_for(root: Path) -> Hasher:
    return Hasher(root, HashState(root / ".pipeyard" / "state" / "hashes.json"))


def test_file_hash_matches_dvc(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    big = root / "big.bin"
    big.write_bytes(os.urandom(3 * (1 << 20) + 17))  # more than one chunk
    got = hasher_for(root).hash_path("big.bin")
    assert (got.md5, got.size, got.nfiles) == dvc_hash(big, tmp_path)
    assert not got.is_dir


def test_folder_hash_matches_dvc_and_skips_what_dvc_ignores(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    data = root / "data"
    (data / "sub" / "deeper").mkdir(parents=True)
    (data / "a.txt").write_text("alpha\n")
    (data / "sub" / "b.csv").write_text("x,y\n1,2\n")
    (data / "sub" / "deeper" / "c").write_bytes(b"\x00\x01")
    (data / "sub-file").write_text("sorting: '-' sorts before '/'")
    (data / ".git").mkdir()
    (data / ".git" / "HEAD").write_text("ignored")
    (data / "sub" / ".hg").mkdir()
    (data / "sub" / ".hg" / "x").write_text("ignored")
    (data / "subrepo" / ".dvc").mkdir(parents=True)
    (data / "subrepo" / "y").write_text("ignored: a DVC sub-repo")
    (data / ".hg-file").write_text("kept")
    got = hasher_for(root).hash_path("data")
    assert got.is_dir
    assert (got.md5, got.size, got.nfiles) == dvc_hash(data, tmp_path)
    assert [e.relpath for e in got.entries] == [
        ".hg-file",
        "a.txt",
        "sub-file",
        "sub/b.csv",
        "sub/deeper/c",
    ]


def test_empty_folder_hash_matches_dvc(tmp_path: Path) -> None:
    (tmp_path / "repo" / "empty").mkdir(parents=True)
    got = hasher_for(tmp_path / "repo").hash_path("empty")
    assert (got.md5, got.size, got.nfiles) == dvc_hash(tmp_path / "repo" / "empty", tmp_path)


def test_missing_path_has_no_hash(tmp_path: Path) -> None:
    assert hasher_for(tmp_path).hash_path("nope/missing.txt") is None


def test_executable_file_is_marked(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    hashed = hasher_for(tmp_path).hash_path("run.sh")
    assert hashed.isexec and hashed.lock_fields()["isexec"] is True


names = st.text(alphabet="abcXYZ019-_. ", min_size=1, max_size=6).filter(
    lambda n: n not in (".", "..") and n.strip() == n
)
trees = st.dictionaries(
    st.lists(names, min_size=1, max_size=3).map(tuple), st.binary(max_size=64), max_size=8
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=trees)
def test_any_folder_hashes_like_dvc(tmp_path_factory: pytest.TempPathFactory, tree) -> None:
    base = tmp_path_factory.mktemp("tree")
    folder = base / "repo" / "out"
    folder.mkdir(parents=True)
    for parts, content in tree.items():
        target = folder.joinpath(*parts)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        except (FileExistsError, NotADirectoryError, IsADirectoryError):
            continue  # a name used both as file and folder
    got = hasher_for(base / "repo").hash_path("out")
    assert (got.md5, got.size, got.nfiles) == dvc_hash(folder, base)


def test_state_remembers_hashes_between_sessions(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "f.txt").write_text("hello")
    first = hasher_for(tmp_path)
    md5 = first.hash_path("f.txt").md5
    first.state.save()

    from pipeyard.cache import hashing

    def no_reading(path):
        raise AssertionError(f"{path} was hashed again")

    monkeypatch.setattr(hashing, "md5_of_file", no_reading)
    assert hasher_for(tmp_path).hash_path("f.txt").md5 == md5


def test_state_notices_a_changed_file(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("hello")
    first = hasher_for(tmp_path)
    old = first.hash_path("f.txt").md5
    first.state.save()
    target.write_text("hello, world")
    st = target.stat()
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert hasher_for(tmp_path).hash_path("f.txt").md5 != old


def test_state_survives_a_corrupt_file_and_merges_concurrent_saves(tmp_path: Path) -> None:
    state_file = tmp_path / ".pipeyard" / "state" / "hashes.json"
    state_file.parent.mkdir(parents=True)
    state_file.write_text("{not json")
    (tmp_path / "a").write_text("a")
    (tmp_path / "b").write_text("b")
    one, two = hasher_for(tmp_path), hasher_for(tmp_path)
    one.hash_path("a")
    two.hash_path("b")
    one.state.save()
    two.state.save()
    merged = HashState(state_file)
    assert merged.lookup("a", (tmp_path / "a").stat()) is not None
    assert merged.lookup("b", (tmp_path / "b").stat()) is not None
    assert not list(state_file.parent.glob("*.tmp"))
