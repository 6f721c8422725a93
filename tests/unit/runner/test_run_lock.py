"""One run at a time: a second process holding the lock is refused, naming its pid."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from pipeyard.errors import RepositoryError
from pipeyard.runner.lock import RunLock

HOLDER = textwrap.dedent(
    """
    import sys
    from pipeyard.runner.lock import RunLock
    with RunLock(sys.argv[1]):
        print("locked", flush=True)
        sys.stdin.read()
    """
)


def hold_lock(root):
    process = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(root)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout.readline().strip() == "locked"
    return process


def test_a_second_run_is_refused_while_another_process_holds_the_lock(tmp_path):
    holder = hold_lock(tmp_path)
    try:
        with pytest.raises(RepositoryError) as caught, RunLock(tmp_path):
            pass
        message = str(caught.value)
        assert f"another pipeyard run (pid {holder.pid}, started " in message
        assert "is running in this repository" in message
        assert caught.value.hint and f"kill {holder.pid}" in caught.value.hint
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    with RunLock(tmp_path):  # free again once the holder exited
        pass


def test_waiting_gets_the_lock_when_the_other_run_ends(tmp_path):
    holder = hold_lock(tmp_path)
    holder.stdin.close()  # the holder exits while we wait
    with RunLock(tmp_path, wait=30) as lock:
        assert lock.path.read_text().split()[0].isdigit()
    holder.wait(timeout=30)


def test_the_lock_is_reentrant_after_release(tmp_path):
    lock = RunLock(tmp_path)
    with lock:
        pass
    with lock:
        pass
