"""The output rule against the disk (code imports, symlinks) and missing source inputs."""

from __future__ import annotations

import os
from pathlib import Path
from types import MappingProxyType

import pytest

from pipeyard.compile.path_checks import check_inputs_exist
from pipeyard.compile.stages import compile_pipeline
from pipeyard.config.project import ProjectConfig
from pipeyard.errors import DefinitionError, Location, ReferenceError_
from pipeyard.model import (
    Component,
    DataPath,
    FunctionRef,
    InputPort,
    Job,
    JobOutputRef,
    OutputPort,
    Pipeline,
    PortType,
    Resources,
)

COPY = Component(
    "copy",
    inputs=(InputPort("src", PortType.URI_FILE),),
    outputs=(OutputPort("dst", PortType.URI_FILE),),
    command="cp ${{inputs.src}} ${{outputs.dst}}",
)


def project(root: Path, **fields) -> ProjectConfig:
    return ProjectConfig(root=root, profiles=MappingProxyType({"local": Resources()}), **fields)


def two_steps(first_output: str | None = None, second_output: str | None = None) -> Pipeline:
    first = {"dst": first_output} if first_output else {}
    second = {"dst": second_output} if second_output else {}
    return Pipeline(
        "p",
        jobs=(
            Job(
                "prep",
                COPY,
                inputs={"src": DataPath("data/raw.csv")},
                output_paths=first,
                source=Location("pipeline.yml", 3),
            ),
            Job("train", COPY, inputs={"src": JobOutputRef("prep", "dst")}, output_paths=second),
        ),
        source=Location("pipeline.yml", 1),
    )


def compile_(pipeline: Pipeline, root: Path, **fields):
    return compile_pipeline(pipeline, {}, project(root, **fields))


def test_a_downstream_step_reads_an_upstream_output(tmp_path):
    compiled = compile_(two_steps("tables/clean.csv"), tmp_path)
    assert compiled.stage("train").deps == ("tables/clean.csv",)


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("data", "contains input 'src' of step 'prep' (data/raw.csv)"),
        ("data/raw.csv", "is input 'src' of step 'prep'"),
        ("pipeline.yml", "is the pipeline file (pipeline.yml)"),
        (".", "is the project root"),
        ("settings", "contains the parameter configuration (settings/conf/)"),
        ("pipeyard.yaml", "is the project configuration"),
    ],
)
def test_a_later_step_cannot_overwrite_a_source_or_a_definition(tmp_path, output, expected):
    with pytest.raises(DefinitionError) as caught:
        compile_(two_steps(second_output=output), tmp_path, conf_dir=tmp_path / "settings" / "conf")
    assert caught.value.location.step == "train"
    assert f"output 'dst' at '{output}' {expected}" in caught.value.message


def test_modules_a_python_step_imports_are_protected(tmp_path):
    (tmp_path / "steps").mkdir()
    (tmp_path / "steps" / "fit.py").write_text("from helpers import scale\n")
    (tmp_path / "helpers.py").write_text("def scale(x):\n    return x\n")
    fit = Component(
        "fit", outputs=(OutputPort("model", PortType.URI_FILE),), function=FunctionRef("steps/fit.py", "fit")
    )
    pipeline = Pipeline("p", jobs=(Job("fit", fit, output_paths={"model": "helpers.py"}),))
    with pytest.raises(DefinitionError, match=r"output 'model' at 'helpers.py' is the code of step 'fit'"):
        compile_(pipeline, tmp_path)


def test_an_output_behind_a_symlink_that_leaves_the_project_is_refused(tmp_path):
    root, outside = tmp_path / "repo", tmp_path / "outside"
    root.mkdir(), outside.mkdir()
    os.symlink(outside, root / "link")
    os.symlink(root / "data", root / "alias")  # inside the project: judged where it leads
    for output, expected in [
        ("link/model.pt", "leads outside the project through a symbolic link"),
        ("link", "leads outside the project through a symbolic link"),
        ("alias", "leads through a symbolic link to 'data', which contains input 'src'"),
    ]:
        with pytest.raises(DefinitionError) as caught:
            compile_(two_steps(second_output=output), root)
        assert expected in caught.value.message, caught.value.message


def test_a_missing_source_input_names_the_step_the_input_and_the_path(tmp_path):
    pipeline = two_steps()
    with pytest.raises(ReferenceError_) as caught:
        check_inputs_exist(pipeline, tmp_path)
    error = caught.value
    assert error.format().splitlines()[0] == (
        "pipeline.yml:3, step 'prep': input 'src' reads 'data/raw.csv', which does not exist"
    )
    assert "parent.jobs" in error.hint
    check_inputs_exist(pipeline, tmp_path, steps=["train"])  # reads prep's output: not checked
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "raw.csv").write_text("x\n")
    check_inputs_exist(pipeline, tmp_path)


def test_a_dvc_tracked_input_may_wait_for_a_pull_but_not_for_a_run(tmp_path):
    (tmp_path / "data.dvc").write_text("outs:\n- path: data\n")
    pipeline = two_steps()
    check_inputs_exist(pipeline, tmp_path)
    with pytest.raises(ReferenceError_, match="data/raw.csv") as caught:
        check_inputs_exist(pipeline, tmp_path, tracked_ok=False)
    assert caught.value.hint == "it is tracked by DVC (data.dvc): fetch it with `dvc pull data.dvc`"
