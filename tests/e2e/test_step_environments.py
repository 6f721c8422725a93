"""A component's conda file becomes the environment its step runs in; --env decides the rest."""

from __future__ import annotations

import sys

import pytest
from projects import new_project

from pipeyard.executors.environments import uv_command
from pipeyard.testing.wheels import tiny_wheel

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(uv_command() is None, reason="needs uv: pip install 'pipeyard[ray]'"),
]

COMPONENT = """
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: which_python
version: "1"
outputs:
  out: {{type: uri_folder}}
environment: {environment}
command: >-
  mkdir -p ${{{{outputs.out}}}} &&
  python -c "import sys, pipeyard_tiny; print('interpreter', sys.executable)" &&
  python -c "import pipeyard_tiny; print(pipeyard_tiny.VALUE)" > ${{{{outputs.out}}}}/value.txt
"""

PIPELINE = """
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
jobs:
  which:
    type: command
    component: ./components/which.yml
"""


def make_project(root, environment: str, wheels):
    project = new_project(root)
    wheel = tiny_wheel(wheels)
    project.write(
        "components/env/conda.yml",
        f"name: tiny\ndependencies:\n  - python={sys.version_info.major}.{sys.version_info.minor}\n"
        f"  - pip\n  - pip:\n    - pipeyard-tiny @ {wheel.as_uri()}\n",
    )
    project.write("components/which.yml", COMPONENT.format(environment=environment))
    project.write("pipeline.yml", PIPELINE)
    project.commit_all("environment pipeline")
    return project


def test_a_conda_file_step_runs_in_its_own_interpreter_built_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PIPEYARD_ENV_CACHE", str(tmp_path / "envs"))
    project = make_project(tmp_path / "p", "{conda_file: env/conda.yml}", tmp_path / "wheels")
    first = project.run_json()
    assert first["steps"]["which"]["status"] == "ran"
    log = (project.root / ".pipeyard").rglob("which.log")
    text = next(log).read_text()
    interpreter = text.split("interpreter", 1)[1].split()[0]
    assert interpreter != sys.executable and interpreter.startswith(str(tmp_path / "envs"))
    built = list((tmp_path / "envs").iterdir())
    again = project.run_json("--force", "which")  # runs again, in the same venv
    assert again["steps"]["which"]["status"] == "ran"
    assert list((tmp_path / "envs").iterdir()) == built


def test_current_and_strict_say_what_they_do(tmp_path, monkeypatch):
    monkeypatch.setenv("PIPEYARD_ENV_CACHE", str(tmp_path / "envs"))
    project = make_project(tmp_path / "p", "azureml:AzureML-sklearn:1", tmp_path / "wheels")
    strict = project.pipeyard("run", "--env", "strict")
    assert strict.returncode == 2 and "Traceback" not in strict.stderr
    assert "step 'which'" in strict.stderr and "registered in Azure ML" in strict.stderr
    current = project.pipeyard("run", "--env", "current")
    assert "step 'which' runs in the current environment" in current.stderr
    assert current.returncode == 1  # pipeyard_tiny is not installed in pipeyard's environment
