"""The scheduler's decisions, with an in-memory workspace and executor."""

from __future__ import annotations

import os
import signal

import pytest
from scheduler_fakes import FakeExecutor, FakeWorkspace, stage

from pipeyard.errors import CapacityError, InternalError, Interrupted
from pipeyard.model import Capacity
from pipeyard.runner import events as ev
from pipeyard.runner.scheduler import Scheduler

CAPACITY = Capacity(cpus=2, memory_mb=1000, gpu_ids=("0", "1"))


def run(
    stages,
    workspace=None,
    capacity=CAPACITY,
    *,
    returncodes=None,
    hold=None,
    reporter=None,
    **options,
):
    workspace = workspace or FakeWorkspace()
    executor = FakeExecutor(
        capacity, upstream={s.name: s.upstream for s in stages}, returncodes=returncodes, hold=hold
    )
    reporter = reporter or ev.RecordingReporter()
    scheduler = Scheduler(workspace, executor, reporter, root=options.pop("root", "/tmp"), **options)
    try:
        summary = scheduler.run(stages, {"p": 1})
    finally:
        executor.shutdown()
    assert executor.violations == []
    return summary, workspace, executor, reporter


def statuses(summary):
    return {name: o.status for name, o in summary.steps.items()}


def test_runs_stale_steps_and_records_them_in_stage_order():
    stages = [stage("prep"), stage("train", "prep"), stage("eval", "train")]
    summary, ws, _, rec = run(stages)
    assert summary.status == "succeeded"
    assert statuses(summary) == {"prep": "ran", "train": "ran", "eval": "ran"}
    assert ws.committed == ["prep", "train", "eval"]
    assert ws.flushes[-1] == ("prep", "train", "eval")
    assert ws.calls[-1] == ("flush", "")
    assert summary.steps["train"].reasons == ("dep prep changed",)
    assert summary.steps["train"].executor == "fake" and summary.steps["train"].attempts == 1
    kinds = [type(e).__name__ for e in rec.events]
    assert kinds[0] == "RunStarted" and kinds[-1] == "RunFinished"
    assert rec.of_type(ev.RunFinished)[0].counts == {"ran": 3}


def test_up_to_date_and_restorable_steps_do_not_run():
    ws = FakeWorkspace(states={"a": "up_to_date", "b": "restorable", "c": "up_to_date"})
    summary, ws, executor, _ = run([stage("a"), stage("b"), stage("c", "a", "b")], ws)
    assert statuses(summary) == {"a": "cached", "b": "restored", "c": "cached"}
    assert executor.submitted == []
    assert ("restore", "b") in ws.calls
    assert ws.flushes == [("a", "b", "c")]


def test_nothing_to_do_writes_no_lock():
    ws = FakeWorkspace(states={"a": "up_to_date"})
    summary, ws, _, _ = run([stage("a")], ws)
    assert statuses(summary) == {"a": "cached"} and ws.flushes == []


def test_a_rerun_with_identical_outputs_does_not_rerun_downstream():
    ws = FakeWorkspace(states={"a": "stale", "b": "up_to_date"}, same_outputs={"a"})
    summary, *_ = run([stage("a"), stage("b", "a")], ws)
    assert statuses(summary) == {"a": "ran", "b": "cached"}


def test_forced_steps_run_without_a_check():
    ws = FakeWorkspace(states={"a": "up_to_date", "b": "up_to_date"}, same_outputs={"a"})
    summary, ws, _, _ = run([stage("a"), stage("b", "a")], ws, force=["a"])
    assert statuses(summary) == {"a": "ran", "b": "cached"}
    assert ("check", "a") not in ws.calls
    assert summary.steps["a"].reasons == ("forced",)


def test_force_downstream_runs_everything_below():
    ws = FakeWorkspace(states={"a": "up_to_date", "b": "up_to_date"}, same_outputs={"a"})
    summary, *_ = run([stage("a"), stage("b", "a")], ws, force=["a"], force_downstream=True)
    assert statuses(summary) == {"a": "ran", "b": "ran"}
    assert summary.steps["b"].reasons == ("forced: downstream of 'a'",)


def test_a_failure_skips_downstream_and_stops_new_steps():
    stages = [stage("a", cpus=2), stage("b", "a"), stage("c", cpus=2)]
    summary, _, executor, _ = run(stages, returncodes={"a": [3]})
    assert summary.status == "failed" and summary.failed == ("a",)
    assert statuses(summary) == {"a": "failed", "b": "skipped", "c": "skipped"}
    assert summary.steps["a"].reasons[0] == "exit code 3"
    assert summary.steps["a"].returncode == 3
    assert summary.steps["b"].reasons == ("upstream 'a' failed",)
    assert summary.steps["c"].reasons == ("the run stopped after 'a' failed",)
    assert [t.name for t in executor.submitted] == ["a"]


def test_keep_going_finishes_independent_branches():
    stages = [stage("a", cpus=2), stage("b", "a"), stage("c", cpus=2), stage("d", "c")]
    summary, *_ = run(stages, returncodes={"a": [1]}, keep_going=True)
    assert statuses(summary) == {"a": "failed", "b": "skipped", "c": "ran", "d": "ran"}
    assert summary.status == "failed"


def test_running_steps_finish_and_are_recorded_after_a_failure():
    summary, ws, *_ = run([stage("a"), stage("b")], returncodes={"a": [1]})
    assert statuses(summary)["a"] == "failed"
    assert statuses(summary)["b"] in ("ran", "skipped")
    assert ("b" in ws.committed) == (statuses(summary)["b"] == "ran")


def test_retries_run_a_step_again():
    summary, ws, _, rec = run([stage("a", retries=2)], returncodes={"a": [1, 1, 0]})
    assert statuses(summary) == {"a": "ran"} and summary.steps["a"].attempts == 3
    assert [e.attempt for e in rec.of_type(ev.StepStarted)] == [1, 2, 3]
    assert [c for c in ws.calls if c[0] == "prepare"] == [("prepare", "a")] * 3


def test_a_step_that_fails_every_attempt_says_so():
    summary, *_ = run([stage("a", retries=1)], returncodes={"a": [1, 2]})
    outcome = summary.steps["a"]
    assert outcome.status == "failed" and outcome.attempts == 2
    assert outcome.reasons[:2] == ("exit code 2", "attempt 1: exit code 1")


def test_a_timeout_is_the_reason():
    summary, *_ = run([stage("a", timeout_s=5)], returncodes={"a": [-9]})
    assert summary.steps["a"].reasons[0] == "timed out after 5s"
    assert summary.steps["a"].timed_out


def test_missing_outputs_after_a_run_fail_the_step():
    ws = FakeWorkspace(bad_outputs={"a"})
    summary, *_ = run([stage("a"), stage("b", "a")], ws)
    assert statuses(summary) == {"a": "failed", "b": "skipped"}
    assert summary.steps["a"].reasons[0] == "output of a does not exist"


def test_a_failed_restore_runs_the_step_instead():
    ws = FakeWorkspace(states={"a": "restorable"}, bad_cache={"a"})
    summary, *_ = run([stage("a")], ws)
    assert statuses(summary) == {"a": "ran"}
    assert "could not restore: cache object missing" in summary.steps["a"].reasons


def test_gpu_steps_get_distinct_devices_and_go_first():
    stages = [stage("cpu"), stage("gpu", gpus=1), stage("gpu2", gpus=1)]
    summary, _, _, rec = run(stages, jobs=1)
    started = rec.of_type(ev.StepStarted)
    assert [e.name for e in started] == ["gpu", "gpu2", "cpu"]
    assert started[0].gpu_ids == ("0",) and started[2].gpu_ids == ()
    assert summary.steps["gpu"].gpu_ids == ("0",)


def test_a_step_bigger_than_the_machine_is_refused_before_anything_runs():
    ws = FakeWorkspace()
    with pytest.raises(CapacityError) as caught:
        run([stage("a"), stage("train", gpus=4)], ws)
    assert "4 GPU(s)" in str(caught.value) and "train" in str(caught.value)
    assert ws.calls == []


def test_stages_out_of_order_are_a_bug():
    with pytest.raises(InternalError):
        run([stage("b", "a"), stage("a")])


def test_ctrl_c_stops_running_steps_and_records_finished_ones():
    def reporter(event):
        recorded(event)
        if isinstance(event, ev.StepStarted) and event.name == "slow":
            os.kill(os.getpid(), signal.SIGINT)

    recorded = ev.RecordingReporter()
    ws = FakeWorkspace()
    stages = [stage("quick"), stage("slow"), stage("after", "slow")]
    with pytest.raises(Interrupted) as caught:
        run(stages, ws, hold={"slow"}, reporter=reporter, flush_interval_s=60)
    summary = caught.value.summary
    assert summary.status == "interrupted"
    assert statuses(summary)["slow"] == "failed"
    assert statuses(summary)["after"] == "skipped"
    assert ws.committed == [n for n in ("quick",) if statuses(summary)[n] == "ran"]
    if ws.committed:
        assert ws.flushes and ws.calls[-1] == ("flush", "")
    assert isinstance(recorded.events[-1], ev.RunFinished)
    assert recorded.events[-1].status == "interrupted"


def test_debounced_flushes_always_use_stage_order():
    stages = [stage(f"s{i}") for i in range(20)]
    _, ws, *_ = run(stages, flush_interval_s=0)
    assert len(ws.flushes) >= 2
    assert set(ws.flushes) == {tuple(s.name for s in stages)}


def test_a_thousand_steps_each_run_once():
    stages = [stage(f"s{i}", *([f"s{i - 1}"] if i % 10 else [])) for i in range(1000)]
    summary, _, executor, _ = run(stages, capacity=Capacity(cpus=8, memory_mb=0))
    assert summary.status == "succeeded"
    assert sorted(t.name for t in executor.submitted) == sorted(s.name for s in stages)
