"""Two snapshots compared: which steps re-run and why, parameters, metric deltas (pure)."""

from __future__ import annotations

from pipeyard.history.diff import ADDED, REMOVED, RERUNS, REUSED, diff_snapshots
from pipeyard.history.snapshot import Snapshot, StageDef

STAGES = {
    "prep": StageDef(
        "prep", "python prep.py", deps=("src/prep.py", "data/raw.csv"), params=("prep",), outs=("out/prep",)
    ),
    "train": StageDef(
        "train",
        "python train.py",
        deps=("src/train.py", "out/prep", "uv.lock"),
        params=("train", "pipeyard.environments.train"),
        outs=("out/model", "out/metrics.json"),
        metrics=("out/metrics.json",),
    ),
}
KINDS = {"src/prep.py": "code", "src/train.py": "code", "uv.lock": "environment"}


def entry(cmd, params, deps, outs):
    return {
        "cmd": cmd,
        "deps": [{"path": p, "md5": m} for p, m in deps.items()],
        "params": {"params.yaml": params},
        "outs": [{"path": p, "md5": m} for p, m in outs.items()],
    }


def lock(prep_lr=0.1, prep_code="p1", raw="r1", prep_out="o1", train_code="t1", env="py311", uv="u1"):
    return {
        "prep": entry(
            "python prep.py",
            {"prep": {"lr": prep_lr}},
            {"data/raw.csv": raw, "src/prep.py": prep_code},
            {"out/prep": prep_out},
        ),
        "train": entry(
            "python train.py",
            {"pipeyard.environments.train": env, "train": {"epochs": 3}},
            {"out/prep": prep_out, "src/train.py": train_code, "uv.lock": uv},
            {"out/metrics.json": "m1", "out/model": "x1"},
        ),
    }


def snap(label, lock_, params=None, metrics=None, predicted=False, stages=STAGES):
    return Snapshot(label, None, stages, lock_, params or {}, metrics or {}, {}, KINDS, predicted)


def steps(diff):
    return {s.step: (s.state, s.reasons) for s in diff.steps}


def test_identical_versions_reuse_every_step():
    diff = diff_snapshots(snap("a", lock()), snap("b", lock()))
    assert steps(diff) == {"prep": (REUSED, ()), "train": (REUSED, ())}
    assert diff.params == () and diff.reruns == ()


def test_a_parameter_change_reruns_the_step_and_changed_data_its_consumer():
    """Worded as `status` and `run` word it (cache.status.lock_differences)."""
    diff = diff_snapshots(snap("a", lock()), snap("b", lock(prep_lr=0.01, prep_out="o2")))
    found = steps(diff)
    assert found["prep"] == (RERUNS, ("params prep.lr changed: 0.1 -> 0.01",))
    assert found["train"] == (RERUNS, ("dependency out/prep changed",))


def test_code_data_and_environment_changes_are_named():
    diff = diff_snapshots(
        snap("a", lock()), snap("b", lock(prep_code="p2", raw="r2", train_code="t2", env="py312", uv="u2"))
    )
    found = steps(diff)
    assert found["prep"][1] == ("dependency data/raw.csv changed", "code src/prep.py changed")
    assert found["train"][1] == (
        "environment changed: py311 -> py312",
        "code src/train.py changed",
        "environment uv.lock changed",
    )


def test_new_and_removed_steps():
    only_prep = {"prep": STAGES["prep"]}
    added = diff_snapshots(snap("a", {"prep": lock()["prep"]}, stages=only_prep), snap("b", lock()))
    assert steps(added)["train"][0] == ADDED
    removed = diff_snapshots(snap("a", lock()), snap("b", {"prep": lock()["prep"]}, stages=only_prep))
    assert steps(removed)["train"] == (REMOVED, ("not in b",))


def test_in_the_workspace_a_step_reruns_when_its_upstream_does():
    current = lock(prep_code="p2")
    diff = diff_snapshots(snap("a", lock()), snap("workspace", current, predicted=True))
    assert steps(diff)["train"] == (RERUNS, ("upstream prep re-runs",))


def test_a_step_never_run_in_b_is_compared_by_its_declaration():
    params = {"prep": {"lr": 0.5}}
    diff = diff_snapshots(snap("a", lock()), snap("b", {"train": lock()["train"]}, params=params))
    assert steps(diff)["prep"] == (RERUNS, ("params prep.lr changed: 0.1 -> 0.5",))


def test_parameters_and_metrics_are_compared_value_by_value():
    a = snap(
        "a", lock(), params={"train": {"lr": 0.1, "old": 1}}, metrics={"m.json": {"acc": 0.5, "loss": 2}}
    )
    b = snap("b", lock(), params={"train": {"lr": 0.01}}, metrics={"m.json": {"acc": 0.75, "f1": 0.1}})
    diff = diff_snapshots(a, b)
    assert [p.text for p in diff.params] == ["train.lr: 0.1 -> 0.01", "train.old: removed (was 1)"]
    by_key = {m.key: m for m in diff.metrics}
    assert by_key["acc"].delta == 0.25
    assert by_key["f1"].old is None and by_key["f1"].delta is None
    assert by_key["loss"].new is None
    data = diff.to_dict()
    assert data["steps"]["prep"] == {"state": "reused", "reasons": []}
    assert data["params"][0] == {"key": "train.lr", "old": 0.1, "new": 0.01, "change": "changed"}
