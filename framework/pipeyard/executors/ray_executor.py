"""Run steps on a Ray cluster: each attempt of a step is one Ray task, placed by its resources.

Ray decides the node: a step's compute profile becomes the task's `num_cpus`, `num_gpus`,
`memory` and custom resources, and Ray assigns GPU devices on the node that runs it. On the
node the step's command runs exactly as the local executor runs it (its own session, killed
with its process group, never outliving the worker), so one process rule holds everywhere.
The coordinator alone records outputs; this executor only runs commands and reports where.

Ray is imported here only, and only when an executor is made (`pipeyard[ray]`). With no
address the executor starts an embedded single-node Ray sized by the capacity it is given;
with `address` ("auto", "ray://host:port" or "host:port") it joins a running cluster. When
Ray is already initialised in this process (a test fixture, a notebook) it is used as it is.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import socket
import threading
import time
from concurrent.futures import Future
from pathlib import Path
from typing import Any

from ..errors import ConfigError, RepositoryError
from ..model import Capacity
from .base import StepResult, StepTask, append_log
from .ray_distributed import run_group
from .ray_node import NodeReport, StagedReturn, StagedStep, coordinator_identity, run_on_node, warm_worker
from .staging import InputOffer, ProjectMarker, receive_outputs, sees
from .watchdog import WATCH_VARIABLE, Watchdog

MB = 1024 * 1024
_RAY_OWN = ("CPU", "GPU", "memory", "object_store_memory")  # resources Capacity names itself
STAGING = ("auto", "never", "always")  # auto: stage where a node cannot see the project
CANCELLED = -15  # returncode of a step stopped by cancel_all (as if by SIGTERM)
LOST = -9  # returncode of a step whose worker or node died


def import_ray() -> Any:
    """The ray module, or one clear error naming the extra to install."""
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "the Ray executor needs Ray, which is not installed",
            hint="pip install 'pipeyard[ray]'",
        ) from None
    return ray


class RayExecutor:
    """Runs each task as a Ray task on whichever node has the resources it asks for.

    `capacity` is the whole cluster's (the sum of its alive nodes, each listed in
    `capacity.nodes`), so the scheduler refuses a step no node can host before anything runs.
    GPU ids handed in by the scheduler are only counted: the devices a step sees are those
    Ray assigns on its node. grace_s is how long a cancelled step has between SIGTERM and SIGKILL.
    """

    name = "ray"

    def __init__(
        self,
        capacity: Capacity | None = None,
        *,
        address: str | None = None,
        grace_s: float = 3.0,
        init_options: dict[str, Any] | None = None,
        warm_workers: int = 32,
        staging: str = "auto",
    ) -> None:
        if staging not in STAGING:
            raise ConfigError(
                f"unknown staging '{staging}' for the Ray executor", hint="staging is auto, never or always"
            )
        self.staging = staging
        self._ray = import_ray()
        _keep_stdout_clean()
        self.grace_s = grace_s
        self._owns_ray = False
        self._watchdog: Watchdog | None = None  # kills an embedded Ray's processes with this process
        if not self._ray.is_initialized():
            self._start_ray(capacity, address, dict(init_options or {}))
        self.capacity = cluster_capacity(self._ray.nodes())
        self._remote = self._ray.remote(max_retries=0)(run_on_node)
        self._coordinator = coordinator_identity()
        self._warm(min(warm_workers, int(self.capacity.cpus)))
        self._adopt_embedded_ray()
        self._running: dict[Any, bool] = {}  # the ObjectRefs of running step tasks
        self._threads: set[threading.Thread] = set()
        self._lock = threading.Lock()
        self._projects: dict[Path, tuple[ProjectMarker, InputOffer | None]] = {}  # by project root

    def _start_ray(self, capacity: Capacity | None, address: str | None, options: dict[str, Any]) -> None:
        options.setdefault("include_dashboard", False)
        options.setdefault("log_to_driver", False)
        options.setdefault("logging_level", "warning")
        if address:
            _check_reachable(address)
        # "local": a new embedded instance, even where a cluster's address file is left over
        options["address"] = address or "local"
        if not address and capacity is not None:
            options.setdefault("num_cpus", max(1, int(capacity.cpus)))
            options.setdefault("num_gpus", capacity.gpus)
            if capacity.custom:
                options.setdefault("resources", dict(capacity.custom))
        if not address:
            # every process of the embedded Ray (GCS, raylet, agents, workers) inherits the
            # watchdog's token, so when this process dies, even by SIGKILL, they all die with it
            self._watchdog = Watchdog(secrets.token_hex(8))
        try:
            with _variable(WATCH_VARIABLE, self._watchdog.token if self._watchdog else None):
                self._ray.init(**options)
        except (ConnectionError, RuntimeError, ValueError) as error:
            self._close_watchdog()
            where = address or "an embedded Ray"
            raise ConfigError(
                f"could not start or join Ray at {where}: {str(error).splitlines()[0]}",
                hint="check the address (ray status on the head node), or run with --executor local",
            ) from None
        self._owns_ray = True

    def _adopt_embedded_ray(self) -> None:
        """Name the embedded Ray's processes to its watchdog, with all their descendants.

        The token in their environment finds most of them, but Ray's agents rewrite their
        title (and with it what /proc shows of their environment), and the raylet dies with this
        process before a watchdog could list its children: so they are named now, while alive.
        """
        if self._watchdog is None:
            return
        import psutil

        token = self._watchdog.token
        for child in psutil.Process().children(recursive=False):
            try:
                if child.environ().get(WATCH_VARIABLE) != token or child.pid == self._watchdog.pid:
                    continue
                for process in (child, *child.children(recursive=True)):
                    self._watchdog.adopt(process.pid, process.create_time())
            except psutil.Error:
                continue

    def _warm(self, count: int, timeout_s: float = 60.0) -> None:
        """Start up to count worker processes, spread over the nodes, before the first step.

        A Ray worker is a new Python process per job; starting several at once is what the
        first steps of a run would otherwise wait for. Failing to warm changes nothing else.
        """
        if count < 1:
            return
        warm = self._ray.remote(max_retries=0)(warm_worker)
        refs = [
            warm.options(num_cpus=1, scheduling_strategy="SPREAD").remote(self.grace_s, self._coordinator)
            for _ in range(count)
        ]
        with contextlib.suppress(Exception):
            self._ray.wait(refs, num_returns=len(refs), timeout=timeout_s)

    def submit(self, task: StepTask) -> Future[StepResult]:
        """Queue the task on the cluster now; the future resolves when it ends anywhere."""
        future: Future[StepResult] = Future()
        future.set_running_or_notify_cancel()
        resources = task.resources
        options: dict[str, Any] = {"num_cpus": resources.cpus, "num_gpus": resources.gpus}
        if resources.memory_mb:
            options["memory"] = resources.memory_mb * MB
        if resources.custom:
            options["resources"] = dict(resources.custom)
        if resources.labels:
            options["label_selector"] = dict(resources.labels)
        args: tuple = (self.grace_s, self._coordinator)
        if task.distribution is not None and task.distribution.instance_count > 1:

            def fetch() -> NodeReport:
                if self.staging == "always":
                    return (
                        None,
                        "pipeyard: a step spread over several nodes needs a shared file system "
                        "(the executor's staging: auto or never)\n",
                        None,
                    )
                return run_group(self._ray, self._remote, task, args, options, self._track)
        else:
            staged = self._staged(task)
            ref = self._remote.options(name=f"pipeyard:{task.name}", **options).remote(
                task, *args, *((staged,) if staged is not None else ())
            )
            self._track(ref, True)

            def fetch() -> NodeReport:
                try:
                    return self._ray.get(ref)
                finally:
                    self._track(ref, False)

        with self._lock:
            thread = threading.Thread(
                target=self._wait,
                args=(fetch, task, future, time.time()),
                name=f"pipeyard-ray-{task.name}",
                daemon=True,
            )
            self._threads.add(thread)
        thread.start()
        return future

    def _staged(self, task: StepTask) -> StagedStep | None:
        """What a node without the project needs to run task (None: every node sees the project).

        The first step of a project asks every node whether it reads back a marker file the
        coordinator wrote there (`staging: auto`); `never` assumes it, `always` stages every step.
        """
        if self.staging == "never":
            return None
        root = task.cwd.resolve()
        with self._lock:
            if root not in self._projects:
                marker = ProjectMarker(root)
                stage = self.staging == "always" or not self._every_node_sees(marker)
                offer = InputOffer(root, self._ray.put) if stage else None
                if offer is None:
                    marker.remove()
                self._projects[root] = (marker, offer)
            marker, offer = self._projects[root]
        if offer is None:
            return None
        return StagedStep(offer.offer(task.inputs), str(marker.path), marker.token, self.staging == "always")

    def _every_node_sees(self, marker: ProjectMarker, timeout_s: float = 60.0) -> bool:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        check = self._ray.remote(max_retries=0)(sees)
        refs = [
            check.options(
                num_cpus=0, scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=False)
            ).remote(str(marker.path), marker.token)
            for node in self._ray.nodes()
            if node.get("Alive")
        ]
        try:
            return all(self._ray.get(refs, timeout=timeout_s))
        except self._ray.exceptions.RayError:
            return False

    def _track(self, ref: Any, running: bool) -> None:
        """Note a Ray task of a step as running (cancel_all reaches it) or as ended."""
        with self._lock:
            if running:
                self._running[ref] = True
            else:
                self._running.pop(ref, None)

    def _wait(self, fetch: Any, task: StepTask, future: Future[StepResult], submitted_at: float) -> None:
        start = time.monotonic()
        returncode = 127  # when the node could not run the step at all
        try:
            result, note, returned = fetch()
            if returned is not None:
                self._receive(task, returned)
        except RepositoryError as error:  # an unsafe path, an object whose md5 is wrong
            result, note, returncode = None, f"pipeyard: {error.message}\n", 127
        except self._ray.exceptions.TaskCancelledError:
            result, note = None, "pipeyard: the step was cancelled\n"
            returncode = CANCELLED
        except (
            self._ray.exceptions.WorkerCrashedError,
            self._ray.exceptions.NodeDiedError,
            self._ray.exceptions.OwnerDiedError,
            self._ray.exceptions.ObjectLostError,
        ) as error:
            result, note = (
                None,
                f"pipeyard: the Ray worker or node running the step died: {type(error).__name__}\n",
            )
            returncode = LOST
        except self._ray.exceptions.RayError as error:
            result, note = None, f"pipeyard: Ray could not run the step: {_first_line(error)}\n"
            returncode = 127
        except BaseException as error:  # noqa: BLE001 - a future must always resolve
            future.set_exception(error)
            return
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())
        if note:
            append_log(task, note)
        if result is None:
            result = StepResult(
                name=task.name,
                returncode=returncode,
                duration_s=time.monotonic() - start,
                timed_out=False,
                log_path=task.log_path,
                started_at=submitted_at,
            )
        future.set_result(result)

    def _receive(self, task: StepTask, returned: StagedReturn) -> None:
        """Write a staged step's log; store the output objects the cache lacks and check them out."""
        outputs, log, inputs = returned
        task.log_path.parent.mkdir(parents=True, exist_ok=True)
        task.log_path.write_bytes(log)
        back = receive_outputs(task.cwd, outputs, self._ray.get)
        append_log(
            task,
            f"pipeyard: staged on a node without the project; {inputs.describe('inputs')}; "
            f"{back.describe('outputs')}\n",
        )

    def cancel_all(self) -> None:
        """Interrupt every submitted task (its step gets SIGTERM, then SIGKILL after the grace).

        A task still waiting for a node is dropped from Ray's queue. A task whose worker does
        not answer within the grace has its worker killed, which kills the step with it.
        """
        with self._lock:
            refs = list(self._running)
        for ref in refs:
            with contextlib.suppress(Exception):
                self._ray.cancel(ref, force=False)
        deadline = time.monotonic() + self.grace_s + 2.0
        for ref in refs:
            left = max(0.0, deadline - time.monotonic())
            ready, _ = self._ray.wait([ref], timeout=left)
            if not ready:
                with contextlib.suppress(Exception):
                    self._ray.cancel(ref, force=True)

    def shutdown(self) -> None:
        """Wait for every submitted task to end; stop Ray if this executor started it."""
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join()
        with self._lock:
            projects, self._projects = list(self._projects.values()), {}
        for marker, _offer in projects:
            marker.remove()
        if self._owns_ray:
            self._owns_ray = False
            self._ray.shutdown()
        self._close_watchdog()

    def _close_watchdog(self) -> None:
        """Tell the embedded Ray's watchdog to kill whatever of it is left (its agents) and exit."""
        if self._watchdog is not None:
            self._watchdog.close()
            self._watchdog = None


@contextlib.contextmanager
def _variable(name: str, value: str | None):
    """Set an environment variable of this process for the block (value None: leave it alone)."""
    if value is None:
        yield
        return
    saved = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved


def cluster_capacity(nodes: list[dict[str, Any]]) -> Capacity:
    """The capacity of the alive nodes `ray.nodes()` lists: their sum, and each node's own.

    GPUs are counted as logical ids "<node>:<i>" (the devices are assigned on the node); a
    node is named by its address and the first characters of its Ray node id.
    """
    per_node = []
    for node in nodes:
        if not node.get("Alive", False):
            continue
        offered = node.get("Resources", {})
        name = f"{node.get('NodeManagerAddress', '?')} {str(node.get('NodeID', ''))[:8]}".strip()
        custom = tuple(
            sorted(
                (key, float(value))
                for key, value in offered.items()
                if key not in _RAY_OWN and not key.startswith(("node:", "accelerator_type:"))
            )
        )
        per_node.append(
            Capacity(
                cpus=float(offered.get("CPU", 0.0)),
                memory_mb=int(offered.get("memory", 0) // MB),
                gpu_ids=tuple(f"{name.split()[-1]}:{i}" for i in range(int(offered.get("GPU", 0)))),
                custom=custom,
                name=name,
                labels=tuple(sorted((str(k), str(v)) for k, v in (node.get("Labels") or {}).items())),
            )
        )
    total_custom: dict[str, float] = {}
    for node_capacity in per_node:
        for key, value in node_capacity.custom:
            total_custom[key] = total_custom.get(key, 0.0) + value
    return Capacity(
        cpus=sum(n.cpus for n in per_node),
        memory_mb=sum(n.memory_mb for n in per_node),
        gpu_ids=tuple(g for n in per_node for g in n.gpu_ids),
        custom=tuple(sorted(total_custom.items())),
        name="ray cluster",
        nodes=tuple(per_node),
    )


def _check_reachable(address: str, timeout_s: float = 5.0) -> None:
    """Refuse, in one line, a cluster address nothing answers at (ray.init would wait minutes)."""
    if address.startswith("ray://"):
        target: str | None = address[len("ray://") :]
    else:
        try:
            from ray._private.services import canonicalize_bootstrap_address

            target = canonicalize_bootstrap_address(address)
        except Exception:  # noqa: BLE001 - Ray's private helper moved: let ray.init decide
            return
    if target is None:
        raise ConfigError(
            f"no Ray cluster found for address '{address}'",
            hint="start one with `ray start --head`, or drop --address for an embedded Ray",
        )
    host, _, port = target.rpartition(":")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout_s).close()
    except (OSError, ValueError):
        raise ConfigError(
            f"nothing answers at the Ray address '{address}' ({target})",
            hint="check the head node (ray status there), or drop --address for an embedded Ray",
        ) from None


def _keep_stdout_clean() -> None:
    """Send what Ray's driver prints of cluster errors (a worker died...) to stderr.

    Ray prints those notices to stdout, where `pipeyard run --json` writes its JSON. The hook
    is Ray's private printer; when a Ray version lacks it, nothing changes.
    """
    try:
        from ray._private import worker as ray_worker
    except ImportError:
        return
    original = getattr(ray_worker, "print_to_stdstream", None)
    if original is None or getattr(original, "pipeyard_stderr", False):
        return

    def to_stderr(data: dict, ignore_prefix: bool) -> None:
        original({**data, "is_err": True}, ignore_prefix)

    to_stderr.pipeyard_stderr = True  # type: ignore[attr-defined]
    ray_worker.print_to_stdstream = to_stderr


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[-1] if text else type(error).__name__


def make_ray_executor(capacity: Capacity) -> RayExecutor:
    """An embedded-Ray executor sized by capacity (the contract suite's `factory`)."""
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    return RayExecutor(capacity)


def make_executor(capacity: Capacity, spec: Any) -> RayExecutor:
    """The registry's factory: spec.address joins a cluster; none starts an embedded Ray.

    spec.options may hold `grace_s`, `staging` (auto: move inputs and outputs by hash for the
    nodes that cannot see the project folder; never; always) and `init` (extra keyword
    arguments for `ray.init`).
    """
    options = dict(spec.options)
    return RayExecutor(
        capacity,
        address=spec.address,
        grace_s=float(options.get("grace_s", 3.0)),
        init_options=dict(options.get("init") or {}),
        staging=str(options.get("staging", "auto")),
    )
