"""Pipeline components nested in pipeline jobs: flattened names, bindings across levels, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeyard.azure_yaml import load_pipeline_yaml
from pipeyard.errors import DefinitionError, ReferenceError_, TypeMismatch
from pipeyard.model import DataPath, JobOutputRef, PipelineInputRef, Value
from pipeyard.model.pipeline import nesting_of

NESTED = Path(__file__).parents[2] / "data" / "azure" / "nested"


def test_two_levels_flatten_with_bindings_across_levels():
    pipeline = load_pipeline_yaml(Path("pipeline.yml"), NESTED)
    assert pipeline.job_names == (
        "prep",
        "train_and_evaluate__train",
        "train_and_evaluate__evaluate__score",
        "train_and_evaluate__evaluate__summarize",
        "publish",
    )
    train = pipeline.job("train_and_evaluate__train")
    assert train.inputs == {"data": JobOutputRef("prep", "clean")}
    # the outer binding wins; an unbound input of the component falls back to its default
    assert train.parameters == {"learning_rate": PipelineInputRef("learning_rate"), "epochs": Value(3)}
    score = pipeline.job("train_and_evaluate__evaluate__score")
    assert score.inputs == {
        "model": JobOutputRef("train_and_evaluate__train", "model"),
        "data": JobOutputRef("prep", "clean"),
    }
    summarize = pipeline.job("train_and_evaluate__evaluate__summarize")
    assert summarize.parameters == {"threshold": Value(0.5)}
    assert summarize.output_bindings == {"report": "final_report"}  # three levels up
    assert pipeline.job("publish").inputs == {"model": JobOutputRef("train_and_evaluate__train", "model")}
    assert nesting_of("train_and_evaluate__evaluate__score") == ("train_and_evaluate", "evaluate")
    assert summarize.source.file == "evaluate.yml"


def test_a_pipeline_component_runs_on_its_own_with_its_defaults(project):
    root = project(
        {
            "sub.yml": """
            type: pipeline
            inputs:
              n: {type: integer, default: 4}
              data: {type: uri_folder, path: ./data}
            outputs:
              out: {type: uri_folder}
            jobs:
              echo:
                command: ls ${{inputs.data}} > ${{outputs.out}}/n_${{inputs.n}}
                inputs: {n: '${{parent.inputs.n}}', data: '${{parent.inputs.data}}'}
                outputs: {out: '${{parent.outputs.out}}'}
            """,
            "data/a.txt": "a",
        }
    )
    pipeline = load_pipeline_yaml(Path("sub.yml"), root)
    assert pipeline.job_names == ("echo",)
    assert {i.name: i.default for i in pipeline.inputs} == {"n": 4, "data": "data"}


def _nested(project, outer_job: str, sub: str = "") -> Path:
    return project(
        {
            "pipeline.yml": "type: pipeline\njobs:\n" + outer_job,
            "sub.yml": sub
            or """
            type: pipeline
            inputs:
              data: {type: uri_folder}
              mode: {type: string, default: fast}
            outputs:
              out: {type: uri_folder}
            jobs:
              inner:
                command: cp -r ${{inputs.data}} ${{outputs.out}} # ${{inputs.mode}}
                inputs:
                  data: ${{parent.inputs.data}}
                  mode: ${{parent.inputs.mode}}
                outputs:
                  out: ${{parent.outputs.out}}
            """,
            "data/x.txt": "x",
        }
    )


def test_literal_data_path_and_output_path_reach_the_inner_job(project):
    root = _nested(
        project,
        "  a:\n    type: pipeline\n    component: ./sub.yml\n"
        "    inputs: {data: {type: uri_folder, path: ./data}, mode: slow}\n"
        "    outputs: {out: {type: uri_folder, path: ./results/a}}\n",
    )
    pipeline = load_pipeline_yaml(Path("pipeline.yml"), root)
    (job,) = pipeline.jobs
    assert job.name == "a__inner"
    assert job.inputs == {"data": DataPath("data")}
    assert job.parameters == {"mode": Value("slow")}
    assert pipeline.output_path("a__inner", "out") == "results/a"


@pytest.mark.parametrize(
    ("outer_job", "sub", "error", "message"),
    [
        (
            "  a:\n    component: ./sub.yml\n    inputs: {dta: {path: ./data}}\n",
            "",
            ReferenceError_,
            "has no input 'dta' (did you mean 'data'?)",
        ),
        (
            "  a:\n    component: ./sub.yml\n    inputs: {data: {path: ./data}}\n    outputs: {outt: x}\n",
            "",
            ReferenceError_,
            "has no output 'outt'",
        ),
        (
            "  a:\n    component: ./sub.yml\n",
            "type: pipeline\njobs:\n  b:\n    component: ./sub.yml\n",
            DefinitionError,
            "includes itself",
        ),
        (
            "  a:\n    component: ./sub.yml\n",
            "type: pipeline\noutputs: {o: {type: uri_folder}}\njobs:\n  b:\n    command: echo\n",
            DefinitionError,
            "output 'o' of pipeline component sub.yml is written by no job",
        ),
        (
            "  a:\n    component: ./sub.yml\n",
            "type: pipeline\ninputs: {n: {type: integer, default: 1}}\njobs:\n  b:\n    command: echo ${{inputs.n}}\n"
            "    inputs: {n: '${{parent.inputs.m}}'}\n",
            ReferenceError_,
            "unknown input 'm' of the pipeline component",
        ),
        (
            "  a:\n    component: ./sub.yml\n    inputs: {data: {path: ./data}, mode: [1]}\n",
            "",
            TypeMismatch,
            "parameter 'mode' expects string, got [1]",
        ),
        (
            "  a:\n    component: ./sub.yml\n",
            "",
            DefinitionError,
            "required input 'data' of pipeline component sub.yml is not bound",
        ),
    ],
)
def test_bad_nesting_says_what_and_where(project, outer_job, sub, error, message):
    root = _nested(project, outer_job, sub)
    with pytest.raises(error) as caught:
        load_pipeline_yaml(Path("pipeline.yml"), root)
    assert message in caught.value.format()
    assert caught.value.location.file in ("pipeline.yml", "sub.yml")


def test_a_pipeline_job_may_name_a_pipeline_component_instead_of_jobs(project):
    root = _nested(project, "")
    (root / "pipeline.yml").write_text(
        "type: pipeline\ncomponent: ./sub.yml\n"
        "inputs:\n  data: {type: uri_folder, path: ./data}\n  mode: slow\n"
        "outputs:\n  out: {type: uri_folder, path: ./results}\n"
    )
    pipeline = load_pipeline_yaml(Path("pipeline.yml"), root)
    (job,) = pipeline.jobs
    assert job.name == "inner"
    assert job.inputs == {"data": PipelineInputRef("data")}
    assert job.parameters == {"mode": PipelineInputRef("mode")}
    assert pipeline.output_path("inner", "out") == "results"
