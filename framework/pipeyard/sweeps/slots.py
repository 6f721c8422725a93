"""How many points of a sweep run at once, and the share of the capacity each one gets.

The capacity is split statically: K points run at once and each gets 1/K of the CPUs and
memory and its own disjoint GPU ids, so the steps of all points together never exceed the
capacity. K is as large as the points allow while every share still fits the largest step.
The price: a point going through a narrow part of its graph leaves some of its share idle,
which one scheduler over all points would lend to another. The gain: each point runs with the
ordinary scheduler, unchanged, in its own workspace.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from ..model import Capacity, Resources


@dataclass(frozen=True)
class Slot:
    """The share of the capacity one running point may use (jobs: its cap on steps at once)."""

    cpus: float
    memory_mb: int
    gpu_ids: tuple[str, ...] = ()
    jobs: int | None = None

    def describe(self) -> str:
        """A short summary, e.g. '1 CPU, 2048 MB'."""
        parts = [f"{self.cpus:g} CPU{'s' if self.cpus != 1 else ''}"]
        if self.memory_mb:
            parts.append(f"{self.memory_mb} MB")
        if self.gpu_ids:
            parts.append(f"GPU {','.join(self.gpu_ids)}")
        return ", ".join(parts)


def split_capacity(
    capacity: Capacity, needs: Sequence[Resources], runs: int, jobs: int | None = None
) -> tuple[Slot, ...]:
    """One slot per point that may run at once, for runs points whose steps need needs.

    jobs, when given, caps the steps running at once over all points together.
    """
    fitted = [need.fitted_to(capacity) for need in needs] or [Resources()]
    limits = [max(1, runs)]
    widest_cpus = max(n.cpus for n in fitted)
    limits.append(math.floor(capacity.cpus / widest_cpus + 1e-9))
    widest_memory = max(n.memory_mb for n in fitted)
    if widest_memory and capacity.memory_mb:
        limits.append(capacity.memory_mb // widest_memory)
    widest_gpus = max(n.gpus for n in fitted)
    if widest_gpus:
        limits.append(len(capacity.gpu_ids) // widest_gpus)
    if jobs:
        limits.append(jobs)
    count = max(1, min(limits))
    return tuple(
        Slot(
            cpus=capacity.cpus / count,
            memory_mb=capacity.memory_mb // count,
            gpu_ids=tuple(capacity.gpu_ids[i::count]),
            jobs=max(1, jobs // count) if jobs else None,
        )
        for i in range(count)
    )
