"""A real git + DVC repository with a two-step pipeline, run through pipeyard's Workspace.

The module name is unique across the test tree because pytest imports test folders flat.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import yaml

from pipeyard.cache import Workspace
from pipeyard.model import OutputRole, Stage, StageOutput
from pipeyard.vcs.dvc import dvc_command

PARAMS = {
    "prepare": {"seed": 1, "size": 3},
    "train": {"lr": 0.1, "opt": {"name": "adam", "beta": 0.9}, "tag": "yes", "eps": 1e-05},
}

STAGES = (
    Stage(
        name="prepare",
        commands=(
            (
                "mkdir -p outputs/prepare/data/sub && cp data/raw.csv outputs/prepare/data/x.csv"
                " && echo hi > outputs/prepare/data/sub/y.txt"
            ),
        ),
        deps=("data/raw.csv",),
        params=("prepare",),
        outs=(StageOutput("outputs/prepare/data"),),
    ),
    Stage(
        name="train",
        commands=(
            "python src/train.py",
            "echo 'x,y' > plots.csv",
        ),
        deps=("outputs/prepare/data", "src/train.py"),
        params=("train",),
        outs=(
            StageOutput("model.pkl", is_dir=False),
            StageOutput("metrics.json", OutputRole.METRICS, is_dir=False),
            StageOutput("plots.csv", OutputRole.PLOTS, is_dir=False),
        ),
        code_deps=("src/train.py",),
    ),
)

TRAIN_PY = """
import json, pathlib
data = pathlib.Path("outputs/prepare/data/x.csv").read_bytes()
pathlib.Path("model.pkl").write_bytes(data * 3)
pathlib.Path("metrics.json").write_text(json.dumps({"acc": 0.9}))
"""


def dvc_yaml(stages=STAGES) -> dict:
    """The dvc.yaml that the compile layer would write for stages."""
    result = {}
    for stage in stages:
        body: dict = {"cmd": stage.cmd, "deps": list(stage.deps), "params": list(stage.params)}
        for role in OutputRole:
            paths = [o.path for o in stage.outs if o.role is role]
            if paths:
                body[role.value] = paths
        result[stage.name] = body
    return {"stages": result}


def dvc(root: Path, *args: str) -> str:
    """Run the real dvc CLI in root; its combined output."""
    done = subprocess.run(dvc_command(*args), cwd=root, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def make_repo(root: Path, params: dict = PARAMS, template: Path | None = None) -> Path:
    """A git + DVC repository at root (copied from template, an empty one, when given)."""
    if template is not None:
        shutil.copytree(template, root, symlinks=True)
    else:
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "init", "-q"], cwd=root, check=True)
        dvc(root, "init", "-q")
    (root / "data").mkdir()
    (root / "data" / "raw.csv").write_text("a,b\n1,2\n")
    (root / "src").mkdir()
    (root / "src" / "train.py").write_text(TRAIN_PY)
    (root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))
    (root / "dvc.yaml").write_text(yaml.safe_dump(dvc_yaml(), sort_keys=False))
    return root


def run_pipeline(root: Path, params: dict = PARAMS, stages=STAGES) -> dict:
    """Run every stage through a Workspace like the scheduler does; {name: StageCheck}."""
    checks = {}
    with Workspace(root) as ws:
        for stage in stages:
            check = ws.check(stage, params)
            checks[stage.name] = check
            if check.restorable:
                ws.restore(stage, check)
            elif check.stale:
                ws.prepare_outputs(stage)
                subprocess.run(stage.shell_command, shell=True, cwd=root, check=True)
                ws.commit(stage, params)
        ws.flush_lock([s.name for s in stages])
    return checks


def check_all(root: Path, params: dict = PARAMS, stages=STAGES) -> dict:
    with Workspace(root) as ws:
        return {s.name: ws.check(s, params) for s in stages}


def assert_dvc_agrees_nothing_to_do(root: Path) -> None:
    assert "Data and pipelines are up to date." in dvc(root, "status")
    out = dvc(root, "repro")
    assert "Running stage" not in out and "is cached" not in out, out
    for stage in STAGES:
        assert f"Stage '{stage.name}' didn't change, skipping" in out
