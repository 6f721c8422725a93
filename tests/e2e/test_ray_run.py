"""`pipeyard run --executor ray` on an embedded Ray records what a local run records."""

from __future__ import annotations

import json

import pytest
from projects import diamond_project

pytest.importorskip("ray", reason="needs the ray extra: pip install 'pipeyard[ray]'")

pytestmark = pytest.mark.slow


def test_a_ray_run_writes_the_same_dvc_lock_as_a_local_run_and_a_local_run_reuses_it(tmp_path):
    local = diamond_project(tmp_path / "local")
    on_ray = diamond_project(tmp_path / "ray")
    local.run_json()
    result = on_ray.pipeyard("run", "--executor", "ray", "--json", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    ran = json.loads(result.stdout)
    assert {s["status"] for s in ran["steps"].values()} == {"ran"}
    assert all(s["node"]["node_id"] for s in ran["steps"].values())  # where each step ran
    assert (on_ray.root / "dvc.lock").read_bytes() == (local.root / "dvc.lock").read_bytes()
    again = on_ray.run_json()  # a later local run reuses what Ray made
    assert {s["status"] for s in again["steps"].values()} == {"cached"}
    shown = on_ray.pipeyard("show", "--json", ran["run_id"], check=True)
    assert all(step["node"]["host"] for step in json.loads(shown.stdout)["steps"].values())


def test_an_unknown_executor_is_one_line_naming_the_known_ones(tmp_path):
    project = diamond_project(tmp_path / "p")
    result = project.pipeyard("run", "--executor", "rey")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "unknown executor 'rey'" in result.stderr and "did you mean 'ray'" in result.stderr


def test_with_staging_the_steps_run_in_copies_and_dvc_lock_is_the_same(tmp_path):
    from pipeyard.testing.ray_fixtures import shared_ray_address

    local = diamond_project(tmp_path / "local")
    staged = diamond_project(tmp_path / "staged")
    # joins this test session's embedded Ray (a Ray cluster address in pipeyard.yaml)
    staged.write(
        "pipeyard.yaml",
        f"executor: {{type: ray, address: '{shared_ray_address()}', options: {{staging: always}}}}\n",
    )
    staged.commit_all("stage inputs and outputs through Ray")
    local.run_json()
    result = staged.pipeyard("run", "--json", timeout=300)  # the executor comes from pipeyard.yaml
    assert result.returncode == 0, result.stdout + result.stderr
    assert all(s["node"]["node_id"] for s in json.loads(result.stdout)["steps"].values())
    assert (staged.root / "dvc.lock").read_bytes() == (local.root / "dvc.lock").read_bytes()


def test_an_address_nothing_answers_at_is_one_line_not_a_wait(tmp_path):
    project = diamond_project(tmp_path / "p")
    result = project.pipeyard("run", "--executor", "ray", "--address", "127.0.0.1:1", timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "nothing answers at the Ray address '127.0.0.1:1'" in result.stderr
