"""What this machine offers to steps (CPUs, memory and GPU devices), and whether a step fits."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterable, Sequence

from ..errors import CapacityError, Location
from ..model import Capacity, Stage

MB = 1024 * 1024


def detect_capacity(
    cpus: float | None = None,
    memory_mb: int | None = None,
    gpu_ids: Sequence[str] | None = None,
) -> Capacity:
    """This machine's capacity; each explicit value wins over what the machine reports.

    cpus are the cores this process may use; memory is the total physical memory; GPUs are
    those `nvidia-smi` lists (none when it is missing or fails). Passing gpu_ids simulates
    a GPU machine, e.g. `--gpus 0,1`.
    """
    return Capacity(
        cpus=float(cpus) if cpus is not None else float(_usable_cpus()),
        memory_mb=int(memory_mb) if memory_mb is not None else _total_memory() // MB,
        gpu_ids=tuple(str(g) for g in gpu_ids) if gpu_ids is not None else nvidia_gpu_ids(),
    )


def _total_memory() -> int:
    """Bytes of physical memory: sysconf where it tells (Linux: MemTotal, as psutil reads it),
    else psutil, imported only then (it costs every run's start-up about 13 ms)."""
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        pages = page_size = -1
    if pages > 0 and page_size > 0:
        return pages * page_size
    import psutil

    return psutil.virtual_memory().total


def _usable_cpus() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def nvidia_gpu_ids() -> tuple[str, ...]:
    """The indexes of the NVIDIA GPUs that `nvidia-smi` reports, or () without one."""
    tool = shutil.which("nvidia-smi")
    if tool is None:
        return ()
    try:
        done = subprocess.run(
            [tool, "--query-gpu=index", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    if done.returncode != 0:
        return ()
    return tuple(line.strip() for line in done.stdout.splitlines() if line.strip())


def capacity_shortfall(stage: Stage, capacity: Capacity) -> str | None:
    """Why stage could never start on capacity, or None when it fits: the one capacity rule.

    `run` (the scheduler), `validate` and sweeps all ask this. A step whose compute profile
    sets cpu_fallback is judged as the CPU step it becomes where there is no GPU to give, and
    a distributed step needs room for all its instances.
    """
    return capacity.shortfall(stage.resources.fitted_to(capacity), stage.instances)


def check_capacity(
    stages: Iterable[Stage], capacity: Capacity, *, source: str | None = None, skip_hint: str | None = None
) -> None:
    """Raise CapacityError for the first stage that could never start on capacity.

    source (the pipeline file) goes into the error's location; skip_hint is added to its hint
    where a command can skip the check (`validate --no-capacity`).
    """
    for stage in stages:
        short = capacity_shortfall(stage, capacity)
        if short:
            hint = (
                "lower the step's resources, or declare the machine's capacity with "
                "--cpus/--memory/--gpus or in pipeyard.yaml"
            )
            raise CapacityError(
                f"asks for {short}; it could never start",
                location=Location(file=source, step=stage.name),
                hint=f"{hint}; {skip_hint}" if skip_hint else hint,
            )
