"""Overrides that Hydra's parser refuses, said in the user's words (no parser tokens)."""

from __future__ import annotations

import pytest

from pipeyard.config.hydra_errors import override_problem


@pytest.mark.parametrize(
    "override",
    [
        "train.lr=0.1",
        "+train.extra=1",
        "~train.lr",
        "++train.lr=2",
        "train=large",
        "train.name=a b",
        "train.name='a=b'",
        "train.layers=[1,2]",
        "train.opt={a: 1}",
        "inputs.lr=${inputs.base}",
    ],
)
def test_good_overrides_have_no_problem(override):
    assert override_problem(override) is None


@pytest.mark.parametrize(
    ("override", "said", "hint"),
    [
        ("train.lr", "override 'train.lr' has no value: write train.lr=VALUE", "~train.lr"),
        ("=0.1", "override '=0.1' has no key before '=': write KEY=0.1", "train.lr=0.1"),
        ("+", "override '+' is empty", "KEY=VALUE"),
        ("train..lr=1", "'train..lr' in override 'train..lr=1' is not a parameter name", "train.lr=0.01"),
        ("1train=1", "'1train' in override '1train=1' is not a parameter name", "train.lr"),
        ("train.lr==1", "override 'train.lr==1' has '==': write train.lr=1", "one '='"),
        ("train.cmd=a=b", "override 'train.cmd=a=b' has a second '=' in its value", "train.cmd='a=b'"),
        ("train.l=[1,2", "override 'train.l=[1,2': '[' in the value '[1,2' is not closed", "'train.l=[1,2]'"),
        (
            "train.n='ab",
            "override 'train.n='ab': the quote ' in the value \"'ab\" is not closed",
            "\"train.n='ab'\"",
        ),
        ("train.n=${x", "override 'train.n=${x': '{' in the value '${x' is not closed", "'train.n=${x}'"),
    ],
)
def test_bad_overrides_say_what_to_write(override, said, hint):
    problem = override_problem(override)
    assert problem is not None
    assert problem[0] == said
    assert hint in problem[1]
