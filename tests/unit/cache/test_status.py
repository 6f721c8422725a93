"""Reasons for staleness are short sentences in the user's words."""

from __future__ import annotations

from pipeyard.cache.hashing import PathHash
from pipeyard.cache.lockfile import lock_entry
from pipeyard.cache.status import (
    NEW_STEP,
    StageCheck,
    dependency_kinds,
    entry_differences,
    input_reasons,
    outs_reasons,
    param_changes,
)

OLD = PathHash(md5="a" * 32, size=1)
NEW = PathHash(md5="b" * 32, size=1)


def locked() -> dict:
    return lock_entry(
        "python train.py",
        {"src/train.py": OLD, "data/raw.csv": OLD},
        {"train": {"lr": 0.1, "opt": {"name": "adam", "beta": 0.9}}},
        {"model.pkl": OLD},
    )


def test_nested_params_are_diffed_key_by_key() -> None:
    old = {"lr": 0.1, "opt": {"name": "adam", "beta": 0.9}, "gone": 1}
    new = {"lr": 0.01, "opt": {"name": "adam", "beta": 0.99}, "layers": [1, 2]}
    assert param_changes("train", old, new) == [
        "params train.lr changed: 0.1 -> 0.01",
        "params train.opt.beta changed: 0.9 -> 0.99",
        "params train.layers added: [1, 2]",
        "params train.gone removed",
    ]


def test_scalar_param_and_tuples_equal_lists() -> None:
    assert param_changes("seed", 1, 2) == ["params seed changed: 1 -> 2"]
    assert param_changes("layers", [1, 2], (1, 2)) == []


def test_unchanged_stage_has_no_reasons() -> None:
    reasons = input_reasons(
        locked(),
        "python train.py",
        {"src/train.py": OLD, "data/raw.csv": OLD},
        {"train": {"lr": 0.1, "opt": {"name": "adam", "beta": 0.9}}},
        ("model.pkl",),
    )
    assert reasons == []


def test_every_kind_of_change_is_named() -> None:
    reasons = input_reasons(
        locked(),
        "python train.py --fast",
        {"src/train.py": NEW, "data/raw.csv": None, "data/extra.csv": OLD},
        {"train": {"lr": 0.01, "opt": {"name": "adam", "beta": 0.9}}},
        ("model.pkl", "metrics.json"),
        code_deps=("src/train.py",),
    )
    assert reasons == [
        "command changed",
        "params train.lr changed: 0.1 -> 0.01",
        "code src/train.py changed",
        "dependency data/raw.csv is missing",
        "dependency data/extra.csv added",
        "output metrics.json added",
    ]


def test_new_step_names_missing_dependencies() -> None:
    assert input_reasons(None, "x", {"in.csv": None}, {}, ()) == [
        NEW_STEP,
        "dependency in.csv is missing",
    ]


def test_output_reasons() -> None:
    assert outs_reasons(locked(), {"model.pkl": None}) == ["output model.pkl is missing"]
    assert outs_reasons(locked(), {"model.pkl": NEW}) == ["output model.pkl was modified"]
    assert outs_reasons(locked(), {"model.pkl": OLD}) == []


def test_stage_check_is_a_frozen_value() -> None:
    check = StageCheck("restorable", ("output x is missing",), "lock", {"cmd": "x"})
    assert check.restorable and not check.stale and not check.up_to_date
    assert check == StageCheck("restorable", ("output x is missing",), "lock")


def test_environments_are_named_as_such() -> None:
    entry = lock_entry("x", {"uv.lock": OLD}, {"pipeyard.environments.train": "py311"}, {})
    reasons = input_reasons(
        entry, "x", {"uv.lock": NEW}, {"pipeyard.environments.train": "py312"}, (), code_deps=("uv.lock",)
    )
    assert reasons == ["environment changed: py311 -> py312", "environment uv.lock changed"]


def test_two_lock_entries_are_explained_in_the_words_of_a_workspace_check() -> None:
    """diff and report (two entries) word a change as status and run (entry vs workspace) do."""
    current = {"data/raw.csv": NEW, "src/train.py": NEW}
    params = {"train": {"lr": 0.01, "opt": {"name": "adam", "beta": 0.9}}}
    kinds = dependency_kinds(["src/train.py"])
    new = lock_entry("python train.py", current, params, {"model.pkl": OLD})
    assert (
        entry_differences(locked(), new, kinds)
        == input_reasons(
            locked(), "python train.py", current, params, ("model.pkl",), code_deps=("src/train.py",)
        )
        == [
            "params train.lr changed: 0.1 -> 0.01",
            "dependency data/raw.csv changed",
            "code src/train.py changed",
        ]
    )
