"""The local executor passes the executor contract, and its children die with the coordinator."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from pipeyard.executors.local import LocalExecutor
from pipeyard.testing.executor_contract import ExecutorContract, process_gone, wait_for


class TestLocalExecutorContract(ExecutorContract):
    """Every contract test, run against LocalExecutor."""

    factory = "pipeyard.executors.local:LocalExecutor"

    def make_executor(self, capacity):
        return LocalExecutor(capacity, grace_s=1.0)


def test_a_missing_working_directory_is_a_failed_step(tmp_path):
    from pipeyard.executors.base import StepTask

    executor = LocalExecutor(grace_s=1.0)
    task = StepTask(name="x", command="true", cwd=tmp_path / "nope", log_path=tmp_path / "x.log")
    result = executor.submit(task).result(timeout=30)
    executor.shutdown()
    assert result.returncode == 127 and not result.ok
    assert "could not start" in (tmp_path / "x.log").read_text()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_steps_die_when_the_coordinator_is_killed(tmp_path):
    coordinator = textwrap.dedent(
        f"""
        import pathlib, time
        from pipeyard.executors.base import StepTask
        from pipeyard.executors.local import LocalExecutor

        root = pathlib.Path({str(tmp_path)!r})
        executor = LocalExecutor()
        executor.submit(StepTask(name="s", command="echo $$ > step.pid; exec sleep 300",
                                 cwd=root, log_path=root / "s.log"))
        time.sleep(300)
        """
    )
    process = subprocess.Popen([sys.executable, "-c", coordinator])
    pid_file = tmp_path / "step.pid"
    try:
        wait_for(lambda: pid_file.is_file() and pid_file.read_text().strip(), "the step to start")
        step_pid = int(pid_file.read_text())
        assert not process_gone(step_pid)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        wait_for(lambda: process_gone(step_pid), "the step to die with its coordinator")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
