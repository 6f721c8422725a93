"""Azure ML command templates rendered to shell commands."""

from __future__ import annotations

import shlex

import pytest

from pipeyard.compile.command import (
    mkdir_command,
    python_step_command,
    render_template,
    render_value,
)
from pipeyard.errors import DefinitionError
from pipeyard.model import Component, InputPort, OutputPort, Parameter, PortType

COMPONENT = Component(
    "train",
    inputs=(InputPort("data"), InputPort("init", optional=True)),
    parameters=(
        Parameter("lr", PortType.NUMBER, 0.1),
        Parameter("tag", PortType.STRING, optional=True),
        Parameter("flag", PortType.BOOLEAN, False),
    ),
    outputs=(OutputPort("model"),),
    command=(
        "python train.py --data ${{inputs.data}} --lr ${{inputs.lr}}"
        " $[[--init ${{inputs.init}}]] $[[--tag '${{inputs.tag}}']]"
        " --flag ${{ inputs.flag }} --out ${{outputs.model}}"
    ),
)


def render(values, command=None):
    component = (
        COMPONENT
        if command is None
        else Component(
            "c",
            inputs=COMPONENT.inputs,
            parameters=COMPONENT.parameters,
            outputs=COMPONENT.outputs,
            command=command,
        )
    )
    base = {"data": "d", "init": None, "lr": 0.1, "tag": None, "flag": False}
    return render_template(component, {**base, **values}, {"model": "outputs/m"})


def test_optional_blocks_drop_when_unset():
    assert render({}) == "python train.py --data d --lr 0.1   --flag false --out outputs/m"


def test_optional_blocks_keep_their_text_when_set():
    rendered = render({"init": "ckpt", "tag": "a b", "flag": True})
    assert rendered == (
        "python train.py --data d --lr 0.1 --init ckpt --tag 'a b' --flag true --out outputs/m"
    )


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (True, "true"),
        (False, "false"),
        (0.1, "0.1"),
        (1e-05, "1e-05"),
        (3, "3"),
        (2.0, "2.0"),
        ("x y", "x y"),
    ],
)
def test_values_render_as_dvc_interpolates_them(value, text):
    assert render_value(value) == text


def test_unknown_reference_suggests_the_closest_name():
    with pytest.raises(DefinitionError, match=r"did you mean 'data'") as caught:
        render({}, command="cat ${{inputs.dat}}")
    assert "declared inputs" in caught.value.hint


def test_unknown_reference_inside_a_dropped_block_is_still_an_error():
    with pytest.raises(DefinitionError, match="outputs.modle"):
        render({}, command="x $[[${{inputs.init}} ${{outputs.modle}}]]")


def test_unset_value_outside_an_optional_block():
    with pytest.raises(DefinitionError, match="'init' but it has no value") as caught:
        render({}, command="x ${{inputs.init}}")
    assert "$[[" in caught.value.hint


def test_multiline_command_keeps_lines():
    assert render({}, command="echo a\n  $[[echo ${{inputs.init}}]]\necho ${{inputs.lr}}\n") == (
        "echo a\n\necho 0.1"
    )


def test_python_step_command():
    command = python_step_command(
        "src/steps.py", "train", "train", [("data", "outputs/prep/data")], [("model", "my out")]
    )
    assert shlex.split(command) == [
        "python",
        "-m",
        "pipeyard.exec",
        "src/steps.py",
        "train",
        "--params",
        "train",
        "--in",
        "data=outputs/prep/data",
        "--out",
        "model=my out",
    ]


def test_mkdir_command():
    assert mkdir_command(["b", "a", "b", ""]) == "mkdir -p a b"
    assert mkdir_command(["", "."]) is None


def test_dvc_form_refers_to_params_and_escapes_shell_variables():
    from pipeyard.compile.command import dvc_reference

    assert dvc_reference("train", "lr") == "${train.lr}"
    assert dvc_reference("train", "odd name") is None


def test_dvc_form_leaves_parameters_to_dvc_and_keeps_shell_variables_literal():
    component = Component(
        "c",
        inputs=COMPONENT.inputs,
        parameters=COMPONENT.parameters,
        outputs=COMPONENT.outputs,
        command="echo ${HOME} ${{inputs.lr}} > ${{outputs.model}}",
    )
    values = {"data": "d", "init": None, "lr": 0.1, "tag": None, "flag": False}
    outputs = {"model": "outputs/m"}
    assert render_template(component, values, outputs) == "echo ${HOME} 0.1 > outputs/m"
    dvc_form = render_template(component, values, outputs, references={"lr": "${train.lr}"})
    assert dvc_form == "echo \\${HOME} ${train.lr} > outputs/m"
