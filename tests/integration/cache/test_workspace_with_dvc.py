"""pipeyard's Workspace and the real dvc CLI agree on dvc.lock, the cache and the run-cache."""

from __future__ import annotations

import copy
import shutil
import subprocess
from pathlib import Path

import pytest
from cache_dvc_repo import (
    PARAMS,
    STAGES,
    assert_dvc_agrees_nothing_to_do,
    check_all,
    dvc,
    run_pipeline,
)

from pipeyard.cache import Workspace
from pipeyard.errors import RepositoryError
from pipeyard.yamlio import parse_yaml

pytestmark = pytest.mark.slow


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_pipeyard_writes_exactly_what_dvc_repro_writes(repo: Path, tmp_path: Path) -> None:
    twin = shutil.copytree(repo, tmp_path / "twin", symlinks=True)
    checks = run_pipeline(repo)
    assert [c.reasons for c in checks.values()] == [("new step (not in dvc.lock)",)] * 2
    dvc(twin, "repro")

    lock, twin_lock = (repo / "dvc.lock").read_text(), (twin / "dvc.lock").read_text()
    assert parse_yaml(lock) == parse_yaml(twin_lock)
    if max(len(line) for line in lock.splitlines()) <= 80:  # ruamel folds longer lines
        assert lock == twin_lock
    cache, twin_cache = files_under(repo / ".dvc" / "cache"), files_under(twin / ".dvc" / "cache")
    assert cache.keys() == twin_cache.keys()  # the same objects, .dir listings, run-cache entries
    for name, data in cache.items():
        if name.startswith("runs/"):
            assert parse_yaml(data.decode()) == parse_yaml(twin_cache[name].decode())
        else:
            assert data == twin_cache[name], name
    lock = (repo / "dvc.lock").read_text()
    assert "path: metrics.json" in lock and "path: plots.csv" in lock
    assert_dvc_agrees_nothing_to_do(repo)
    assert all(c.up_to_date for c in check_all(repo).values())


def test_deleted_outputs_are_restored_from_the_lock(repo: Path) -> None:
    run_pipeline(repo)
    before = {p: (repo / p).read_bytes() for p in ("model.pkl", "metrics.json")}
    before_dir = files_under(repo / "outputs")
    shutil.rmtree(repo / "outputs")
    (repo / "model.pkl").unlink()
    (repo / "metrics.json").write_text("tampered")

    checks = check_all(repo)
    assert checks["prepare"].source == "lock"
    assert checks["prepare"].reasons == ("output outputs/prepare/data is missing",)
    # the scheduler checks train again once prepare's outputs are back
    assert checks["train"].reasons == ("dependency outputs/prepare/data is missing",)

    restored = run_pipeline(repo)
    assert [c.state for c in restored.values()] == ["restorable", "restorable"]
    assert files_under(repo / "outputs") == before_dir
    assert {p: (repo / p).read_bytes() for p in before} == before
    assert all(c.up_to_date for c in check_all(repo).values())
    assert_dvc_agrees_nothing_to_do(repo)


def test_without_dvc_lock_the_run_cache_restores_for_both_tools(repo: Path) -> None:
    run_pipeline(repo)
    lock_text = (repo / "dvc.lock").read_bytes()
    model = (repo / "model.pkl").read_bytes()

    (repo / "dvc.lock").unlink()
    (repo / "model.pkl").unlink()
    checks = check_all(repo)
    assert [(c.state, c.source) for c in checks.values()] == [("restorable", "run-cache")] * 2
    run_pipeline(repo)
    assert (repo / "model.pkl").read_bytes() == model
    assert (repo / "dvc.lock").read_bytes() == lock_text

    # DVC itself restores from the entries pipeyard wrote
    (repo / "dvc.lock").unlink()
    shutil.rmtree(repo / "outputs")
    (repo / "model.pkl").unlink()
    out = dvc(repo, "repro")
    assert "Stage 'prepare' is cached - skipping run" in out
    assert "Stage 'train' is cached - skipping run" in out
    assert "Running stage" not in out
    assert (repo / "model.pkl").read_bytes() == model


def test_entries_written_by_dvc_are_used_by_pipeyard(repo: Path) -> None:
    dvc(repo, "repro")
    model = (repo / "model.pkl").read_bytes()
    assert all(c.up_to_date for c in check_all(repo).values())
    (repo / "dvc.lock").unlink()
    (repo / "model.pkl").unlink()
    checks = run_pipeline(repo)
    assert [c.source for c in checks.values()] == ["run-cache", "run-cache"]
    assert (repo / "model.pkl").read_bytes() == model
    assert_dvc_agrees_nothing_to_do(repo)


def test_changes_are_reported_and_dvc_sees_them_too(repo: Path) -> None:
    run_pipeline(repo)
    params = copy.deepcopy(PARAMS)
    params["train"]["opt"]["beta"] = 0.99
    (repo / "params.yaml").write_text((repo / "params.yaml").read_text().replace("beta: 0.9", "beta: 0.99"))
    with open(repo / "src" / "train.py", "a") as fobj:
        fobj.write("# tuned\n")

    checks = check_all(repo, params)
    assert checks["prepare"].up_to_date
    assert checks["train"].stale
    assert checks["train"].reasons == (
        "params train.opt.beta changed: 0.9 -> 0.99",
        "code src/train.py changed",
    )
    status = dvc(repo, "status")
    assert "train:" in status and "prepare:" not in status

    run_pipeline(repo, params)
    assert_dvc_agrees_nothing_to_do(repo)


def test_a_missing_dependency_is_a_reason(repo: Path) -> None:
    (repo / "data" / "raw.csv").unlink()
    checks = check_all(repo)
    assert checks["prepare"].reasons == (
        "new step (not in dvc.lock)",
        "dependency data/raw.csv is missing",
    )


def test_always_changed_steps_always_run(repo: Path) -> None:
    from dataclasses import replace

    stage = replace(STAGES[0], always_changed=True)
    with Workspace(repo) as ws:
        assert ws.check(stage, PARAMS).reasons == ("always runs (not deterministic)",)


def test_a_folder_without_dvc_is_a_repository_error(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    with pytest.raises(RepositoryError) as info:
        Workspace(tmp_path)
    assert "pipeyard init" in str(info.value)
