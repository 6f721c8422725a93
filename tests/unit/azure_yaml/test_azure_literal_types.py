"""One rule types an input given only a literal, for pipeline inputs and inline command jobs
alike: Azure ML's (boolean, integer, number, string by the YAML value; anything else needs `type:`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeyard.azure_yaml import load_pipeline_yaml
from pipeyard.errors import DefinitionError
from pipeyard.model import PortType

PIPELINE_INPUT = (
    "type: pipeline\ninputs:\n  x: {value}\njobs:\n  hello:\n    type: command\n"
    "    command: echo ${{{{inputs.y}}}}\n    inputs:\n      y: ${{{{parent.inputs.x}}}}\n"
)
INLINE_JOB = (
    "type: pipeline\njobs:\n  hello:\n    type: command\n    command: echo ${{{{inputs.x}}}}\n"
    "    inputs:\n      x: {value}\n"
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("true", PortType.BOOLEAN),
        ("3", PortType.INTEGER),
        ("0.5", PortType.NUMBER),
        ("a", PortType.STRING),
        ("{default: 3}", PortType.INTEGER),
        ("{default: a}", PortType.STRING),
    ],
)
def test_a_literal_has_the_same_type_in_both_places(project, value: str, expected: PortType) -> None:
    root = project({"pipeline.yml": PIPELINE_INPUT.format(value=value)})
    inputs = {i.name: i for i in load_pipeline_yaml(Path("pipeline.yml"), root).inputs}
    assert inputs["x"].type is expected
    root = project({"pipeline.yml": INLINE_JOB.format(value=value)})
    job = load_pipeline_yaml(Path("pipeline.yml"), root).jobs[0]
    assert job.component.parameter("x").type is expected


@pytest.mark.parametrize("template", [PIPELINE_INPUT, INLINE_JOB])
def test_an_input_without_type_or_value_is_refused_in_both_places(project, template: str) -> None:
    root = project({"pipeline.yml": template.format(value="{description: no type}")})
    with pytest.raises(DefinitionError, match="cannot tell the type of None") as raised:
        load_pipeline_yaml(Path("pipeline.yml"), root)
    assert "type: integer" in (raised.value.hint or "")
