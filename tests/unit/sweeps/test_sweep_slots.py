"""How a sweep splits the capacity between the points running at once."""

from __future__ import annotations

from pipeyard.model import Capacity, Resources
from pipeyard.sweeps.slots import Slot, split_capacity


def test_as_many_points_as_the_widest_step_allows():
    slots = split_capacity(Capacity(cpus=8, memory_mb=16000), [Resources(cpus=2), Resources(cpus=1)], runs=10)
    assert slots == (Slot(2.0, 4000),) * 4


def test_never_more_slots_than_points():
    assert len(split_capacity(Capacity(cpus=16, memory_mb=0), [Resources()], runs=3)) == 3


def test_one_cpu_runs_one_point_at_a_time():
    assert split_capacity(Capacity(cpus=1, memory_mb=1000), [Resources()], runs=6) == (Slot(1.0, 1000),)


def test_memory_and_gpus_limit_the_count_and_gpus_are_split_apart():
    capacity = Capacity(cpus=16, memory_mb=8000, gpu_ids=("0", "1", "2"))
    slots = split_capacity(capacity, [Resources(cpus=1, memory_mb=2000, gpus=1)], runs=10)
    assert [s.gpu_ids for s in slots] == [("0",), ("1",), ("2",)]
    assert all(s.memory_mb == 8000 // 3 for s in slots)
    assert len(split_capacity(capacity, [Resources(memory_mb=5000)], runs=10)) == 1


def test_gpu_steps_fall_back_to_the_cpu_where_allowed():
    slots = split_capacity(Capacity(cpus=2, memory_mb=0), [Resources(gpus=1, cpu_fallback=True)], runs=4)
    assert len(slots) == 2


def test_jobs_cap_steps_over_all_points():
    slots = split_capacity(Capacity(cpus=8, memory_mb=0), [Resources()], runs=8, jobs=4)
    assert len(slots) == 4 and {s.jobs for s in slots} == {1}
    assert Slot(0.5, 0, ("1",)).describe() == "0.5 CPUs, GPU 1"
