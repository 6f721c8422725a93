"""Capacity detection: explicit values win; the machine fills in the rest."""

from __future__ import annotations

import os

import pytest

from pipeyard.errors import CapacityError
from pipeyard.executors import capacity as capacity_module
from pipeyard.executors.capacity import capacity_shortfall, check_capacity, detect_capacity
from pipeyard.model import Capacity, Distribution, Resources, Stage


def test_explicit_values_win():
    found = detect_capacity(cpus=3, memory_mb=2048, gpu_ids=["0", "1"])
    assert (found.cpus, found.memory_mb, found.gpu_ids) == (3.0, 2048, ("0", "1"))


def test_the_machine_fills_in_what_is_not_given(monkeypatch):
    monkeypatch.setattr(capacity_module.shutil, "which", lambda name: None)
    found = detect_capacity()
    assert found.cpus == len(os.sched_getaffinity(0))
    assert found.memory_mb > 0
    assert found.gpu_ids == ()


def test_gpus_come_from_nvidia_smi(tmp_path, monkeypatch):
    tool = tmp_path / "nvidia-smi"
    tool.write_text("#!/bin/sh\nprintf '0\\n1\\n'\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert detect_capacity(cpus=1, memory_mb=1).gpu_ids == ("0", "1")


def test_a_failing_nvidia_smi_means_no_gpu(tmp_path, monkeypatch):
    tool = tmp_path / "nvidia-smi"
    tool.write_text("#!/bin/sh\necho 'NVIDIA-SMI has failed' >&2\nexit 9\n")
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert detect_capacity(cpus=1, memory_mb=1).gpu_ids == ()


def test_one_capacity_rule_fits_cpu_fallback_and_counts_instances():
    machine = Capacity(cpus=4, memory_mb=0)
    fallback = Stage("train", ("true",), resources=Resources(gpus=1, cpu_fallback=True))
    gpu_only = Stage("train", ("true",), resources=Resources(gpus=1))
    spread = Stage("ddp", ("true",), resources=Resources(cpus=3), distribution=Distribution("pytorch", 1, 2))
    assert capacity_shortfall(fallback, machine) is None
    assert "1 GPU(s)" in (capacity_shortfall(gpu_only, machine) or "")
    assert "6 CPUs" in (capacity_shortfall(spread, machine) or "")
    with pytest.raises(CapacityError) as caught:
        check_capacity(
            [fallback, gpu_only], machine, source="pipeline.yml", skip_hint="--no-capacity skips this check"
        )
    assert caught.value.location.step == "train" and caught.value.location.file == "pipeline.yml"
    assert caught.value.hint.endswith("--no-capacity skips this check")
