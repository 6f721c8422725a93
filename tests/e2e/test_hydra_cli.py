"""Hydra habits at the command line: `--cfg job|all`, `+group=option`, "Available options",
and one answer for hydra.* overrides in `run` and `run -m`."""

from __future__ import annotations

import pytest
import yaml
from projects import Project
from test_params_commits import _project

pytestmark = pytest.mark.slow


def _tree_state(project: Project) -> tuple[str, dict[str, float]]:
    """git's view of the tree and every file's modification time (outside .git)."""
    times = {
        str(p.relative_to(project.root)): p.stat().st_mtime
        for p in project.root.rglob("*")
        if p.is_file() and ".git" not in p.parts
    }
    return project.git("status", "--porcelain", "--ignored"), times


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Project:
    """The train/report project of test_params_commits, run once and committed."""
    return _project(tmp_path_factory.mktemp("hydra"))


def test_cfg_job_prints_the_composed_parameters_and_writes_nothing(project):
    before = _tree_state(project)
    shown = project.pipeyard("run", "--cfg", "job", "train=random_forest", "report.lr=0.3", check=True)
    assert yaml.safe_load(shown.stdout) == {
        "train": {"model": "random_forest", "lr": 0.05},
        "report": {"model": "report", "lr": 0.3},
    }
    assert _tree_state(project) == before  # not params.yaml, not dvc.yaml, not a run record


def test_cfg_all_prints_the_whole_params_yaml_with_recorded_overrides(project):
    project.run_json("train.lr=0.2")
    project.commit_all("lr 0.2")
    before = _tree_state(project)
    shown = yaml.safe_load(project.pipeyard("run", "--cfg", "all", "report.lr=0.4", check=True).stdout)
    assert shown["train"]["lr"] == 0.2  # the recorded override applies
    assert shown["report"]["lr"] == 0.4
    assert shown["pipeyard"]["overrides"] == ["train.lr=0.2", "report.lr=0.4"]
    assert "written" in shown["pipeyard"]
    job = yaml.safe_load(project.pipeyard("run", "--cfg", "job", check=True).stdout)
    assert "pipeyard" not in job and job["train"]["lr"] == 0.2
    assert _tree_state(project) == before


def test_cfg_does_not_combine_with_a_sweep(project):
    result = project.pipeyard("run", "--cfg", "job", "-m", "train.lr=0.1,0.2")
    assert result.returncode == 2 and "--cfg prints one composed config" in result.stderr


def test_plus_selects_a_group_the_defaults_list_lacks(project):
    shown = project.pipeyard("run", "--cfg", "job", "+train=random_forest", check=True)
    assert yaml.safe_load(shown.stdout)["train"]["model"] == "random_forest"


def test_unknown_group_option_gives_hydras_available_options(project):
    result = project.pipeyard("run", "--cfg", "job", "train=random_forst")
    assert result.returncode == 2
    assert "has no option 'random_forst' (did you mean 'random_forest'?)" in result.stderr
    assert "Available options in 'train': random_forest" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("mode", [[], ["-m"], ["--dry-run"], ["--cfg", "job"]])
def test_hydra_settings_get_one_answer_in_every_mode(project, mode):
    result = project.pipeyard("run", *mode, "hydra.verbose=true")
    assert result.returncode == 2, result.stderr
    assert "override 'hydra.verbose=true' sets Hydra itself" in result.stderr
    assert "Traceback" not in result.stderr
