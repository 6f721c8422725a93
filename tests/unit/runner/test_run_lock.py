"""One run at a time: what runner/lock.py promises, in one process.

flock locks belong to an open file, so two RunLock objects in one process exclude each other
exactly as two processes do; tests/unit/runner/test_run_lock_leftovers.py kills a real holder.
"""

from __future__ import annotations

import os
import threading
import time

import pytest

from pipeyard.errors import RepositoryError
from pipeyard.runner.lock import LOCK_FILE, RunLock


def holder_line(root) -> list[str]:
    return (root / LOCK_FILE).read_text(encoding="utf-8").split()


def test_the_holder_writes_its_pid_and_start_time(tmp_path):
    before = time.time()
    with RunLock(tmp_path) as lock:
        pid, started = holder_line(tmp_path)
        assert int(pid) == os.getpid()
        assert before <= float(started) <= time.time()
        assert not lock.left_by_killed_run


def test_a_second_holder_is_refused_naming_the_first(tmp_path):
    with RunLock(tmp_path):
        started = time.monotonic()
        with pytest.raises(RepositoryError) as caught, RunLock(tmp_path):
            pytest.fail("a second holder got the lock")
        assert time.monotonic() - started < 5, "without --wait the refusal is immediate"
    assert caught.value.message.startswith(f"another pipeyard run (pid {os.getpid()}, started ")
    assert caught.value.message.endswith("is running in this repository")
    assert (
        caught.value.hint
        == f"wait for it to finish (--wait queues behind it), or stop it with `kill {os.getpid()}`"
    )


def test_a_holder_whose_line_is_unreadable_is_still_refused_in_general_words(tmp_path):
    with RunLock(tmp_path):
        (tmp_path / LOCK_FILE).write_text("garbage\n", encoding="utf-8")
        with pytest.raises(RepositoryError) as caught, RunLock(tmp_path):
            pytest.fail("a second holder got the lock")
    assert caught.value.message == "another pipeyard run is running in this repository"
    assert caught.value.hint == "wait for it to finish, or pass --wait to queue behind it"


def test_busy_hint_replaces_the_hint_of_the_refusal(tmp_path):
    with (
        RunLock(tmp_path),
        pytest.raises(RepositoryError) as caught,
        RunLock(tmp_path, busy_hint="try later"),
    ):
        pytest.fail("a second holder got the lock")
    assert caught.value.hint == "try later"


def test_a_limited_wait_gives_up_after_its_time(tmp_path):
    with RunLock(tmp_path):
        started = time.monotonic()
        with pytest.raises(RepositoryError), RunLock(tmp_path, wait=0.3):
            pytest.fail("a second holder got the lock")
        waited = time.monotonic() - started
    assert 0.3 <= waited < 5


def test_waiting_gets_the_lock_once_the_holder_releases_it(tmp_path):
    holder = RunLock(tmp_path)
    holder.acquire()
    timer = threading.Timer(0.3, holder.release)
    started = time.monotonic()
    timer.start()
    try:
        with RunLock(tmp_path, wait=30) as waiter:
            assert time.monotonic() - started >= 0.25, "the waiter got the lock while it was held"
            assert int(holder_line(tmp_path)[0]) == os.getpid()
            assert not waiter.left_by_killed_run, "a released lock is not a killed run's"
    finally:
        timer.join()


def test_release_clears_the_line_and_frees_the_lock_for_the_same_and_another_holder(tmp_path):
    lock = RunLock(tmp_path)
    with lock:
        pass
    assert (tmp_path / LOCK_FILE).read_text(encoding="utf-8") == ""
    with lock:  # the same object takes it again ...
        with pytest.raises(RepositoryError), RunLock(tmp_path):
            pytest.fail("the lock was not held again")
    with RunLock(tmp_path) as other:  # ... and another one after it
        assert not other.left_by_killed_run
    lock.release()  # releasing a lock not held does nothing


def test_a_line_left_by_a_killed_holder_is_taken_over_and_reported(tmp_path):
    (tmp_path / LOCK_FILE).parent.mkdir(parents=True)
    (tmp_path / LOCK_FILE).write_text(
        "999999999 1700000000.0\n", encoding="utf-8"
    )  # no flock: its holder died
    with RunLock(tmp_path) as lock:
        assert lock.left_by_killed_run
        assert int(holder_line(tmp_path)[0]) == os.getpid()
    with RunLock(tmp_path) as lock:
        assert not lock.left_by_killed_run
