"""A compiled pipeline in a real git + DVC repository: DVC accepts, runs and tracks it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeyard.compile import compile_pipeline, write_dvc_files
from pipeyard.config import load_project_config, resolve_parameters
from pipeyard.model import (
    Component,
    DataPath,
    InputPort,
    Job,
    JobOutputRef,
    OutputPort,
    OutputRole,
    Parameter,
    Pipeline,
    PipelineInput,
    PipelineInputRef,
    PortType,
)
from pipeyard.vcs.dvc import dvc_executable

DVC = dvc_executable()
ENV = {
    **os.environ,
    "DVC_NO_ANALYTICS": "1",
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}

pytestmark = pytest.mark.skipif(
    shutil.which(DVC) is None or shutil.which("git") is None, reason="needs git and dvc"
)


def run(root: Path, *args: str) -> str:
    done = subprocess.run(args, cwd=root, env=ENV, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def make_pipeline(environment: str = "env-a") -> Pipeline:
    prep = Component(
        "prep",
        inputs=(InputPort("raw", PortType.URI_FILE),),
        outputs=(OutputPort("data"),),
        parameters=(Parameter("rows", PortType.INTEGER, 2),),
        command="head -n ${{inputs.rows}} ${{inputs.raw}} > ${{outputs.data}}/part.csv",
    )
    train = Component(
        "train",
        inputs=(InputPort("data"),),
        outputs=(
            OutputPort("model", PortType.URI_FILE),
            OutputPort("metrics", PortType.URI_FILE, role=OutputRole.METRICS),
        ),
        parameters=(
            Parameter("lr", PortType.NUMBER, 0.1),
            Parameter("note", PortType.STRING, optional=True),
        ),
        command="sh train.sh ${{inputs.data}} ${{inputs.lr}}"
        " ${{outputs.model}} ${{outputs.metrics}}"
        " $[[${{inputs.note}}]]",
        code=("src",),
        environment=environment,
    )
    report = Component(
        "report",
        inputs=(InputPort("metrics", PortType.URI_FILE),),
        outputs=(OutputPort("summary", PortType.URI_FILE),),
        parameters=(Parameter("title", PortType.STRING, "yes"),),  # read from params.yaml
        command="cp ${{inputs.metrics}} ${{outputs.summary}}",
    )
    return Pipeline(
        "demo",
        jobs=(
            Job("report", report, inputs={"metrics": JobOutputRef("train", "metrics")}),
            Job("prep", prep, inputs={"raw": DataPath("data/raw.csv", PortType.URI_FILE)}),
            Job(
                "train",
                train,
                inputs={"data": JobOutputRef("prep", "data")},
                parameters={"lr": PipelineInputRef("lr")},
            ),
        ),
        inputs=(PipelineInput("lr", PortType.NUMBER, 0.01),),
    )


def compile_into(root: Path, overrides=(), environment="env-a") -> list[str]:
    pipeline = make_pipeline(environment)
    project = load_project_config(root)
    params = resolve_parameters(pipeline, project.conf_dir, overrides)
    compiled = compile_pipeline(pipeline, params, project)
    return write_dvc_files(root, compiled, "pipeline.py")


@pytest.fixture
def repo(tmp_path):
    run(tmp_path, "git", "init", "-q")
    run(tmp_path, DVC, "init", "-q")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "raw.csv").write_text("a\nb\nc\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "train.sh").write_text('wc -l < "$1/part.csv" > "$3"\necho "{\\"lr\\": $2}" > "$4"\n')
    return tmp_path


def test_dvc_accepts_runs_and_tracks_the_pipeline(repo):
    assert compile_into(repo) == [
        "dvc.yaml",
        "outputs/prep/.gitignore",
        "outputs/report/.gitignore",
        "outputs/train/.gitignore",
        "params.yaml",
    ]
    stages = run(repo, DVC, "stage", "list")
    assert [line.split()[0] for line in stages.splitlines()] == ["prep", "train", "report"]
    assert "prep" in run(repo, DVC, "dag")

    run(repo, DVC, "repro", "-q")
    assert (repo / "outputs" / "prep" / "data" / "part.csv").read_text() == "a\nb\n"
    assert (repo / "outputs" / "train" / "model").read_text().strip() == "2"
    assert json.loads((repo / "outputs" / "train" / "metrics").read_text()) == {"lr": 0.01}
    assert json.loads(run(repo, DVC, "status", "--json")) == {}
    run(repo, "git", "add", "-A")
    run(repo, "git", "commit", "-q", "-m", "first run")
    assert run(repo, "git", "status", "--porcelain") == ""  # outputs are git-ignored

    # a pipeline parameter reaches the step bound to it, and only that step goes stale
    # (dvc.yaml refers to the value as ${train.lr}, so only params.yaml changes)
    assert compile_into(repo, ["inputs.lr=0.5"]) == ["params.yaml"]
    diff = json.loads(run(repo, DVC, "params", "diff", "--json"))["params.yaml"]
    assert (diff["train.lr"]["old"], diff["train.lr"]["new"]) == (0.01, 0.5)
    assert "prep.rows" not in diff
    assert set(json.loads(run(repo, DVC, "status", "--json"))) == {"train"}

    run(repo, DVC, "repro", "-q")
    assert json.loads((repo / "outputs" / "train" / "metrics").read_text()) == {"lr": 0.5}

    # a parameter that is not in any command: only params.yaml changes, only its step is stale
    assert compile_into(repo, ["inputs.lr=0.5", "report.title=Results"]) == ["params.yaml"]
    assert set(json.loads(run(repo, DVC, "params", "diff", "--json"))["params.yaml"]) >= {"report.title"}
    assert json.loads(run(repo, DVC, "status", "--json")) == {
        "report": [{"changed deps": {"params.yaml": {"report": "modified"}}}]
    }

    # a new environment string reruns the step that uses it
    compile_into(repo, ["inputs.lr=0.5", "report.title=Results"], environment="env-b")
    assert set(json.loads(run(repo, DVC, "status", "--json"))) == {"train", "report"}

    # a code change in the component's code folder makes the step stale too
    compile_into(repo, ["inputs.lr=0.5", "report.title=Results"])
    run(repo, DVC, "repro", "-q")
    (repo / "src" / "train.sh").write_text((repo / "src" / "train.sh").read_text() + "\n# v2\n")
    assert set(json.loads(run(repo, DVC, "status", "--json"))) == {"train"}
