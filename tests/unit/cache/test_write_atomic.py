"""write_atomic: the one atomic writer; new files follow the umask, existing ones keep their mode."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeyard.cache.files import write_atomic


@contextmanager
def umask(mask: int) -> Iterator[None]:
    old = os.umask(mask)
    try:
        yield
    finally:
        os.umask(old)


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o002, 0o664), (0o077, 0o600)])
def test_a_new_file_gets_what_open_would_give_under_the_umask(tmp_path, mask, expected):
    with umask(mask):
        write_atomic(tmp_path / "new" / "dvc.yaml", "stages: {}\n")
    assert mode_of(tmp_path / "new" / "dvc.yaml") == expected
    assert (tmp_path / "new" / "dvc.yaml").read_bytes() == b"stages: {}\n"


@pytest.mark.parametrize("existing", [0o640, 0o600, 0o664, 0o755, 0o444])
def test_an_existing_file_keeps_its_mode(tmp_path, existing):
    path = tmp_path / ".gitignore"
    path.write_text("/a\n")
    path.chmod(existing)
    with umask(0o022):
        write_atomic(path, b"/a\n/b\n", fsync=False)
    assert mode_of(path) == existing
    assert path.read_text() == "/a\n/b\n"


def test_an_explicit_mode_wins(tmp_path):
    path = tmp_path / "object"
    path.write_text("x")
    path.chmod(0o644)
    write_atomic(path, b"y", mode=0o444)
    assert mode_of(path) == 0o444


def test_a_link_is_written_through_and_kept(tmp_path):
    target = tmp_path / "shared.gitignore"
    target.write_text("/a\n")
    target.chmod(0o640)
    link = tmp_path / ".gitignore"
    link.symlink_to(target.name)
    write_atomic(link, "/a\n/b\n")
    assert link.is_symlink() and target.read_text() == "/a\n/b\n" and mode_of(target) == 0o640


def test_no_temporary_file_is_left_behind_on_failure(tmp_path):
    with pytest.raises(TypeError):
        write_atomic(tmp_path / "x", 42)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_text_is_written_as_utf8_with_newlines_untouched(tmp_path):
    write_atomic(tmp_path / "p.yaml", "a: é\r\nb: 1\n")
    assert (tmp_path / "p.yaml").read_bytes() == "a: é\r\nb: 1\n".encode()
