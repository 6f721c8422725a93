"""Steps several points share, and the runs that compute each of them once (pure)."""

from __future__ import annotations

from pipeyard.model import Stage
from pipeyard.model.stage import StageOutput
from pipeyard.sweeps.sharing import PlannedRun, plan_runs, shared_steps, step_identities


def stage(name: str, upstream: tuple[str, ...] = (), **fields) -> Stage:
    return Stage(
        name=name,
        commands=(f"python {name}.py",),
        deps=(f"src/{name}.py", *(f"out/{u}" for u in upstream)),
        params=(name,),
        outs=(StageOutput(f"out/{name}"),),
        upstream=upstream,
        **fields,
    )


DIAMOND = (
    stage("prepare"),
    stage("left", ("prepare",)),
    stage("right", ("prepare",)),
    stage("join", ("left",)),
)
UPSTREAM = {s.name: s.upstream for s in DIAMOND}
NAMES = [s.name for s in DIAMOND]


def params(left: str, right: str) -> dict:
    return {"prepare": {"m": "p"}, "left": {"m": left}, "right": {"m": right}, "join": {"m": "j"}}


def grid() -> dict[int, dict]:
    values = [(a, b) for a in "abc" for b in "xy"]
    return {n: step_identities(DIAMOND, params(*v)) for n, v in enumerate(values, start=1)}


def test_identity_follows_parameter_values_and_upstream_steps():
    one, two = step_identities(DIAMOND, params("a", "x")), step_identities(DIAMOND, params("b", "x"))
    assert one["prepare"] == two["prepare"] and one["right"] == two["right"]
    assert one["left"] != two["left"]
    assert one["join"] != two["join"]  # same own values, but reads a different left


def test_steps_the_run_cache_cannot_restore_are_not_shared_nor_below_them():
    stages = (stage("prepare", always_changed=True), stage("left", ("prepare",)))
    assert step_identities(stages, params("a", "x")) == {"prepare": None, "left": None}
    no_outputs = Stage(name="report", commands=("echo",), deps=("a",))
    assert step_identities((no_outputs,), {}) == {"report": None}


def test_shared_steps_run_in_the_lowest_numbered_point():
    shared = {(s.name, s.points) for s in shared_steps(grid())}
    assert shared == {
        ("prepare", (1, 2, 3, 4, 5, 6)),
        ("left", (1, 2)),
        ("left", (3, 4)),
        ("left", (5, 6)),
        ("join", (1, 2)),
        ("join", (3, 4)),
        ("join", (5, 6)),
        ("right", (1, 3, 5)),
        ("right", (2, 4, 6)),
    }


def test_points_made_only_of_shared_steps_need_no_warm_up():
    runs = plan_runs({n: NAMES for n in range(1, 7)}, shared_steps(grid()), UPSTREAM)
    assert runs == (
        PlannedRun("point-1", 1, None, (), True),
        PlannedRun("point-2", 2, None, ("point-1",), True),
        PlannedRun("point-3", 3, None, ("point-1",), True),
        PlannedRun("point-4", 4, None, ("point-1", "point-2", "point-3"), True),
        PlannedRun("point-5", 5, None, ("point-1",), True),
        PlannedRun("point-6", 6, None, ("point-1", "point-2", "point-5"), True),
    )


def test_a_point_computes_shared_steps_in_a_warm_up_so_others_need_not_wait_for_its_own():
    train = (stage("prepare"), stage("train", ("prepare",)))
    identities = {
        n: step_identities(train, {"prepare": {"m": "p"}, "train": {"lr": lr}})
        for n, lr in ((1, 0.1), (2, 0.01), (3, 0.001))
    }
    runs = plan_runs(
        {n: ["prepare", "train"] for n in identities}, shared_steps(identities), {"train": ("prepare",)}
    )
    assert runs == (
        PlannedRun("warmup-1", 1, ("prepare",), (), False),
        PlannedRun("point-1", 1, None, ("warmup-1",), True),
        PlannedRun("point-2", 2, None, ("warmup-1",), True),
        PlannedRun("point-3", 3, None, ("warmup-1",), True),
    )


def test_runs_only_wait_for_runs_planned_before_them():
    runs = plan_runs({n: NAMES for n in range(1, 7)}, shared_steps(grid()), UPSTREAM)
    seen: set[str] = set()
    for run in runs:
        assert set(run.needs) <= seen
        seen.add(run.key)


def test_nothing_shared_means_independent_points():
    identities = {1: step_identities(DIAMOND, params("a", "x"))}
    assert plan_runs({1: NAMES}, shared_steps(identities), UPSTREAM) == (
        PlannedRun("point-1", 1, None, (), True),
    )
