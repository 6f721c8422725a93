"""End-to-end: `pipeyard log`, `show`, `diff` and `report` on real repositories with history."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from projects import Project, _env, diamond_project, new_project

pytestmark = pytest.mark.slow

_CLI = "import sys; from pipeyard.cli.main import main; sys.exit(main(sys.argv[1:]))"


def cli(project: Project, *args: str) -> subprocess.CompletedProcess:
    """Run `pipeyard ARGS` in the project and assert it succeeded."""
    result = subprocess.run(
        [sys.executable, "-c", _CLI, *args],
        cwd=project.root,
        capture_output=True,
        text=True,
        env=_env(),
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


def two_versions(project: Project) -> tuple[dict, dict]:
    """Run and commit the diamond, then again with left's message changed; the two run results."""
    first = project.run_json()
    project.commit_all("first run")
    pipeline = project.root / "pipeline.yml"
    pipeline.write_text(pipeline.read_text().replace("message: left", "message: LEFT"))
    second = project.run_json()
    project.commit_all("left shouts")
    return first, second


@pytest.fixture(scope="module")
def diamond(tmp_path_factory) -> tuple[Project, dict, dict]:
    """A diamond project run at two commits (made once: the tests below only read it)."""
    project = diamond_project(tmp_path_factory.mktemp("history") / "p")
    return (project, *two_versions(project))


def test_log_shows_the_runs_of_each_commit_in_a_clone_after_push_and_fetch(diamond, tmp_path):
    project, first, second = diamond
    subprocess.run(["git", "init", "-q", "--bare", "-b", "main", str(tmp_path / "remote.git")], check=True)
    project.git("remote", "add", "origin", str(tmp_path / "remote.git"))
    project.git("push", "-q", "origin", "main", "refs/notes/pipeyard")

    clone = Project(tmp_path / "clone")
    subprocess.run(
        ["git", "clone", "-q", str(tmp_path / "remote.git"), str(clone.root)], check=True, env=_env()
    )
    clone.git(
        "config", "--add", "remote.origin.fetch", "+refs/notes/pipeyard:refs/notes/remotes/origin/pipeyard"
    )
    clone.git("fetch", "-q", "origin")

    log = json.loads(cli(clone, "log", "--json").stdout)
    assert [c["subject"] for c in log] == ["left shouts", "first run", "diamond pipeline"]
    runs_by_subject = {c["subject"]: [r["run_id"] for r in c["runs"]] for c in log}
    assert runs_by_subject["diamond pipeline"] == [first["run_id"]]
    assert runs_by_subject["first run"] == [second["run_id"]]  # ran on it, before committing
    rerun = log[1]["runs"][0]
    assert rerun["dirty"] and rerun["in_git"]
    assert rerun["counts"] == {"cached": 2, "ran": 2}
    assert any(line.startswith("left: ") and "left.message changed" in line for line in rerun["steps_rerun"])
    assert rerun["params_changed"] == ["left.message: left -> LEFT"]

    text = cli(clone, "log", "-n", "2").stdout
    assert second["run_id"] in text and "re-ran: left:" in text


def test_diff_names_the_steps_that_rerun_and_why(diamond):
    project = diamond[0]

    steps = json.loads(cli(project, "diff", "HEAD~1", "HEAD", "--format", "json").stdout)["steps"]
    assert steps["prepare"] == {"state": "reused", "reasons": []}
    assert steps["right"]["state"] == "reused"
    assert "params left.message changed: left -> LEFT" in steps["left"]["reasons"]
    assert steps["join"]["reasons"] == ["dependency outputs/left/out changed"]

    script = project.root / "components/src/echo.py"
    original = script.read_text()
    script.write_text(original + "\n# a comment\n")
    try:
        workspace = json.loads(cli(project, "diff", "HEAD", "--format", "json").stdout)
    finally:
        script.write_text(original)
    assert workspace["b"]["label"] == "workspace"
    assert {s["state"] for s in workspace["steps"].values()} == {"re-runs"}
    assert workspace["steps"]["prepare"]["reasons"] == ["code components/src/echo.py changed"]

    text = cli(project, "diff", "HEAD~1", "HEAD").stdout
    assert "left.message: left -> LEFT" in text
    markdown = cli(project, "diff", "HEAD~1", "--format", "markdown").stdout
    assert "### Steps" in markdown and "| `left` | re-runs |" in markdown


def test_show_a_run_by_id_prefix_and_the_runs_of_a_revision(diamond):
    project, first, second = diamond
    details = json.loads(cli(project, "show", second["run_id"][:-2], "--json").stdout)
    assert details["run_id"] == second["run_id"]
    assert details["steps"]["left"]["status"] == "ran"
    assert details["params"]["left"]["message"] == "LEFT"
    revision = json.loads(cli(project, "show", "HEAD~2", "--json").stdout)
    assert [r["run_id"] for r in revision["runs"]] == [first["run_id"]]
    assert "left" in cli(project, "show", first["run_id"]).stdout
    missing = subprocess.run(
        [sys.executable, "-c", _CLI, "show", "nothing-like-this"],
        cwd=project.root,
        capture_output=True,
        text=True,
        env=_env(),
    )
    assert missing.returncode == 2 and "neither a run id nor a revision" in missing.stderr


TRAIN = """
type: command
name: train
inputs:
  lr: {type: number, default: 0.1}
outputs:
  metrics: {type: uri_file, dvc: metrics}
  curve: {type: uri_file, dvc: plots}
code: ./src
command: python train.py ${{inputs.lr}} ${{outputs.metrics}} ${{outputs.curve}}
"""

TRAIN_SCRIPT = """
import json, sys
lr, metrics, curve = float(sys.argv[1]), sys.argv[2], sys.argv[3]
json.dump({"accuracy": round(1 - lr, 4)}, open(metrics, "w"))
open(curve, "w").write("epoch,loss\\n" + "".join(f"{e},{round(lr / e, 4)}\\n" for e in (1, 2, 3)))
"""

TRAIN_PIPELINE = """
type: pipeline
jobs:
  train:
    type: command
    component: ./components/train.yml
    inputs: {{lr: {lr}}}
    outputs:
      metrics: {{path: ./results/metrics.json}}
      curve: {{path: ./results/curve.csv}}
"""


def test_report_against_a_base_has_steps_params_metrics_and_plots(tmp_path):
    project = new_project(tmp_path / "p")
    project.write("components/train.yml", TRAIN)
    project.write("components/src/train.py", TRAIN_SCRIPT)
    project.write("pipeline.yml", TRAIN_PIPELINE.format(lr=0.1))
    project.run_json()
    project.commit_all("baseline")
    project.write("pipeline.yml", TRAIN_PIPELINE.format(lr=0.5))
    run = project.run_json()

    markdown = cli(project, "report", "--base", "HEAD").stdout
    for section in (
        "## pipeyard report: `workspace` vs",
        "### Steps",
        "### Parameters",
        "### Metrics",
        "### Plots",
    ):
        assert section in markdown
    assert f"Latest run `{run['run_id']}`" in markdown
    assert "| `train` | re-runs | ran | command changed; params train.lr changed: 0.1 -> 0.5 |" in markdown
    assert "| `results/metrics.json` | `accuracy` | 0.9 | 0.5 | -0.4 |" in markdown
    assert "```mermaid\nxychart-beta" in markdown and "line [0.1, 0.05, 0.0333]" in markdown

    cli(project, "report", "--base", "HEAD", "--format", "json", "-o", "out/report.json")
    data = json.loads((project.root / "out/report.json").read_text())
    assert data["steps"]["train"]["state"] == "re-runs"
    assert data["latest_run"]["run_id"] == run["run_id"]
    assert data["plots"][0]["file"] == "results/curve.csv"
