"""Reading a dvc.lock that is broken: each way says where, and that deleting it is safe."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeyard.cache.lockfile import LockFile
from pipeyard.errors import RepositoryError

CONFLICTED = """schema: '2.0'
stages:
  prepare:
    cmd: echo prepare
<<<<<<< HEAD
  train:
    cmd: python train.py --lr 0.1
=======
  train:
    cmd: python train.py --lr 0.2
>>>>>>> experiment
"""


@pytest.mark.parametrize(
    ("content", "line", "said"),
    [
        (CONFLICTED.encode(), 5, "dvc.lock has unresolved merge conflict markers"),
        (b"stages:\n  a: [1, 2\n", 2, "dvc.lock is not valid YAML: the [ opened here is never closed"),
        (b"- a\n- b\n", 1, "dvc.lock does not have DVC's lock file layout (a 'stages:' mapping)"),
        (b"schema: '2.0'\nstages: {}\n# caf\xe9\n", 3, "not UTF-8 text: byte 0xe9 at column 6"),
    ],
)
def test_a_broken_lock_file_says_where_and_how_to_recover(tmp_path: Path, content, line, said) -> None:
    (tmp_path / "dvc.lock").write_bytes(content)
    with pytest.raises(RepositoryError) as caught:
        LockFile(tmp_path, tmp_path / "state").entry("train")
    error = caught.value
    assert error.message == said
    assert (error.location.file, error.location.line) == ("dvc.lock", line)
    assert "delete it and run `pipeyard run`" in error.hint


def test_conflict_markers_are_found_before_the_yaml_could_hide_them(tmp_path: Path) -> None:
    # markers in a block scalar still parse as YAML; the file is still a conflict
    text = "schema: '2.0'\nstages:\n  a:\n    cmd: |\n      x\n<<<<<<< HEAD\n"
    (tmp_path / "dvc.lock").write_text(text)
    with pytest.raises(RepositoryError, match="merge conflict"):
        LockFile(tmp_path, tmp_path / "state").stage_names()
