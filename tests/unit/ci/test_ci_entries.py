"""Rebuilding lock entries from the run-cache without checking out upstream outputs."""

from __future__ import annotations

from pipeyard.cache import PathHash, lock_entry, run_cache_key
from pipeyard.ci.remote import ancestors, resolve_entries
from pipeyard.model import Stage, StageOutput

CODE = PathHash("c0de", 10)


def _stage(name, upstream=()):
    return Stage(
        name=name,
        commands=(f"run {name}",),
        deps=("src", *(f"out/{u}" for u in upstream)),
        params=(f"{name}.lr",),
        outs=(StageOutput(f"out/{name}"),),
        upstream=tuple(upstream),
    )


STAGES = (_stage("a"), _stage("b", ["a"]), _stage("c", ["b"]))
PARAMS = {"a": {"lr": 1}, "b": {"lr": 2}, "c": {"lr": 3}}


def _entry(stage, upstream_md5):
    deps = {"src": CODE, **{f"out/{u}": PathHash(upstream_md5[u], 1, 1) for u in stage.upstream}}
    outs = {f"out/{stage.name}": PathHash(f"{stage.name}-md5.dir", 1, 1)}
    return lock_entry(stage.cmd, deps, {f"{stage.name}.lr": PARAMS[stage.name]["lr"]}, outs)


def _cache(*entries):
    by_key = {run_cache_key(e): e for e in entries}
    return lambda probe: iter([by_key[run_cache_key(probe)]] if run_cache_key(probe) in by_key else [])


def _hash(path):
    return CODE if path == "src" else None  # upstream outputs are not checked out


def test_entries_chain_through_upstream_hashes():
    md5 = {"a": "a-md5.dir", "b": "b-md5.dir"}
    cached = [_entry(s, md5) for s in STAGES]
    found = resolve_entries(STAGES, PARAMS, ["a", "b", "c"], _hash, _cache(*cached))
    assert found == dict(zip(["a", "b", "c"], cached, strict=True))


def test_a_step_below_a_missing_entry_has_none():
    md5 = {"a": "a-md5.dir", "b": "b-md5.dir"}
    cached = [_entry(STAGES[0], md5), _entry(STAGES[2], md5)]  # b never ran
    assert list(resolve_entries(STAGES, PARAMS, ["a", "b", "c"], _hash, _cache(*cached))) == ["a"]


def test_changed_params_miss_the_cache():
    cached = [_entry(STAGES[0], {})]
    assert resolve_entries(STAGES, {**PARAMS, "a": {"lr": 9}}, ["a"], _hash, _cache(*cached)) == {}


def test_ancestors_are_every_step_above_in_pipeline_order():
    assert ancestors(STAGES, ["c"]) == ["a", "b"]
    assert ancestors(STAGES, ["b", "c"]) == ["a"]
    assert ancestors(STAGES, ["a"]) == []
