"""Book-keeping of what running steps hold: CPUs, memory, named GPUs and job slots."""

from __future__ import annotations

from ..model import Capacity, Resources

_EPSILON = 1e-9  # fractional CPUs add up with rounding errors


class ResourcePool:
    """The part of a capacity not held by running steps; memory 0 in capacity means unknown."""

    def __init__(self, capacity: Capacity, jobs: int | None = None) -> None:
        self.capacity = capacity
        self.jobs = jobs
        self.cpus_free = capacity.cpus
        self.memory_free = capacity.memory_mb
        self.gpus_free: list[str] = list(capacity.gpu_ids)
        self.running = 0

    def fits(self, wanted: Resources) -> bool:
        """True when wanted can start now."""
        if self.jobs is not None and self.running >= self.jobs:
            return False
        if wanted.cpus > self.cpus_free + _EPSILON:
            return False
        if self.capacity.memory_mb and wanted.memory_mb > self.memory_free:
            return False
        return wanted.gpus <= len(self.gpus_free)

    @property
    def full(self) -> bool:
        """True when no step at all can start now."""
        return (self.jobs is not None and self.running >= self.jobs) or self.cpus_free <= _EPSILON

    def take(self, wanted: Resources) -> tuple[str, ...]:
        """Hold wanted for a step and return the GPU ids it gets (call fits first)."""
        self.running += 1
        self.cpus_free -= wanted.cpus
        self.memory_free -= wanted.memory_mb
        gpu_ids = tuple(self.gpus_free[: wanted.gpus])
        del self.gpus_free[: wanted.gpus]
        return gpu_ids

    def give(self, wanted: Resources, gpu_ids: tuple[str, ...]) -> None:
        """Release what a step held when it ended."""
        self.running -= 1
        self.cpus_free += wanted.cpus
        self.memory_free += wanted.memory_mb
        order = {gpu: i for i, gpu in enumerate(self.capacity.gpu_ids)}
        self.gpus_free = sorted([*self.gpus_free, *gpu_ids], key=order.__getitem__)
