"""Executors by name: `local`, `ray`, and any plug-in that declares an entry point.

A plug-in executor is a package with an entry point in the group `pipeyard.executors`::

    [project.entry-points."pipeyard.executors"]
    slurm = "pipeyard_slurm:make_executor"

naming a callable `(capacity: Capacity, spec: ExecutorSpec) -> Executor`. The scheduler only
sees the Executor protocol, so a new executor changes nothing else; it proves itself with
`pipeyard.testing.executor_contract` (or `cluster_contract`). The built-in names work even
when the installed package metadata predates them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib import import_module
from types import MappingProxyType
from typing import Any

from ..errors import ConfigError, did_you_mean
from ..model import Capacity
from .base import Executor
from .local import LocalExecutor

ENTRY_POINT_GROUP = "pipeyard.executors"
_BUILT_IN = {
    "local": "pipeyard.executors.registry:make_local_executor",
    "ray": "pipeyard.executors.ray_executor:make_executor",
}


@dataclass(frozen=True)
class ExecutorSpec:
    """Which executor a run uses and how to reach it: `--executor` or pipeyard.yaml's `executor:`.

    address is where the cluster is (Ray: "auto", "ray://host:port"; None: start an embedded
    one); options are executor-specific settings, passed through as written.
    """

    type: str = "local"
    address: str | None = None
    options: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))


ExecutorFactory = Callable[[Capacity, ExecutorSpec], Executor]


def executor_names() -> tuple[str, ...]:
    """Every executor name that can be chosen, sorted."""
    return tuple(sorted({*_BUILT_IN, *(ep.name for ep in _plug_ins())}))


def _plug_ins():
    """The installed entry points of the executor group. importlib.metadata scans every
    installed distribution (about 50 ms of a run's start-up), so only a run that asks for an
    executor other than `local` pays for it."""
    from importlib.metadata import entry_points

    return entry_points(group=ENTRY_POINT_GROUP)


def open_executor(spec: ExecutorSpec, capacity: Capacity) -> Executor:
    """Make the executor spec names; capacity is this machine's (an embedded cluster's size).

    Raises ConfigError for an unknown name, listing the known ones.
    """
    return _factory(spec.type)(capacity, spec)


def _factory(name: str) -> ExecutorFactory:
    if name == "local":  # built in: no plug-in lookup on the common path
        return make_local_executor
    for point in _plug_ins():
        if point.name == name:
            return point.load()
    if name in _BUILT_IN:
        module, _, attribute = _BUILT_IN[name].partition(":")
        return getattr(import_module(module), attribute)
    known = executor_names()
    raise ConfigError(
        f"unknown executor '{name}'{did_you_mean(name, known)}",
        hint=f"executors are {', '.join(known)}; a plug-in adds one through the "
        f"'{ENTRY_POINT_GROUP}' entry point group",
    )


def make_local_executor(capacity: Capacity, spec: ExecutorSpec) -> LocalExecutor:
    """The local executor: steps as subprocesses of this machine (spec has nothing for it)."""
    if spec.address:
        raise ConfigError(
            f"the local executor takes no address (got '{spec.address}')",
            hint="use --executor ray for a cluster, or drop the address",
        )
    return LocalExecutor(capacity)
