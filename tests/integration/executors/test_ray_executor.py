"""The Ray executor passes the executor contract (as a cluster executor) on an embedded Ray."""

from __future__ import annotations

import pytest

from pipeyard.testing.cluster_contract import ClusterExecutorContract
from pipeyard.testing.ray_fixtures import EMBEDDED_OFFERS, embedded_ray  # noqa: F401

pytest.importorskip("ray", reason="needs the ray extra: pip install 'pipeyard[ray]'")

from pipeyard.executors.ray_executor import RayExecutor, cluster_capacity  # noqa: E402


class TestRayExecutorContract(ClusterExecutorContract):
    """Every contract test, run against RayExecutor attached to the shared embedded Ray."""

    factory = "pipeyard.testing.ray_fixtures:make_shared_ray_executor"  # joins the shared Ray
    cluster_offers = EMBEDDED_OFFERS

    @pytest.fixture(autouse=True)
    def _ray(self, embedded_ray):  # noqa: F811
        return embedded_ray

    def make_executor(self, capacity):
        return RayExecutor(grace_s=1.0)


def test_cluster_capacity_counts_alive_nodes_only():
    nodes = [
        {
            "Alive": True,
            "NodeID": "aaaa1111",
            "NodeManagerAddress": "10.0.0.1",
            "Resources": {"CPU": 8.0, "memory": 2048.0 * 1024 * 1024, "node:10.0.0.1": 1.0},
        },
        {
            "Alive": True,
            "NodeID": "bbbb2222",
            "NodeManagerAddress": "10.0.0.2",
            "Resources": {"CPU": 2.0, "GPU": 1.0, "highmem": 1.0, "accelerator_type:T4": 1.0},
            "Labels": {"zone": "eu"},
        },
        {"Alive": False, "NodeID": "cccc3333", "NodeManagerAddress": "10.0.0.3", "Resources": {"CPU": 64.0}},
    ]
    capacity = cluster_capacity(nodes)
    assert capacity.cpus == 10 and capacity.memory_mb == 2048
    assert capacity.gpu_ids == ("bbbb2222:0",) and capacity.custom == (("highmem", 1.0),)
    assert [n.name for n in capacity.nodes] == ["10.0.0.1 aaaa1111", "10.0.0.2 bbbb2222"]
    assert capacity.nodes[1].labels == (("zone", "eu"),) and capacity.nodes[0].labels == ()


def test_a_staged_step_gets_inputs_by_hash_and_sends_back_only_objects_the_cache_lacks(
    embedded_ray,  # noqa: F811
    tmp_path,
):
    import secrets

    from pipeyard.executors.base import StepTask

    (tmp_path / ".dvc").mkdir()
    (tmp_path / "data").mkdir()
    token = secrets.token_hex(8)  # new content: no node cache holds it yet
    (tmp_path / "data" / "in.txt").write_text(f"input {token}\n")
    (tmp_path / "unrelated.txt").write_text("not an input\n")
    task = StepTask(
        name="staged",
        command='mkdir -p out && cat data/in.txt > out/result.txt && ls > out/seen.txt && echo "ran in $PWD"',
        cwd=tmp_path,
        log_path=tmp_path / "logs" / "staged.log",
        inputs=("data",),
        outputs=("out",),
    )
    executor = RayExecutor(grace_s=1.0, staging="always")
    try:
        first = executor.submit(task).result(timeout=60)
        log = (tmp_path / "logs" / "staged.log").read_text()
        (tmp_path / "out" / "result.txt").unlink()  # as the scheduler empties outputs before a run
        second = executor.submit(task).result(timeout=60)
        again = (tmp_path / "logs" / "staged.log").read_text()
    finally:
        executor.shutdown()
    assert first.ok and second.ok and first.node_id
    assert (tmp_path / "out" / "result.txt").read_text() == f"input {token}\n"
    assert "unrelated.txt" not in (tmp_path / "out" / "seen.txt").read_text()  # only its inputs travelled
    assert log.split("ran in ", 1)[1].splitlines()[0] != str(tmp_path)
    assert "inputs: 1 objects, 1 sent" in log and "outputs: 2 objects, 2 sent" in log, log
    # the node has the input and the coordinator's DVC cache has the outputs: nothing moves again
    assert "inputs: 1 objects, 0 sent (0 bytes)" in again and "outputs: 2 objects, 0 sent" in again, again
    assert len([f for f in (tmp_path / ".dvc" / "cache").rglob("*") if f.is_file()]) == 2
    assert not list((tmp_path).glob(".pipeyard/node-probe-*"))  # the marker is gone


def test_a_node_that_cannot_see_the_project_fails_the_step_in_one_line(embedded_ray, tmp_path):  # noqa: F811
    from pipeyard.executors.base import StepTask

    task = StepTask(name="x", command="true", cwd=tmp_path / "elsewhere", log_path=tmp_path / "x.log")
    executor = RayExecutor(grace_s=1.0, staging="never")  # told every node sees the project
    try:
        result = executor.submit(task).result(timeout=60)
    finally:
        executor.shutdown()
    assert result.returncode == 127
    assert "cannot see the project folder" in (tmp_path / "x.log").read_text()


COORDINATOR = """
import sys, time
from pipeyard.executors.ray_executor import RayExecutor
from pipeyard.model import Capacity
RayExecutor(Capacity(cpus=1, memory_mb=0), warm_workers=1)
print("ready", flush=True)
time.sleep(300)
"""


def test_an_embedded_ray_dies_with_a_sigkilled_coordinator(tmp_path):
    import os
    import signal
    import subprocess
    import sys

    import psutil

    from pipeyard.testing.executor_contract import wait_for

    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    coordinator = subprocess.Popen(
        [sys.executable, "-c", COORDINATOR],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=tmp_path,
    )
    try:
        assert coordinator.stdout.readline().strip() == "ready"
        ray_session = psutil.Process(coordinator.pid).children(recursive=True)
        names = " ".join(p.name() for p in ray_session)
        assert len(ray_session) >= 3 and "raylet" in names and "gcs_server" in names, names
        os.kill(coordinator.pid, signal.SIGKILL)
        coordinator.wait()
        wait_for(
            lambda: not [p for p in ray_session if _alive(p)], "every process of the embedded Ray to end", 10
        )
    finally:
        if coordinator.poll() is None:
            coordinator.kill()
            coordinator.wait()


def _alive(process) -> bool:
    import psutil

    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
