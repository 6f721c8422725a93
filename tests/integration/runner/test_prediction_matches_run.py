"""What `status` / `--dry-run` predict is what `run` then does, over random graphs and cache states.

Each example builds a random DAG of shell steps in a real DVC-style workspace, runs it, puts the
workspace into a random state (parameters changed to values seen before or never seen, outputs
deleted or edited, steps forced), predicts, runs, and compares step by step. Every step writes
a random nonce into its output, so a step that runs changes what its downstream steps read:
the prediction "runs because its upstream runs" is then exact. (A step whose rerun produces
identical bytes lets the steps below it be found up to date; docs/parameters.md says so.)
"""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeyard.cache import Workspace
from pipeyard.executors.local import LocalExecutor
from pipeyard.model import Capacity, Stage, StageOutput
from pipeyard.runner.predict import predict
from pipeyard.runner.scheduler import Scheduler

EXAMPLES = int(os.environ.get("PIPEYARD_PROPERTY_EXAMPLES", "12"))
OUTCOME_OF = {"skip": "cached", "restore": "restored", "run": "ran"}


@st.composite
def scenarios(draw):
    n = draw(st.integers(min_value=2, max_value=5))
    upstream = [
        tuple(sorted(draw(st.sets(st.integers(min_value=0, max_value=i - 1), max_size=2)))) if i else ()
        for i in range(n)
    ]
    steps = st.sets(st.integers(min_value=0, max_value=n - 1))
    return {
        "upstream": upstream,
        "second_values": draw(st.lists(st.sampled_from([0, 1]), min_size=n, max_size=n)),
        "values": draw(st.lists(st.sampled_from([0, 1, 2]), min_size=n, max_size=n)),
        "deleted": draw(steps),
        "edited": draw(steps),
        "forced": draw(st.sets(st.integers(min_value=0, max_value=n - 1), max_size=1)),
    }


def _stages(upstream, values) -> tuple[Stage, ...]:
    stages = []
    for i, parents in enumerate(upstream):
        reads = " ".join(f"out/s{p}" for p in parents)
        command = (
            f"printf 'value={values[i]}\\n' > out/s{i} && "
            + (f"cat {reads} >> out/s{i} && " if reads else "")
            + f"od -An -N8 -tx8 /dev/urandom >> out/s{i}"
        )
        stages.append(
            Stage(
                name=f"s{i}",
                commands=(command,),
                deps=tuple(f"out/s{p}" for p in parents),
                params=(f"s{i}",),
                outs=(StageOutput(f"out/s{i}", is_dir=False),),
                upstream=tuple(f"s{p}" for p in parents),
            )
        )
    return tuple(stages)


def _params(values) -> dict:
    return {f"s{i}": {"value": v} for i, v in enumerate(values)}


def _run(root: Path, stages, params, force=()) -> dict[str, str]:
    with Workspace(root) as workspace:
        executor = LocalExecutor(Capacity(cpus=2, memory_mb=1024))
        try:
            summary = Scheduler(workspace, executor, root=root, force=force).run(stages, params)
        finally:
            executor.shutdown()
    return {name: outcome.status for name, outcome in summary.steps.items()}


def _predict(root: Path, stages, params, force=()) -> dict[str, str]:
    with Workspace(root) as workspace:
        plan, _checks = predict(workspace, stages, params, force=force)
    return {str(step.name): OUTCOME_OF[step.action] for step in plan.steps}


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(scenario=scenarios())
def test_the_prediction_is_what_the_run_does(tmp_path_factory, scenario):
    root = tmp_path_factory.mktemp("predict")
    (root / ".dvc").mkdir()
    (root / "out").mkdir()
    n = len(scenario["upstream"])
    first = [0] * n
    _run(root, _stages(scenario["upstream"], first), _params(first))
    second = scenario["second_values"]  # fills the run-cache with a second value for some steps
    _run(root, _stages(scenario["upstream"], second), _params(second))

    for i in scenario["deleted"]:
        (root / f"out/s{i}").unlink(missing_ok=True)
    for i in scenario["edited"] - scenario["deleted"]:
        (root / f"out/s{i}").write_text("edited by hand\n")
    values = scenario["values"]
    stages = _stages(scenario["upstream"], values)
    force = tuple(f"s{i}" for i in scenario["forced"])

    predicted = _predict(root, stages, _params(values), force)
    actual = _run(root, stages, _params(values), force)
    assert predicted == actual, scenario
