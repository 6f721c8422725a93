"""The tests every executor must pass: subclass ExecutorContract and say how to make yours.

    from pipeyard.testing.executor_contract import ExecutorContract

    class TestMyExecutor(ExecutorContract):
        def make_executor(self, capacity):
            return MyExecutor(capacity)

The commands are POSIX shell and run with the test's tmp_path as working directory, so the
executor must see that folder (a shared file system). Tests that check processes are gone
read their pids, so the executor's processes must be visible from the test machine; an
executor where they are not sets `processes_visible = False` to skip those checks.
Nothing here asserts on wall-clock durations: overlap is proven from files the commands write,
except the one promise with a deadline: when the coordinator is killed, every process of its
steps ends within `KILL_DEADLINE_S`. That test runs the coordinator in a child process, so it
needs `factory`, the import path of a callable taking a Capacity ("module:name").
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from ..executors.base import Executor, StepResult, StepTask
from ..model import Capacity, Resources

WAIT_S = 30.0  # an upper bound for things that normally take milliseconds
KILL_DEADLINE_S = 2.0  # every step process ends this soon after its coordinator is killed

# A coordinator in its own process: make the executor, start a step that leaves descendants
# every way a shell can (a background job, a double fork, a new session), then sleep.
_COORDINATOR = textwrap.dedent(
    """
    import importlib, pathlib, sys, time
    from pipeyard.executors.base import StepTask
    from pipeyard.model import Capacity

    module, _, name = sys.argv[1].partition(":")
    executor = getattr(importlib.import_module(module), name)(Capacity(cpus=2, memory_mb=0))
    root = pathlib.Path(sys.argv[2])
    command = (
        "sleep 300 & echo $! > job.pid; "
        "(sh -c 'echo $$ > orphan.pid; exec sleep 300' &); "
        "setsid sh -c 'echo $$ > escaped.pid; exec sleep 300' & "
        "echo $$ > shell.pid; wait"
    )
    executor.submit(StepTask(name="spawner", command=command, cwd=root, log_path=root / "s.log"))
    time.sleep(300)
    """
)
_DESCENDANTS = ("shell.pid", "job.pid", "orphan.pid", "escaped.pid")


def wait_for(predicate, what: str, timeout_s: float = WAIT_S) -> None:
    """Poll predicate until it is true; fail naming what did not happen."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.02)


def process_gone(pid: int) -> bool:
    """True when pid no longer runs (a zombie waiting to be reaped counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return sys.platform.startswith("linux")  # no /proc entry any more: it was reaped
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


class ExecutorContract:
    """What the scheduler relies on from an executor, as pytest tests."""

    capacity = Capacity(cpus=4, memory_mb=0, gpu_ids=("0", "1"))
    processes_visible = True
    factory: str | None = None  # "module:callable" making the executor from a Capacity

    def make_executor(self, capacity: Capacity) -> Executor:
        """Return a new executor offering capacity; subclasses implement this."""
        raise NotImplementedError

    @pytest.fixture
    def executor(self):
        """A fresh executor, shut down after the test."""
        made = self.make_executor(self.capacity)
        try:
            yield made
        finally:
            made.cancel_all()
            made.shutdown()

    def task(self, tmp_path: Path, name: str, command: str, **fields) -> StepTask:
        """A task running command in tmp_path, logging to tmp_path/logs/<name>.log."""
        return StepTask(
            name=name,
            command=command,
            cwd=tmp_path,
            log_path=tmp_path / "logs" / f"{name}.log",
            **fields,
        )

    def run(self, executor: Executor, task: StepTask) -> StepResult:
        """Submit task and wait for its result."""
        return executor.submit(task).result(timeout=WAIT_S)

    def devices_seen(self, executor: Executor, tmp_path: Path, gpu_ids: tuple[str, ...]) -> tuple[str, str]:
        """Run a 1-GPU step given gpu_ids and a CPU step; what each saw of CUDA_VISIBLE_DEVICES
        ("[...]", "[unset]" when the variable was not set at all)."""
        seen = 'echo "[${CUDA_VISIBLE_DEVICES-unset}]" > '
        gpu = self.task(tmp_path, "gpu", seen + "gpu.txt", resources=Resources(gpus=1), gpu_ids=gpu_ids)
        cpu = self.task(tmp_path, "cpu", seen + "cpu.txt")
        assert self.run(executor, gpu).ok and self.run(executor, cpu).ok
        return (tmp_path / "gpu.txt").read_text().strip(), (tmp_path / "cpu.txt").read_text().strip()

    # -- tests ------------------------------------------------------------------------------

    def test_offers_a_capacity_and_a_name(self, executor):
        assert isinstance(executor.capacity, Capacity)
        assert isinstance(executor.name, str) and executor.name

    def test_runs_a_command_in_the_working_directory(self, executor, tmp_path):
        result = self.run(executor, self.task(tmp_path, "write", "echo made > out.txt"))
        assert result.ok and result.returncode == 0 and not result.timed_out
        assert result.name == "write"
        assert result.duration_s >= 0 and result.started_at > 0
        assert (tmp_path / "out.txt").read_text().strip() == "made"

    def test_stdout_and_stderr_go_to_the_log(self, executor, tmp_path):
        task = self.task(tmp_path, "talk", "echo to-stdout; echo to-stderr >&2")
        result = self.run(executor, task)
        assert result.log_path == task.log_path
        log = task.log_path.read_text()
        assert "to-stdout" in log and "to-stderr" in log

    def test_sets_the_task_environment(self, executor, tmp_path):
        task = self.task(tmp_path, "env", 'echo "$GREETING" > env.txt', env={"GREETING": "hi"})
        assert self.run(executor, task).ok
        assert (tmp_path / "env.txt").read_text().strip() == "hi"

    def test_a_failing_command_is_a_result_not_an_error(self, executor, tmp_path):
        result = self.run(executor, self.task(tmp_path, "fail", "echo broken; exit 3"))
        assert result.returncode == 3 and not result.ok and not result.timed_out
        assert "broken" in result.log_path.read_text()

    def test_gpu_tasks_see_only_their_devices(self, executor, tmp_path):
        assert self.devices_seen(executor, tmp_path, ("1",)) == ("[1]", "[]")

    def test_tasks_run_at_the_same_time(self, executor, tmp_path):
        # Each task writes its start time, waits until it sees the other's start, then writes
        # its end time; run one after the other, the second would start after the first ended.
        # The start file appears by rename, so it exists only once the time is in it.
        now = f'"{sys.executable}" -c "import time; print(repr(time.time()))"'
        futures = []
        for me, other in (("a", "b"), ("b", "a")):
            command = (
                f"{now} > {me}.tmp && mv {me}.tmp {me}.start; "
                f"i=0; while [ ! -e {other}.start ] && [ $i -lt 300 ]; do sleep 0.05; i=$((i+1)); done; "
                f"{now} > {me}.end"
            )
            futures.append(executor.submit(self.task(tmp_path, me, command)))
        assert all(f.result(timeout=WAIT_S * 2).ok for f in futures)
        times = {
            name: float((tmp_path / name).read_text()) for name in ("a.start", "b.start", "a.end", "b.end")
        }
        assert max(times["a.start"], times["b.start"]) < min(times["a.end"], times["b.end"])

    def test_many_tasks_all_finish_with_their_own_results(self, executor, tmp_path):
        futures = {f"s{i}": executor.submit(self.task(tmp_path, f"s{i}", f"exit {i % 3}")) for i in range(12)}
        for name, future in futures.items():
            result = future.result(timeout=WAIT_S)
            assert result.name == name and result.returncode == int(name[1:]) % 3

    def test_a_timeout_kills_the_whole_process_group(self, executor, tmp_path):
        command = "sleep 300 & echo $! > child.pid; echo $$ > shell.pid; wait"
        result = self.run(executor, self.task(tmp_path, "slow", command, timeout_s=0.5))
        assert result.timed_out and not result.ok and result.returncode != 0
        if self.processes_visible:
            for pid_file in ("child.pid", "shell.pid"):
                pid = int((tmp_path / pid_file).read_text())
                wait_for(lambda pid=pid: process_gone(pid), f"{pid_file} ({pid}) to end")

    def test_cancel_all_stops_running_tasks(self, executor, tmp_path):
        futures = [
            executor.submit(self.task(tmp_path, f"long{i}", f"sleep 300 & echo $! > long{i}.pid; wait"))
            for i in range(2)
        ]
        for i in range(2):
            wait_for(
                lambda i=i: (
                    (tmp_path / f"long{i}.pid").is_file() and (tmp_path / f"long{i}.pid").read_text().strip()
                ),
                f"long{i} to start",
            )
        executor.cancel_all()
        for future in futures:
            assert not future.result(timeout=WAIT_S).ok
        if self.processes_visible:
            for i in range(2):
                pid = int((tmp_path / f"long{i}.pid").read_text())
                wait_for(lambda pid=pid: process_gone(pid), f"sleep {pid} to end")

    @pytest.mark.parametrize("target", ["pid", "process group"])
    def test_no_descendant_outlives_the_coordinator(self, tmp_path, target):
        if not self.processes_visible or self.factory is None:
            pytest.skip("needs visible processes and a factory to start a coordinator")
        coordinator = subprocess.Popen(
            [sys.executable, "-c", _COORDINATOR, self.factory, str(tmp_path)],
            start_new_session=True,  # its own group, so killing the group spares the test
        )
        try:
            files = [tmp_path / name for name in _DESCENDANTS]
            wait_for(lambda: all(f.is_file() and f.read_text().strip() for f in files), "the step to start")
            pids = {f.name: int(f.read_text()) for f in files}
            assert not any(process_gone(pid) for pid in pids.values())
            if target == "pid":
                os.kill(coordinator.pid, signal.SIGKILL)
            else:
                os.killpg(coordinator.pid, signal.SIGKILL)
            coordinator.wait(timeout=WAIT_S)
            deadline = time.monotonic() + KILL_DEADLINE_S
            while time.monotonic() < deadline and not all(process_gone(p) for p in pids.values()):
                time.sleep(0.02)
            alive = {name: pid for name, pid in pids.items() if not process_gone(pid)}
            assert not alive, f"still running {KILL_DEADLINE_S:g}s after the coordinator died: {alive}"
        finally:
            if coordinator.poll() is None:
                coordinator.kill()
                coordinator.wait()
            for f in tmp_path.glob("*.pid"):  # never leave a stray sleep behind a failed test
                try:
                    os.kill(int(f.read_text()), signal.SIGKILL)
                except (ValueError, OSError):
                    pass
