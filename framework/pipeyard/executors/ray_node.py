"""The node's side of the Ray executor: what a Ray worker process does to run a step.

`run_on_node` is the body of each step's Ray task. It runs the command exactly as the local
executor runs it, through one LocalExecutor per worker process, next to a guard process
(node_guard.py) that stops the worker's steps when the worker or the coordinator dies. A step
for a node that cannot see the project (staging.py) runs in a fresh folder filled from the
node's cache by content hash, and its outputs go back by hash. Ray is imported here only in the
task body, which runs inside a Ray worker.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, replace
from pathlib import Path

from ..errors import ConfigError
from ..model import Capacity
from ..parallel.ray_batches import RAY_ADDRESS_VARIABLE  # a parallel job's driver joins the cluster
from . import node_guard
from .base import StepResult, StepTask
from .environments import realised_here
from .local import LocalExecutor
from .node_guard import GUARD_VARIABLE
from .staging import StagedPaths, Transfer, lay_out_inputs, offer_outputs, sees
from .watchdog import WATCH_VARIABLE


@dataclass(frozen=True)
class StagedStep:
    """What a node that cannot see the project needs: the inputs by hash, and the marker to test.

    always: stage even on a node that sees the project (`staging: always`).
    """

    inputs: StagedPaths
    marker: str
    token: str
    always: bool = False


StagedReturn = tuple[StagedPaths, bytes, Transfer]  # outputs by hash, the log, what inputs moved
NodeReport = tuple[StepResult | None, str, StagedReturn | None]


def run_on_node(
    task: StepTask, grace_s: float, coordinator: tuple[str, int, int], staged: StagedStep | None = None
) -> NodeReport:
    """The body of the Ray task: run task's command on this node as the local executor does.

    Returns the result (with this node's host and Ray node id), a note for the step's log, and
    for a step staged here (staged is set and this node cannot see the project) its outputs by
    hash, its log and what its inputs cost; (None, note, None) when the node cannot run it. A cancel from
    the coordinator arrives as KeyboardInterrupt; the step's process group is then stopped
    before the task ends. coordinator is (host, pid, start time) of the coordinator, for this
    worker's guard.
    """
    import ray

    worker = _worker_state(grace_s, coordinator)
    try:
        env = realised_here(
            {
                **task.env,
                GUARD_VARIABLE: worker.guard_token,
                RAY_ADDRESS_VARIABLE: ray.get_runtime_context().gcs_address,
            }
        )
    except ConfigError as error:
        return None, f"pipeyard: node {socket.gethostname()}: {error.message}\n", None
    gpu_ids = tuple(str(g) for g in ray.get_gpu_ids())
    host, node_id = socket.gethostname(), ray.get_runtime_context().get_node_id()
    if staged is not None and (staged.always or not sees(staged.marker, staged.token)):
        with tempfile.TemporaryDirectory(prefix="pipeyard-step-") as folder:
            root = Path(folder)
            moved = lay_out_inputs(staged.inputs, root, ray.get)
            log = root / ".pipeyard-step.log"
            result = _run_here(worker, replace(task, cwd=root, log_path=log, gpu_ids=gpu_ids, env=env))
            outputs = offer_outputs(root, task.outputs, ray.put) if result.ok else StagedPaths((), {})
            returned = (outputs, log.read_bytes() if log.is_file() else b"", moved)
        return replace(result, log_path=task.log_path, host=host, node_id=node_id), "", returned
    if not task.cwd.is_dir():
        return (
            None,
            (
                f"pipeyard: node {host} cannot see the project folder {task.cwd}; give every node "
                "the project on a shared file system, or leave executor option staging at auto\n"
            ),
            None,
        )
    return (
        replace(_run_here(worker, replace(task, gpu_ids=gpu_ids, env=env)), host=host, node_id=node_id),
        "",
        None,
    )


def _run_here(worker: _WorkerState, task: StepTask) -> StepResult:
    future = worker.local.submit(task)
    try:
        return _wait_interruptibly(future)
    except KeyboardInterrupt:
        worker.local.cancel_all()
        raise


class _WorkerState:
    """What one Ray worker process keeps between the steps it runs: a local executor and a guard.

    The guard (node_guard.py) is started through a shell that exits at once, so it is not the
    worker's child (Ray kills those with the worker) and learns of the worker's death from
    the end of its stdin.
    """

    def __init__(self, grace_s: float, coordinator: tuple[str, int, int]) -> None:
        # an embedded Ray's token (see ray_executor.RayExecutor._start_ray) stays with the Ray processes: this
        # worker's own watchdog and guard must outlive it long enough to stop the steps
        os.environ.pop(WATCH_VARIABLE, None)
        self.local = LocalExecutor(Capacity(cpus=1, memory_mb=0), grace_s=grace_s)
        self.guard_token = secrets.token_hex(8)
        host, pid, started = coordinator
        same_host = host == socket.gethostname()
        read_end, self._write_end = os.pipe()
        # a background job's stdin is /dev/null unless redirected, hence the detour through fd 3
        subprocess.run(
            [
                "/bin/sh",
                "-c",
                'exec 3<&0; "$0" "$@" <&3 3<&- &',
                sys.executable,
                node_guard.__file__,
                self.guard_token,
                str(pid if same_host else 0),
                str(started if same_host else 0),
            ],
            stdin=read_end,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            check=False,
        )
        os.close(read_end)  # the worker keeps only the write end: the guard's stdin ends with it


def warm_worker(grace_s: float, coordinator: tuple[str, int, int]) -> None:
    """A task that only makes this worker ready to run steps (see ray_executor.RayExecutor._warm)."""
    _worker_state(grace_s, coordinator)
    time.sleep(0.2)  # hold the CPU a moment, so the other warm-up tasks start other workers


_WORKER: _WorkerState | None = None
_WORKER_LOCK = threading.Lock()


def _worker_state(grace_s: float, coordinator: tuple[str, int, int]) -> _WorkerState:
    global _WORKER
    with _WORKER_LOCK:
        if _WORKER is None:
            _WORKER = _WorkerState(grace_s, coordinator)
        return _WORKER


def coordinator_identity() -> tuple[str, int, int]:
    """(host, pid, start time in clock ticks) of this process, for the guards of its steps."""
    return socket.gethostname(), os.getpid(), node_guard.process_start(os.getpid()) or 0


def _wait_interruptibly(future: Future[StepResult]) -> StepResult:
    # short waits, so the KeyboardInterrupt Ray raises on cancel is seen promptly
    while True:
        try:
            return future.result(timeout=0.1)
        except FutureTimeout:
            continue
