"""Shell completion: the script click generates, run by a real bash, completes step names and
override keys and group options of the project the shell is in."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from projects import BIN, Project, new_project

pytestmark = pytest.mark.slow

COMPONENT = """
type: command
name: c
inputs:
  lr: {type: number, default: 0.1}
  name: {type: string, default: x}
command: echo ${{inputs.lr}}
"""

# What bash does on <TAB>: split the line into COMP_WORDS ('=' is a word break), then call
# the completion function the generated script defined, which fills COMPREPLY.
BASH = r"""
eval "$(_PIPEYARD_COMPLETE=bash_source pipeyard)"
line="$1"
read -ra words <<< "$line"
COMP_WORDS=()
for w in "${words[@]}"; do
  while [[ "$w" == *=* ]]; do
    [[ -n "${w%%=*}" ]] && COMP_WORDS+=("${w%%=*}")
    COMP_WORDS+=("="); w="${w#*=}"
  done
  [[ -n "$w" ]] && COMP_WORDS+=("$w")
done
[[ "$line" == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
_pipeyard_completion pipeyard
printf '%s\n' "${COMPREPLY[@]}"
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    project = new_project(tmp_path_factory.mktemp("complete") / "p")
    project.write("components/c.yml", COMPONENT)
    project.write(
        "pipeline.yml",
        """
        type: pipeline
        jobs:
          train: {type: command, component: ./components/c.yml}
          test: {type: command, component: ./components/c.yml}
        """,
    )
    project.write("conf/train/large.yaml", "lr: 0.5\n")
    project.write("conf/train/small.yaml", "lr: 0.01\n")
    return project


def _complete(project: Project, line: str) -> list[str]:
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        ["bash", "-c", BASH, "complete", line],
        cwd=project.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return [word for word in done.stdout.splitlines() if word]


pytestmark = [pytestmark, pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("pipeyard run -f t", ["test", "train"]),
        ("pipeyard run --force tr", ["train"]),
        ("pipeyard run tra", ["train.lr=", "train.name=", "train=large", "train=small"]),
        ("pipeyard status te", ["test.lr=", "test.name="]),
        ("pipeyard run train=", ["=large", "=small"]),  # bash puts it after 'train'
        ("pipeyard run train=sm", ["small"]),
        ("pipeyard validate +train.", ["+train.lr=", "+train.name="]),
        ("pipeyard run ~train", ["~train.lr", "~train.name", "~train"]),
    ],
)
def test_bash_completes_steps_and_override_keys(project, line, expected):
    assert sorted(_complete(project, line)) == sorted(expected)


def test_outside_a_project_it_completes_nothing_and_says_nothing(tmp_path):
    assert _complete(Project(tmp_path), "pipeyard run tr") == []
