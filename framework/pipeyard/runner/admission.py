"""What a run accepts: stages unique and in topological order, fitted to the executor's capacity."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from ..errors import InternalError
from ..executors.capacity import check_capacity
from ..model import Capacity, Stage
from . import events as ev


def admit(stages: Iterable[Stage], capacity: Capacity, reporter: ev.Reporter) -> tuple[Stage, ...]:
    """The stages as they will run on capacity; raises before anything runs when they cannot.

    A step whose compute profile sets cpu_fallback runs on the CPU where capacity has fewer
    GPUs than it asks (said in a Notice); InternalError for duplicated or misordered stages,
    CapacityError for a step that could never start (executors.capacity, the one rule).
    """
    stages = fitted_to(tuple(stages), capacity, reporter)
    check_order(stages)
    check_capacity(stages, capacity)
    return stages


def fitted_to(stages: tuple[Stage, ...], capacity: Capacity, reporter: ev.Reporter) -> tuple[Stage, ...]:
    """Stages whose compute profile allows it run on the CPU when capacity lacks their GPUs."""
    fitted = []
    for stage in stages:
        resources = stage.resources.fitted_to(capacity)
        if resources != stage.resources:
            reporter(
                ev.Notice(
                    f"step '{stage.name}' asks for {stage.resources.gpus} GPU(s) and the machine has "
                    f"{capacity.gpus}; it runs on the CPU (its compute profile sets cpu_fallback)"
                )
            )
            stage = replace(stage, resources=resources)
        fitted.append(stage)
    return tuple(fitted)


def check_order(stages: tuple[Stage, ...]) -> None:
    """Stages must be unique and topologically ordered (InternalError: a bug of the compiler)."""
    seen: set[str] = set()
    for stage in stages:
        if stage.name in seen:
            raise InternalError(f"step '{stage.name}' appears twice in the compiled pipeline")
        missing = [up for up in stage.upstream if up not in seen]
        if missing:
            raise InternalError(
                f"step '{stage.name}' comes before its upstream step(s) {missing} "
                "or they are not in the pipeline"
            )
        seen.add(stage.name)
