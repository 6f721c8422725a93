"""Jobs compiled to stages: commands, deps, params, outs, resources and notes."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from pipeyard.compile.stages import compile_pipeline
from pipeyard.config.params import resolve_parameters
from pipeyard.config.project import ProjectConfig
from pipeyard.errors import DefinitionError, ReferenceError_
from pipeyard.model import (
    Component,
    DataPath,
    FunctionRef,
    InputPort,
    Job,
    JobOutputRef,
    OutputPort,
    OutputRole,
    Parameter,
    Pipeline,
    PipelineInput,
    PipelineInputRef,
    PipelineOutput,
    PortType,
    Resources,
)

PREP = Component(
    "prep",
    inputs=(InputPort("raw", PortType.URI_FILE),),
    outputs=(OutputPort("data"),),
    parameters=(Parameter("rows", PortType.INTEGER, 10),),
    command="head -n ${{inputs.rows}} ${{inputs.raw}} > ${{outputs.data}}/part.csv",
)
TRAIN = Component(
    "train",
    inputs=(InputPort("data"),),
    outputs=(
        OutputPort("model", PortType.URI_FILE),
        OutputPort("metrics", PortType.URI_FILE, role=OutputRole.METRICS),
        OutputPort("curve", PortType.URI_FILE, role=OutputRole.PLOTS),
    ),
    parameters=(Parameter("lr", PortType.NUMBER, 0.1),),
    command="train ${{inputs.data}} ${{inputs.lr}}"
    " ${{outputs.model}} ${{outputs.metrics}} ${{outputs.curve}}",
    compute="azureml:gpu-cluster",
    resources=Resources(gpus=1),
    environment="azureml:torch-env:3",
    deterministic=False,
    retries=2,
    timeout_s=60,
)


def project(tmp_path, **profiles) -> ProjectConfig:
    return ProjectConfig(root=tmp_path, profiles=MappingProxyType({"local": Resources(), **profiles}))


def demo() -> Pipeline:
    return Pipeline(
        "demo",
        jobs=(
            Job(
                "train",
                TRAIN,
                inputs={"data": JobOutputRef("prep", "data")},
                parameters={"lr": PipelineInputRef("lr")},
                output_bindings={"model": "best"},
            ),
            Job(
                "prep",
                PREP,
                inputs={"raw": DataPath("./data/raw.csv", PortType.URI_FILE)},
                compute="cpu-cluster",
                retries=1,
            ),
        ),
        inputs=(PipelineInput("lr", PortType.NUMBER, 0.01),),
        outputs=(PipelineOutput("best", PortType.URI_FILE, path="models/best.pt"),),
    )


def compile_demo(tmp_path, overrides=(), **profiles):
    pipeline = demo()
    return compile_pipeline(
        pipeline, resolve_parameters(pipeline, None, overrides), project(tmp_path, **profiles)
    )


def test_stages_come_in_topological_order(tmp_path):
    compiled = compile_demo(tmp_path)
    assert [s.name for s in compiled.stages] == ["prep", "train"]
    assert compiled.stage("train").upstream == ("prep",)
    with pytest.raises(ReferenceError_, match="did you mean 'train'"):
        compiled.stage("trian")


def test_command_stage(tmp_path):
    prep = compile_demo(tmp_path).stage("prep")
    assert prep.commands == (
        "mkdir -p outputs/prep/data",
        "head -n 10 data/raw.csv > outputs/prep/data/part.csv",
    )
    assert prep.deps == ("data/raw.csv",)
    assert prep.params == ("prep",)
    assert prep.code_deps == ()
    assert [(o.path, o.role, o.is_dir) for o in prep.outs] == [("outputs/prep/data", OutputRole.OUT, True)]
    assert (prep.always_changed, prep.retries, prep.timeout_s, dict(prep.env)) == (
        False,
        1,
        None,
        {},
    )


def test_outputs_roles_and_file_parents(tmp_path):
    train = compile_demo(tmp_path).stage("train")
    assert train.commands[0] == "mkdir -p models outputs/train"
    assert [(o.path, o.role, o.is_dir) for o in train.outs] == [
        ("models/best.pt", OutputRole.OUT, False),
        ("outputs/train/metrics", OutputRole.METRICS, False),
        ("outputs/train/curve", OutputRole.PLOTS, False),
    ]
    assert (train.always_changed, train.retries, train.timeout_s) == (True, 2, 60)


def test_output_paths_match_the_model(tmp_path):
    pipeline = demo()
    compiled = compile_demo(tmp_path)
    for job in pipeline.jobs:
        stage = compiled.stage(job.name)
        expected = [pipeline.output_path(job.name, o.name) for o in job.component.outputs]
        assert list(stage.out_paths) == expected


def test_parameters_and_environment_go_to_params(tmp_path):
    compiled = compile_demo(tmp_path, overrides=["inputs.lr=0.2"])
    train = compiled.stage("train")
    assert train.params == ("train", "pipeyard.environments.train")
    assert train.environment == "azureml:torch-env:3"
    assert " 0.2 " in train.commands[1]
    assert compiled.params == {
        "inputs": {"lr": 0.2},
        "prep": {"rows": 10},
        "train": {"lr": 0.2},
        "pipeyard": {"environments": {"train": "azureml:torch-env:3"}},
    }
    assert list(compiled.params) == ["inputs", "prep", "train", "pipeyard"]


def test_compute_without_profile_runs_locally_with_one_note_per_name(tmp_path):
    compiled = compile_demo(tmp_path)
    assert [s.compute for s in compiled.stages] == ["local", "local"]
    assert compiled.notes == (
        "compute 'cpu-cluster' has no profile in pipeyard.yaml; its steps run on the local profile",
        "compute 'gpu-cluster' has no profile in pipeyard.yaml; its steps run on the local profile",
    )


def test_profiles_and_explicit_resources(tmp_path):
    compiled = compile_demo(
        tmp_path,
        **{
            "cpu-cluster": Resources(cpus=4, memory_mb=1024),
            "gpu-cluster": Resources(cpus=2, gpus=2),
        },
    )
    assert compiled.notes == ()
    prep, train = compiled.stages
    assert (prep.compute, prep.resources) == ("cpu-cluster", Resources(cpus=4, memory_mb=1024))
    # the component asks for 1 GPU: that field wins, the rest comes from the profile
    assert (train.compute, train.resources) == ("gpu-cluster", Resources(cpus=2, gpus=1))


def test_job_resources_win_whole(tmp_path):
    pipeline = demo()
    job = pipeline.job("prep")
    from dataclasses import replace

    pipeline = pipeline.with_job(replace(job, resources=Resources(cpus=0.5)))
    compiled = compile_pipeline(
        pipeline,
        resolve_parameters(pipeline, None, []),
        project(tmp_path, **{"cpu-cluster": Resources(cpus=4)}),
    )
    assert compiled.stage("prep").resources == Resources(cpus=0.5)


def test_default_compute_of_the_pipeline(tmp_path):
    component = Component("c", command="true")
    pipeline = Pipeline("p", jobs=(Job("a", component),), default_compute="azureml:big")
    compiled = compile_pipeline(pipeline, {}, project(tmp_path, big=Resources(cpus=8)))
    assert compiled.stage("a").compute == "big"
    assert compiled.stage("a").resources == Resources(cpus=8)
    assert compiled.stage("a").commands == ("true",)


def test_force_rerun(tmp_path):
    component = Component("c", command="true")
    pipeline = Pipeline("p", jobs=(Job("a", component),), force_rerun=True)
    assert compile_pipeline(pipeline, {}, project(tmp_path)).stage("a").always_changed


def write(root, files):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)


def test_python_step(tmp_path):
    write(
        tmp_path,
        {"src/steps.py": "import helpers\nimport os\n", "src/helpers.py": "", "uv.lock": ""},
    )
    component = Component(
        "fit",
        inputs=(InputPort("data"), InputPort("extra", optional=True)),
        outputs=(OutputPort("model"),),
        parameters=(Parameter("lr", PortType.NUMBER, 0.1),),
        function=FunctionRef("src/steps.py", "fit"),
    )
    pipeline = Pipeline("p", jobs=(Job("fit", component, inputs={"data": DataPath("data")}),))
    stage = compile_pipeline(pipeline, resolve_parameters(pipeline, None, []), project(tmp_path)).stage("fit")
    assert stage.commands == (
        (
            "python -m pipeyard.exec src/steps.py fit --params fit"
            " --in data=data --out model=outputs/fit/model"
        ),
    )
    assert stage.code_deps == ("src/helpers.py", "src/steps.py", "uv.lock")
    assert stage.deps == ("data", "src/helpers.py", "src/steps.py", "uv.lock")
    assert stage.params == ("fit",)


def test_component_environment_files_replace_the_lock_file(tmp_path):
    write(tmp_path, {"steps.py": "", "uv.lock": "", "env/conda.yaml": ""})
    component = Component(
        "fit", function=FunctionRef("steps.py", "fit"), environment_files=("env/conda.yaml",)
    )
    pipeline = Pipeline("p", jobs=(Job("fit", component),))
    stage = compile_pipeline(pipeline, {}, project(tmp_path)).stage("fit")
    assert stage.code_deps == ("env/conda.yaml", "steps.py")
    assert stage.params == ()


def test_command_component_with_a_code_folder_runs_inside_it(tmp_path):
    write(tmp_path, {"src/train.py": "import util\n", "src/util.py": "", "requirements.txt": ""})
    component = Component(
        "train",
        inputs=(InputPort("data"),),
        outputs=(OutputPort("model"),),
        command="python train.py ${{inputs.data}} ${{outputs.model}}",
        code=("./src",),
    )
    pipeline = Pipeline("p", jobs=(Job("train", component, inputs={"data": DataPath("data/in")}),))
    stage = compile_pipeline(pipeline, {}, project(tmp_path)).stage("train")
    assert stage.commands == (
        "mkdir -p outputs/train/model",
        "cd src && python train.py ../data/in ../outputs/train/model",
    )
    # a `python <script>` command keys on the script and what it imports, not the folder
    assert stage.code_deps == ("requirements.txt", "src/train.py", "src/util.py")
    assert stage.deps == ("data/in", "requirements.txt", "src/train.py", "src/util.py")


def test_code_file_entries_bring_their_imports(tmp_path):
    write(tmp_path, {"run.py": "import lib\n", "lib.py": ""})
    component = Component("c", command="python run.py", code=("run.py",))
    pipeline = Pipeline("p", jobs=(Job("a", component),))
    stage = compile_pipeline(pipeline, {}, project(tmp_path)).stage("a")
    assert stage.code_deps == ("lib.py", "run.py")
    assert stage.commands == ("python run.py",)


def test_whole_project_code_is_noted_not_tracked(tmp_path):
    component = Component("c", command="true", code=(".",))
    pipeline = Pipeline("p", jobs=(Job("a", component), Job("b", component)))
    compiled = compile_pipeline(pipeline, {}, project(tmp_path))
    assert compiled.stage("a").deps == ()
    assert len(compiled.notes) == 1 and "code '.'" in compiled.notes[0]


def test_required_parameter_missing_from_the_tree(tmp_path):
    component = Component("c", parameters=(Parameter("n", PortType.INTEGER),), command="echo ${{inputs.n}}")
    pipeline = Pipeline("p", jobs=(Job("a", component),))
    with pytest.raises(DefinitionError, match="has no value") as caught:
        compile_pipeline(pipeline, {}, project(tmp_path))
    assert caught.value.location.step == "a"


def test_a_thousand_jobs_compile(tmp_path):
    component = Component(
        "c",
        inputs=(InputPort("i", optional=True),),
        outputs=(OutputPort("o"),),
        command="cp -r $[[${{inputs.i}}]] ${{outputs.o}}",
    )
    jobs = [Job("j0", component)] + [
        Job(f"j{i}", component, inputs={"i": JobOutputRef(f"j{i - 1}", "o")}) for i in range(1, 1000)
    ]
    compiled = compile_pipeline(Pipeline("big", jobs=tuple(jobs)), {}, project(tmp_path))
    assert len(compiled.stages) == 1000
    assert compiled.stages[-1].deps == ("outputs/j998/o",)


def test_a_distribution_is_part_of_the_step_identity_through_params(tmp_path):
    from dataclasses import replace

    from pipeyard.model import Distribution

    pipeline = demo()
    spread = replace(
        pipeline,
        jobs=tuple(
            replace(job, component=replace(job.component, distribution=Distribution("pytorch", 2, 3)))
            if job.name == "train"
            else job
            for job in pipeline.jobs
        ),
    )
    compiled = compile_pipeline(spread, resolve_parameters(spread, None, ()), project(tmp_path))
    train = compiled.stage("train")
    assert train.params == ("train", "pipeyard.environments.train", "pipeyard.distributions.train")
    assert compiled.params["pipeyard"] == {
        "environments": {"train": "azureml:torch-env:3"},
        "distributions": {"train": "pytorch 2x3"},
    }
    assert train.reserved == Resources(gpus=3, cpus=3)
