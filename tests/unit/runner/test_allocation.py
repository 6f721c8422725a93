"""Book-keeping of CPUs, memory, GPUs and job slots."""

from __future__ import annotations

from pipeyard.model import Capacity, Resources
from pipeyard.runner.allocation import ResourcePool


def test_takes_and_gives_back_cpus_memory_and_gpus():
    pool = ResourcePool(Capacity(cpus=2, memory_mb=1000, gpu_ids=("0", "1", "2")))
    big = Resources(cpus=1.5, memory_mb=800, gpus=2)
    assert pool.fits(big)
    assert pool.take(big) == ("0", "1")
    assert not pool.fits(Resources(cpus=1))
    assert not pool.fits(Resources(cpus=0.5, memory_mb=300))
    assert not pool.fits(Resources(cpus=0.5, gpus=2))
    assert pool.fits(Resources(cpus=0.5, memory_mb=200, gpus=1))
    assert pool.take(Resources(cpus=0.5, gpus=1)) == ("2",)
    assert pool.full
    pool.give(big, ("0", "1"))
    assert pool.gpus_free == ["0", "1"] and pool.cpus_free == 1.5


def test_unknown_memory_never_limits():
    pool = ResourcePool(Capacity(cpus=4, memory_mb=0))
    assert pool.fits(Resources(memory_mb=10**9))


def test_jobs_limit_the_number_of_steps():
    pool = ResourcePool(Capacity(cpus=8, memory_mb=0), jobs=1)
    pool.take(Resources(cpus=0.1))
    assert pool.full and not pool.fits(Resources(cpus=0.1))


def test_fractional_cpus_add_up():
    pool = ResourcePool(Capacity(cpus=1, memory_mb=0))
    for _ in range(10):
        assert pool.fits(Resources(cpus=0.1))
        pool.take(Resources(cpus=0.1))
    assert pool.full
