"""A distributed step on Ray: one instance per bundle of a placement group, spread over nodes.

A step with `distribution.instance_count` M > 1 gets a placement group of M bundles (each the
step's resources), strategy SPREAD: one per node while nodes are free. A probe task in each
bundle reports its node's address and free ports; then M Ray tasks run the step's command
(`python -m pipeyard.launch ...`) with PIPEYARD_NODE_RANK = i, so each starts only its own
instance's processes, all joining MASTER_ADDR / MASTER_PORT on bundle 0's node (TensorFlow:
PIPEYARD_WORKERS). When one instance fails the others are cancelled. Instance i > 0 logs to
`<log>.instance<i>`, appended to the step's log at the end; the result is instance 0's, with
the first failing exit code. The group is removed afterwards.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from .base import StepResult, StepTask

_PLACEMENT_TIMEOUT_S = 600.0


def probe(ports: int) -> tuple[str, list[int]]:
    """On the node of a bundle: its address (as Ray knows it) and `ports` free TCP ports."""
    import ray

    sockets = []
    try:
        for _ in range(ports):
            s = socket.socket()
            s.bind(("", 0))
            sockets.append(s)
        return ray.util.get_node_ip_address(), [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def run_group(
    ray: Any,
    remote: Any,
    task: StepTask,
    extra_args: tuple,
    options: dict[str, Any],
    track: Callable[[Any, bool], None],
) -> tuple[StepResult | None, str, None]:
    """Run task's M instances on a placement group; (result, note for the log, None) as run_on_node.

    options are the Ray options of one instance (num_cpus, num_gpus, memory, resources);
    track(ref, running) lets the executor cancel the instances.
    """
    from ray.util.placement_group import placement_group, remove_placement_group
    from ray.util.scheduling_strategies import PlacementGroupSchedulingStrategy

    distribution = task.distribution
    assert distribution is not None
    count = distribution.instance_count
    bundle = {"CPU": float(options["num_cpus"])}
    if options.get("num_gpus"):
        bundle["GPU"] = float(options["num_gpus"])
    if options.get("memory"):
        bundle["memory"] = float(options["memory"])
    bundle.update(options.get("resources") or {})
    selectors = (
        {"bundle_label_selector": [options["label_selector"]] * count}
        if options.get("label_selector")
        else {}
    )
    group = placement_group(
        [bundle] * count, strategy=_spread(bundle, count), name=f"pipeyard:{task.name}", **selectors
    )
    try:
        ready, _ = ray.wait([group.ready()], timeout=_PLACEMENT_TIMEOUT_S)
        if not ready:
            return (
                None,
                f"pipeyard: the cluster could not place {count} instances of {bundle} within "
                f"{_PLACEMENT_TIMEOUT_S:g}s\n",
                None,
            )

        def in_bundle(i: int) -> PlacementGroupSchedulingStrategy:
            return PlacementGroupSchedulingStrategy(placement_group=group, placement_group_bundle_index=i)

        probe_remote = ray.remote(max_retries=0)(probe)
        where = ray.get(
            [
                probe_remote.options(num_cpus=0, scheduling_strategy=in_bundle(i)).remote(
                    distribution.processes_per_instance + (1 if i == 0 else 0)
                )
                for i in range(count)
            ]
        )
        master_host, master_ports = where[0]
        variables = {
            "MASTER_ADDR": master_host,
            "MASTER_PORT": str(master_ports[-1]),
            "PIPEYARD_WORKERS": json.dumps(
                [
                    f"{host}:{port}"
                    for host, ports in where
                    for port in ports[: distribution.processes_per_instance]
                ]
            ),
        }
        refs = []
        for i in range(count):
            instance = replace(
                task,
                env={**task.env, **variables, "PIPEYARD_NODE_RANK": str(i)},
                log_path=task.log_path if i == 0 else _instance_log(task.log_path, i),
            )
            own = {k: v for k, v in options.items() if k != "label_selector"}  # the bundle has it
            ref = remote.options(scheduling_strategy=in_bundle(i), **own).remote(instance, *extra_args)
            track(ref, True)
            refs.append(ref)
        try:
            return _gather(ray, refs, task)
        finally:
            for ref in refs:
                track(ref, False)
    finally:
        with contextlib.suppress(Exception):
            remove_placement_group(group)


def _gather(ray: Any, refs: list, task: StepTask) -> tuple[StepResult | None, str, None]:
    results: dict[int, StepResult | None] = {}
    notes: list[str] = []
    pending = list(refs)
    failed = None
    while pending:
        done, pending = ray.wait(pending, num_returns=1)
        index = refs.index(done[0])
        try:
            result, note, _ = ray.get(done[0])
        except ray.exceptions.RayError as error:
            result, note = None, f"pipeyard: instance {index} ended in Ray: {type(error).__name__}\n"
        results[index] = result
        if note:
            notes.append(note)
        if (result is None or not result.ok) and failed is None:
            failed = index
            for other in pending:
                with contextlib.suppress(Exception):
                    ray.cancel(other, force=False)
    for i in range(1, len(refs)):
        _append_instance_log(task.log_path, i)
    first = results.get(0)
    if first is None:
        return None, "".join(notes) or "pipeyard: instance 0 did not report\n", None
    if failed is not None and failed != 0:
        bad = results.get(failed)
        code = bad.returncode if bad is not None and bad.returncode else 1
        first = replace(first, returncode=code, timed_out=bool(bad and bad.timed_out))
    duration = max((r.duration_s for r in results.values() if r is not None), default=first.duration_s)
    return replace(first, duration_s=duration), "".join(notes), None


def _instance_log(log_path: Path, index: int) -> Path:
    return log_path.with_name(f"{log_path.name}.instance{index}")


def _append_instance_log(log_path: Path, index: int) -> None:
    part = _instance_log(log_path, index)
    with contextlib.suppress(OSError):
        text = part.read_bytes()
        with open(log_path, "ab") as log:
            log.write(f"--- instance {index} ---\n".encode() + text)
        part.unlink()


def _spread(bundle: dict[str, float], count: int) -> str:
    """STRICT_SPREAD (one instance per node, as Azure's instances are machines) when enough
    live nodes could each host one instance; else SPREAD, which packs what does not spread."""
    import ray

    hosts = sum(
        1
        for node in ray.nodes()
        if node.get("Alive") and all(node.get("Resources", {}).get(k, 0.0) >= v for k, v in bundle.items())
    )
    return "STRICT_SPREAD" if count > 1 and hosts >= count else "SPREAD"
