"""An override, then a commit: git, DVC, the hooks and pipeyard all agree on that commit.

docs/parameters.md is the design these tests hold pipeyard to: overrides are recorded in
params.yaml and kept by later runs; values set there from outside (an editor, `dvc exp run
-S`) are kept as overrides; `--reset-params` returns to conf/.
"""

from __future__ import annotations

import json

import pytest
import yaml
from projects import Project, new_project

pytestmark = pytest.mark.slow

TRAIN_COMPONENT = """
type: command
name: train
inputs:
  model:
    type: string
    default: linear
  lr:
    type: number
    default: 0.1
outputs:
  out:
    type: uri_folder
code: ./src
command: >-
  python train.py --model ${{inputs.model}} --lr ${{inputs.lr}} --out ${{outputs.out}}
"""

TRAIN_SCRIPT = """
import argparse, os
parser = argparse.ArgumentParser()
parser.add_argument("--model")
parser.add_argument("--lr")
parser.add_argument("--out")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "model.txt"), "w") as handle:
    handle.write(f"{args.model} {args.lr}")
"""

PIPELINE = """
type: pipeline
jobs:
  train:
    type: command
    component: ./components/train.yml
  report:
    type: command
    component: ./components/train.yml
    inputs:
      model: report
"""


def _project(tmp_path) -> Project:
    project = new_project(tmp_path / "p")
    project.write("components/train.yml", TRAIN_COMPONENT)
    project.write("components/src/train.py", TRAIN_SCRIPT)
    project.write("pipeline.yml", PIPELINE)
    project.write("conf/train/random_forest.yaml", "model: random_forest\nlr: 0.05\n")
    project.run_json()
    project.commit_all("pipeline")
    return project


def _ran(result: dict) -> list[str]:
    return sorted(name for name, step in result["steps"].items() if step["status"] == "ran")


def _params(project: Project) -> dict:
    return yaml.safe_load((project.root / "params.yaml").read_text())


def _assert_consistent(project: Project) -> None:
    """The commit agrees with itself: hooks pass, dvc and pipeyard see nothing to do."""
    assert project.git("status", "--porcelain") == ""
    check = project.pipeyard("compile", "--check")
    assert check.returncode == 0, check.stdout + check.stderr
    status = json.loads(project.pipeyard("status", "--json", check=True).stdout)
    assert {s["action"] for s in status["steps"].values()} == {"skip"}
    dvc_status = project.dvc("status")
    assert dvc_status.returncode == 0 and "up to date" in dvc_status.stdout, dvc_status.stdout
    again = project.pipeyard("run", "--rev", "HEAD", "--json")
    assert again.returncode == 0, again.stdout + again.stderr
    reproduced = json.loads(again.stdout)
    assert _ran(reproduced) == []
    assert reproduced["verification"]["ok"] is True, reproduced["verification"]


def test_a_commit_after_an_override_agrees_with_every_tool(tmp_path):
    project = _project(tmp_path)
    assert _ran(project.run_json("train=random_forest")) == ["train"]
    runs = json.loads(project.pipeyard("runs", "--json", check=True).stdout)
    assert runs[0]["overrides"] == ["train=random_forest"]
    assert runs[0]["dirty"] is False  # pipeyard's own writes do not count
    project.git("commit", "-q", "-a", "-m", "random forest")
    _assert_consistent(project)

    # a plain run keeps the override: nothing runs, nothing reverts
    result = project.pipeyard("run", "--json")
    assert result.returncode == 0, result.stderr
    assert _ran(json.loads(result.stdout)) == []
    assert "train=random_forest" in result.stderr  # it says which recorded overrides apply
    assert _params(project)["train"]["model"] == "random_forest"
    assert project.git("status", "--porcelain") == ""


def test_a_new_override_adds_to_the_recorded_ones_and_reset_returns_to_conf(tmp_path):
    project = _project(tmp_path)
    project.run_json("train=random_forest")
    assert _ran(project.run_json("train.lr=0.2")) == ["train"]
    assert _params(project)["train"] == {"model": "random_forest", "lr": 0.2}
    assert _params(project)["pipeyard"]["overrides"] == ["train=random_forest", "train.lr=0.2"]

    reset = project.pipeyard("run", "--reset-params", "--json")
    assert reset.returncode == 0, reset.stderr
    assert "dropped the recorded overrides" in reset.stderr
    assert _params(project)["train"] == {"model": "linear", "lr": 0.1}
    assert "overrides" not in _params(project)["pipeyard"]


def test_values_set_with_dvc_exp_run_are_kept_by_the_next_run(tmp_path):
    project = _project(tmp_path)
    exp = project.dvc("exp", "run", "-S", "train.lr=0.3")
    assert exp.returncode == 0, exp.stdout + exp.stderr
    assert _params(project)["train"]["lr"] == 0.3

    result = project.pipeyard("run", "--json")
    assert result.returncode == 0, result.stderr
    assert _ran(json.loads(result.stdout)) == []  # DVC already ran it with 0.3
    assert "changed outside pipeyard" in result.stderr and "train.lr=0.3" in result.stderr
    assert _params(project)["train"]["lr"] == 0.3
    project.git("commit", "-q", "-a", "-m", "lr from an experiment")
    _assert_consistent(project)


def test_a_hand_edit_of_params_yaml_is_kept_and_the_hook_names_the_command(tmp_path):
    project = _project(tmp_path)
    params = _params(project)
    params["report"]["lr"] = 0.7
    (project.root / "params.yaml").write_text(yaml.safe_dump(params, sort_keys=False))

    check = project.pipeyard("compile", "--check")
    assert check.returncode == 1
    assert "pipeyard run" in check.stderr  # the one command that makes the commit consistent

    assert _ran(project.run_json()) == ["report"]
    assert _params(project)["report"]["lr"] == 0.7
    project.git("commit", "-q", "-a", "-m", "report lr by hand")
    _assert_consistent(project)
