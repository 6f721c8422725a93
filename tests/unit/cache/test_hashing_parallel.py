"""Hashing a folder in parallel gives DVC's hash, and the state spares unchanged files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import pipeyard.cache.hashing as hashing
from pipeyard.cache.hashing import Hasher, HashState


def _folder(root: Path, files: int = 40) -> None:
    for i in range(files):
        path = root / "data" / f"d{i % 5}" / f"f{i}.bin"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(os.urandom(1000 + i))


@pytest.mark.parametrize("workers", [2, 8])
def test_parallel_hash_equals_the_sequential_one(tmp_path: Path, workers: int) -> None:
    _folder(tmp_path)
    one = Hasher(tmp_path, HashState(tmp_path / "one.json"), workers=1).hash_path("data")
    many = Hasher(tmp_path, HashState(tmp_path / "many.json"), workers=workers).hash_path("data")
    assert one == many and one.nfiles == 40


def test_a_saved_state_means_no_file_is_read_again(tmp_path: Path, monkeypatch) -> None:
    _folder(tmp_path)
    state = HashState(tmp_path / "state.json")
    first = Hasher(tmp_path, state, workers=4).hash_path("data")
    state.save()
    read = []
    real = hashing.md5_of_file
    monkeypatch.setattr(hashing, "md5_of_file", lambda path: read.append(path) or real(path))
    again = Hasher(tmp_path, HashState(tmp_path / "state.json"), workers=4).hash_path("data")
    assert again == first and read == []
    (tmp_path / "data" / "d0" / "f0.bin").write_bytes(b"changed")
    changed = Hasher(tmp_path, HashState(tmp_path / "state.json"), workers=4).hash_path("data")
    assert changed != first and [os.path.basename(p) for p in read] == ["f0.bin"]


def test_is_fresh_vouches_only_for_an_unchanged_file(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abc")
    hasher = Hasher(tmp_path, HashState(tmp_path / "s.json"))
    md5 = hasher.hash_path("f").md5
    assert hasher.is_fresh(tmp_path / "f", md5)
    assert not hasher.is_fresh(tmp_path / "f", "0" * 32)
    (tmp_path / "f").write_bytes(b"abcd")
    assert not hasher.is_fresh(tmp_path / "f", md5)
