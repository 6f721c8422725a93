"""Scheduler invariants on random pipelines, capacities, check states and failures."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scheduler_fakes import FakeExecutor, FakeWorkspace, stage

from pipeyard.model import Capacity
from pipeyard.runner import events as ev
from pipeyard.runner.plan import downstream_of
from pipeyard.runner.scheduler import Scheduler

STATES = ("up_to_date", "restorable", "stale", "stale", "stale")  # mostly work to do


@st.composite
def scenarios(draw):
    """A random DAG with resources that fit a random capacity, states and exit codes."""
    cpus = draw(st.sampled_from([1.0, 2.0, 3.0, 4.0]))
    memory = draw(st.sampled_from([0, 1000]))
    gpu_ids = tuple(str(i) for i in range(draw(st.integers(0, 3))))
    n = draw(st.integers(1, 9))
    stages, states, codes, same = [], {}, {}, set()
    for i in range(n):
        name = f"s{i}"
        upstream = sorted(draw(st.sets(st.integers(0, i - 1), max_size=2))) if i else []
        stages.append(
            stage(
                name,
                *(f"s{u}" for u in upstream),
                cpus=draw(st.sampled_from([c for c in (0.5, 1.0, 1.5, 2.0, 3.0) if c <= cpus])),
                memory_mb=draw(st.sampled_from([0, 300, 600, 1000])) if memory else 0,
                gpus=draw(st.integers(0, len(gpu_ids))),
                retries=draw(st.integers(0, 1)),
            )
        )
        states[name] = draw(st.sampled_from(STATES))
        codes[name] = draw(st.lists(st.sampled_from([0, 0, 0, 1]), min_size=2, max_size=2))
        if draw(st.booleans()):
            same.add(name)
    return {
        "stages": stages,
        "capacity": Capacity(cpus=cpus, memory_mb=memory, gpu_ids=gpu_ids),
        "states": states,
        "codes": codes,
        "same": same,
        "jobs": draw(st.sampled_from([None, 1, 2])),
        "keep_going": draw(st.booleans()),
        "seed": draw(st.integers(0, 1000)),
    }


def execute(case):
    stages = case["stages"]
    upstream = {s.name: s.upstream for s in stages}
    workspace = FakeWorkspace(states=dict(case["states"]), same_outputs=set(case["same"]))
    executor = FakeExecutor(case["capacity"], upstream=upstream, returncodes=case["codes"], seed=case["seed"])
    reporter = ev.RecordingReporter()
    scheduler = Scheduler(
        workspace,
        executor,
        reporter,
        root="/tmp",
        jobs=case["jobs"],
        keep_going=case["keep_going"],
        flush_interval_s=0.0,
    )
    try:
        summary = scheduler.run(stages, {})
    finally:
        executor.shutdown()
    return summary, workspace, executor, reporter


def expected_statuses(case):
    """What a run must do when no step fails: a reference model of the decisions."""
    result, ran = {}, set()
    for s in case["stages"]:
        changed = [u for u in s.upstream if u in ran and u not in case["same"]]
        state = "stale" if changed else case["states"][s.name]
        result[s.name] = {"up_to_date": "cached", "restorable": "restored", "stale": "ran"}[state]
        if state == "stale":
            ran.add(s.name)
    return result


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_scheduler_invariants(case):
    summary, workspace, executor, reporter = execute(case)
    stages = case["stages"]
    names = [s.name for s in stages]
    upstream = {s.name: s.upstream for s in stages}
    by_name = {s.name: s for s in stages}

    # within capacity, GPU ids never shared, no upstream running (checked at each submit)
    assert executor.violations == []

    # every step ends exactly once, and the summary agrees with the events
    finished = reporter.of_type(ev.StepFinished)
    assert sorted(e.name for e in finished) == sorted(names)
    assert {e.name: e.status for e in finished} == {n: o.status for n, o in summary.steps.items()}
    assert list(summary.steps) == names

    # no step starts before all its upstream steps finished successfully
    done: dict[str, str] = {}
    for event in reporter.events:
        if isinstance(event, ev.StepFinished):
            done[event.name] = event.status
        elif isinstance(event, ev.StepStarted):
            assert all(done.get(u) in ("ran", "cached", "restored") for u in upstream[event.name])

    # a step's command starts once per attempt, never more than its retries allow
    attempts: dict[str, int] = {}
    for task in executor.submitted:
        attempts[task.name] = attempts.get(task.name, 0) + 1
    for name, count in attempts.items():
        assert count <= 1 + by_name[name].retries
        assert summary.steps[name].attempts == count

    failed = set(summary.failed)
    if not failed:
        # each stale step ran exactly once, nothing else ran
        assert {n: o.status for n, o in summary.steps.items()} == expected_statuses(case)
        assert sorted(workspace.committed) == sorted(n for n in names if summary.steps[n].status == "ran")
        assert summary.status == "succeeded"
    else:
        assert summary.status == "failed"
        for name in downstream_of(failed, upstream):
            assert summary.steps[name].status == "skipped"
        if case["keep_going"]:
            blocked = failed | downstream_of(failed, upstream)
            assert all(
                summary.steps[n].status in ("ran", "cached", "restored") for n in names if n not in blocked
            )
        else:
            first_failure = next(
                i
                for i, e in enumerate(reporter.events)
                if isinstance(e, ev.StepFinished) and e.status == "failed"
            )
            assert not any(isinstance(e, ev.StepStarted) for e in reporter.events[first_failure:])

    # the lock is written in stage order, last after every commit
    assert all(order == tuple(names) for order in workspace.flushes)
    if workspace.committed:
        last_commit = max(i for i, c in enumerate(workspace.calls) if c[0] == "commit")
        assert ("flush", "") in workspace.calls[last_commit:]
