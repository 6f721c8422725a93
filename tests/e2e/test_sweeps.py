"""`pipeyard run -m`: sweeps on a real git + DVC project, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from projects import Project, diamond_project, new_project

pytestmark = pytest.mark.slow

# a step that appends its message to what it read, logs when it ran, and can be told to fail
STEP_SCRIPT = """
import argparse, json, os, time
parser = argparse.ArgumentParser()
parser.add_argument("--message")
parser.add_argument("--out")
parser.add_argument("--source", action="append", default=[])
parser.add_argument("--metrics")
args = parser.parse_args()
start = time.time()
time.sleep(float(os.environ.get("SWEEP_TEST_SLEEP", "0")))
texts = [open(os.path.join(s, "data.txt")).read() for s in args.source]
text = "|".join(texts + [args.message])
if args.metrics:
    left, right = texts
    with open(args.metrics, "w") as handle:
        json.dump({"score": ord(left[-1]) + ord(right[-1]) / 1000, "length": len(text)}, handle)
else:
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "data.txt"), "w") as handle:
        handle.write(text)
if os.environ.get("SWEEP_TEST_TIMES"):
    with open(os.environ["SWEEP_TEST_TIMES"], "a") as handle:
        handle.write(f"{start} {time.time()}\\n")
if os.environ.get("SWEEP_TEST_FAIL") == args.message:
    raise SystemExit("asked to fail")
"""

STEP_COMPONENT = """
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: step
version: "1"
inputs:
  source:
    type: uri_folder
    optional: true
  message:
    type: string
    default: hello
outputs:
  out:
    type: uri_folder
code: ./src
command: >-
  python step.py --message ${{inputs.message}} --out ${{outputs.out}}
  $[[--source ${{inputs.source}}]]
"""

SCORE_COMPONENT = """
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: score
version: "1"
inputs:
  left:
    type: uri_folder
  right:
    type: uri_folder
outputs:
  metrics:
    type: uri_file
    dvc: metrics
code: ./src
command: >-
  python step.py --message score --source ${{inputs.left}} --source ${{inputs.right}}
  --metrics ${{outputs.metrics}}
"""

PIPELINE = """
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
display_name: scored_diamond
outputs:
  report:
    type: uri_file
    path: ./metrics/score.json
settings:
  default_compute: local
jobs:
  prepare:
    type: command
    component: ./components/step.yml
    inputs:
      message: prep
  left:
    type: command
    component: ./components/step.yml
    inputs:
      source: ${{parent.jobs.prepare.outputs.out}}
      message: left
  right:
    type: command
    component: ./components/step.yml
    inputs:
      source: ${{parent.jobs.prepare.outputs.out}}
      message: right
  score:
    type: command
    component: ./components/score.yml
    inputs:
      left: ${{parent.jobs.left.outputs.out}}
      right: ${{parent.jobs.right.outputs.out}}
    outputs:
      metrics: ${{parent.outputs.report}}
"""


def scored_project(root: Path) -> Project:
    """prepare -> {left, right} -> score (writes metrics/score.json)."""
    project = new_project(root)
    project.write("components/step.yml", STEP_COMPONENT)
    project.write("components/score.yml", SCORE_COMPONENT)
    project.write("components/src/step.py", STEP_SCRIPT)
    project.write("pipeline.yml", PIPELINE)
    project.commit_all("scored diamond")
    return project


def sweep_json(project: Project, *args: str, expect: int = 0) -> dict:
    result = project.pipeyard("run", "-m", "--json", *args)
    assert result.returncode == expect, result.stdout + result.stderr
    return json.loads(result.stdout)


def ran_count(points: list[dict]) -> dict[str, int]:
    """Step -> how many times it ran over all points."""
    counts: dict[str, int] = {}
    for point in points:
        for name, step in point["run"]["steps"].items():
            counts[name] = counts.get(name, 0) + (step["status"] == "ran")
    return counts


def test_sweep_shares_steps_ranks_points_and_records_experiments(tmp_path):
    project = scored_project(tmp_path / "p")
    result = sweep_json(project, "left.message=a,b,c", "right.message=x,y", "--sort-by", "score")

    points = result["points"]
    assert len(points) == 6
    assert {p["status"] for p in points} == {"succeeded"}
    # each distinct step ran once: prepare for all, left per a/b/c, right per x/y, score per point
    assert ran_count(points) == {"prepare": 1, "left": 3, "right": 2, "score": 6}
    scores = [p["metrics"]["score"] for p in points]
    assert scores == sorted(scores, reverse=True)
    assert points[0]["swept"] == {"left.message": "c", "right.message": "y"}

    # every point is a DVC experiment on top of HEAD, with its params and metrics
    shown = project.dvc("exp", "show", "--json")
    assert shown.returncode == 0, shown.stderr
    experiments = {}
    for entry in json.loads(shown.stdout):
        for exp_range in entry.get("experiments") or ():
            for revision in exp_range["revs"]:
                experiments[revision["name"]] = revision["data"]
    assert sorted(experiments) == sorted(p["experiment"] for p in points)
    for point in points:
        data = experiments[point["experiment"]]
        assert data["params"]["params.yaml"]["data"]["left"]["message"] == point["swept"]["left.message"]
        assert data["metrics"]["metrics/score.json"]["data"]["score"] == point["metrics"]["score"]

    # records are in the main repository; the worktrees are gone; the workspace is untouched
    runs = project.pipeyard("runs", "--json", "-n", "20", check=True)
    recorded = {tuple(r["overrides"]) for r in json.loads(runs.stdout)}
    assert recorded == {tuple(p["overrides"]) for p in points}
    assert project.git("worktree", "list").strip().count("\n") == 0
    assert not (project.root / "metrics" / "score.json").exists()


def test_sweep_stays_within_capacity_and_runs_uncommitted_changes(tmp_path, monkeypatch):
    times = tmp_path / "times.log"
    monkeypatch.setenv("SWEEP_TEST_TIMES", str(times))
    monkeypatch.setenv("SWEEP_TEST_SLEEP", "0.2")
    project = scored_project(tmp_path / "p")
    pipeline = project.root / "pipeline.yml"
    pipeline.write_text(pipeline.read_text().replace("message: prep", "message: prepared"))

    result = sweep_json(project, "left.message=a,b", "--cpus", "1")

    assert [p["status"] for p in result["points"]] == ["succeeded"] * 2
    # "prepared|a|prepared|right|score": the uncommitted pipeline ran
    assert [p["metrics"]["length"] for p in result["points"]] == [len("prepared|a|prepared|right|score")] * 2
    spans = sorted(tuple(map(float, line.split())) for line in times.read_text().splitlines())
    assert len(spans) == 6  # prepare, right once; left and score per point
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start >= end  # one CPU: no two steps at once, across points too


def test_failed_point_keeps_its_worktree_and_exits_1(tmp_path, monkeypatch):
    monkeypatch.setenv("SWEEP_TEST_FAIL", "b")
    project = scored_project(tmp_path / "p")
    result = project.pipeyard("run", "-m", "-k", "left.message=a,b", "--sort-by", "-score")
    assert result.returncode == 1, result.stderr

    rows = [line.split() for line in result.stdout.strip().splitlines()]
    assert rows[0] == ["point", "left.message", "length", "score", "status"]
    assert rows[1][1:] == ["a", "23", "97.116", "succeeded"]
    assert rows[2][1:] == ["b", "-", "-", "failed"]  # no metrics: last
    workspace = project.root / ".pipeyard" / "sweeps"
    kept = [p for p in workspace.glob("*/point-*") if p.is_dir()]
    assert [p.name for p in kept] == ["point-2"]
    assert f"its workspace is kept in {kept[0]}" in result.stderr
    assert "asked to fail" in result.stderr
    assert len(project.git("for-each-ref", "refs/exps").strip().splitlines()) == 1


@pytest.fixture(scope="module")
def diamond(tmp_path_factory) -> Project:
    return diamond_project(tmp_path_factory.mktemp("sweeps") / "p")


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("left.message=interval(0,1)", "continuous interval"),
        ("lefty.message=a,b", "did you mean 'left'"),
        ("left.message=[a,b", "is not closed"),
    ],
)
def test_bad_sweeps_are_user_errors(diamond, override, message):
    result = diamond.pipeyard("run", "-m", override)
    assert result.returncode == 2
    assert message in result.stderr
    assert not (diamond.root / ".pipeyard" / "sweeps").exists()
