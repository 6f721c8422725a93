"""The object cache stores, finds and checks out files and folders; never a partial object."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeyard.cache.hashing import Hasher, HashState, md5_of_file
from pipeyard.cache.objects import ObjectCache
from pipeyard.errors import RepositoryError


def hasher(root: Path) -> Hasher:
    return Hasher(root, HashState(root / "state.json"))


def test_folder_round_trip(tmp_path: Path) -> None:
    work = tmp_path / "work"
    (work / "out" / "sub").mkdir(parents=True)
    (work / "out" / "a.txt").write_text("a")
    (work / "out" / "sub" / "b.txt").write_text("b")
    hashed = hasher(work).hash_path("out")
    cache = ObjectCache(tmp_path / "cache")
    assert not cache.contains_all(hashed.md5)
    cache.store(work / "out", hashed)
    assert cache.contains_all(hashed.md5)
    listing = cache.object_path(hashed.md5)
    assert listing.read_text() == (
        '[{"md5": "0cc175b9c0f1b6a831c399e269772661", "relpath": "a.txt"}, '
        '{"md5": "92eb5ffee6ae2fec3ad71c777531578f", "relpath": "sub/b.txt"}]'
    )
    assert oct(listing.stat().st_mode & 0o777) == "0o444"

    (work / "out" / "stale.txt").write_text("removed by checkout")
    cache.checkout(hashed.md5, work / "out")
    assert sorted(p.relative_to(work / "out").as_posix() for p in (work / "out").rglob("*")) == [
        "a.txt",
        "sub",
        "sub/b.txt",
    ]
    assert hasher(work).hash_path("out") == hashed


def test_file_checkout_replaces_a_folder_and_keeps_exec_bit(tmp_path: Path) -> None:
    src = tmp_path / "tool.sh"
    src.write_text("#!/bin/sh\necho hi\n")
    hashed = hasher(tmp_path).hash_path("tool.sh")
    cache = ObjectCache(tmp_path / "cache")
    cache.store(src, hashed)
    dest = tmp_path / "restored"
    dest.mkdir()
    cache.checkout(hashed.md5, dest, isexec=True)
    assert dest.read_text() == src.read_text()
    assert os.access(dest, os.X_OK)


def test_checkout_of_a_missing_object_says_so(tmp_path: Path) -> None:
    with pytest.raises(RepositoryError, match="no object"):
        ObjectCache(tmp_path).checkout("0" * 32, tmp_path / "x")


def test_a_file_changing_while_it_is_stored_is_refused(tmp_path: Path) -> None:
    src = tmp_path / "f"
    src.write_text("one")
    cache = ObjectCache(tmp_path / "cache")
    hashed = hasher(tmp_path).hash_path("f")
    src.write_text("two")
    with pytest.raises(RepositoryError, match="changed while"):
        cache.store(src, hashed)
    assert not cache.contains(hashed.md5)
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


_STORE_FROM_FIFO = """
import sys
from pathlib import Path
from pipeyard.cache.hashing import PathHash
from pipeyard.cache.objects import ObjectCache
ObjectCache(Path(sys.argv[1])).store(Path(sys.argv[2]), PathHash(md5=sys.argv[3], size=0))
"""


def test_a_killed_copy_never_leaves_an_object_under_its_final_name(tmp_path: Path) -> None:
    fifo = tmp_path / "slow-source"
    os.mkfifo(fifo)
    content = os.urandom(1 << 20)
    (tmp_path / "full").write_bytes(content)
    md5 = md5_of_file(tmp_path / "full")
    cache = ObjectCache(tmp_path / "cache")
    proc = subprocess.Popen([sys.executable, "-c", _STORE_FROM_FIFO, str(cache.cache_dir), str(fifo), md5])
    with open(fifo, "wb") as writer:
        writer.write(content[: len(content) // 2])
        writer.flush()
        deadline = time.monotonic() + 30
        while not list(cache.objects_dir.rglob("*.tmp")) and time.monotonic() < deadline:
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert list(cache.objects_dir.rglob("*.tmp")), "the copy was under way"
    assert not cache.object_path(md5).exists()
    assert not cache.contains_all(md5)
