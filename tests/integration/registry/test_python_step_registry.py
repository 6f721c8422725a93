"""Python steps in a registry: stored with their helper modules, used by name from YAML."""

from __future__ import annotations

import pytest
from registry_projects import component, new_project, plain_project

pytestmark = pytest.mark.slow

TEAM = "registries:\n  - {name: team, path: ../registry}\n"

FIT = '''
from pipeyard import Dir, File, In, Out, step

from .helpers import scaled


@step(version="4")
def fit(source: In[Dir], result: Out[File], factor: int = 2) -> None:
    """Append a scaled number to the source text."""
    result.write_text((source / "data.txt").read_text() + "|" + str(scaled(factor)))
'''

HELPERS = """
def scaled(value):
    return value * 10
"""


def test_a_registered_python_step_runs_from_another_projects_yaml(tmp_path):
    maker = plain_project(tmp_path / "maker")
    maker.write("pipeyard.yaml", TEAM)
    maker.write("steps/__init__.py", "")
    maker.write("steps/fit.py", FIT)
    maker.write("steps/helpers.py", HELPERS)
    maker.write("steps/unrelated.py", "raise SystemExit('not part of the step')\n")
    result = component(maker, "register", "steps/fit.py:fit")
    assert "registered fit:4 in registry 'team'" in result.stdout
    stored = tmp_path / "registry/fit/4/src/steps"
    assert sorted(p.name for p in stored.iterdir()) == ["fit.py", "helpers.py"]
    shown = component(maker, "show", "fit").stdout
    assert "fit:4  (python; versions: 4)" in shown
    assert "factor  integer    default 2" in shown
    assert "function: src/steps/fit.py:fit" in shown

    user = new_project(tmp_path / "user")
    user.write("pipeyard.yaml", TEAM)
    user.write("data/data.txt", "raw")
    user.write(
        "pipeline.yml",
        """
        type: pipeline
        inputs:
          raw: {type: uri_folder, path: ./data}
        jobs:
          fit:
            component: azureml:fit:4
            inputs:
              source: ${{parent.inputs.raw}}
              factor: 5
        """,
    )
    user.commit_all("pipeline")
    run = user.pipeyard("run", "--json")
    assert run.returncode == 0, run.stderr
    assert (user.root / "outputs/fit/result").read_text() == "raw|50"
    assert "components/_registry/fit/v4/src/steps/fit.py" in (user.root / "dvc.yaml").read_text()
    user.commit_all("ran")
    assert "up to date" in user.dvc("status").stdout


def test_a_step_that_imports_project_modules_by_absolute_name_is_refused(tmp_path):
    maker = plain_project(tmp_path / "maker")
    maker.write("pipeyard.yaml", TEAM)
    maker.write("steps/__init__.py", "")
    maker.write("steps/helpers.py", HELPERS)
    maker.write("steps/fit.py", FIT.replace("from .helpers import", "from steps.helpers import"))
    result = component(maker, "register", "steps/fit.py:fit", check=False)
    assert result.returncode == 2
    assert "steps/fit.py:3: it imports" in result.stderr
    assert "imports the project module 'steps.helpers' by its absolute name" in result.stderr
    assert "from .data import" in result.stderr
    result = component(maker, "register", "steps/fit.py:fitt", check=False)
    assert "steps/fit.py has no 'fitt' (did you mean 'fit'?)" in result.stderr
