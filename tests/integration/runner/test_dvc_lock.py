"""pipeyard and DVC exclude each other through DVC's own lock on .dvc/tmp/lock."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import pytest
import zc.lockfile

from pipeyard.errors import RepositoryError
from pipeyard.runner.dvc_lock import DVC_LOCK_FILE, DvcLock
from pipeyard.runner.lock import read_holder

# DVC's own lock class, as `dvc repro` takes it, held until stdin closes
DVC_HOLDER = textwrap.dedent(
    """
    import sys
    from dvc.lock import make_lock
    lock = make_lock(sys.argv[1], tmp_dir=sys.argv[2], hardlink_lock=False)
    lock.lock()
    print("locked", flush=True)
    sys.stdin.read()
    lock.unlock()
    """
)


@pytest.fixture
def repo(tmp_path):
    (tmp_path / ".dvc" / "tmp").mkdir(parents=True)
    return tmp_path


def hold_dvc_lock(root):
    lock_file = root / DVC_LOCK_FILE
    process = subprocess.Popen(
        [sys.executable, "-c", DVC_HOLDER, str(lock_file), str(lock_file.parent)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "locked"
    return process


def test_pipeyard_is_refused_while_dvc_holds_the_lock_naming_its_pid(repo):
    holder = hold_dvc_lock(repo)
    try:
        started = time.monotonic()
        with pytest.raises(RepositoryError) as caught, DvcLock(repo, wait=0.3):
            pass
        assert time.monotonic() - started < 5
        assert f"a DVC command (pid {holder.pid}" in caught.value.message
        assert "holds this repository's lock (.dvc/tmp/lock)" in caught.value.message
        assert "--wait" in caught.value.hint
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


def test_waiting_gets_the_lock_once_dvc_lets_it_go(repo):
    holder = hold_dvc_lock(repo)
    holder.stdin.close()  # DVC finishes while pipeyard waits
    with DvcLock(repo, wait=True):
        assert read_holder(repo / DVC_LOCK_FILE) is not None
    holder.wait(timeout=30)


def test_dvc_cannot_lock_while_pipeyard_holds_it(repo):
    with DvcLock(repo):
        with pytest.raises(zc.lockfile.LockError):
            zc.lockfile.LockFile(str(repo / DVC_LOCK_FILE))
    zc.lockfile.LockFile(str(repo / DVC_LOCK_FILE)).close()  # free again


def test_hardlink_lock_is_refused_in_one_line(repo):
    (repo / ".dvc" / "config").write_text("[core]\n    hardlink_lock = true\n")
    with pytest.raises(RepositoryError) as caught, DvcLock(repo):
        pass
    assert "core.hardlink_lock" in caught.value.message and "not support" in caught.value.message


def test_without_dvc_there_is_nothing_to_lock(tmp_path):
    with DvcLock(tmp_path):
        pass
    assert not (tmp_path / ".dvc").exists()


# DVC's rwlock as `dvc repro` holds it while a stage's command runs (the repository lock free)
DVC_STAGE = textwrap.dedent(
    """
    import sys
    from dvc.fs import localfs
    from dvc.rwlock import rwlock
    with rwlock(sys.argv[1], localfs, "/venv/bin/dvc repro", [], [sys.argv[2]], False):
        print("running", flush=True)
        sys.stdin.read()
    """
)


def test_pipeyard_waits_while_a_dvc_stage_runs_with_the_repository_lock_let_go(repo):
    stage = subprocess.Popen(
        [sys.executable, "-c", DVC_STAGE, str(repo / ".dvc" / "tmp"), str(repo / "out")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert stage.stdout.readline().strip() == "running"
        with pytest.raises(RepositoryError) as caught, DvcLock(repo, wait=0.3):
            pass
        assert caught.value.message == (
            f"a DVC command (pid {stage.pid}, `dvc repro`) is running a stage in this repository (.dvc/tmp/rwlock)"
        )
        # the repository lock was let go again, so DVC can take it back to record the stage
        zc.lockfile.LockFile(str(repo / DVC_LOCK_FILE)).close()
    finally:
        stage.stdin.close()
        stage.wait(timeout=30)
    with DvcLock(repo, wait=0.3):  # the stage ended: its entry is gone
        pass


def test_entries_of_dead_processes_do_not_block(repo):
    (repo / ".dvc" / "tmp" / "rwlock").write_text(
        '{"write": {"/x/out": {"pid": 999999999, "cmd": "dvc repro"}}}'
    )
    with DvcLock(repo, wait=0.3):
        pass
