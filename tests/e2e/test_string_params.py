"""A string parameter holding a space reaches the step as one argument, with pipeyard and DVC."""

from __future__ import annotations

import pytest
import yaml
from test_params_commits import _project

pytestmark = pytest.mark.slow


def test_a_value_with_a_space_runs_and_dvc_interpolates_the_same_command(tmp_path):
    project = _project(tmp_path)
    project.run_json("train.model=my model")
    found = [p for p in project.root.rglob("model.txt") if "train" in p.parts]
    assert found[0].read_text() == "my model 0.1"
    stage = yaml.safe_load((project.root / "dvc.yaml").read_text())["stages"]["train"]
    assert "'${train.model}'" in str(stage["cmd"])  # still DVC's reference, inside quotes
    status = project.dvc("status")
    assert status.returncode == 0 and "up to date" in status.stdout, status.stdout + status.stderr
    lock = yaml.safe_load((project.root / "dvc.lock").read_text())
    repro = project.dvc("repro", "--force", "train")  # DVC runs its own interpolated command
    assert repro.returncode == 0, repro.stdout + repro.stderr
    assert found[0].read_text() == "my model 0.1"
    assert yaml.safe_load((project.root / "dvc.lock").read_text()) == lock  # the same cmd
