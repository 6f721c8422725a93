"""Lenient where Azure ML's schemas are, strict where they protect (checked against azure-ai-ml
1.35's marshmallow schemas: PipelineJobSettingsSchema has unknown=INCLUDE, command components
and pipeline jobs RAISE), plus the one error that names every cloud asset."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeyard.azure_yaml import load_pipeline_yaml
from pipeyard.errors import DefinitionError, TypeMismatch, UnsupportedError
from pipeyard.model import Value

CLOUD = Path(__file__).parents[2] / "data" / "azure" / "cloud_assets"
COMPONENT = """
type: command
name: echo
inputs:
  mode: {type: string, default: a}
  level: {type: string, enum: ['1', '2'], default: '1'}
  flag: {type: boolean, default: false}
  rate: {type: number, default: 0.5}
outputs:
  out: {type: uri_folder}
command: echo ${{inputs.mode}} ${{inputs.level}} ${{inputs.flag}} ${{inputs.rate}} > ${{outputs.out}}/e.txt
"""


def _load(project, body: str):
    root = project({"pipeline.yml": body, "echo.yml": COMPONENT})
    return load_pipeline_yaml(Path("pipeline.yml"), root)


@pytest.mark.parametrize(
    ("body", "parameters", "note"),
    [  # accepted by Azure: loads, with a note saying what was done
        (
            "settings:\n  default_compute: x\n  continue_on_step_failure: true\n  force_rerunn: true\n",
            {},
            "unknown key 'force_rerunn' in settings (did you mean 'force_rerun'?)",
        ),
        ("settings:\n  private_preview_thing: 1\n", {}, None),
        ("tags: {team: a}\nproperties: {x: y}\ndescription: d\n", {}, None),
        (
            "display_name: d\nexperiment_name: e\nname: n\ncompute: azureml:cpu\n$schema: https://x\n",
            {},
            None,
        ),
        ("settings:\n  continue_on_step_failure: true\n", {}, "run with `pipeyard run --keep-going`"),
        ("identity: {type: managed}\n", {}, "identity (the identity Azure ML runs the job as"),
        ("services: {my_ssh: {type: ssh}}\n", {}, "services (Azure ML's interactive endpoints"),
        (
            "jobs:\n  a:\n    component: ./echo.yml\n    identity: {type: user_identity}\n",
            {},
            "pipeline.yml:5, step 'a': identity (the identity Azure ML runs the job as",
        ),
        (
            "jobs:\n  a:\n    component: ./echo.yml\n    tags: {x: y}\n    display_name: A\n"
            "    description: d\n    properties: {p: q}\n    experiment_name: e\n",
            {},
            None,
        ),
        (
            "jobs:\n  a:\n    component: ./echo.yml\n    outputs: {out: {type: uri_folder, mode: upload}}\n",
            {},
            None,
        ),
        (
            "inputs:\n  d: {type: uri_folder, path: ./data, mode: download}\n"
            "outputs:\n  o: {type: uri_folder, mode: rw_mount}\n",
            {},
            None,
        ),
        ("jobs:\n  a:\n    component: ./echo.yml\n    private_node_thing: 1\n", {}, None),
        (
            "jobs:\n  a:\n    component: ./echo.yml\n    inputs: {mode: true}\n",
            {"mode": Value("True")},
            "'mode' is a string; True is passed as 'True'",
        ),
        (
            "jobs:\n  a:\n    component: ./echo.yml\n    inputs: {level: 2}\n",
            {"level": Value("2")},
            "'level' is a string; 2 is passed as '2'",
        ),
        (
            "jobs:\n  a:\n    component: ./echo.yml\n    inputs: {flag: 'True', rate: 1}\n",
            {"flag": Value(True), "rate": Value(1)},
            None,
        ),
    ],
)
def test_keys_and_values_azure_accepts(project, body, parameters, note):
    if "jobs:" not in body:
        body += "jobs:\n  a:\n    component: ./echo.yml\n"
    pipeline = _load(project, "type: pipeline\n" + body)
    assert dict(pipeline.job("a").parameters) == parameters
    if note is None:
        assert not pipeline.notes
    else:
        assert any(note in n for n in pipeline.notes), pipeline.notes
        assert all(n.startswith("pipeline.yml:") for n in pipeline.notes)


@pytest.mark.parametrize(
    ("body", "error", "message"),
    [  # refused by Azure too
        ("jbos:\n  a:\n    component: ./echo.yml\n", DefinitionError, "unknown key 'jbos' in the pipeline"),
        (
            "owner: me\njobs:\n  a:\n    component: ./echo.yml\n",
            DefinitionError,
            "pipeline.yml:2: unknown key 'owner' in the pipeline; Azure ML refuses it too",
        ),
        (
            "status: Completed\njobs:\n  a:\n    component: ./echo.yml\n",
            DefinitionError,
            "unknown key 'status' in the pipeline (did you mean 'tags'?)",
        ),  # dump_only in BaseJobSchema
        (
            "jobs:\n  a:\n    component: ./echo.yml\n    outputs: {out: {type: uri_folder, mode: ro_mount}}\n",
            DefinitionError,
            "output 'out' has mode 'ro_mount' (did you mean 'rw_mount'?), which Azure ML refuses",
        ),
        (
            "inputs:\n  d: {type: uri_folder, path: ./data, mode: upload}\njobs:\n  a:\n    component: ./echo.yml\n",
            DefinitionError,
            "pipeline input 'd' has mode 'upload', which Azure ML refuses",
        ),
        (
            "jobs:\n  a:\n    component: ./echo.yml\n    inputs: {level: 3}\n",
            TypeMismatch,
            "'3', which is not one of its enum",
        ),
        (
            "jobs:\n  a:\n    component: ./echo.yml\n    inputs: {flag: maybe}\n",
            TypeMismatch,
            "parameter 'flag' expects boolean",
        ),
        (
            "jobs:\n  a:\n    component: ./echo.yml\n    inputs: {rate: fast}\n",
            TypeMismatch,
            "parameter 'rate' expects number",
        ),
        (
            "jobs:\n  a:\n    component: ./echo.yml\n    inptus: {rate: 1}\n",
            DefinitionError,
            "unknown key 'inptus' in job 'a' (did you mean 'inputs'?)",
        ),
        (
            "jobs:\n  a:\n    type: automl\n    task: classification\n",
            UnsupportedError,
            "AutoML trains only in Azure ML",
        ),
        ("jobs:\n  a:\n    type: spark\n    entry: {file: x.py}\n", UnsupportedError, "local[*]"),
    ],
)
def test_keys_and_values_azure_refuses(project, body, error, message):
    with pytest.raises(error) as caught:
        _load(project, "type: pipeline\n" + body)
    assert message in caught.value.format()
    assert caught.value.location.file == "pipeline.yml"


@pytest.mark.parametrize(
    ("extra", "message"),
    [  # a component file is loaded with unknown=RAISE (CommandComponentSchema)
        ("owner: me\n", "echo.yml:1: unknown key 'owner' in the component; Azure ML refuses it too"),
        ("comand: x\n", "unknown key 'comand' in the component (did you mean 'command'?)"),
        (
            "inputs:\n  d: {type: uri_folder, mode: fast}\n",
            "input 'd' has mode 'fast', which Azure ML refuses",
        ),
    ],
)
def test_a_component_file_refuses_what_azure_refuses(project, extra, message):
    root = project(
        {
            "pipeline.yml": "type: pipeline\njobs:\n  a:\n    component: ./echo.yml\n",
            "echo.yml": extra + "type: command\nname: echo\ncommand: echo hi\n",
        }
    )
    with pytest.raises(DefinitionError) as caught:
        load_pipeline_yaml(Path("pipeline.yml"), root)
    assert message in caught.value.format()


def test_an_inline_component_ignores_keys_azure_includes(project):
    root = project(
        {
            "pipeline.yml": "type: pipeline\njobs:\n  a:\n    component:\n"
            "      owner: me\n      command: echo hi\n      inputs:\n"
            "        d: {type: uri_folder, mode: link, optional: true}\n"
        }
    )
    assert load_pipeline_yaml(Path("pipeline.yml"), root).job_names == ("a",)


def test_one_error_names_every_cloud_asset_and_how_to_provide_it():
    with pytest.raises(UnsupportedError) as caught:
        load_pipeline_yaml(Path("pipeline.yml"), CLOUD)
    text = caught.value.format()
    assert text.count("\n") == 1  # the line, then its hint
    assert "needs 5 cloud assets" in text
    for part in (
        "data asset 'azureml:raw-data:1' (pipeline.yml:5): download it (az ml data download --name raw-data)",
        "datastore path 'azureml://datastores/workspaceblobstore/paths/reference/table.csv' (pipeline.yml:8)",
        "registered component 'azureml:prep:3' (pipeline.yml:13, step 'prep'): register it",
        "registered component 'azureml://registries/azureml/components/train_model' (pipeline.yml:17",
        "URL 'https://example.org/files/extra.csv' (pipeline.yml:20, step 'train'): fetch it with "
        "'dvc import-url https://example.org/files/extra.csv data/extra.csv'",
    ):
        assert part in text
