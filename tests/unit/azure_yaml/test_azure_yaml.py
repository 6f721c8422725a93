"""Azure ML CLI v2 YAML -> model: a realistic sample, inline components, optional blocks,
environments, standalone command jobs and pipeyard's extensions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeyard.azure_yaml import load_component_yaml, load_pipeline_yaml
from pipeyard.errors import DefinitionError, ReferenceError_, UnsupportedError
from pipeyard.model import DataPath, JobOutputRef, OutputRole, PipelineInputRef, PortType, Value

DATA = Path(__file__).parents[2] / "data" / "definitions"
SAMPLE = DATA / "azure_sample"


def test_realistic_azure_sample_loads_unchanged():
    pipeline = load_pipeline_yaml(SAMPLE / "pipeline.yml", DATA)
    assert pipeline.name == "e2e_local_components"
    assert pipeline.job_names == ("train_job", "score-job", "evaluate_job")
    assert pipeline.default_compute == "cpu-cluster"
    inputs = {i.name: i for i in pipeline.inputs}
    assert inputs["pipeline_job_training_max_epocs"].type is PortType.INTEGER
    assert inputs["pipeline_job_training_learning_rate"].default == 1.8
    assert inputs["pipeline_job_learning_rate_schedule"].type is PortType.STRING
    assert inputs["pipeline_job_input"].default == "azure_sample/data"

    train = pipeline.job("train_job")
    assert train.compute == "gpu-cluster" and train.timeout_s == 7200
    assert train.inputs == {"training_data": PipelineInputRef("pipeline_job_input")}
    assert train.parameters["max_epocs"] == PipelineInputRef("pipeline_job_training_max_epocs")
    assert train.output_bindings == {"model_output": "pipeline_job_trained_model"}
    component = train.component
    assert component.name == "train" and component.version == "10"
    assert component.code == ("azure_sample/train_src",)
    assert component.environment_files == ("azure_sample/env/conda.yml",)
    assert json.loads(component.environment) == {
        "conda_file": "azure_sample/env/conda.yml",
        "image": "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest",
    }
    assert component.parameter("max_epocs").required
    assert component.parameter("learning_rate").default == 0.01
    assert "--model_output ${{outputs.model_output}}" in component.command
    assert component.source.file == "azure_sample/train.yml"

    score = pipeline.job("score-job")
    assert score.inputs == {
        "model_input": JobOutputRef("train_job", "model_output"),
        "test_data": DataPath("azure_sample/data", PortType.URI_FOLDER),
    }
    assert score.output_paths == {} and score.output_bindings == {}
    assert score.component.deterministic is False
    assert score.component.parameter("batch_size").optional
    assert score.component.environment == "azureml:AzureML-sklearn-0.24-ubuntu18.04-py37-cpu@latest"

    evaluate = pipeline.job("evaluate_job")
    assert evaluate.retries == 2 and evaluate.timeout_s == 1800 and evaluate.resources.cpus == 2
    assert pipeline.output_path("evaluate_job", "eval_output") == "azure_sample/reports/evaluation"
    assert pipeline.output_path("score-job", "score_output") == "outputs/score-job/score_output"
    assert pipeline.source.file == "azure_sample/pipeline.yml"
    assert train.source.line == 29


def test_standalone_command_job_is_a_one_job_pipeline():
    pipeline = load_pipeline_yaml(SAMPLE / "command_job.yml", DATA)
    assert pipeline.name == "hello-command-job"
    (job,) = pipeline.jobs
    assert job.name == "command_job" and job.compute == "cpu-cluster"
    component = job.component
    assert [(p.name, p.type) for p in component.inputs] == [("data", PortType.URI_FILE)]
    assert {p.name: (p.type, p.default) for p in component.parameters} == {
        "epochs": (PortType.INTEGER, 5),
        "rate": (PortType.NUMBER, 0.5),
    }
    assert job.inputs == {"data": DataPath("azure_sample/data/sample.csv", PortType.URI_FILE)}
    assert job.output_paths == {"model": "azure_sample/models/hello"}
    assert component.environment_files == ("azure_sample/env",)


def test_inline_component_file_prefix_and_optional_blocks(project):
    root = project(
        {
            "components/train.yml": """
            type: command
            name: train
            inputs:
              data: {type: uri_folder}
              lr: {type: number, default: 0.1}
              warm: {type: uri_folder, optional: true}
            outputs:
              model: {type: uri_file}
              metrics: {type: uri_file, dvc: metrics}
              curve: {type: uri_file, dvc: plots}
            retries: 3
            timeout: 1h
            resources: {gpus: 1, memory: 8g, instance_type: Standard_NC6}
            command: >-
              python train.py --data ${{inputs.data}} --lr ${{inputs.lr}}
              $[[--warm ${{inputs.warm}}]] --model ${{outputs.model}}
              --metrics ${{outputs.metrics}} --curve ${{outputs.curve}}
            """,
            "pipelines/pipeline.yaml": """
            type: pipeline
            inputs:
              lr: {type: number, default: 0.5}
              raw: {type: uri_folder, path: file:../data/raw}
            settings: {default_compute: azureml:gpu, force_rerun: true}
            jobs:
              prep:
                component:
                  name: prep
                  inputs: {raw: {type: uri_folder}}
                  outputs: {clean: {}}
                  command: python prep.py ${{inputs.raw}} ${{outputs.clean}}
                inputs: {raw: "${{parent.inputs.raw}}"}
                outputs:
                  clean: {type: uri_folder, path: ../data/clean}
              train:
                component: file:../components/train.yml
                inputs:
                  data: ${{parent.jobs.prep.outputs.clean}}
                  lr: ${{parent.inputs.lr}}
              train_fixed:
                component: ../components/train.yml
                inputs:
                  data: ./../data/clean
                  lr: 3
            """,
        }
    )
    pipeline = load_pipeline_yaml(Path("pipelines/pipeline.yaml"), root)
    assert pipeline.default_compute == "gpu" and pipeline.force_rerun
    prep = pipeline.job("prep")
    assert prep.component.name == "prep" and prep.component.source.file == "pipelines/pipeline.yaml"
    assert pipeline.output_path("prep", "clean") == "data/clean"
    train = pipeline.job("train")
    component = train.component
    assert component.input("warm").optional
    assert [o.role for o in component.outputs] == [OutputRole.OUT, OutputRole.METRICS, OutputRole.PLOTS]
    assert component.retries == 3 and component.timeout_s == 3600
    assert (component.resources.gpus, component.resources.memory_mb) == (1, 8192)
    assert train.parameters == {"lr": PipelineInputRef("lr")}
    fixed = pipeline.job("train_fixed")
    assert fixed.inputs == {"data": DataPath("data/clean", PortType.URI_FOLDER)}
    assert fixed.parameters == {"lr": Value(3)}
    assert fixed.component is component  # one component file, read once


def test_inline_command_jobs_in_a_pipeline(project):
    root = project(
        {
            "pipeline.yml": """
        type: pipeline
        inputs:
          rows: 10
          seed_file: {type: uri_file, path: ./seed.txt}
        jobs:
          make:
            type: command
            command: python make.py --rows ${{inputs.rows}} --seed ${{inputs.seed}} --out ${{outputs.table}}
            inputs:
              rows: ${{parent.inputs.rows}}
              seed: ${{parent.inputs.seed_file}}
            outputs:
              table: {type: uri_file, dvc: plots}
          show:
            command: cat ${{inputs.table}} ${{inputs.flag}}
            inputs:
              table: ${{parent.jobs.make.outputs.table}}
              flag: true
            environment_variables: {A: "1"}
        """
        }
    )
    pipeline = load_pipeline_yaml(Path("pipeline.yml"), root)
    make = pipeline.job("make")
    assert make.component.parameter("rows").type is PortType.INTEGER
    assert make.component.input("seed").type is PortType.URI_FILE
    assert make.component.output("table").role is OutputRole.PLOTS
    show = pipeline.job("show")
    assert show.component.input("table").type is PortType.URI_FILE
    assert show.component.parameter("flag").default is True


def test_component_file_alone_and_environment_file(project):
    root = project(
        {
            "env.yml": "image: python:3.11-slim\nconda_file: ./conda.yml\n",
            "conda.yml": "dependencies: [python=3.11]\n",
            "component.yml": """
            type: command
            name: hello
            environment: file:./env.yml
            limits: {timeout: 90}
            command: echo hello
            """,
        }
    )
    component = load_component_yaml(Path("component.yml"), root)
    assert component.environment_files == ("env.yml", "conda.yml")
    assert json.loads(component.environment)["image"] == "python:3.11-slim"
    assert component.timeout_s == 90


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        ("type: automl\ntask: classification\n", UnsupportedError, "type 'automl' cannot run locally"),
        ("", DefinitionError, "is empty"),
        ("- a\n- b\n", DefinitionError, "must be a mapping"),
        ("type: pipeline\njobs:\n  a:\n    component: ./none.yml\n", ReferenceError_, "not found"),
        (
            "type: command\ncommand: echo ${{outputs.x}}\n",
            ReferenceError_,
            "'${{outputs.x}}', which is not declared",
        ),
        ("type: command\ncommand: echo ${{search_space.lr}}\n", DefinitionError, "unknown expression"),
        (
            "type: command\ncommand: echo $[[ ${{inputs.a}}\ninputs: {a: 1}\n",
            DefinitionError,
            "unclosed optional block",
        ),
        (
            "type: command\ncommand: echo hi\ninputs: {d: {type: uri_folder, path: 'https://x.org/d.zip'}}\n",
            UnsupportedError,
            "dvc import-url",
        ),
        (
            "type: command\ncommand: echo hi\ninputs: {d: '${{parent.inputs.x}}'}\n",
            DefinitionError,
            "standalone command job cannot bind",
        ),
        (
            "type: pipeline\njobs:\n  a:\n    type: pipeline\n    component: ./sub.yml\n",
            ReferenceError_,
            "'./sub.yml' not found",
        ),
    ],
)
def test_more_bad_inputs(project, text, error, message):
    root = project({"pipeline.yml": text})
    with pytest.raises(error) as caught:
        load_pipeline_yaml(Path("pipeline.yml"), root)
    assert message in caught.value.format()  # the message or its hint
    assert caught.value.location.file == "pipeline.yml"
