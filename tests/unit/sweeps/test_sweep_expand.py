"""Sweep overrides in Hydra's grammar -> points."""

from __future__ import annotations

import pytest

from pipeyard.errors import ParameterError
from pipeyard.sweeps.expand import SweepPoint, expand_sweep


def overrides_of(points) -> list[tuple[str, ...]]:
    return [p.overrides for p in points]


def test_comma_lists_make_the_cartesian_product_in_order():
    points = expand_sweep(["train.lr=0.1,0.01", "train.depth=3,5"])
    assert overrides_of(points) == [
        ("train.lr=0.1", "train.depth=3"),
        ("train.lr=0.1", "train.depth=5"),
        ("train.lr=0.01", "train.depth=3"),
        ("train.lr=0.01", "train.depth=5"),
    ]
    assert [p.number for p in points] == [1, 2, 3, 4]
    assert points[1].swept == (("train.lr", "0.1"), ("train.depth", "5"))
    assert points[1].label == "train.lr=0.1 train.depth=5"


def test_range_choice_and_plain_overrides_mix():
    points = expand_sweep(
        ["train.depth=range(1,4)", "+train.extra=1", "train.opt=choice(adam,sgd)", "~train.old"]
    )
    assert len(points) == 6
    assert points[0].overrides == ("train.depth=1", "+train.extra=1", "train.opt=adam", "~train.old")
    assert [dict(p.swept)["train.depth"] for p in points] == ["1", "1", "2", "2", "3", "3"]
    assert all(len(p.swept) == 2 for p in points)  # plain overrides are not swept columns


def test_float_range_and_a_single_value_are_points_too():
    assert overrides_of(expand_sweep(["a.lr=range(0.1,0.3,0.1)"])) == [("a.lr=0.1",), ("a.lr=0.2",)]
    single = expand_sweep(["a.lr=0.5"])
    assert single == (SweepPoint(1, ("a.lr=0.5",), ()),)
    assert single[0].label == "(no swept values)"


def test_quoted_commas_stay_one_value():
    points = expand_sweep(["a.text='x,y'", "a.n=1,2"])
    assert overrides_of(points) == [("a.text='x,y'", "a.n=1"), ("a.text='x,y'", "a.n=2")]


def test_a_key_given_twice_keeps_the_last():
    assert overrides_of(expand_sweep(["a.n=1,2", "a.n=3"])) == [("a.n=3",)]


def test_glob_lists_the_options_of_a_config_group(tmp_path):
    (tmp_path / "train").mkdir()
    for name in ("large", "small", "tiny"):
        (tmp_path / "train" / f"{name}.yaml").write_text("lr: 1\n")
    points = expand_sweep(["train=glob(*,exclude=tiny)"], conf_dir=tmp_path)
    assert overrides_of(points) == [("train=large",), ("train=small",)]


def test_glob_without_the_config_group_says_where_it_looked(tmp_path):
    with pytest.raises(ParameterError, match="config group 'train'") as caught:
        expand_sweep(["train=glob(*)"], conf_dir=tmp_path)
    assert "conf/train" in caught.value.hint or "train" in caught.value.message
    with pytest.raises(ParameterError, match="has no conf"):
        expand_sweep(["train=glob(*)"])


def test_interval_is_refused_with_a_hint():
    with pytest.raises(ParameterError, match="continuous interval") as caught:
        expand_sweep(["train.lr=interval(0,1)"])
    assert "train.lr=range(" in caught.value.hint


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("train.lr=[1,2", "override 'train.lr=\\[1,2': '\\[' in the value '\\[1,2' is not closed"),
        ("=3", "names no key"),
        ("train.lr", "override 'train.lr' has no value: write train.lr=VALUE"),
        ("hydra.job.name=x", "sets Hydra itself"),
        ("a.n=range(3,1)", "gives no values"),
    ],
)
def test_bad_overrides_are_parameter_errors(override, message):
    with pytest.raises(ParameterError, match=message) as caught:
        expand_sweep([override])
    assert caught.value.hint


def test_expanding_leaves_no_global_hydra_state():
    from hydra.core.global_hydra import GlobalHydra

    expand_sweep(["a.n=1,2"])
    assert not GlobalHydra.instance().is_initialized()
