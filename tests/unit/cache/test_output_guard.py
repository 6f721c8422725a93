"""The last check before an output is deleted or replaced: nothing unproven is touched."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from pipeyard.cache import Workspace
from pipeyard.cache.files import remove_path
from pipeyard.cache.output_guard import output_targets, removal_problem
from pipeyard.cache.status import FROM_LOCK, RESTORABLE, StageCheck
from pipeyard.errors import UnsafePathError
from pipeyard.model import Stage, StageOutput


def snapshot(folder: Path) -> dict[str, str]:
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in [*dirnames, *filenames]:
            path = Path(dirpath) / name
            key = path.relative_to(folder).as_posix()
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository with .git, .dvc, data, an old output, and links out of it and into .git."""
    root = tmp_path / "repo"
    for relpath in (
        ".git/HEAD",
        ".dvc/config",
        ".pipeyard/state/hashes.json",
        "data/raw.csv",
        "outputs/old/part.csv",
    ):
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(f"# {relpath}\n")  # a comment: valid in every one of them
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "precious.txt").write_text("keep")
    os.symlink(outside, root / "link")
    os.symlink(outside / "sub", root / "out")
    os.symlink(root / ".git", root / "gitlink")
    os.symlink(root, root / "self")
    return root


DANGEROUS = [
    ("", "project root"),
    (".", "project root"),
    ("./", "project root"),
    ("data/..", "project root"),
    ("..", "outside the project"),
    ("../outside", "outside the project"),
    ("/etc", "absolute path"),
    (".git", "git repository"),
    (".git/HEAD", "git repository"),
    (".dvc", "DVC's folder"),
    (".dvc/cache", "DVC's folder"),
    (".pipeyard/state", "pipeyard's run state"),
    ("link/sub", "outside the project through a symbolic link"),
    ("link", "outside the project through a symbolic link"),
    ("out", "outside the project through a symbolic link"),
    ("gitlink", "git repository"),
    ("gitlink/HEAD", "git repository"),
    ("self", "project root"),
    ("self/.dvc", "DVC's folder"),
]


@pytest.mark.parametrize(("relpath", "expected"), DANGEROUS, ids=[d[0] or "empty" for d in DANGEROUS])
def test_removing_a_dangerous_path_is_refused_and_deletes_nothing(repo, relpath, expected):
    before = snapshot(repo.parent)
    problem = removal_problem(repo, relpath)
    assert problem is not None and expected in problem, problem
    with pytest.raises(UnsafePathError, match="refusing to delete"):
        remove_path(repo / relpath, root=repo)
    with pytest.raises(UnsafePathError, match="refusing to delete output"):
        output_targets(repo, [relpath], [relpath], "prep")
    assert snapshot(repo.parent) == before


def test_a_declared_output_inside_the_project_is_removed(repo):
    assert removal_problem(repo, "outputs/old") is None
    [target] = output_targets(repo, ["./outputs/old"], ["outputs/old"], "prep")
    remove_path(target, root=repo)
    assert not target.exists() and (repo / "data" / "raw.csv").exists()


def test_a_path_the_step_does_not_declare_is_refused(repo):
    with pytest.raises(UnsafePathError, match="not a declared output of step 'prep'"):
        output_targets(repo, ["data"], ["outputs/old"], "prep")


def test_prepare_outputs_deletes_nothing_when_one_output_is_unsafe(repo):
    stage = Stage("prep", ("true",), outs=(StageOutput("outputs/old"), StageOutput("link/sub")))
    before = snapshot(repo.parent)
    with Workspace(repo) as workspace, pytest.raises(UnsafePathError) as caught:
        workspace.prepare_outputs(stage)
    assert caught.value.format().startswith("step 'prep': refusing to delete output 'link/sub'")
    assert snapshot(repo.parent) == before


def test_restore_replaces_nothing_the_stage_does_not_declare_or_that_leads_outside(repo):
    stage = Stage("prep", ("true",), outs=(StageOutput("out"),))
    before = snapshot(repo.parent)
    with Workspace(repo) as workspace:
        for outs in ([{"path": "data", "md5": "0" * 32}], [{"path": "out", "md5": "0" * 32}]):
            check = StageCheck(RESTORABLE, (), FROM_LOCK, {"cmd": "true", "outs": outs})
            with pytest.raises(UnsafePathError):
                workspace.restore(stage, check)
    assert snapshot(repo.parent) == before
