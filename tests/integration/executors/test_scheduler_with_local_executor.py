"""The scheduler driving real subprocesses through the local executor."""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass

import pytest

from pipeyard.errors import Interrupted
from pipeyard.executors.local import LocalExecutor
from pipeyard.model import Capacity, Resources, Stage
from pipeyard.runner import events as ev
from pipeyard.runner.scheduler import Scheduler
from pipeyard.testing.executor_contract import process_gone, wait_for


@dataclass(frozen=True)
class Stale:
    state: str = "stale"
    reasons: tuple[str, ...] = ("new",)
    source: None = None


class EverythingStale:
    """A workspace where every step must run; remembers what was committed and flushed."""

    def __init__(self) -> None:
        self.committed: list[str] = []
        self.flushed: list[tuple[str, ...]] = []

    def check(self, stage, params):
        return Stale()

    def prepare_outputs(self, stage):
        pass

    def commit(self, stage, params):
        self.committed.append(stage.name)

    def restore(self, stage, check):
        raise AssertionError("nothing is restorable here")

    def flush_lock(self, order):
        self.flushed.append(tuple(order))


def scheduler(tmp_path, reporter=ev.ignore, **options):
    executor = LocalExecutor(Capacity(cpus=2, memory_mb=0, gpu_ids=("0",)), grace_s=1.0)
    workspace = EverythingStale()
    return Scheduler(workspace, executor, reporter, root=tmp_path, **options), workspace, executor


def test_a_small_pipeline_runs_with_logs_and_gpu_ids(tmp_path):
    stages = [
        Stage("prep", ("echo prepared > prep.txt",)),
        Stage(
            "train",
            ('echo "gpu=$CUDA_VISIBLE_DEVICES step=$PIPEYARD_STEP" > train.txt',),
            upstream=("prep",),
            resources=Resources(gpus=1),
        ),
        Stage("eval", ("cat prep.txt train.txt", "echo second command"), upstream=("train",)),
    ]
    run, workspace, executor = scheduler(tmp_path, run_id="20240101-000000-000-abcd")
    summary = run.run(stages, {})
    executor.shutdown()
    assert summary.status == "succeeded"
    assert workspace.committed == ["prep", "train", "eval"]
    assert (tmp_path / "train.txt").read_text().strip() == "gpu=0 step=train"
    log = summary.steps["eval"].log_path
    assert log == tmp_path / ".pipeyard/runs/20240101-000000-000-abcd/logs/eval.log"
    assert log.read_text().splitlines() == ["prepared", "gpu=0 step=train", "second command"]
    assert summary.steps["train"].gpu_ids == ("0",)


def test_a_timeout_and_a_retry(tmp_path):
    stages = [
        Stage("slow", ("sleep 30",), timeout_s=0.3),
        Stage("flaky", ("if [ -e tried ]; then exit 0; fi; touch tried; exit 4",), retries=1),
    ]
    run, _, executor = scheduler(tmp_path, keep_going=True)
    summary = run.run(stages, {})
    executor.shutdown()
    assert summary.steps["slow"].status == "failed"
    assert summary.steps["slow"].reasons[0] == "timed out after 0.3s"
    assert summary.steps["flaky"].status == "ran" and summary.steps["flaky"].attempts == 2


def test_ctrl_c_kills_running_steps_and_raises_interrupted(tmp_path):
    def press_ctrl_c_once_started():
        pid_file = tmp_path / "long.pid"
        wait_for(lambda: pid_file.is_file() and pid_file.read_text().strip(), "the step to start")
        os.kill(os.getpid(), signal.SIGINT)

    def reporter(event):
        if isinstance(event, ev.StepStarted) and event.name == "long":
            threading.Thread(target=press_ctrl_c_once_started, daemon=True).start()

    stages = [
        Stage("long", ("echo $$ > long.pid; exec sleep 300",)),
        Stage("after", ("true",), upstream=("long",)),
    ]
    run, _, executor = scheduler(tmp_path, reporter)
    before = signal.getsignal(signal.SIGINT)  # Python's, or the CLI's latch once pipeyard.cli is imported
    with pytest.raises(Interrupted) as caught:
        run.run(stages, {})
    executor.shutdown()
    summary = caught.value.summary
    assert summary.status == "interrupted"
    assert summary.steps["long"].status == "failed"
    assert summary.steps["after"].status == "skipped"
    assert process_gone(int((tmp_path / "long.pid").read_text()))
    assert signal.getsignal(signal.SIGINT) is before  # the run's own handler is gone again
