"""A cache folder pipeyard may not write into: one error that names it and the fix."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from pipeyard.cache.hashing import Hasher, HashState
from pipeyard.cache.objects import ObjectCache
from pipeyard.errors import RepositoryError


def _hashed(root: Path):
    (root / "out").mkdir(parents=True)
    (root / "out" / "a.txt").write_text("a")
    return Hasher(root, HashState(root / "state.json")).hash_path("out")


@pytest.mark.parametrize("code", [errno.EACCES, errno.EPERM, errno.EROFS])
def test_an_unwritable_cache_is_a_repository_error(tmp_path: Path, monkeypatch, code) -> None:
    hashed = _hashed(tmp_path / "work")
    cache = ObjectCache(tmp_path / "cache")

    def refuse(self, *args, **kwargs):
        raise OSError(code, os.strerror(code), str(self))

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(RepositoryError) as caught:
        cache.store(tmp_path / "work" / "out", hashed)
    assert caught.value.message.startswith(
        f"cannot save 'out' to the DVC cache: {tmp_path / 'cache'} is not writable"
    )
    assert "chmod -R u+w" in caught.value.message
    assert "dvc cache dir" in caught.value.hint


def test_other_os_errors_are_not_disguised(tmp_path: Path, monkeypatch) -> None:
    hashed = _hashed(tmp_path / "work")

    def full(self, *args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device", str(self))

    monkeypatch.setattr(Path, "mkdir", full)
    with pytest.raises(OSError, match="No space left"):
        ObjectCache(tmp_path / "cache").store(tmp_path / "work" / "out", hashed)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_cache_folder_for_real(tmp_path: Path) -> None:
    hashed = _hashed(tmp_path / "work")
    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o555)
    try:
        with pytest.raises(RepositoryError, match="is not writable"):
            ObjectCache(cache_dir).store(tmp_path / "work" / "out", hashed)
    finally:
        cache_dir.chmod(0o755)


def test_an_output_that_cannot_be_read_is_not_blamed_on_the_cache(tmp_path: Path, monkeypatch) -> None:
    hashed = _hashed(tmp_path / "work")
    real_open = open

    def refuse_outputs(file, *args, **kwargs):
        if str(file).startswith(str(tmp_path / "work")):
            raise PermissionError(errno.EACCES, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("builtins.open", refuse_outputs)
    with pytest.raises(PermissionError):
        ObjectCache(tmp_path / "cache").store(tmp_path / "work" / "out", hashed)
