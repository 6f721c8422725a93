"""A two-node Ray cluster on this machine: placement by resources, a killed worker, dvc.lock.

The head offers 2 CPUs; the worker 2 CPUs, one logical GPU and one `highmem`. The cluster
starts once (about 30 s) for the tests of this module.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))

from projects import new_project  # noqa: E402

from pipeyard.testing.executor_contract import process_gone, wait_for  # noqa: E402
from pipeyard.testing.ray_fixtures import two_node_cluster  # noqa: E402, F401

pytest.importorskip("ray", reason="needs the ray extra: pip install 'pipeyard[ray]'")
pytestmark = pytest.mark.slow

# A step that writes its message to its output. Asked to (a file kill-<message> in the project:
# steps on Ray see the worker's environment, not the coordinator's), its first attempt writes a
# partial output and the pid of the Ray worker running it, then waits to be killed.
STEP = """
import os, pathlib, sys, time
import psutil
message, out = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
root = next(p for p in pathlib.Path.cwd().resolve().parents if (p / ".git").exists())
seen = root / f"attempt-{message}"
if (root / f"kill-{message}").exists() and not seen.exists():
    seen.write_text("1")
    pathlib.Path(out, "data.txt").write_text("partial")
    worker = psutil.Process().parent()
    while worker is not None and not " ".join(worker.cmdline()).startswith("ray::"):
        worker = worker.parent()
    (root / f"worker-{message}.pid").write_text(str(worker.pid if worker else 0))
    time.sleep(120)
pathlib.Path(out, "data.txt").write_text(message + "|" + os.environ.get("CUDA_VISIBLE_DEVICES", "-"))
"""

COMPONENT = """
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: say
version: "1"
retries: 1
inputs:
  message: {type: string}
outputs:
  out: {type: uri_folder}
code: ./src
command: python say.py ${{inputs.message}} ${{outputs.out}}
"""

PIPELINE = """
$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
jobs:
  prep:
    type: command
    component: ./components/say.yml
    inputs: {message: prep}
  train:
    type: command
    component: ./components/say.yml
    compute: azureml:gpu
    inputs: {message: train}
  report:
    type: command
    component: ./components/say.yml
    compute: azureml:highmem
    inputs: {message: report}
"""

PROJECT_FILE = """
compute:
  gpu: {gpus: 1}
  highmem: {custom: {highmem: 1}}
"""


def make_project(root: Path):
    project = new_project(root)
    project.write("components/say.yml", COMPONENT)
    project.write("components/src/say.py", STEP)
    project.write("pipeline.yml", PIPELINE)
    project.write("pipeyard.yaml", PROJECT_FILE)
    project.commit_all("placement pipeline")
    return project


def test_steps_land_where_their_resources_are_and_dvc_lock_matches_a_local_run(tmp_path, two_node_cluster):  # noqa: F811
    on_ray = make_project(tmp_path / "ray")
    os.environ.update(RAY_AUTH_MODE="disabled")
    result = on_ray.pipeyard(
        "run", "--executor", "ray", "--address", two_node_cluster.address, "--json", timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    steps = json.loads(result.stdout)["steps"]
    worker = two_node_cluster.node_id("worker")
    assert steps["train"]["node"]["node_id"] == worker  # the only node with a GPU
    assert steps["report"]["node"]["node_id"] == worker  # the only node with highmem
    # a local run of the same pipeline, on a machine declaring one GPU "0", as Ray assigned it
    local = make_project(tmp_path / "local")
    local_result = local.pipeyard("run", "--gpus", "0", "--json")
    assert local_result.returncode == 0, local_result.stdout + local_result.stderr
    assert (on_ray.root / "dvc.lock").read_bytes() == (local.root / "dvc.lock").read_bytes()


def test_a_step_no_node_can_host_is_refused_before_anything_runs(tmp_path, two_node_cluster):  # noqa: F811
    project = make_project(tmp_path / "big")
    project.write("pipeyard.yaml", PROJECT_FILE.replace("gpus: 1", "gpus: 2"))
    project.commit_all("two GPUs")
    result = project.pipeyard("run", "--executor", "ray", "--address", two_node_cluster.address, timeout=300)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "train" in result.stderr and "largest node" in result.stderr
    assert not (project.root / "dvc.lock").exists()


def test_a_killed_worker_is_retried_and_nothing_partial_is_recorded(tmp_path, two_node_cluster):  # noqa: F811
    project = make_project(tmp_path / "kill")
    (project.root / "kill-prep").write_text("")
    env = {**os.environ, "RAY_AUTH_MODE": "disabled"}
    run = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pipeyard",
            "run",
            "--executor",
            "ray",
            "--address",
            two_node_cluster.address,
            "--json",
        ],
        cwd=project.root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pid_file = project.root / "worker-prep.pid"
    try:
        wait_for(
            lambda: run.poll() is not None or (pid_file.is_file() and pid_file.read_text().strip()),
            "the first attempt to start",
            240,
        )
        assert run.poll() is None, run.communicate()
        worker = int(pid_file.read_text())
        assert worker > 0
        os.kill(worker, signal.SIGKILL)
        wait_for(lambda: process_gone(worker), "the worker to die")
        out, err = run.communicate(timeout=240)
    finally:
        if run.poll() is None:
            run.kill()
    assert run.returncode == 0, out + err
    prep = json.loads(out)["steps"]["prep"]
    assert prep["status"] == "ran" and prep["attempts"] == 2
    assert (project.root / project_output(project, "prep") / "data.txt").read_text() == "prep|"
    cache = project.root / ".dvc" / "cache"
    assert not any(f.is_file() and f.read_bytes() == b"partial" for f in cache.rglob("*"))


def project_output(project, step: str) -> str:
    """The output folder of step, as dvc.lock records it."""
    import yaml

    lock = yaml.safe_load((project.root / "dvc.lock").read_text())
    return lock["stages"][step]["outs"][0]["path"]


ALLREDUCE = """
import os
import torch
import torch.distributed as dist

dist.init_process_group("gloo")
total = torch.tensor([float(dist.get_rank() + 1)])
dist.all_reduce(total)
print(f"rank {dist.get_rank()} of {dist.get_world_size()} node-rank {os.environ['NODE_RANK']}"
      f" raylet {os.environ.get('RAY_RAYLET_PID')}: all-reduce {total.item():g}", flush=True)
dist.destroy_process_group()
"""

DISTRIBUTED_COMPONENT = """
type: command
name: allreduce
version: "1"
code: ./src
distribution: {type: pytorch, process_count_per_instance: 1}
resources: {instance_count: 2}
command: python allreduce.py
"""


def test_a_two_instance_pytorch_step_spreads_over_both_nodes(tmp_path, two_node_cluster):  # noqa: F811
    pytest.importorskip("torch", reason="needs torch (the CPU build)")
    project = new_project(tmp_path / "dist")
    project.write("components/allreduce.yml", DISTRIBUTED_COMPONENT)
    project.write("components/src/allreduce.py", ALLREDUCE)
    project.write(
        "pipeline.yml",
        "type: pipeline\njobs:\n  reduce:\n    type: command\n    component: ./components/allreduce.yml\n",
    )
    project.commit_all("two instances")
    os.environ.update(RAY_AUTH_MODE="disabled")
    result = project.pipeyard("run", "--executor", "ray", "--address", two_node_cluster.address, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    log = next((project.root / ".pipeyard").rglob("reduce.log")).read_text()
    lines = [line for line in log.splitlines() if "all-reduce" in line]
    assert len(lines) == 2 and all(line.endswith("all-reduce 3") for line in lines), log
    raylets = {line.split("raylet ")[1].split(":")[0] for line in lines}
    assert len(raylets) == 2, f"both ranks ran on one node: {lines}"


# A step that refuses to run inside a folder its node was told it cannot see; it copies what it
# reads (an optional input folder) and its message into its output.
CHECKED_STEP = """
import os, pathlib, sys
here = os.getcwd()
for unseen in filter(None, os.environ.get("PIPEYARD_NODE_UNSEEN", "").split(":")):
    assert not here.startswith(unseen), f"ran in {here}, which this node cannot see"
message, out = sys.argv[1], sys.argv[2]
source = pathlib.Path(sys.argv[3], "data.txt").read_text() + "|" if len(sys.argv) > 3 else ""
os.makedirs(out, exist_ok=True)
pathlib.Path(out, "data.txt").write_text(source + message)
"""

CHECKED_COMPONENT = """
type: command
name: checked
version: "1"
inputs:
  message: {type: string}
  source: {type: uri_folder, optional: true}
outputs:
  out: {type: uri_folder}
code: ./src
command: python checked.py ${{inputs.message}} ${{outputs.out}} $[[${{inputs.source}}]]
"""

CHECKED_PIPELINE = """
type: pipeline
jobs:
  make:
    type: command
    component: ./components/checked.yml
    compute: azureml:highmem
    inputs: {message: make}
  use:
    type: command
    component: ./components/checked.yml
    compute: azureml:highmem
    inputs:
      message: use
      source: ${{parent.jobs.make.outputs.out}}
"""


def checked_project(root: Path):
    project = new_project(root)
    project.write("components/checked.yml", CHECKED_COMPONENT)
    project.write("components/src/checked.py", CHECKED_STEP)
    project.write("pipeline.yml", CHECKED_PIPELINE)
    project.write("pipeyard.yaml", PROJECT_FILE)
    project.commit_all("two steps on the worker")
    return project


def test_a_node_without_the_project_gets_inputs_by_hash_and_dvc_lock_matches_a_local_run(
    tmp_path,
    two_node_cluster,  # noqa: F811
):
    staged = checked_project(two_node_cluster.unseen / tmp_path.name)  # the worker cannot see it
    os.environ.update(RAY_AUTH_MODE="disabled")
    result = staged.pipeyard(
        "run", "--executor", "ray", "--address", two_node_cluster.address, "--json", timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    steps = json.loads(result.stdout)["steps"]
    worker = two_node_cluster.node_id("worker")
    assert steps["make"]["node"]["node_id"] == worker and steps["use"]["node"]["node_id"] == worker
    logs = {
        name: next((staged.root / ".pipeyard").rglob(f"{name}.log")).read_text() for name in ("make", "use")
    }
    assert all("staged on a node without the project" in log for log in logs.values()), logs
    assert "outputs: 1 objects, 1 sent" in logs["make"], logs["make"]
    # use reads make's output, its code and params.yaml: the worker has them all already
    assert "0 sent (0 bytes); outputs" in logs["use"], logs["use"]
    local = checked_project(tmp_path / "local")
    local_result = local.pipeyard("run", "--json")
    assert local_result.returncode == 0, local_result.stdout + local_result.stderr
    assert (staged.root / "dvc.lock").read_bytes() == (local.root / "dvc.lock").read_bytes()
    assert (staged.root / project_output(staged, "use") / "data.txt").read_text() == "make|use"
    again = staged.run_json()  # the coordinator's cache holds what the worker made
    assert {s["status"] for s in again["steps"].values()} == {"cached"}
    # the run-cache entries the coordinator made for the worker's steps restore on this machine
    import shutil

    lock = (staged.root / "dvc.lock").read_bytes()
    for step in ("make", "use"):
        shutil.rmtree(staged.root / project_output(staged, step))
    (staged.root / "dvc.lock").unlink()
    restored = staged.run_json()
    assert {s["status"] for s in restored["steps"].values()} == {"restored"}, restored["steps"]
    assert (staged.root / "dvc.lock").read_bytes() == lock


LABELLED_PIPELINE = """
type: pipeline
jobs:
  here:
    type: command
    component: ./components/say.yml
    compute: azureml:head
    inputs: {message: here}
  there:
    type: command
    component: ./components/say.yml
    compute: azureml:elsewhere
    inputs: {message: there}
"""

LABELLED_PROFILES = """
compute:
  head: {labels: {pipeyard-node: head}}
  elsewhere: {labels: {pipeyard-node: "!head"}}
"""


def test_compute_labels_select_ray_nodes(tmp_path, two_node_cluster):  # noqa: F811
    project = make_project(tmp_path / "labels")
    project.write("pipeline.yml", LABELLED_PIPELINE)
    project.write("pipeyard.yaml", LABELLED_PROFILES)
    project.commit_all("steps placed by node labels")
    os.environ.update(RAY_AUTH_MODE="disabled")
    address = ("--executor", "ray", "--address", two_node_cluster.address)
    result = project.pipeyard("run", *address, "--json", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    steps = json.loads(result.stdout)["steps"]
    assert steps["here"]["node"]["node_id"] == two_node_cluster.node_id("head")
    assert steps["there"]["node"]["node_id"] == two_node_cluster.node_id("worker")
