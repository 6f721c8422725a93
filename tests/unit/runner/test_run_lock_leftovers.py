"""A run lock still naming its holder on acquire tells that the last run was killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

from pipeyard.runner.lock import RunLock

HOLDER = textwrap.dedent(
    """
    import sys, time
    from pipeyard.runner.lock import RunLock
    with RunLock(sys.argv[1]):
        print("locked", flush=True)
        time.sleep(60)
    """
)


def test_a_killed_holder_is_noticed_and_a_clean_one_is_not(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "locked"
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait(timeout=30)
    with RunLock(tmp_path) as lock:
        assert lock.left_by_killed_run
    with RunLock(tmp_path) as lock:
        assert not lock.left_by_killed_run


def test_a_refused_command_can_say_what_to_do_instead(tmp_path):
    import pytest

    from pipeyard.errors import RepositoryError

    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(RepositoryError) as caught, RunLock(tmp_path, busy_hint="try later"):
            pass
        assert caught.value.hint == "try later"
        assert f"pid {holder.pid}" in caught.value.message
    finally:
        holder.kill()
        holder.wait(timeout=30)
