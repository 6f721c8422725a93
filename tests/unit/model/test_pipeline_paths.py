"""The model owns where outputs go and what inputs read; the compiler uses its answers."""

from __future__ import annotations

import pytest

from pipeyard.errors import ReferenceError_
from pipeyard.model import (
    Component,
    DataPath,
    InputPort,
    Job,
    JobOutputRef,
    OutputPort,
    Pipeline,
    PipelineInput,
    PipelineInputRef,
    PipelineOutput,
    PortType,
)

COPY = Component(
    "copy",
    inputs=(InputPort("src", PortType.URI_FILE, optional=True),),
    outputs=(OutputPort("dst", PortType.URI_FILE),),
    command="cp ${{inputs.src}} ${{outputs.dst}}",
)


def pipeline(*jobs: Job, **fields) -> Pipeline:
    return Pipeline("p", jobs=jobs, **fields)


def test_an_output_goes_to_its_own_path_then_a_pinned_pipeline_output_then_the_output_root():
    built = pipeline(
        Job("own", COPY, output_paths={"dst": "./models//own.bin"}),
        Job("bound", COPY, output_bindings={"dst": "report"}),
        Job("plain", COPY),
        outputs=(PipelineOutput("report", path="reports\\final.json"),),
        output_root="./build",
    )
    assert built.output_path("own", "dst") == "models/own.bin"
    assert built.output_path("bound", "dst") == "reports/final.json"
    assert built.output_path("plain", "dst") == "build/plain/dst"


def test_inputs_read_data_paths_pipeline_inputs_and_upstream_outputs_normalised():
    built = pipeline(
        Job("prep", COPY, inputs={"src": DataPath("./data/raw.csv")}),
        Job("train", COPY, inputs={"src": JobOutputRef("prep", "dst")}),
        Job("score", COPY, inputs={"src": PipelineInputRef("table")}),
        Job("lone", COPY),
        inputs=(PipelineInput("table", PortType.URI_FILE, default="data\\table.csv"),),
    )
    read = {job.name: built.resolve_input_path(job, "src") for job in built.jobs}
    assert read == {
        "prep": "data/raw.csv",
        "train": "outputs/prep/dst",
        "score": "data/table.csv",
        "lone": None,
    }


def test_the_output_path_of_an_unknown_job_names_the_known_ones():
    with pytest.raises(ReferenceError_, match="no job named 'tarin'"):
        pipeline(Job("train", COPY)).output_path("tarin", "dst")
