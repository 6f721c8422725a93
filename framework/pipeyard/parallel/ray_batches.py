"""Mini-batches of a parallel job as Ray tasks, spread over the nodes of the step's Ray cluster.

When the step runs under the Ray executor, its environment names the cluster
(``PIPEYARD_RAY_ADDRESS``, set on the node by ``executors.ray_node``). The driver then joins
that cluster and submits each mini-batch as a Ray task (one CPU, Ray's ``SPREAD`` strategy):
the task's worker process loads the entry script and calls ``init()`` once, as a local worker
does, then ``run(mini_batch)``. Retries, timeouts and the error thresholds are the driver's,
as locally: a task past its timeout is cancelled with its worker killed (a new worker calls
``init()`` again), and a worker that dies fails that attempt only. Every node needs the
project's folder (a shared file system), as the entry script and the files are read there.

Ray is imported here lazily, only when a cluster is named.
"""

from __future__ import annotations

import logging
import os
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any

from . import driver
from .batches import MiniBatch, mini_batches

RAY_ADDRESS_VARIABLE = "PIPEYARD_RAY_ADDRESS"  # the Ray cluster the step runs on (executors.ray_node)
_loaded: dict[str, Any] = {}  # per Ray worker process: the entry script it loaded


def _run_mini_batch(
    script: str, arguments: tuple[str, ...], level: str, cwd: str, items: Any
) -> tuple[bool, Any, str]:
    """The Ray task: (ok, result or error, this node's id); init() once per worker process."""
    import ray

    node = ray.get_runtime_context().get_node_id()
    os.chdir(cwd)
    key = repr((script, arguments, cwd))
    if _loaded.get("key") != key:
        driver._entry.clear()
        driver._init_worker(script, arguments, level)
        _loaded["key"] = key
    try:
        return True, driver._run_batch(items), node
    except BaseException as exc:  # noqa: BLE001 -- the user's run() failed: the driver retries or counts it
        return False, "".join(traceback.format_exception_only(type(exc), exc)).strip(), node


def run_on_ray(
    settings: driver.ParallelSettings, batches: list[MiniBatch], address: str
) -> tuple[driver.Outcome, dict[int, str]]:
    """Run batches as Ray tasks on the cluster at address, at most settings.workers at once.

    Returns the outcome (as ``driver.run_parallel``'s) and the node id each mini-batch's last
    attempt ran on.
    """
    ray = _join(address)
    remote = ray.remote(max_retries=0, num_cpus=1, scheduling_strategy="SPREAD")(_run_mini_batch)
    script = os.path.abspath(settings.entry_script)
    cwd = os.getcwd()
    outcome = driver.Outcome()
    nodes: dict[int, str] = {}
    pending = list(batches)
    running: dict[Any, tuple[MiniBatch, float]] = {}
    try:
        while pending or running:
            while pending and len(running) < max(1, settings.workers):
                batch = pending.pop(0)
                outcome.attempts[batch.index] = outcome.attempts.get(batch.index, 0) + 1
                ref = remote.options(name=f"pipeyard:mini-batch-{batch.index}").remote(
                    script, settings.program_arguments, settings.logging_level, cwd, batch.items
                )
                running[ref] = (batch, time.monotonic())
            done, _ = ray.wait(list(running), num_returns=1, timeout=0.05)
            for ref in done:
                batch, _ = running.pop(ref)
                try:
                    ok, value, node = ray.get(ref)
                except ray.exceptions.RayError as error:  # its worker or node died
                    driver._settle(
                        outcome, batch, f"its Ray worker died ({type(error).__name__})", settings, pending
                    )
                    continue
                nodes[batch.index] = node
                logging.info("mini-batch %d ran on Ray node %s", batch.index, node)
                if ok:
                    outcome.results[batch.index] = value
                    outcome.failed.pop(batch.index, None)
                else:
                    driver._settle(outcome, batch, value, settings, pending)
            now = time.monotonic()
            for ref, (batch, started) in list(running.items()):
                if now - started > settings.timeout_s:
                    ray.cancel(ref, force=True)  # kills its worker: a stuck run() holds no CPU
                    del running[ref]
                    driver._settle(
                        outcome, batch, f"timed out after {settings.timeout_s:g}s", settings, pending
                    )
    finally:
        for ref in running:
            ray.cancel(ref, force=True)
    return outcome, nodes


def run_where_asked(settings: driver.ParallelSettings) -> tuple[driver.Outcome, list[MiniBatch], str]:
    """On the step's Ray cluster when its environment names one, else ``driver.run_locally``.

    On Ray at most settings.workers mini-batches run at once (the job's
    max_concurrency_per_instance x instance_count, not capped by the step's own CPUs), and no
    more than the cluster has CPUs free when it starts; with none free they run locally.
    """
    address = os.environ.get(RAY_ADDRESS_VARIABLE)
    if not address:
        return driver.run_locally(settings)
    ray = _join(address)
    free = int(ray.available_resources().get("CPU", 0.0))
    if free < 1:
        logging.info("the Ray cluster has no CPU free for mini-batch tasks: running them on this node")
        return driver.run_locally(settings)
    workers = max(1, min(settings.workers, free))
    batches = mini_batches(Path(settings.input_data), settings.mini_batch_size)
    outcome, nodes = run_on_ray(replace(settings, workers=workers), batches, address)
    used = sorted(set(nodes.values()))
    logging.info("mini-batches ran on %d Ray node(s): %s", len(used), ", ".join(used))
    return outcome, batches, f"as Ray tasks ({workers} at once) on {len(used)} node(s)"


def _join(address: str) -> Any:
    """The ray module, connected to the cluster at address (token authentication off, as the
    Ray executor starts it)."""
    import ray

    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    if not ray.is_initialized():
        ray.init(address=address, logging_level=logging.ERROR, log_to_driver=False)
    return ray
