"""Stages written by hand in dvc.yaml are kept, run in the same graph, or refused: never dropped."""

from __future__ import annotations

import json

import pytest
import yaml
from projects import diamond_project, statuses

pytestmark = pytest.mark.slow

SUMMARY_STAGE = {
    "cmd": "mkdir -p extra && cat outputs/join/out/data.txt > extra/summary.txt",
    "deps": ["outputs/join/out"],
    "outs": ["extra/summary.txt"],
}


def _add_stage(project, name: str, entry: dict) -> None:
    path = project.root / "dvc.yaml"
    document = yaml.safe_load(path.read_text())
    document["stages"][name] = entry
    path.write_text(yaml.safe_dump(document, sort_keys=False))


def test_a_hand_written_stage_is_kept_and_runs_after_what_it_reads(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.run_json()
    _add_stage(project, "summary", SUMMARY_STAGE)

    first = project.run_json()
    assert statuses(first)["summary"] == "ran"
    assert list(first["steps"])[-1] == "summary"  # after join, whose output it reads
    assert (project.root / "extra/summary.txt").read_text() == "prep|left|join"
    dvc_yaml = yaml.safe_load((project.root / "dvc.yaml").read_text())
    assert dvc_yaml["stages"]["summary"] == SUMMARY_STAGE
    assert "summary" in yaml.safe_load((project.root / "dvc.lock").read_text())["stages"]
    assert "up to date" in project.dvc("status").stdout

    assert set(statuses(project.run_json()).values()) == {"cached"}

    # the user's stage reruns when what it reads changes upstream
    changed = project.run_json("join.message=JOIN")
    assert statuses(changed)["summary"] == "ran"
    assert (project.root / "extra/summary.txt").read_text() == "prep|left|JOIN"


def test_a_stage_pipeyard_cannot_run_is_refused_by_name(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.run_json()
    _add_stage(project, "many", {"foreach": [1, 2], "do": {"cmd": "echo ${item}"}})
    before = (project.root / "dvc.yaml").read_text()

    result = project.pipeyard("run")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "dvc.yaml stage 'many'" in result.stderr and "foreach" in result.stderr
    assert (project.root / "dvc.yaml").read_text() == before  # nothing dropped


def test_the_stage_of_a_removed_job_goes_with_it(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.run_json()
    pipeline = yaml.safe_load((project.root / "pipeline.yml").read_text())
    del pipeline["jobs"]["right"]
    (project.root / "pipeline.yml").write_text(yaml.safe_dump(pipeline, sort_keys=False))

    result = json.loads(project.pipeyard("run", "--json", check=True).stdout)
    assert "right" not in result["steps"]
    assert "right" not in yaml.safe_load((project.root / "dvc.yaml").read_text())["stages"]


def test_a_stage_of_yours_that_would_delete_the_project_is_refused(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.run_json()
    _add_stage(project, "wipe", {"cmd": "true", "outs": ["."]})
    before = sorted(p.name for p in project.root.iterdir())

    result = project.pipeyard("run")
    assert result.returncode == 2, result.stderr
    assert "step 'wipe'" in result.stderr and "project root" in result.stderr
    assert sorted(p.name for p in project.root.iterdir()) == before
