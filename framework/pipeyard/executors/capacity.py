"""What this machine offers to steps: CPUs, memory and GPU devices."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence

from ..model import Capacity

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
