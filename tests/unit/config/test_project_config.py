"""pipeyard.yaml: defaults, profiles, capacity, and errors that point at the bad line."""

from __future__ import annotations

import pytest

from pipeyard.config.project import CapacitySpec, load_project_config, strip_azureml
from pipeyard.errors import ConfigError
from pipeyard.model.resources import Capacity, Resources


def write(tmp_path, text: str):
    (tmp_path / "pipeyard.yaml").write_text(text)
    return tmp_path


def test_no_file_gives_defaults(tmp_path):
    project = load_project_config(tmp_path)
    assert project.root == tmp_path.resolve()
    assert dict(project.profiles) == {"local": Resources(cpus=1)}
    assert project.capacity == CapacitySpec()
    assert project.conf_dir is None
    assert project.output_root == "outputs"
    assert project.source is None


def test_conf_folder_is_used_when_it_exists(tmp_path):
    (tmp_path / "conf").mkdir()
    assert load_project_config(tmp_path).conf_dir == tmp_path.resolve() / "conf"


def test_profiles_capacity_and_folders(tmp_path):
    (tmp_path / "hydra").mkdir()
    write(
        tmp_path,
        "compute:\n"
        "  gpu-cluster: {gpus: 1, cpus: 2}\n"
        "  azureml:cpu-cluster: {cpus: 4, memory: 4GB}\n"
        "  local: {cpus: 2}\n"
        "capacity:\n"
        "  cpus: 8\n"
        "  memory: 2048\n"
        "  gpus: [0, 3]\n"
        "conf_dir: hydra\n"
        "output_root: build/out\n",
    )
    project = load_project_config(tmp_path)
    assert project.profiles["gpu-cluster"] == Resources(cpus=2, gpus=1)
    assert project.profiles["cpu-cluster"] == Resources(cpus=4, memory_mb=4096)
    assert project.profiles["local"] == Resources(cpus=2)
    assert project.profile("azureml:gpu-cluster") == Resources(cpus=2, gpus=1)
    assert project.profile("nowhere") is None
    assert project.capacity == CapacitySpec(cpus=8, memory_mb=2048, gpu_ids=("0", "3"))
    assert project.conf_dir == tmp_path.resolve() / "hydra"
    assert project.output_root == "build/out"


def test_gpu_count_becomes_device_ids(tmp_path):
    write(tmp_path, "capacity:\n  gpus: 2\n")
    assert load_project_config(tmp_path).capacity.gpu_ids == ("0", "1")


def test_strip_azureml():
    assert strip_azureml("azureml:gpu") == "gpu"
    assert strip_azureml("gpu") == "gpu"


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        (
            "compute:\n  gpu:\n    gpus: 1\n    cpu: 2\n",
            4,
            ["unknown key 'compute.gpu.cpu'", "cpus, memory, gpus"],
        ),
        ("compute:\n  gpu:\n    gpus: many\n", 3, ["compute.gpu.gpus", "whole number of GPUs"]),
        ("output_root: out\ncapacity:\n  memory: lots\n", 3, ["capacity.memory", "4GB"]),
        ("capacity:\n  gpus: yes\n", 2, ["capacity.gpus", "list of device ids"]),
        (
            "computes: {}\n",
            1,
            ["unknown key 'computes'", "compute, capacity, conf_dir, output_root"],
        ),
        ("compute: [\n", 2, ["not valid YAML"]),
        ("- a\n", 1, ["must be a mapping"]),
        ("conf_dir: nope\n", 1, ["conf_dir 'nope' is not a folder"]),
    ],
)
def test_errors_name_the_line_and_what_is_allowed(tmp_path, text, line, words):
    write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_project_config(tmp_path)
    assert caught.value.location.line == line
    assert caught.value.location.file.endswith("pipeyard.yaml")
    for word in words:
        assert word in str(caught.value)


def test_capacity_fills_unset_values_from_the_machine():
    machine = Capacity(cpus=16, memory_mb=64000, gpu_ids=("0", "1"))
    assert CapacitySpec().fill(machine) == machine
    assert CapacitySpec(cpus=4, gpu_ids=()).fill(machine) == Capacity(4, 64000, ())


def test_project_config_is_hashable(tmp_path):
    assert hash(load_project_config(tmp_path)) == hash(load_project_config(tmp_path))
