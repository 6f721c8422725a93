"""A PyTorch `distribution:` step runs as two ranks that complete a gloo all-reduce."""

from __future__ import annotations

import pytest
from projects import new_project

pytest.importorskip("torch", reason="needs torch (the CPU build): pip install 'pipeyard[templates]'")
pytestmark = pytest.mark.slow

COMPONENT = """
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: allreduce
version: "1"
outputs:
  out: {type: uri_folder}
code: ./src
distribution:
  type: pytorch
  process_count_per_instance: 2
resources:
  instance_count: 1
command: python allreduce.py ${{outputs.out}}
"""

SCRIPT = """
import os, sys
import torch
import torch.distributed as dist

dist.init_process_group("gloo")  # env://: MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE
rank, world = dist.get_rank(), dist.get_world_size()
total = torch.tensor([float(rank + 1)])
dist.all_reduce(total)
print(f"rank {rank} of {world} (local {os.environ['LOCAL_RANK']}, node {os.environ['NODE_RANK']}): "
      f"all-reduce {total.item():g}", flush=True)
if rank == 0:
    os.makedirs(sys.argv[1], exist_ok=True)
    with open(os.path.join(sys.argv[1], "sum.txt"), "w") as handle:
        handle.write(f"{total.item():g}\\n")
dist.destroy_process_group()
"""

PIPELINE = """
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
jobs:
  reduce:
    type: command
    component: ./components/allreduce.yml
"""


def make_project(root):
    project = new_project(root)
    project.write("components/allreduce.yml", COMPONENT)
    project.write("components/src/allreduce.py", SCRIPT)
    project.write("pipeline.yml", PIPELINE)
    project.commit_all("distributed step")
    return project


def test_two_ranks_complete_an_all_reduce_and_the_output_is_recorded_once(tmp_path):
    project = make_project(tmp_path / "p")
    result = project.run_json()
    assert result["steps"]["reduce"]["status"] == "ran"
    log = next((project.root / ".pipeyard").rglob("reduce.log")).read_text()
    assert "[rank 0] rank 0 of 2 (local 0, node 0): all-reduce 3" in log
    assert "[rank 1] rank 1 of 2 (local 1, node 0): all-reduce 3" in log
    outputs = [p for p in project.root.rglob("sum.txt") if ".dvc" not in p.parts]
    assert len(outputs) == 1 and outputs[0].read_text() == "3\n"
    lock = (project.root / "dvc.lock").read_text()
    assert "pipeyard.launch" not in lock  # dvc.lock keeps the command as written
    assert project.run_json()["steps"]["reduce"]["status"] == "cached"
    # the distribution is part of the step's identity: one rank instead of two reruns it
    project.write(
        "components/allreduce.yml",
        COMPONENT.replace("process_count_per_instance: 2", "process_count_per_instance: 1"),
    )
    project.commit_all("one rank")
    again = project.run_json()
    assert again["steps"]["reduce"]["status"] == "ran", again["steps"]["reduce"]
    assert "pytorch 1x1" in (project.root / "dvc.lock").read_text()
    assert outputs[0].read_text() == "1\n"


def test_instances_that_cannot_fit_this_machine_together_are_refused_before_anything_runs(tmp_path):
    project = make_project(tmp_path / "p")
    project.write("components/allreduce.yml", COMPONENT.replace("instance_count: 1", "instance_count: 3"))
    project.commit_all("three instances")
    result = project.pipeyard("run", "--cpus", "2")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "reduce" in result.stderr and "3 CPUs but the machine has 2" in result.stderr, result.stderr
