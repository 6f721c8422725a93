"""Distributed steps are declared in Azure YAML (distribution + resources.instance_count) or the SDK."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeyard.azure_yaml import load_component_yaml
from pipeyard.errors import DefinitionError
from pipeyard.model import Distribution
from pipeyard.sdk import step
from pipeyard.sdk.build import build_component

ROOT = Path(__file__).parents[3]


def write_component(tmp_path: Path, extra: str) -> Path:
    (tmp_path / "component.yml").write_text(f"type: command\nname: train\ncommand: python train.py\n{extra}")
    return Path("component.yml")


def test_azure_pytorch_distribution_with_instance_count(tmp_path):
    path = write_component(
        tmp_path,
        "distribution:\n  type: PyTorch\n  process_count_per_instance: 4\nresources:\n  instance_count: 2\n",
    )
    component = load_component_yaml(path, tmp_path)
    assert component.distribution == Distribution("pytorch", 4, 2)
    assert component.distribution.world_size == 8


def test_azure_tensorflow_counts_workers(tmp_path):
    component = load_component_yaml(
        write_component(tmp_path, "distribution: {type: tensorflow, worker_count: 3}\n"), tmp_path
    )
    assert component.distribution == Distribution("tensorflow", 3, 1)


@pytest.mark.parametrize(
    "text",
    [
        "distribution: pytorch\n",
        "distribution: {type: horovod}\n",
        "distribution: {type: mpi, process_count_per_instance: 0}\n",
    ],
)
def test_a_bad_distribution_is_one_error(tmp_path, text):
    with pytest.raises(DefinitionError) as caught:
        load_component_yaml(write_component(tmp_path, text), tmp_path)
    assert "distribution" in caught.value.message and caught.value.hint


def test_the_sdk_declares_the_same():
    @step(distribution={"type": "pytorch", "processes_per_instance": 2, "instance_count": 1})
    def train(lr: float = 0.1) -> None:
        """Train."""

    assert build_component(train, ROOT).distribution == Distribution("pytorch", 2, 1)
