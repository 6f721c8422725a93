"""The Python SDK: signatures -> ports, wiring, bindings, names, direct calls, loading by path."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Literal

import pytest

from pipeyard.errors import DefinitionError, ReferenceError_, TypeMismatch
from pipeyard.model import (
    DataPath,
    FunctionRef,
    JobOutputRef,
    OutputRole,
    PipelineInputRef,
    PortType,
    Value,
)
from pipeyard.sdk import Dir, File, In, Metrics, Out, Plots, load_pipeline_module, pipeline, step
from pipeyard.sdk.build import build_component

HERE = Path(__file__).parent
ROOT = HERE.parents[2]


@step(
    compute="gpu",
    retries=1,
    timeout="10m",
    environment="envs/train.yml",
    resources={"cpus": 2, "memory": "4g", "gpus": 1},
)
def train(
    data: In[Dir],
    model: Out[File],
    metrics: Out[Metrics],
    curve: Out[Plots],
    lr: float = 0.1,
    epochs: int = 3,
    shuffle: bool = True,
    name: str = "m",
    optimizer: Literal["sgd", "adam"] = "sgd",
    warm: In[Dir] | None = None,
):
    """Train a model.

    Longer text that is not the description."""
    model.write_text(f"{lr} {epochs} {optimizer} {warm}")
    metrics.write_text(json.dumps({"lr": lr}))
    curve.write_text("x,y\n")
    return "done"


@step
def prepare(raw: In[File], train_set: Out[Dir], test_set: Out[Dir], seed: int = 1):
    """Split."""


@step
def score(model: In[File], level: Literal[1, 2, 3]):
    """Score."""


def test_signature_becomes_typed_ports():
    component = build_component(train, ROOT)
    assert [(p.name, p.type, p.optional) for p in component.inputs] == [
        ("data", PortType.URI_FOLDER, False),
        ("warm", PortType.URI_FOLDER, True),
    ]
    assert [(o.name, o.type, o.role) for o in component.outputs] == [
        ("model", PortType.URI_FILE, OutputRole.OUT),
        ("metrics", PortType.URI_FILE, OutputRole.METRICS),
        ("curve", PortType.URI_FILE, OutputRole.PLOTS),
    ]
    params = {p.name: p for p in component.parameters}
    assert {n: p.type for n, p in params.items()} == {
        "lr": PortType.NUMBER,
        "epochs": PortType.INTEGER,
        "shuffle": PortType.BOOLEAN,
        "name": PortType.STRING,
        "optimizer": PortType.STRING,
    }
    assert params["lr"].default == 0.1 and params["optimizer"].choices == ("sgd", "adam")
    assert component.function == FunctionRef("tests/unit/sdk/test_sdk.py", "train")
    assert component.compute == "gpu" and component.retries == 1 and component.timeout_s == 600
    assert (component.resources.cpus, component.resources.memory_mb, component.resources.gpus) == (2, 4096, 1)
    assert component.environment == "envs/train.yml"
    assert component.description == "Train a model."
    assert component.source.file == "tests/unit/sdk/test_sdk.py"


def test_literal_numbers_and_required_parameters():
    component = build_component(score, ROOT)
    level = component.parameter("level")
    assert level.type is PortType.INTEGER and level.choices == (1, 2, 3) and level.required


def test_pipeline_wires_jobs_and_binds_parameters(tmp_path):
    @pipeline(default_compute="cpu")
    def training(raw: In[File] = "data/raw.csv", lr: float = 0.1):
        prep = prepare(raw=raw)
        fit = train(data=prep.outputs.train_set, lr=lr, epochs=5, warm="models/warm")
        train(data=prep.test_set, model="models/second.bin")
        return {"model": fit.outputs.model}

    built = training.build(ROOT)
    assert built.job_names == ("prepare", "train", "train_2")
    assert built.default_compute == "cpu"
    assert [(i.name, i.type, i.default) for i in built.inputs] == [
        ("raw", PortType.URI_FILE, "data/raw.csv"),
        ("lr", PortType.NUMBER, 0.1),
    ]
    prep, fit, second = built.jobs
    assert prep.inputs == {"raw": PipelineInputRef("raw")}
    assert fit.inputs == {
        "data": JobOutputRef("prepare", "train_set"),
        "warm": DataPath("models/warm", PortType.URI_FOLDER),
    }
    assert fit.parameters == {"lr": PipelineInputRef("lr"), "epochs": Value(5)}
    assert fit.output_bindings == {"model": "model"}
    assert second.inputs["data"] == JobOutputRef("prepare", "test_set")
    assert second.output_paths == {"model": "models/second.bin"}
    assert built.output_path("train_2", "model") == "models/second.bin"
    assert fit.source.file == "tests/unit/sdk/test_sdk.py" and fit.source.line > 0
    assert built.pipeline_output("model").type is PortType.URI_FILE


def test_explicit_job_names_with_named():
    @pipeline
    def two():
        prep = prepare(raw="data/raw.csv")
        train.named("train_small")(data=prep.train_set, epochs=1)
        train.named("train_large")(data=prep.train_set, epochs=100)

    assert two.build(ROOT).job_names == ("prepare", "train_small", "train_large")


def test_duplicate_explicit_name_is_an_error():
    @pipeline
    def clash():
        prep = prepare(raw="data/raw.csv")
        train.named("prepare")(data=prep.train_set)

    with pytest.raises(DefinitionError, match="two jobs are named 'prepare'"):
        clash.build(ROOT)


def test_unknown_output_suggests_the_closest():
    @pipeline
    def typo():
        prep = prepare(raw="data/raw.csv")
        train(data=prep.outputs.train_sett)

    with pytest.raises(ReferenceError_) as caught:
        typo.build(ROOT)
    assert "did you mean 'train_set'?" in caught.value.message
    assert caught.value.location.file == "tests/unit/sdk/test_sdk.py"


def test_unknown_argument_suggests_the_closest():
    @pipeline
    def typo():
        prep = prepare(raw="data/raw.csv")
        train(dat=prep.train_set)

    with pytest.raises(
        DefinitionError, match="has no input, output or parameter 'dat' \\(did you mean 'data'\\?\\)"
    ):
        typo.build(ROOT)


def test_wrong_literal_type_for_a_parameter():
    @pipeline
    def bad():
        prep = prepare(raw="data/raw.csv")
        train(data=prep.train_set, epochs="many")

    with pytest.raises(DefinitionError, match="parameter 'epochs' expects integer, got 'many'"):
        bad.build(ROOT)


def test_choice_outside_literal_is_an_error():
    @pipeline
    def bad():
        prep = prepare(raw="data/raw.csv")
        train(data=prep.train_set, optimizer="rmsprop")

    with pytest.raises(DefinitionError, match="must be one of \\['sgd', 'adam'\\]"):
        bad.build(ROOT)


def test_model_checks_apply_type_mismatch_and_missing_input():
    @pipeline
    def mismatch():
        prep = prepare(raw="data/raw.csv")
        score(model=prep.train_set, level=1)

    with pytest.raises(
        TypeMismatch, match="input 'model' \\(uri_file\\) is fed by output 'prepare.train_set'"
    ):
        mismatch.build(ROOT)

    @pipeline
    def missing():
        train(lr=0.2)

    with pytest.raises(DefinitionError, match="required input 'data'"):
        missing.build(ROOT)


def test_pipeline_parameter_cannot_drive_python_control_flow():
    @pipeline
    def branchy(flag: bool = True):
        if flag:
            prepare(raw="data/raw.csv")

    with pytest.raises(DefinitionError, match="has no value while the pipeline is defined"):
        branchy.build(ROOT)


def test_paths_outside_the_project_are_rejected():
    @pipeline
    def outside():
        prepare(raw="../../elsewhere.csv")

    with pytest.raises(DefinitionError, match="lies outside the project"):
        outside.build(ROOT)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("def f(x): ...", "has neither an annotation nor a default"),
        ("def f(x: int = 'a'): ...", "parameter 'x' expects integer, got 'a'"),
        ("def f(x: list = []): ...", "unsupported type"),
        ("def f(m: Out[File] = 'a.txt'): ...", "cannot have a default path"),
        ("def f(m: In[Metrics]): ...", "Metrics is an output type"),
        ("def f(*args): ...", "takes *args"),
        ("def f(x: Literal['a', 1] = 'a'): ...", "must be all strings or all numbers"),
    ],
)
def test_bad_step_signatures(source, message):
    namespace = {"In": In, "Out": Out, "File": File, "Metrics": Metrics, "Literal": Literal}
    exec(source, namespace)  # noqa: S102 - builds a function with the signature under test
    with pytest.raises(DefinitionError, match=message.replace("*", "\\*").replace("(", "\\(")):
        step(namespace["f"])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timeout": "ten minutes"}, "invalid timeout"),
        ({"resources": {"cpu": 2}}, "unknown resource 'cpu' \\(did you mean 'cpus'\\?\\)"),
    ],
)
def test_bad_step_options(options, message):
    with pytest.raises(DefinitionError, match=message) as caught:
        build_component(step(**options)(prepare.function), ROOT)
    assert caught.value.location.file == "tests/unit/sdk/test_sdk.py"


def test_bad_retries_are_reported_at_the_decorator():
    with pytest.raises(DefinitionError, match="retries must be a whole number"):
        step(retries=-1)


@pytest.mark.parametrize(
    ("text", "seconds"), [("90s", 90), ("10m", 600), ("1h30m", 5400), (45, 45), ("120", 120)]
)
def test_timeouts(text, seconds):
    assert build_component(step(timeout=text)(prepare.function), ROOT).timeout_s == seconds


def test_direct_call_runs_the_function_with_paths(tmp_path):
    (tmp_path / "data").mkdir()
    result = train(
        data=str(tmp_path / "data"),
        model=tmp_path / "out" / "model.txt",
        metrics=tmp_path / "m" / "metrics.json",
        curve=tmp_path / "curve.csv",
        lr=0.5,
    )
    assert result == "done"
    assert (tmp_path / "out" / "model.txt").read_text() == "0.5 3 sgd None"
    assert json.loads((tmp_path / "m" / "metrics.json").read_text()) == {"lr": 0.5}


def test_direct_call_without_an_output_says_what_to_pass(tmp_path):
    with pytest.raises(DefinitionError, match="without output 'model'"):
        train(data=tmp_path)


def test_load_pipeline_module_imports_by_path_and_restores_sys_path(project):
    root = project(
        {
            "steps/__init__.py": "",
            "steps/work.py": """
            from pipeyard.sdk import step, In, Out, Dir, File

            @step
            def clean(raw: In[File], cleaned: Out[Dir], strict: bool = False):
                '''Clean the raw data.'''
            """,
            "pipeline.py": """
            from pipeyard.sdk import pipeline, In, File
            from steps.work import clean

            @pipeline
            def tidy(raw: In[File] = "data/raw.csv", strict: bool = True):
                clean(raw=raw, strict=strict)
            """,
        }
    )
    before = list(sys.path)
    built = load_pipeline_module(Path("pipeline.py"), root)
    assert sys.path == before
    assert "steps" not in sys.modules and "steps.work" not in sys.modules
    assert built.name == "tidy"
    job = built.job("clean")
    assert job.component.function == FunctionRef("steps/work.py", "clean")
    assert job.parameters == {"strict": PipelineInputRef("strict")}
    assert built.source.file == "pipeline.py"


def test_choosing_among_several_pipelines(project):
    root = project(
        {
            "pipeline.py": """
        from pipeyard.sdk import pipeline, step, In, Out, Dir

        @step
        def copy(src: In[Dir], dst: Out[Dir]):
            '''Copy.'''

        @pipeline
        def first():
            copy(src="data")

        @pipeline
        def second():
            copy.named("again")(src="data")
        """
        }
    )
    with pytest.raises(DefinitionError, match="several pipelines: first, second") as caught:
        load_pipeline_module(Path("pipeline.py"), root)
    assert "pipeline.py:first" in caught.value.hint
    assert load_pipeline_module(Path("pipeline.py:second"), root).job_names == ("again",)
    with pytest.raises(ReferenceError_, match="did you mean 'second'"):
        load_pipeline_module(Path("pipeline.py"), root, name="secnd")
    copy = load_pipeline_module(Path("pipeline.py:first"), root).job("copy").component
    assert copy.function == FunctionRef("pipeline.py", "copy")


@pytest.mark.parametrize(
    ("text", "error", "message", "line"),
    [
        ("x = 1\ndef broken(:\n", DefinitionError, "syntax error", 2),
        ("import json\n\nvalue = 1 / 0\n", DefinitionError, "ZeroDivisionError: division by zero", 3),
        ("import no_such_module_here\n", DefinitionError, "ModuleNotFoundError", 1),
        (
            "from pipeyard.sdk import pipeline, step\n\n@step(timeout='soon')\ndef f(): ...\n\n"
            "@pipeline\ndef p():\n    f()\n",
            DefinitionError,
            "invalid timeout 'soon'",
            3,
        ),
        ("x = 1\n", DefinitionError, "declares no @pipeline function", None),
    ],
)
def test_errors_in_user_code_name_file_and_line(project, text, error, message, line):
    root = project({"pipeline.py": text})
    with pytest.raises(error) as caught:
        load_pipeline_module(Path("pipeline.py"), root)
    assert message in caught.value.message
    assert caught.value.location.file == "pipeline.py"
    assert caught.value.location.line == line


def test_error_inside_the_pipeline_function_names_its_line(project):
    root = project(
        {
            "pipeline.py": """
        from pipeyard.sdk import pipeline

        @pipeline
        def broken():
            raise RuntimeError("boom")
        """
        }
    )
    with pytest.raises(DefinitionError, match="RuntimeError: boom") as caught:
        load_pipeline_module(Path("pipeline.py"), root)
    assert caught.value.location.line == 5
