"""End-to-end: `pipeyard run --rev REV` reproduces a past version in a temporary worktree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from projects import diamond_project, new_project, statuses

pytestmark = pytest.mark.slow


def test_a_version_run_before_comes_back_without_executing_and_matches_its_lock(tmp_path):
    project = diamond_project(tmp_path / "p")
    project.run_json()
    project.commit_all("first run")
    pipeline = project.root / "pipeline.yml"
    pipeline.write_text(pipeline.read_text().replace("message: left", "message: LEFT"))
    project.run_json()
    project.commit_all("left shouts")

    result = project.pipeyard("run", "--rev", "HEAD~1", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(statuses(data).values()) == {"restored"}
    assert data["commit"] == project.git("rev-parse", "HEAD~1").strip()
    assert data["verification"] == {
        "checked": 4,
        "ok": True,
        "mismatches": [],
        "unrecorded": [],
        "skipped": None,
    }
    assert data["worktree"] is None and len(project.git("worktree", "list").splitlines()) == 1
    assert "all 4 outputs match dvc.lock" in result.stderr
    assert (
        project.root / "outputs/left/out/data.txt"
    ).read_text() == "prep|LEFT"  # the workspace is untouched
    listed = json.loads(project.pipeyard("runs", "--json").stdout)
    assert listed[0]["run_id"] == data["run_id"]


STAMP = """
type: command
name: stamp
outputs:
  out: {type: uri_folder}
command: python -c "import os,sys; open(os.path.join(sys.argv[1], 'stamp'), 'w').write(os.urandom(8).hex())" ${{outputs.out}}
"""

STAMP_PIPELINE = """
type: pipeline
jobs:
  stamp:
    type: command
    component: ./components/stamp.yml
"""


def test_a_step_that_does_not_reproduce_is_reported_and_its_worktree_kept(tmp_path):
    project = new_project(tmp_path / "p")
    project.write("components/stamp.yml", STAMP)
    project.write("pipeline.yml", STAMP_PIPELINE)
    project.run_json()
    project.commit_all("stamped")

    result = project.pipeyard("run", "--rev", "HEAD", "--force", "stamp", "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert statuses(data) == {"stamp": "ran"}
    assert [m["path"] for m in data["verification"]["mismatches"]] == ["outputs/stamp/out"]
    assert "MISMATCH" in result.stderr and "worktree kept at" in result.stderr
    kept = Path(data["worktree"])
    assert (kept / "outputs/stamp/out/stamp").is_file()
    project.git("worktree", "remove", "--force", str(kept))

    unknown = project.pipeyard("run", "--rev", "no-such-branch")
    assert unknown.returncode == 2 and "not a commit" in unknown.stderr
