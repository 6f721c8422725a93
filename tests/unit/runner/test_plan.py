"""The pure planner, on graphs of plain integers and strings."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from pipeyard.errors import InternalError
from pipeyard.runner.plan import downstream_of, forced_steps, plan

# 1 -> 2 -> 4, 1 -> 3 -> 4, 5 alone
ORDER = [1, 2, 3, 4, 5]
UPSTREAM = {1: [], 2: [1], 3: [1], 4: [2, 3], 5: []}


@dataclass(frozen=True)
class Check:
    state: str
    reasons: tuple[str, ...] = ()


def test_everything_up_to_date_is_skipped():
    result = plan(ORDER, UPSTREAM, {n: "up_to_date" for n in ORDER})
    assert result.actions == {n: "skip" for n in ORDER}
    assert result.up_to_date


def test_a_stale_step_runs_with_its_reasons_and_everything_below_it_runs():
    checks = {n: Check("up_to_date") for n in ORDER}
    checks[2] = Check("stale", ("params train.lr changed: 0.1 -> 0.01",))
    result = plan(ORDER, UPSTREAM, checks)
    assert result.actions == {1: "skip", 2: "run", 3: "skip", 4: "run", 5: "skip"}
    assert result[2].reasons == ("params train.lr changed: 0.1 -> 0.01",)
    assert result[4].reasons == ("upstream '2' will run",)
    assert result.names("run") == (2, 4)
    assert not result.up_to_date


def test_a_stale_step_below_a_running_one_keeps_its_own_reasons_first():
    checks = {1: Check("stale", ("code a.py changed",)), 2: Check("stale", ("dep x changed",))}
    result = plan([1, 2], {2: [1]}, checks)
    assert result[2].reasons == ("dep x changed", "upstream '1' will run")


def test_restorable_steps_are_restored_unless_upstream_runs():
    checks = {"a": "restorable", "b": "restorable", "c": "stale", "d": "restorable"}
    upstream = {"b": ["a"], "d": ["c"]}
    result = plan(["a", "b", "c", "d"], upstream, checks)
    assert result.actions == {"a": "restore", "b": "restore", "c": "run", "d": "run"}
    assert result["d"].state == "restorable"


def test_forced_steps_run_and_their_downstream_is_predicted_to_run():
    result = plan(ORDER, UPSTREAM, {n: "up_to_date" for n in ORDER}, force=[3])
    assert result.actions == {1: "skip", 2: "skip", 3: "run", 4: "run", 5: "skip"}
    assert result[3].reasons == ("forced",)
    assert result[4].reasons == ("upstream '3' will run",)


def test_force_downstream_marks_the_reason():
    result = plan(ORDER, UPSTREAM, {n: "up_to_date" for n in ORDER}, force=[1], force_downstream=True)
    assert result.names("run") == (1, 2, 3, 4)
    assert result[4].reasons == ("forced: downstream of '2'",)


def test_forced_steps_and_downstream():
    assert forced_steps(ORDER, UPSTREAM, [2]) == {2: "forced"}
    assert set(forced_steps(ORDER, UPSTREAM, [2], force_downstream=True)) == {2, 4}
    assert downstream_of([1], UPSTREAM) == {2, 3, 4}
    assert downstream_of([4], UPSTREAM) == set()


def test_unknown_names_are_a_bug():
    with pytest.raises(InternalError):
        plan([1], {}, {})
    with pytest.raises(InternalError):
        plan([1], {}, {1: "fresh"})
    with pytest.raises(InternalError):
        plan([1], {}, {1: "stale"}, force=[7])


def test_missing_step_lookup_raises_key_error():
    with pytest.raises(KeyError):
        plan([1], {}, {1: "stale"})[2]
