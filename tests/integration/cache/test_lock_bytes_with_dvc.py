"""pipeyard writes dvc.lock byte for byte as DVC does: `dvc commit -f` on the same workspace
rewrites every stage's entry and must leave the file exactly as pipeyard wrote it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from cache_dvc_repo import dvc

from pipeyard.model import Stage, StageOutput
from pipeyard.yamlio import parse_yaml

pytestmark = pytest.mark.slow

LONG = "python -c \"import sys; open(sys.argv[1], 'w').write('x' * 10)\" " + "out/long.txt " + "# " + "z" * 70

# params.yaml as a person writes it: YAML 1.2 values that YAML 1.1 would read otherwise
PARAMS_TEXT = """\
train:
  flag: yes
  switch: on
  other: no
  nothing: null
  big: 1e5
  mode: '0o17'
  octal: 0o17
  ratio: 0.001
  tiny: 1.0e-05
  when: '2024-01-01'
  name: "café ☕ naïve"
  words: [alpha, 'beta: gamma', "it's", '#hash', '- dash', '']
  nested:
    deeper:
      deepest: {a: 1, b: [true, false, ~]}
      list_of_maps: [{k: v}, {k: 'yes'}]
  long_text: "a very long parameter value that is well over eighty columns wide so that ruamel has to fold it"
prepare:
  seed: 7
  tag: on
"""


def _stage(name: str, commands: tuple[str, ...], deps=(), params=(), outs=()) -> Stage:
    return Stage(
        name=name,
        commands=commands,
        deps=tuple(deps),
        params=tuple(params),
        outs=tuple(StageOutput(p, is_dir=p.endswith("dir")) for p in outs),
    )


CORPUS = {
    "long commands": (
        _stage("long", (LONG,), deps=["data/raw.csv"], outs=["out/long.txt"]),
        _stage(
            "multi",
            (
                "echo 'one: two' > out/m1.txt",
                'echo "it\'s # not a comment" > out/m2.txt && ' + "true " * 25,
                "echo yes > out/m3.txt",
            ),
            deps=["out/long.txt"],
            outs=["out/m1.txt", "out/m2.txt", "out/m3.txt"],
        ),
    ),
    "awkward params": (
        _stage(
            "train",
            ("echo trained > out/model.txt",),
            deps=["data/raw.csv"],
            params=["train"],
            outs=["out/model.txt"],
        ),
        _stage(
            "prep",
            ("echo prep > out/prep.txt",),
            params=["prepare.seed", "prepare.tag"],
            outs=["out/prep.txt"],
        ),
    ),
    "unicode": (
        _stage(
            "unicode", ("echo 'café ☕ — naïve' > out/ünï.txt",), deps=["data/raw.csv"], outs=["out/ünï.txt"]
        ),
    ),
    "many deps and outs": (
        _stage(
            "fan",
            (
                "mkdir -p out/adir && "
                + " && ".join(f"echo {i} > out/f{i}.txt" for i in range(12))
                + " && echo d > out/adir/x",
            ),
            deps=["data/raw.csv", "data/b.csv", "data/c.csv", "src"],
            outs=[*(f"out/f{i}.txt" for i in range(12)), "out/adir"],
        ),
    ),
}


def _write_pipeline(root: Path, stages: tuple[Stage, ...]) -> None:
    import yaml

    body = {}
    for stage in stages:
        entry: dict = {"cmd": stage.cmd}
        if stage.deps:
            entry["deps"] = list(stage.deps)
        if stage.params:
            entry["params"] = list(stage.params)
        entry["outs"] = [o.path for o in stage.outs]
        body[stage.name] = entry
    (root / "dvc.yaml").write_text(yaml.safe_dump({"stages": body}, sort_keys=False, allow_unicode=True))


@pytest.mark.parametrize("name", list(CORPUS))
def test_dvc_commit_rewrites_pipeyards_dvc_lock_to_the_same_bytes(
    name: str, tmp_path: Path, empty_dvc_repo: Path
):
    from cache_dvc_repo import run_pipeline

    root = shutil.copytree(empty_dvc_repo, tmp_path / "repo", symlinks=True)
    (root / "data").mkdir()
    for csv in ("raw", "b", "c"):
        (root / "data" / f"{csv}.csv").write_text(f"{csv}\n")
    (root / "src").mkdir()
    (root / "src" / "a.py").write_text("print(1)\n")
    (root / "out").mkdir()
    (root / "params.yaml").write_text(PARAMS_TEXT, encoding="utf-8")
    stages = CORPUS[name]
    _write_pipeline(root, stages)
    params = parse_yaml(PARAMS_TEXT)

    run_pipeline(root, params, stages)
    ours = (root / "dvc.lock").read_bytes()
    dvc(root, "commit", "-f")
    theirs = (root / "dvc.lock").read_bytes()
    assert ours.decode() == theirs.decode()
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, capture_output=True)
    assert "Data and pipelines are up to date." in dvc(root, "status")


def test_the_corpus_covers_what_ruamel_folds_and_quotes(tmp_path: Path, empty_dvc_repo: Path):
    """The corpus above really holds folded lines and YAML 1.2 plain `yes`/`on` (so the
    byte comparison is not vacuous)."""
    from cache_dvc_repo import run_pipeline

    root = shutil.copytree(empty_dvc_repo, tmp_path / "repo", symlinks=True)
    (root / "data").mkdir()
    (root / "data" / "raw.csv").write_text("raw\n")
    (root / "out").mkdir()
    (root / "params.yaml").write_text(PARAMS_TEXT, encoding="utf-8")
    stages = (*CORPUS["long commands"], CORPUS["awkward params"][0])
    _write_pipeline(root, stages)
    run_pipeline(root, parse_yaml(PARAMS_TEXT), stages)
    text = (root / "dvc.lock").read_text(encoding="utf-8")
    assert "      flag: yes\n" in text and "      switch: on\n" in text
    assert "      big: 100000.0\n" in text and "      mode: '0o17'\n" in text
    continued = [line for line in text.splitlines() if line.startswith("      ") and ":" not in line]
    assert continued, "a long command is folded onto a continuation line"
