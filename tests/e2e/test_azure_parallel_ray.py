"""The Azure parallel job of the corpus under `pipeyard run --executor ray`: the step's
mini-batches run as Ray tasks of the run's cluster and are gathered as in a local run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from projects import new_project

pytest.importorskip("ray", reason="needs the ray extra: pip install 'pipeyard[ray]'")

pytestmark = pytest.mark.slow
PARALLEL = Path(__file__).parents[1] / "data" / "azure" / "parallel"


def test_a_parallel_step_on_ray_spreads_its_mini_batches_as_ray_tasks(tmp_path):
    project = new_project(tmp_path / "parallel")
    shutil.copytree(PARALLEL, project.root, dirs_exist_ok=True)
    project.commit_all("the parallel sample")
    # an embedded Ray of 6 CPUs: the step holds its own, the mini-batch tasks take the others
    result = project.pipeyard("run", "--executor", "ray", "--cpus", "6", "--json", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    step = json.loads(result.stdout)["steps"]["score_files"]
    rows = (project.root / "outputs/score_files/scores").read_text().splitlines()
    assert len(rows) == 36 and rows == sorted(rows)  # as locally: the failing mini-batch left out
    record = json.loads(sorted((project.root / ".pipeyard" / "runs").glob("*/record.json"))[-1].read_text())
    log = (project.root / record["steps"]["score_files"]["log_path"]).read_text()
    assert "10 mini-batches as Ray tasks" in log and "9 succeeded, 1 failed" in log
    assert f"ran on Ray node {step['node']['node_id']}" in log
