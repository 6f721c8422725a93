"""Resources a step asks for, and the capacity of a machine that runs steps."""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True)
class Resources:
    """What one step needs while it runs."""

    cpus: float = 1.0
    memory_mb: int = 0
    gpus: int = 0
    cpu_fallback: bool = False  # run on the CPU when the machine has no GPU to give

    def __post_init__(self) -> None:
        if self.cpus <= 0:
            raise ValueError(f"cpus must be positive, got {self.cpus}")
        if self.memory_mb < 0 or self.gpus < 0:
            raise ValueError("memory_mb and gpus must not be negative")

    @property
    def uses_gpu(self) -> bool:
        """True when the step needs at least one GPU."""
        return self.gpus > 0

    def fitted_to(self, capacity: Capacity) -> Resources:
        """These resources, on the CPU when GPUs are asked, missing, and cpu_fallback allows it."""
        if self.gpus > capacity.gpus and self.cpu_fallback:
            return replace(self, gpus=0)
        return self

    def describe(self) -> str:
        """A short human-readable summary, e.g. '2 CPUs, 4096 MB, 1 GPU'."""
        parts = [f"{self.cpus:g} CPU{'s' if self.cpus != 1 else ''}"]
        if self.memory_mb:
            parts.append(f"{self.memory_mb} MB")
        if self.gpus:
            parts.append(f"{self.gpus} GPU{'s' if self.gpus != 1 else ''}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Capacity:
    """What a machine (or an executor) offers: CPUs, memory and named GPU devices."""

    cpus: float
    memory_mb: int
    gpu_ids: tuple[str, ...] = ()

    @property
    def gpus(self) -> int:
        """How many GPUs are available."""
        return len(self.gpu_ids)

    def shortfall(self, wanted: Resources) -> str | None:
        """Why wanted can never fit in this capacity, or None when it fits."""
        problems = []
        if wanted.cpus > self.cpus:
            problems.append(f"{wanted.cpus:g} CPUs but the machine has {self.cpus:g}")
        if wanted.memory_mb and self.memory_mb and wanted.memory_mb > self.memory_mb:
            problems.append(f"{wanted.memory_mb} MB of memory but the machine has {self.memory_mb} MB")
        if wanted.gpus > self.gpus:
            have = f"{self.gpus} ({', '.join(self.gpu_ids)})" if self.gpu_ids else "none"
            problems.append(f"{wanted.gpus} GPU(s) but the machine has {have}")
        return "; ".join(problems) or None

    def describe(self) -> str:
        """A short human-readable summary."""
        gpus = f", GPUs {','.join(self.gpu_ids)}" if self.gpu_ids else ", no GPU"
        mem = f", {self.memory_mb} MB" if self.memory_mb else ""
        return f"{self.cpus:g} CPUs{mem}{gpus}"
