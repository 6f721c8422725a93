"""A value the shell would split is quoted, in the command run and in dvc.yaml's `${...}` form."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from pipeyard.compile.command import render_template
from pipeyard.model import Component, Parameter, PortType

COMPONENT = Component(
    "c",
    parameters=(Parameter("name", PortType.STRING, "x"), Parameter("lr", PortType.NUMBER, 0.1)),
    command='python t.py --name ${{inputs.name}} --same "${{inputs.name}}" --lr ${{inputs.lr}} '
    "$[[--opt ${{inputs.name}}]]",
)
REFERENCES = {"name": "${train.name}", "lr": "${train.lr}"}


def _render(name, references=None):
    return render_template(COMPONENT, {"name": name, "lr": 0.1}, {}, references=references)


@pytest.mark.parametrize("value", ["my model", "a;b", "", "it's", "$HOME", "plain", 'a"b'])
def test_the_command_passes_the_value_as_one_argument(value):
    words = shlex.split(_render(value))
    assert words[words.index("--name") + 1] == value
    assert words[words.index("--opt") + 1] == value


def test_a_value_quoted_in_the_template_is_written_as_is():
    assert '--same "my model"' in _render("my model")


def test_dvc_yaml_keeps_the_reference_inside_quotes():
    command = _render("my model", REFERENCES)
    assert "--name '${train.name}'" in command and "--lr ${train.lr}" in command
    assert '--same "${train.name}"' in command
    # what DVC's interpolation makes of it is the command pipeyard runs
    assert command.replace("${train.name}", "my model").replace("${train.lr}", "0.1") == _render("my model")


def test_plain_values_stay_plain_references():
    assert _render("plain", REFERENCES).startswith("python t.py --name ${train.name} ")


def test_a_value_with_a_single_quote_is_written_literally():
    command = _render("it's", REFERENCES)
    assert shlex.split(command)[3] == "it's"


@pytest.mark.parametrize("value", ["my model", 'a"b', "a$b", "a`b", "a\\b", "it's", "a;b"])
def test_the_shell_reads_each_value_as_one_argument(value):
    """The real shell, whatever quotes the template puts around the reference."""
    component = Component(
        "q",
        parameters=(Parameter("name", PortType.STRING, "x"),),
        command="""printf '%s\\n' ${{inputs.name}} "${{inputs.name}}" '${{inputs.name}}'""",
    )
    command = render_template(component, {"name": value}, {})
    printed = subprocess.run(command, shell=True, capture_output=True, text=True, check=True).stdout
    assert printed == f"{value}\n" * 3
