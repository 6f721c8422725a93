"""A pipeline component file of the nested Azure sample run on its own, its data input set from
the command line (`inputs.data=<path>`) as parameters are (`inputs.epochs=2`): the path is
checked (exists, inside the project, file or folder as the type says), a new path reruns the
steps that read it, and params.yaml records only the parameter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from projects import new_project

pytestmark = pytest.mark.slow
NESTED = Path(__file__).parents[1] / "data" / "azure" / "nested"


def _statuses(result: dict) -> dict[str, str]:
    return {name: step["status"] for name, step in result["steps"].items()}


def test_component_file_runs_with_data_and_parameter_overrides(tmp_path):
    project = new_project(tmp_path / "nested")
    shutil.copytree(NESTED, project.root, dirs_exist_ok=True)
    project.write("more/points.csv", "x,y\n1,10\n2,20\n")
    project.commit_all("the nested sample and a second data folder")

    bare = project.pipeyard("run", "-p", "train_evaluate.yml")
    assert bare.returncode == 2 and "pipeline input 'data' has no path" in bare.stderr

    first = project.run_json("-p", "train_evaluate.yml", "inputs.data=data", "inputs.epochs=2")
    assert set(_statuses(first).values()) == {"ran"} and len(first["steps"]) == 3
    model = project.root / "outputs/train/model/model.txt"
    slope_on_data = model.read_text()
    assert "inputs.epochs=2" in (project.root / "params.yaml").read_text()
    assert "inputs.data=data" in (project.root / "params.yaml").read_text()  # recorded, as parameters are
    assert "- data" in (project.root / "dvc.yaml").read_text()

    again = project.run_json("-p", "train_evaluate.yml")  # the recorded path is kept
    assert set(_statuses(again).values()) == {"cached"}

    moved = project.run_json("-p", "train_evaluate.yml", "inputs.data=more/")
    assert _statuses(moved) == {"train": "ran", "evaluate__score": "ran", "evaluate__summarize": "ran"}
    assert model.read_text() != slope_on_data
    assert "- more\n" in (project.root / "dvc.yaml").read_text()

    for value, said in [
        ("data/points.csv", "data input 'data' is a uri_folder, but 'data/points.csv' is a file"),
        ("../elsewhere", "'../elsewhere' is outside the project"),
        ("missing", "'missing' does not exist"),
        ("azureml:raw:1", "data input 'data' takes a local path"),
    ]:
        bad = project.pipeyard("run", "-p", "train_evaluate.yml", f"inputs.data={value}")
        assert bad.returncode == 2, bad.stderr
        errors = [line for line in bad.stderr.splitlines() if line.startswith("error:")]
        assert errors == [
            f"error: inputs.data={value}: {said}"
            + (f" ({project.root.resolve()})" if "outside" in said else "")
        ]
        assert "Traceback" not in bad.stderr


def test_pipeline_job_data_input_takes_a_path_too(tmp_path):
    project = new_project(tmp_path / "nested")
    shutil.copytree(NESTED, project.root, dirs_exist_ok=True)
    project.write("more/points.csv", "x,y\n1,10\n")
    project.commit_all("the nested sample")
    project.pipeyard("compile", "inputs.raw_data=more", check=True)
    dvc_yaml = (project.root / "dvc.yaml").read_text()
    assert "python prep.py --raw ../more " in dvc_yaml and "- more\n" in dvc_yaml
