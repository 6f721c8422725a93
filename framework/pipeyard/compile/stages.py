"""A pipeline and its parameter tree compiled to stages: what DVC and the runner execute.

Decisions worth knowing:

* Command components run from the project root. When a component's ``code`` is one folder
  (Azure ML's code snapshot), its command runs inside that folder, as on Azure ML: the stage
  command is ``cd <code> && <command>`` and every path in it is relative to that folder.
* ``mkdir -p`` of output folders (and of the parents of file outputs) comes first, so the
  command also works under plain ``dvc repro``, which deletes outputs before running a stage.
* Resources: a job's own ``resources`` win whole. Otherwise each field of the component's
  resources that differs from ``Resources()``'s default wins over the compute profile's.
* Environment files (``Component.environment_files``, else the project's lock file) are deps
  of steps that run project code: Python steps and command components with ``code``.
* The ``environment`` string of a component is recorded in params.yaml under
  ``pipeyard.environments.<job>``, and the stage reads it, so a new environment reruns it.
  A ``distribution`` (type, processes per instance, instance count) is recorded the same way
  under ``pipeyard.distributions.<job>``.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

from ..azure_yaml.parallel import DRIVER_MODULE as PARALLEL_DRIVER
from ..config.params import INPUTS_KEY
from ..config.project import LOCAL_PROFILE, ProjectConfig, strip_azureml
from ..errors import Location, ReferenceError_, did_you_mean, known
from ..mlflow_store import STORE_FOLDER
from ..model.output_rule import normalise
from ..model.pipeline import Job, Pipeline
from ..model.project_layout import DISTRIBUTIONS_KEY, ENVIRONMENTS_KEY, RESERVED_KEY
from ..model.resources import Resources
from ..model.stage import Stage, StageOutput
from ..parallel.driver import CPUS_VARIABLE  # a parallel job's driver starts no more workers
from .codedeps import CodeDependencies
from .command import dvc_reference, mkdir_command, python_step_command, render_template
from .path_checks import check_output_paths

CODE_FOLDER_VARIABLE = (
    "PIPEYARD_CODE_FOLDER"  # the folder a step runs in; runner.workdir moves its writes out
)
_DEFAULT_RESOURCES = Resources()


@dataclass(frozen=True)
class CompiledPipeline:
    """Stages in topological order, what params.yaml must hold, and notes for the user."""

    stages: tuple[Stage, ...]
    params: Mapping[str, Any] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    dvc_entries: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # kept as written

    def __hash__(self) -> int:
        return hash(self.stages)

    def stage(self, name: str) -> Stage:
        """The stage called name; ReferenceError_ with a suggestion when there is none."""
        for stage in self.stages:
            if stage.name == name:
                return stage
        names = [s.name for s in self.stages]
        raise ReferenceError_(
            f"no step named '{name}'{did_you_mean(name, names)}",
            hint=f"steps: {known(names)}",
        )


def compile_pipeline(
    pipeline: Pipeline, params: Mapping[str, Any], project: ProjectConfig
) -> CompiledPipeline:
    """Compile every job of pipeline into a Stage, using the resolved parameter tree params.

    Raises DefinitionError for an output that would delete or overwrite something of the
    project (see compile.path_checks).
    """
    compiler = _Compiler(pipeline, params, project)
    order = pipeline.topological_order()
    stages = tuple(compiler.stage(compiler.jobs[name]) for name in order)
    check_output_paths(pipeline, stages, project)
    return CompiledPipeline(stages=stages, params=compiler.params_file(order), notes=compiler.notes())


class _Compiler:
    """State of one compilation: indexes of the pipeline and the import-analysis cache."""

    def __init__(self, pipeline: Pipeline, params: Mapping[str, Any], project: ProjectConfig):
        self.pipeline = pipeline
        self.params = params
        self.project = project
        self.jobs = {job.name: job for job in pipeline.jobs}
        self.code = CodeDependencies(project.root)
        self.environments: dict[str, str] = {}
        self.distributions: dict[str, str] = {}
        self.missing_profiles: dict[str, None] = {}
        self.code_notes: dict[str, None] = {}

    # --- one stage -------------------------------------------------------------------------
    def stage(self, job: Job) -> Stage:
        component = job.component
        where = Location(
            file=(job.source or self.pipeline.source or Location()).file,
            line=(job.source or Location()).line,
            step=job.name,
        )
        inputs = {p.name: self.pipeline.resolve_input_path(job, p.name) for p in component.inputs}
        outputs = {o.name: self.pipeline.output_path(job.name, o.name) for o in component.outputs}
        code_folder = self.code_folder(job)
        dvc_commands: tuple[str, ...] = ()
        if component.function is not None:
            commands: tuple[str, ...] = (
                python_step_command(
                    normalise(component.function.file),
                    component.function.qualname,
                    job.name,
                    [(n, p) for n, p in inputs.items() if p is not None],
                    outputs.items(),
                ),
            )
        else:
            commands, dvc_commands = self.shell_commands(job, inputs, outputs, code_folder, where)
        code_deps = self.code_deps(job)
        compute, resources = self.resources(job)
        if component.environment:
            self.environments[job.name] = component.environment
        if component.distribution:
            self.distributions[job.name] = component.distribution.describe()
        return Stage(
            name=job.name,
            commands=commands,
            deps=tuple(sorted({*(p for p in inputs.values() if p is not None), *code_deps})),
            params=self.stage_params(job),
            outs=tuple(
                StageOutput(path=outputs[o.name], role=o.role, is_dir=o.type.is_folder, plot=o.plot)
                for o in component.outputs
            ),
            upstream=tuple(sorted(job.upstream_jobs())),
            always_changed=not component.deterministic or self.pipeline.force_rerun,
            resources=resources,
            compute=compute,
            retries=job.retries if job.retries is not None else component.retries,
            timeout_s=job.timeout_s if job.timeout_s is not None else component.timeout_s,
            env={**self.tracking_env(job, outputs), **_step_variables(job, code_folder, resources)},
            code_deps=code_deps,
            environment=component.environment,
            dvc_commands=dvc_commands if dvc_commands != commands else (),
            distribution=component.distribution,
            group=job.group,
        )

    def tracking_env(self, job: Job, outputs: Mapping[str, str]) -> dict[str, str]:
        """A sweep trial logs MLflow into one of its outputs, so the store is cached with it."""
        if job.tracking_output is None:
            return {}
        store = (self.project.root / outputs[job.tracking_output] / STORE_FOLDER).absolute()
        return {"MLFLOW_TRACKING_URI": store.as_uri(), "MLFLOW_ALLOW_FILE_STORE": "true"}

    def shell_commands(
        self, job, inputs, outputs, code_folder, where
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The commands to run (values written in) and as dvc.yaml holds them (`${job.param}`)."""
        component = job.component
        values: dict[str, Any] = dict(inputs)
        job_params = self.params.get(job.name) or {}
        for parameter in component.parameters:
            values[parameter.name] = job_params.get(parameter.name)
        rendered_outputs = dict(outputs)
        if code_folder:
            values = {
                k: (_relative_to(v, code_folder) if k in inputs and v is not None else v)
                for k, v in values.items()
            }
            rendered_outputs = {k: _relative_to(v, code_folder) for k, v in outputs.items()}
        references = {
            p.name: ref
            for p in component.parameters
            if p.name in job_params and (ref := dvc_reference(job.name, p.name)) is not None
        }
        command = render_template(component, values, rendered_outputs, where)
        dvc_command = render_template(component, values, rendered_outputs, where, references)
        if code_folder:
            command = f"cd {shlex.quote(code_folder)} && {command}"
            dvc_command = f"cd {shlex.quote(code_folder)} && {dvc_command}"
        folders = [
            outputs[o.name] if o.type.is_folder else posixpath.dirname(outputs[o.name])
            for o in component.outputs
        ]
        mkdir = mkdir_command(folders)
        if mkdir:
            return (mkdir, command), (mkdir, dvc_command)
        return (command,), (dvc_command,)

    def code_folder(self, job: Job) -> str | None:
        """The folder a command component runs in: its ``code`` when that is one folder."""
        component = job.component
        if component.function is not None or len(component.code) != 1:
            return None
        folder = normalise(component.code[0])
        return folder if folder != "." and (self.project.root / folder).is_dir() else None

    def code_deps(self, job: Job) -> tuple[str, ...]:
        component = job.component
        found: set[str] = set()
        if component.function is not None:
            found.update(self.code.closure(normalise(component.function.file)))
        for entry in map(normalise, component.code):
            if entry == ".":
                self.code_notes[
                    f"component '{component.name}' has code '.', the whole project; pipeyard "
                    "does not track it as a dependency (name the folders or files instead)"
                ] = None
                continue
            finer = (
                self.code.command_files(component.command, entry)
                if component.command and (self.project.root / entry).is_dir()
                else None
            )
            found.update(finer if finer is not None else (entry,))  # see codedeps.command_files
            if entry.endswith(".py") and (self.project.root / entry).is_file():
                found.update(self.code.closure(entry))
        if component.function is not None or component.code:
            if component.environment_files:
                found.update(map(normalise, component.environment_files))
            elif lock := self.code.environment_file():
                found.add(lock)
        return tuple(sorted(found))

    def stage_params(self, job: Job) -> tuple[str, ...]:
        keys = []
        if self.params.get(job.name):
            keys.append(job.name)
        if job.component.environment:
            keys.append(f"{RESERVED_KEY}.{ENVIRONMENTS_KEY}.{job.name}")
        if job.component.distribution:
            keys.append(f"{RESERVED_KEY}.{DISTRIBUTIONS_KEY}.{job.name}")
        return tuple(keys)

    def resources(self, job: Job) -> tuple[str, Resources]:
        requested = job.effective_compute or self.pipeline.default_compute
        name = strip_azureml(requested) if requested else LOCAL_PROFILE
        profile = self.project.profiles.get(name)
        if profile is None:
            self.missing_profiles[name] = None
            name, profile = LOCAL_PROFILE, self.project.profiles[LOCAL_PROFILE]
        if job.resources is not None:
            return name, job.resources
        own = job.component.resources
        if own == _DEFAULT_RESOURCES:
            return name, profile
        merged = {
            f.name: getattr(
                own if getattr(own, f.name) != getattr(_DEFAULT_RESOURCES, f.name) else profile, f.name
            )
            for f in fields(Resources)
        }
        return name, Resources(**merged)

    # --- the whole pipeline -------------------------------------------------------------------
    def params_file(self, order: tuple[str, ...]) -> dict[str, Any]:
        """What params.yaml holds: inputs, one section per job (pipeline order), environments."""
        tree = {  # copied one level deep so the compiled value shares no dict with the caller
            k: dict(v) if isinstance(v, Mapping) else v for k, v in self.params.items() if k != RESERVED_KEY
        }
        ordered: dict[str, Any] = {}
        if INPUTS_KEY in tree:
            ordered[INPUTS_KEY] = tree[INPUTS_KEY]
        for name in order:
            if name in tree:
                ordered[name] = tree[name]
        for key, value in tree.items():
            ordered.setdefault(key, value)
        reserved = {
            key: dict(sorted(found.items()))
            for key, found in ((ENVIRONMENTS_KEY, self.environments), (DISTRIBUTIONS_KEY, self.distributions))
            if found
        }
        if reserved:
            ordered[RESERVED_KEY] = reserved
        return ordered

    def notes(self) -> tuple[str, ...]:
        missing = [
            f"compute '{name}' has no profile in pipeyard.yaml; its steps run on the local profile"
            for name in self.missing_profiles
        ]
        return (*missing, *self.code_notes)


def _step_variables(job: Job, code_folder: str | None, resources: Resources) -> dict[str, str]:
    variables = {}
    if PARALLEL_DRIVER in (job.component.command or ""):
        variables[CPUS_VARIABLE] = f"{resources.cpus:g}"
    if code_folder:
        variables[CODE_FOLDER_VARIABLE] = code_folder
    return variables


def _relative_to(path: str, folder: str) -> str:
    return posixpath.relpath(normalise(path), folder)
