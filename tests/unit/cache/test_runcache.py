"""Run-cache keys and values are the ones DVC computes; entries are stored where DVC looks."""

from __future__ import annotations

import copy
import os
from pathlib import Path

import pytest

from pipeyard.cache.runcache import RunCache, can_run_cache, run_cache_key, run_cache_value
from pipeyard.yamlio import parse_yaml

ENTRY = {
    "cmd": ["python train.py", "echo done"],
    "deps": [
        {
            "path": "data",
            "hash": "md5",
            "md5": "aa222eaaa7ad338421c74cfc853c00fd.dir",
            "size": 9,
            "nfiles": 3,
        },
        {
            "path": "train.py",
            "hash": "md5",
            "md5": "dee5c46989f5ec092311188f4fe829c3",
            "size": 9,
            "isexec": True,
        },
    ],
    "params": {"params.yaml": {"train": {"lr": 0.1, "size": 3, "layers": [1, 2]}}},
    "outs": [
        {"path": "model.pkl", "hash": "md5", "md5": "f69f5b72bc79a92dc70c63c9aa142e36", "size": 4},
    ],
}


def dvc_key_and_value(entry: dict) -> tuple[str, str]:
    from dvc.stage.cache import _get_cache_hash

    return (
        _get_cache_hash(copy.deepcopy(entry), key=True),
        _get_cache_hash(copy.deepcopy(entry)),
    )


@pytest.mark.parametrize(
    "entry",
    [
        ENTRY,
        {k: v for k, v in ENTRY.items() if k != "params"},
        {**ENTRY, "cmd": "single command"},
    ],
)
def test_key_and_value_match_dvc(entry: dict) -> None:
    assert (run_cache_key(entry), run_cache_value(entry)) == dvc_key_and_value(entry)


def test_key_ignores_output_hashes_and_value_does_not() -> None:
    other = copy.deepcopy(ENTRY)
    other["outs"][0]["md5"] = "0" * 32
    assert run_cache_key(other) == run_cache_key(ENTRY)
    assert run_cache_value(other) != run_cache_value(ENTRY)


def test_can_run_cache_like_dvc() -> None:
    assert can_run_cache(ENTRY, always_changed=False)
    assert not can_run_cache(ENTRY, always_changed=True)
    assert not can_run_cache({**ENTRY, "outs": []}, always_changed=False)
    params_only = {k: v for k, v in ENTRY.items() if k != "deps"}
    assert can_run_cache(params_only, always_changed=False)
    bare = {k: v for k, v in ENTRY.items() if k not in ("deps", "params")}
    assert not can_run_cache(bare, always_changed=False)


def test_save_writes_dvc_layout_and_lookup_prefers_newest(tmp_path: Path) -> None:
    cache = RunCache(tmp_path)
    path = cache.save(ENTRY)
    key, value = dvc_key_and_value(ENTRY)
    assert path == tmp_path / "runs" / key[:2] / key / value
    assert parse_yaml(path.read_text()) == ENTRY

    newer = copy.deepcopy(ENTRY)
    newer["outs"][0]["md5"] = "1" * 32
    newer_path = cache.save(newer)
    os.utime(path, (1, 1))
    (newer_path.parent / "garbage").write_text(": not [ yaml")
    os.utime(newer_path.parent / "garbage", (0, 0))
    assert [e["outs"][0]["md5"] for e in cache.lookup(ENTRY)] == ["1" * 32, ENTRY["outs"][0]["md5"]]


def test_lookup_of_unknown_key_finds_nothing(tmp_path: Path) -> None:
    assert list(RunCache(tmp_path).lookup(ENTRY)) == []
