"""A sweep's limits become its trials' StepGroup, and the scheduler's book-keeping of groups
(runner.groups) applies them: a pure function of what runs and a clock passed in."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeyard.azure_yaml import load_pipeline_yaml
from pipeyard.errors import DefinitionError
from pipeyard.model.stage import Stage, StepGroup
from pipeyard.runner.groups import GroupLimits

SWEEP = Path(__file__).parents[2] / "data" / "azure" / "sweep"


def _stage(name: str, group: StepGroup | None, timeout_s: float | None = None) -> Stage:
    return Stage(name=name, commands=("true",), group=group, timeout_s=timeout_s)


def test_the_trials_of_a_sweep_share_its_limits():
    pipeline = load_pipeline_yaml(Path("pipeline.yml"), SWEEP)
    grid = [j for j in pipeline.jobs if j.name.startswith("grid_search__trial_")]
    assert {j.group for j in grid} == {StepGroup("grid_search", 3, None)}
    assert pipeline.job("grid_search").group is None  # the picking step is no trial
    random = {j.group for j in pipeline.jobs if j.name.startswith("random_search__trial_")}
    assert [(g.name, g.limit, g.timeout_s) for g in random] == [("random_search", None, None)]
    assert '"median_stopping"' in random.pop().termination  # its early_termination


@pytest.mark.parametrize(
    "limits", ["{max_total_trials: 2, max_concurrent_trials: 0}", "{max_total_trials: 2, timeout: 1.5}"]
)
def test_limits_must_be_whole_numbers(project, limits):
    root = project(
        {
            "p.yml": f"""
        type: sweep
        trial:
          command: python t.py --x ${{{{search_space.x}}}}
          code: ./src
        search_space: {{x: {{type: choice, values: [1, 2]}}}}
        sampling_algorithm: grid
        objective: {{goal: maximize, primary_metric: m}}
        limits: {limits}
        """,
            "src/t.py": "",
        }
    )
    with pytest.raises(DefinitionError, match="must be a whole number > 0"):
        load_pipeline_yaml(Path("p.yml"), root)


def test_at_most_limit_stages_of_a_group_run_at_once():
    groups, trial = GroupLimits(), StepGroup("s", 2)
    a, b, c, other = _stage("a", trial), _stage("b", trial), _stage("c", trial), _stage("o", None)
    assert groups.admits(a) and groups.take(a, 0.0) is None
    groups.take(b, 0.0)
    assert not groups.admits(c) and groups.admits(other)
    groups.give(a)
    assert groups.admits(c)


def test_a_groups_timeout_starts_with_its_first_stage_and_bounds_the_others():
    groups, sweep = GroupLimits(), StepGroup("s", None, 100.0)
    first, second, late = _stage("a", sweep, 300.0), _stage("b", sweep, 30.0), _stage("c", sweep)
    assert groups.expired(first, 5.0) is None
    assert groups.take(first, 10.0) == 100.0  # its own 300 s, cut to the sweep's 100 s
    assert groups.take(second, 50.0) == 30.0  # its own 30 s is less than the 60 s left
    assert groups.take(late, 100.0) == pytest.approx(10.0)
    assert groups.expired(late, 110.0) == "not started: the limits.timeout of 's' (100s) passed"
