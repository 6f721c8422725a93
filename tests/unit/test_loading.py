"""Finding and loading pipeline files, and the built-in examples (loaded and run for real)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import pipeyard
from pipeyard.errors import DefinitionError, ReferenceError_
from pipeyard.loading import find_pipeline_file, load_pipeline
from pipeyard.model import JobOutputRef, OutputRole, Pipeline, Value

EXAMPLES = Path(pipeyard.__path__[0]) / "examples"
needs_public_api = pytest.mark.skipif(
    not hasattr(pipeyard, "step"),
    reason="pipeyard/__init__.py does not re-export the SDK (step, pipeline, In, Out, ...) yet",
)


def test_find_the_one_pipeline_file(project):
    root = project({"pipeline.yaml": "type: pipeline\n"})
    assert find_pipeline_file(root, None) == root / "pipeline.yaml"


def test_find_reports_none_and_several(project, tmp_path):
    with pytest.raises(ReferenceError_, match="no pipeline file"):
        find_pipeline_file(tmp_path, None)
    root = project({"pipeline.yml": "", "pipeline.py": ""})
    with pytest.raises(DefinitionError, match="several pipeline files") as caught:
        find_pipeline_file(root, None)
    assert "--pipeline" in caught.value.hint


def test_find_explicit_file_and_pipeline_name(project):
    root = project({"flows/train.py": "", "flows/notes.txt": ""})
    assert find_pipeline_file(root, "flows/train.py") == root / "flows/train.py"
    assert find_pipeline_file(root, "flows/train.py:small") == Path(f"{root / 'flows/train.py'}:small")
    with pytest.raises(ReferenceError_, match="not found"):
        find_pipeline_file(root, "flows/other.yml")
    with pytest.raises(DefinitionError, match="neither YAML"):
        find_pipeline_file(root, "flows/notes.txt")


def test_load_dispatches_on_suffix(project):
    root = project(
        {
            "a.yml": "type: command\ncommand: echo hi\n",
            "b.py": """
            from pipeyard.sdk import pipeline, step, In, Dir

            @step
            def show(data: In[Dir]):
                '''Show.'''

            @pipeline
            def one():
                show(data="data")
            """,
        }
    )
    assert load_pipeline(root / "a.yml", root).job_names == ("a",)
    assert load_pipeline(Path(f"{root / 'b.py'}:one"), root).job_names == ("show",)
    with pytest.raises(DefinitionError, match="neither YAML"):
        load_pipeline(root / "c.toml", root)


def _check_example(pipeline: Pipeline) -> None:
    assert pipeline.job_names == ("prepare", "train_linear", "train_baseline", "compare")
    upstream = pipeline.upstream()
    readers = {name for name, ups in upstream.items() if "prepare" in ups}
    assert readers == {"train_linear", "train_baseline", "compare"}
    assert "train_linear" not in upstream["train_baseline"]  # two independent branches
    compare = pipeline.job("compare")
    assert compare.inputs["model_a"] == JobOutputRef("train_linear", "model")
    assert compare.component.output("metrics").role is OutputRole.METRICS
    assert pipeline.output_path("compare", "metrics") == "reports/comparison.json"
    assert pipeline.job("train_baseline").parameters["method"] == Value("mean")
    assert pipeline.pipeline_input("test_fraction").default == 0.25


def test_yaml_example_loads():
    root = EXAMPLES / "yaml"
    pipeline = load_pipeline(find_pipeline_file(root, None), root)
    _check_example(pipeline)
    assert pipeline.job("prepare").component.code == ("src",)


@needs_public_api
def test_python_example_loads():
    root = EXAMPLES / "python"
    pipeline = load_pipeline(find_pipeline_file(root, None), root)
    _check_example(pipeline)
    assert pipeline.job("train_linear").component.function.file == "steps/train.py"


def _render(pipeline: Pipeline, job_name: str, root: Path) -> str:
    """The job's command with placeholders replaced (a stand-in for the compile layer)."""
    job = pipeline.job(job_name)
    values = {}
    for port in job.component.inputs:
        values[f"inputs.{port.name}"] = str(root / pipeline.resolve_input_path(job, port.name))
    for parameter in job.component.parameters:
        binding = job.parameters.get(parameter.name)
        value = (
            parameter.default
            if binding is None
            else (
                binding.value if isinstance(binding, Value) else pipeline.pipeline_input(binding.name).default
            )
        )
        values[f"inputs.{parameter.name}"] = str(value)
    for output in job.component.outputs:
        path = root / pipeline.output_path(job_name, output.name)
        (path if output.type.is_folder else path.parent).mkdir(parents=True, exist_ok=True)
        values[f"outputs.{output.name}"] = str(path)
    command = re.sub(r"\$\[\[(.*?)\]\]", r"\1", job.component.command)
    return re.sub(r"\$\{\{\s*(.*?)\s*\}\}", lambda m: values[m.group(1)], command)


def test_yaml_example_runs(tmp_path):
    root = tmp_path / "yaml"
    shutil.copytree(EXAMPLES / "yaml", root)
    pipeline = load_pipeline(root / "pipeline.yml", root)
    for name in pipeline.topological_order():
        command = _render(pipeline, name, root)
        command = command.replace("python ", f"{sys.executable} ", 1)
        cwd = root / pipeline.job(name).component.code[0]
        done = subprocess.run(
            command, shell=True, cwd=cwd, capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stderr
    metrics = json.loads((root / "reports/comparison.json").read_text())
    assert metrics["best"] == "linear"


@needs_public_api
def test_python_example_runs_through_exec(tmp_path):
    root = tmp_path / "python"
    shutil.copytree(EXAMPLES / "python", root)
    pipeline = load_pipeline(root / "pipeline.py", root)
    for name in pipeline.topological_order():
        job = pipeline.job(name)
        args = [
            sys.executable,
            "-m",
            "pipeyard.exec",
            job.component.function.file,
            job.component.function.qualname,
            "--params",
            name,
        ]
        args += [f"--in={p.name}={pipeline.resolve_input_path(job, p.name)}" for p in job.component.inputs]
        args += [f"--out={o.name}={pipeline.output_path(name, o.name)}" for o in job.component.outputs]
        values = {k: v.value for k, v in job.parameters.items() if isinstance(v, Value)}
        (root / "params.yaml").write_text(json.dumps({name: values}))
        done = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
    metrics = json.loads((root / "reports/comparison.json").read_text())
    assert metrics["best"] == "linear" and set(metrics["mse"]) == {"linear", "mean"}
