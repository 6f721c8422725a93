"""A sweep's early_termination policies (pure: values in, reason out) and how they are read."""

from __future__ import annotations

import pytest

from pipeyard.azure_yaml.termination import Policy, is_evaluation_point, read_policy, should_stop
from pipeyard.errors import DefinitionError, Location

HERE = Location("pipeline.yml", 3)


@pytest.mark.parametrize(
    ("policy", "goal", "own", "others", "stops"),
    [
        # bandit: within slack_factor (ratio) or slack_amount (distance) of the best at this interval
        (Policy("bandit", slack_factor=0.2), "maximize", [1.0], [[1.2]], False),  # 1.2 / 1.2 = 1.0
        (Policy("bandit", slack_factor=0.2), "maximize", [0.99], [[1.2]], True),
        (Policy("bandit", slack_amount=0.1), "minimize", [0.35], [[0.2]], True),
        (Policy("bandit", slack_amount=0.1), "minimize", [0.3], [[0.2]], False),
        (Policy("bandit", slack_factor=0.1), "maximize", [0.5, 0.5], [[9.0]], False),  # no peer at interval 2
        (Policy("bandit", slack_factor=0.1, delay_evaluation=2), "maximize", [0.1, 0.1], [[9, 9]], False),
        (
            Policy("bandit", slack_factor=0.1, delay_evaluation=2),
            "maximize",
            [0.1, 0.1, 0.1],
            [[9, 9, 9]],
            True,
        ),
        (
            Policy("bandit", slack_factor=0.1),
            "maximize",
            [0.1],
            [],
            False,
        ),  # the first trial: nothing to compare
        # median stopping: best so far against the median of running averages
        (Policy("median_stopping"), "maximize", [0.2, 0.4], [[0.5, 0.5], [0.1, 0.1]], False),  # 0.4 >= 0.3
        (Policy("median_stopping"), "maximize", [0.2, 0.25], [[0.5, 0.5], [0.4, 0.4]], True),
        (Policy("median_stopping"), "minimize", [0.9, 0.8], [[0.1, 0.1], [0.2, 0.2]], True),
        # truncation selection: among the lowest percentage of the trials at this interval
        (
            Policy("truncation_selection", truncation_percentage=50),
            "maximize",
            [0.1],
            [[0.5], [0.4], [0.3]],
            True,
        ),
        (
            Policy("truncation_selection", truncation_percentage=50),
            "maximize",
            [0.35],
            [[0.5], [0.4], [0.3]],
            True,
        ),
        (
            Policy("truncation_selection", truncation_percentage=50),
            "maximize",
            [0.45],
            [[0.5], [0.4], [0.3]],
            False,
        ),
        (
            Policy("truncation_selection", truncation_percentage=20),
            "minimize",
            [0.9],
            [[0.1], [0.2], [0.3], [0.4]],
            True,
        ),
        (
            Policy("truncation_selection", truncation_percentage=20),
            "minimize",
            [0.9],
            [[0.1], [0.2], [0.3]],
            False,
        ),
    ],
)
def test_when_a_policy_stops_a_trial(policy, goal, own, others, stops):
    assert (should_stop(policy, goal, own, others) is not None) is stops


def test_the_reason_says_which_rule_and_values():
    reason = should_stop(Policy("bandit", slack_factor=0.2), "maximize", [0.5], [[1.2]])
    assert reason == "bandit at interval 1: 0.5 is not within the slack of the best, 1.2"


def test_evaluation_points_follow_delay_and_interval():
    policy = Policy("bandit", evaluation_interval=2, delay_evaluation=3)
    assert [k for k in range(1, 10) if is_evaluation_point(policy, k)] == [5, 7, 9]


def test_policies_are_read_with_azures_keys_and_defaults():
    assert read_policy({"type": "bandit", "slack_factor": 0.1, "evaluation_interval": 0}, HERE) == Policy(
        "bandit", evaluation_interval=1, slack_factor=0.1
    )
    assert read_policy({"type": "median_stopping", "delay_evaluation": 5}, HERE) == Policy(
        "median_stopping", delay_evaluation=5
    )
    assert (
        read_policy({"type": "truncation_selection", "truncation_percentage": 20}, HERE).truncation_percentage
        == 20
    )


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"type": "bandits"}, "unknown early_termination type 'bandits' (did you mean 'bandit'?)"),
        (
            {"type": "bandit", "slack_facter": 0.1},
            "early_termination bandit has no key 'slack_facter' (did you mean 'slack_factor'?)",
        ),
        (
            {"type": "median_stopping", "slack_factor": 0.1},
            "early_termination median_stopping has no key 'slack_factor'",
        ),
        (
            {"type": "truncation_selection"},
            "truncation_selection needs truncation_percentage between 1 and 99",
        ),
        ({"type": "bandit", "delay_evaluation": -1}, "delay_evaluation must be a whole number >= 0"),
        ({"type": "bandit", "slack_amount": "lots"}, "slack_amount must be a number >= 0"),
    ],
)
def test_policies_azure_refuses(spec, message):
    with pytest.raises(DefinitionError) as caught:
        read_policy(spec, HERE)
    assert message in caught.value.format()
