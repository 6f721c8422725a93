"""One embedded Ray per test process, shared by every test that needs Ray (needs `pipeyard[ray]`).

    from pipeyard.testing.ray_fixtures import embedded_ray  # noqa: F401  (a pytest fixture)

The cluster is a single node on 127.0.0.1 with a fixed size, whatever the machine:
`EMBEDDED_OFFERS` (4 logical CPUs, 2 logical GPUs, one `highmem`), so placement tests do not
depend on the test machine. Ray starts in a few seconds, once, and stops when the process ends.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from ..executors.ray_executor import RayExecutor
from ..model import Capacity

EMBEDDED_OFFERS = Capacity(cpus=4, memory_mb=0, gpu_ids=("0", "1"), custom=(("highmem", 1.0),))


def start_embedded_ray():
    """Start (or reuse) this process's embedded Ray; returns the ray module."""
    ray = pytest.importorskip("ray", reason="needs the ray extra: pip install 'pipeyard[ray]'")
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    if not ray.is_initialized():
        # the node's own object cache (staging) in a folder of this test process, not the user's
        os.environ.setdefault("PIPEYARD_NODE_CACHE", tempfile.mkdtemp(prefix="pipeyard-node-cache-"))
        ray.init(
            address="local",  # a new instance, whatever cluster this machine runs
            num_cpus=int(EMBEDDED_OFFERS.cpus),
            num_gpus=EMBEDDED_OFFERS.gpus,
            resources=dict(EMBEDDED_OFFERS.custom),
            include_dashboard=False,
            log_to_driver=False,
            logging_level="warning",
            _node_ip_address="127.0.0.1",
        )
        # coordinators this process starts (the contract's SIGKILL test, CLI runs) join it
        os.environ[SHARED_RAY_VARIABLE] = ray.get_runtime_context().gcs_address
    return ray


SHARED_RAY_VARIABLE = "PIPEYARD_TEST_RAY_ADDRESS"


def make_shared_ray_executor(capacity: Capacity):
    """A Ray executor joined to the test session's embedded Ray (a contract suite's `factory`).

    A coordinator process started by a test joins the Ray its test process already runs, by
    the address `start_embedded_ray` exported, instead of starting one of its own (seconds
    each on a loaded machine); without it, it starts an embedded Ray as `pipeyard run` does.
    """
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    address = os.environ.get(SHARED_RAY_VARIABLE)
    return RayExecutor(capacity, address=address) if address else RayExecutor(capacity)


def shared_ray_address() -> str:
    """The address of the session's embedded Ray (starting it when needed)."""
    start_embedded_ray()
    return os.environ[SHARED_RAY_VARIABLE]


@pytest.fixture(scope="session")
def embedded_ray():
    """The shared embedded Ray (skips the test when Ray is not installed)."""
    return start_embedded_ray()


def machine_address() -> str:
    """This machine's own address: two Ray nodes on one machine need it (127.0.0.1 hangs)."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.254", 9))  # no packet is sent; this picks the outgoing address
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def _answers(address: str) -> bool:
    import socket

    host, _, port = address.rpartition(":")
    try:
        socket.create_connection((host, int(port)), timeout=1.0).close()
        return True
    except OSError:
        return False


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("", 0))
        return s.getsockname()[1]


class TwoNodeCluster:
    """A Ray head (2 CPUs) and a worker (2 CPUs, 1 logical GPU, one `highmem`) on this machine.

    Each node carries the label `pipeyard-node` (head or worker).

    Started with `ray start --block` in their own sessions, so stopping them touches no other
    Ray on the machine. `env` is what a driver needs to join (token authentication off). Each
    node keeps its own object cache under `folder`; the worker behaves as a machine without a
    shared file system for projects under `unseen` (`PIPEYARD_NODE_UNSEEN`): a step it runs for
    such a project is staged.
    """

    WORKER_OFFERS = Capacity(cpus=2, memory_mb=0, gpu_ids=("0",), custom=(("highmem", 1.0),))

    def __init__(self, folder: Path) -> None:
        import json
        import subprocess
        import sys
        import time

        self.unseen = folder / "unseen"
        self.unseen.mkdir(parents=True, exist_ok=True)
        ray_cli = str(Path(sys.executable).with_name("ray"))
        self.ip = machine_address()
        self.address = f"{self.ip}:{_free_port()}"
        self.env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
        common = ["--block", "--disable-usage-stats", f"--node-ip-address={self.ip}"]
        self.head = subprocess.Popen(
            [
                ray_cli,
                "start",
                "--head",
                f"--port={self.address.split(':')[1]}",
                "--num-cpus=2",
                "--num-gpus=0",
                "--include-dashboard=false",
                "--labels=pipeyard-node=head",
                *common,
            ],
            env={**self.env, "PIPEYARD_NODE_CACHE": str(folder / "head-cache")},
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.worker = None
        deadline = time.monotonic() + 120
        while not _answers(self.address):  # the head's GCS port; the worker retries joining itself
            self._check(deadline, "the head", pause_s=0.2)
        self.worker = subprocess.Popen(
            [
                ray_cli,
                "start",
                f"--address={self.address}",
                "--num-cpus=2",
                "--num-gpus=1",
                f"--resources={json.dumps(dict(self.WORKER_OFFERS.custom))}",
                "--labels=pipeyard-node=worker",
                *common,
            ],
            env={
                **self.env,
                "PIPEYARD_NODE_CACHE": str(folder / "worker-cache"),
                "PIPEYARD_NODE_UNSEEN": str(self.unseen),
            },
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.started_nodes: list[dict] = []  # node_table() once both nodes are up (one driver start)
        while len(self.started_nodes) < 2:
            self._check(deadline, "the worker")
            self.started_nodes = self.node_table()

    def node_id(self, role: str) -> str:
        """The Ray node id of the head or the worker (the worker is the one with a GPU)."""
        return next(n["node_id"] for n in self.started_nodes if bool(n["gpus"]) == (role == "worker"))

    def _check(self, deadline: float, what: str, pause_s: float = 1.0) -> None:
        import time

        if time.monotonic() > deadline or any(
            p is not None and p.poll() is not None for p in (self.head, self.worker)
        ):
            self.stop()
            pytest.fail(f"the two-node Ray cluster did not start ({what})")
        time.sleep(pause_s)

    def nodes(self) -> int:
        """How many alive nodes the cluster reports (0 when it does not answer yet)."""
        return len(self.node_table())

    def node_table(self) -> list[dict]:
        """[{node_id, gpus, custom...}] of the alive nodes, asked through a separate driver."""
        import json
        import subprocess
        import sys

        probe = (
            f"import json, ray; ray.init(address={self.address!r}, logging_level='error', log_to_driver=False);"
            "print(json.dumps([{'node_id': n['NodeID'], 'gpus': n['Resources'].get('GPU', 0)}"
            " for n in ray.nodes() if n['Alive']]))"
        )
        done = subprocess.run(
            [sys.executable, "-c", probe],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        if done.returncode != 0:
            return []
        return json.loads(done.stdout.strip().splitlines()[-1])

    def stop(self) -> None:
        """Stop both nodes (SIGTERM to each `ray start --block` session, SIGKILL after 5 s)."""
        import signal
        import subprocess

        for process in (self.worker, self.head):
            if process is None or process.poll() is not None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.fixture(scope="session")
def two_node_cluster(tmp_path_factory):
    """A two-node Ray cluster on this machine, shared by the tests that need one."""
    pytest.importorskip("ray", reason="needs the ray extra: pip install 'pipeyard[ray]'")
    cluster = TwoNodeCluster(tmp_path_factory.mktemp("ray-cluster"))
    try:
        yield cluster
    finally:
        cluster.stop()
