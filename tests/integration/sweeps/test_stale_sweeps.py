"""A killed sweep's folder, worktrees and workers go; live and finished sweeps stay."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeyard.sweeps.worktrees import SWEEPS_DIR, LiveSweep, remove_stale_sweeps
from pipeyard.testing.executor_contract import process_gone, wait_for
from pipeyard.vcs.git import add_worktree


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text("/.pipeyard/\n")
    (root / "train.py").write_text("print(1)\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


# a sweep that marks its folder, adds a worktree and a worker, then is killed (never closes)
KILLED_SWEEP = textwrap.dedent(
    """
    import subprocess, sys
    from pathlib import Path
    from pipeyard.sweeps.worktrees import LiveSweep
    from pipeyard.vcs.git import add_worktree
    root, folder = Path(sys.argv[1]), Path(sys.argv[2])
    live = LiveSweep(folder)
    add_worktree(root, folder / "point-0", "HEAD")
    worker = subprocess.Popen(["sleep", "60"], start_new_session=True)
    live.add_process(worker.pid)
    print(worker.pid, flush=True)
    sys.stdin.read()
    """
)


def start_sweep(repo: Path, name: str) -> tuple[subprocess.Popen, int]:
    folder = repo / SWEEPS_DIR / name
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_SWEEP, str(repo), str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return process, int(process.stdout.readline())


def test_a_killed_sweep_is_removed_with_its_worktree_and_worker(repo):
    sweep, worker = start_sweep(repo, "s1")
    sweep.kill()
    sweep.wait(timeout=30)
    assert not process_gone(worker)

    removed = remove_stale_sweeps(repo)

    assert removed == [repo / SWEEPS_DIR / "s1"] and not removed[0].exists()
    wait_for(lambda: process_gone(worker), "the orphan worker to end")
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1


def test_live_and_finished_sweeps_are_left_alone(repo):
    live, worker = start_sweep(repo, "live")
    finished = repo / SWEEPS_DIR / "done"
    marker = LiveSweep(finished)
    add_worktree(repo, finished / "point-1", "HEAD")  # a failed point kept for inspection
    marker.close()
    try:
        assert remove_stale_sweeps(repo) == []
        assert (repo / SWEEPS_DIR / "live" / "point-0").is_dir() and (finished / "point-1").is_dir()
        assert not process_gone(worker)
    finally:
        live.kill()
        live.wait(timeout=30)
        subprocess.run(["kill", "-9", str(worker)], check=False)
