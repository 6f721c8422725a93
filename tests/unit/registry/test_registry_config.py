"""`registries:` in pipeyard.yaml, and how the YAML loader hands registered components to a resolver."""

from __future__ import annotations

import textwrap

import pytest

from pipeyard.azure_yaml import load_pipeline_yaml
from pipeyard.config.project import RegistrySpec, load_project_config
from pipeyard.errors import ConfigError, UnsupportedError
from pipeyard.model import Component, InputPort, OutputPort, Parameter, PortType


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def test_registries_are_read_in_order(tmp_path):
    write(
        tmp_path,
        "pipeyard.yaml",
        """
        registries:
          - {name: team, path: ../registry}
          - {name: shared, git: https://example.invalid/r.git, ref: main}
    """,
    )
    project = load_project_config(tmp_path)
    assert project.registries == (
        RegistrySpec("team", path="../registry"),
        RegistrySpec("shared", git="https://example.invalid/r.git", ref="main"),
    )


def test_no_registries_by_default(tmp_path):
    assert load_project_config(tmp_path).registries == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("registries: [{name: team}]", "needs exactly one of path: or git:"),
        ("registries: [{name: team, path: a, git: b}]", "needs exactly one of path: or git:"),
        ("registries: [{name: team, path: a, ref: main}]", "ref: goes with git:"),
        ("registries: [{name: a, path: x}, {name: a, path: y}]", "repeated: a"),
        ("registries: [{name: 'bad name', path: x}]", "registries.0.name"),
        ("registries: [{name: team, pth: x}]", "unknown key 'registries.0.pth'"),
    ],
)
def test_bad_registries_are_config_errors_at_their_line(tmp_path, text, message):
    write(tmp_path, "pipeyard.yaml", text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_project_config(tmp_path)
    assert message in caught.value.message
    assert caught.value.location.line == 1


PIPELINE = """
    type: pipeline
    inputs:
      raw: {type: uri_folder, path: ./data}
    jobs:
      train:
        type: command
        component: azureml:train:3
        inputs:
          data: ${{parent.inputs.raw}}
          lr: 0.5
      again:
        component: registry:team/train@latest
        inputs:
          data: ${{parent.jobs.train.outputs.model}}
"""


def registered() -> Component:
    return Component(
        name="train",
        inputs=(InputPort("data"),),
        outputs=(OutputPort("model"),),
        parameters=(Parameter("lr", PortType.NUMBER, default=0.1),),
        command="python train.py --data ${{inputs.data}} --lr ${{inputs.lr}} --model ${{outputs.model}}",
    )


def test_registered_components_come_from_the_resolver(tmp_path):
    (tmp_path / "data").mkdir()
    path = write(tmp_path, "pipeline.yml", PIPELINE)
    asked = []

    def resolve(reference, where):
        asked.append((reference, where.file, where.line))
        return registered()

    pipeline = load_pipeline_yaml(path, tmp_path, resolve_component=resolve)
    assert [job.name for job in pipeline.jobs] == ["train", "again"]
    assert pipeline.jobs[0].parameters["lr"].value == 0.5
    assert asked == [
        ("azureml:train:3", "pipeline.yml", 7),
        ("registry:team/train@latest", "pipeline.yml", 12),
    ]


def test_without_a_resolver_registered_components_say_how_to_register(tmp_path):
    (tmp_path / "data").mkdir()
    path = write(tmp_path, "pipeline.yml", PIPELINE)
    with pytest.raises(UnsupportedError) as caught:
        load_pipeline_yaml(path, tmp_path)
    assert "azureml:train:3" in caught.value.message
    assert "registry:team/train@latest" in caught.value.message  # every registered component, in one error
    assert "pipeyard component register" in caught.value.message + caught.value.hint
