"""A pipeline: jobs (component instances) wired by bindings, validated when built."""

from __future__ import annotations

import graphlib
import posixpath
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property

from ..errors import (
    CycleError,
    DefinitionError,
    Location,
    ReferenceError_,
    TypeMismatch,
    did_you_mean,
    known,
)
from .component import Component, check_name
from .output_rule import normalise
from .project_layout import DEFAULT_OUTPUT_ROOT
from .resources import Resources
from .stage import StepGroup
from .types import PortType, accepts

RESERVED_JOB_NAMES = frozenset({"inputs", "outputs", "parent", "pipeyard"})
NESTING_SEPARATOR = "__"  # <pipeline component job>__<inner job>: DVC stage names allow no dots


def nesting_of(job_name: str) -> tuple[str, ...]:
    """The pipeline component jobs a flattened job sits in, outermost first ('a__b__c' -> (a, b))."""
    return tuple(job_name.split(NESTING_SEPARATOR)[:-1])


@dataclass(frozen=True)
class JobOutputRef:
    """``${{parent.jobs.<job>.outputs.<output>}}``: another job's output."""

    job: str
    output: str


@dataclass(frozen=True)
class PipelineInputRef:
    """``${{parent.inputs.<name>}}``: an input or parameter of the pipeline."""

    name: str


@dataclass(frozen=True)
class DataPath:
    """A literal data input: a local path with its artifact type."""

    path: str
    type: PortType = PortType.URI_FOLDER


@dataclass(frozen=True)
class Value:
    """A literal parameter value."""

    value: object


Binding = JobOutputRef | PipelineInputRef | DataPath | Value


@dataclass(frozen=True)
class PipelineInput:
    """An input of the pipeline: data (with a default path) or a parameter (with a default)."""

    name: str
    type: PortType
    default: object = None  # a path for artifact types, a value for parameter types
    optional: bool = False
    description: str = ""


@dataclass(frozen=True)
class PipelineOutput:
    """An output of the pipeline, optionally pinned to a local path."""

    name: str
    type: PortType = PortType.URI_FOLDER
    path: str | None = None
    description: str = ""


@dataclass(frozen=True)
class Job:
    """One use of a component in a pipeline.

    inputs/parameters map port names to bindings; output_paths pins outputs to local paths;
    output_bindings sends outputs to pipeline outputs (``${{parent.outputs.o}}``).
    """

    name: str
    component: Component
    inputs: Mapping[str, Binding] = field(default_factory=dict)
    parameters: Mapping[str, Binding] = field(default_factory=dict)
    output_paths: Mapping[str, str] = field(default_factory=dict)
    output_bindings: Mapping[str, str] = field(default_factory=dict)
    compute: str | None = None
    resources: Resources | None = None
    retries: int | None = None
    timeout_s: float | None = None
    source: Location | None = None
    tracking_output: str | None = None  # an output that receives the step's MLflow store (sweep trials)
    group: StepGroup | None = None  # limits shared with other jobs (a sweep's trials)

    def __hash__(self) -> int:
        return hash((self.name, self.component))

    @property
    def effective_compute(self) -> str | None:
        """The compute name the job asks for (job-level wins over component-level)."""
        return self.compute or self.component.compute

    def upstream_jobs(self) -> set[str]:
        """Names of the jobs whose outputs this job reads."""
        return {b.job for b in self.inputs.values() if isinstance(b, JobOutputRef)}


@dataclass(frozen=True)
class Pipeline:
    """A validated graph of jobs. Build it once; every change returns a new Pipeline."""

    name: str
    jobs: tuple[Job, ...]
    inputs: tuple[PipelineInput, ...] = ()
    outputs: tuple[PipelineOutput, ...] = ()
    default_compute: str | None = None
    force_rerun: bool = False
    source: Location | None = None
    output_root: str = DEFAULT_OUTPUT_ROOT
    notes: tuple[str, ...] = ()  # warnings from reading the definition (e.g. values coerced)

    def __post_init__(self) -> None:
        _validate(self)

    def __hash__(self) -> int:
        return hash((self.name, self.jobs))

    # --- lookups -----------------------------------------------------------------
    def job(self, name: str) -> Job:
        """The job called name; ReferenceError_ with a suggestion when there is none."""
        job = self._jobs_by_name.get(name)
        if job is not None:
            return job
        raise ReferenceError_(
            f"no job named '{name}'{did_you_mean(name, self.job_names)}",
            location=self.source,
            hint=f"jobs in this pipeline: {known(self.job_names)}",
        )

    @cached_property
    def _jobs_by_name(self) -> dict[str, Job]:
        return {job.name: job for job in self.jobs}

    @property
    def job_names(self) -> tuple[str, ...]:
        """Job names in definition order."""
        return tuple(j.name for j in self.jobs)

    def pipeline_input(self, name: str) -> PipelineInput | None:
        """The pipeline input called name, or None."""
        return self._inputs_by_name.get(name)

    def pipeline_output(self, name: str) -> PipelineOutput | None:
        """The pipeline output called name, or None."""
        return self._outputs_by_name.get(name)

    @cached_property
    def _inputs_by_name(self) -> dict[str, PipelineInput]:
        return {i.name: i for i in self.inputs}

    @cached_property
    def _outputs_by_name(self) -> dict[str, PipelineOutput]:
        return {o.name: o for o in self.outputs}

    # --- graph ---------------------------------------------------------------------
    def upstream(self) -> dict[str, tuple[str, ...]]:
        """For every job, the jobs whose outputs it reads (sorted)."""
        return {job.name: tuple(sorted(job.upstream_jobs())) for job in self.jobs}

    def topological_order(self) -> tuple[str, ...]:
        """Job names so that every job comes after the jobs it reads from (deterministic)."""
        return tuple(graphlib.TopologicalSorter(self.upstream()).static_order())

    def output_path(self, job_name: str, output: str) -> str:
        """The local path of a job's output (normalised POSIX, relative to the project root).

        The one output path rule: the job's own path for the output, else the path of the
        pipeline output it is bound to, else ``<output_root>/<job>/<output>``.
        """
        job = self.job(job_name)
        path = job.output_paths.get(output)
        if path is None:
            bound = self.pipeline_output(job.output_bindings.get(output, ""))
            path = bound.path if bound is not None and bound.path else None
        if path is None:
            path = posixpath.join(self.output_root, job_name, output)
        return normalise(path)

    def resolve_input_path(self, job: Job, name: str) -> str | None:
        """The local path an artifact input of job reads (normalised POSIX, relative to the
        project root), or None when unbound and optional."""
        binding = job.inputs.get(name)
        if isinstance(binding, JobOutputRef):
            return self.output_path(binding.job, binding.output)
        if isinstance(binding, DataPath):
            return normalise(binding.path)
        if isinstance(binding, PipelineInputRef):
            pipeline_input = self.pipeline_input(binding.name)
            default = None if pipeline_input is None else pipeline_input.default
            return None if default is None else normalise(str(default))
        return None

    # --- derived values ---------------------------------------------------------------
    def with_job(self, job: Job) -> Pipeline:
        """A new pipeline with job replaced (by name) or added."""
        jobs = [job if j.name == job.name else j for j in self.jobs]
        if job.name not in self.job_names:
            jobs.append(job)
        return replace(self, jobs=tuple(jobs))

    def subset(self, names) -> Pipeline:
        """A new pipeline with only the named jobs and what they need upstream."""
        upstream = self.upstream()
        keep: set[str] = set()
        pending = [self.job(name).name for name in names]
        while pending:
            name = pending.pop()
            if name not in keep:
                keep.add(name)
                pending.extend(upstream[name])
        return replace(self, jobs=tuple(j for j in self.jobs if j.name in keep))


def _validate(pipeline: Pipeline) -> None:
    """Every check that can be made on the definition alone."""
    if not pipeline.jobs:
        raise DefinitionError(f"pipeline '{pipeline.name}' has no jobs", location=pipeline.source)
    names: set[str] = set()
    for job in pipeline.jobs:
        check_name("job", job.name, job.source or pipeline.source)
        if job.name in RESERVED_JOB_NAMES:
            raise DefinitionError(
                f"'{job.name}' is reserved and cannot name a job",
                location=job.source or pipeline.source,
                hint="rename the job",
            )
        if job.name in names:
            raise DefinitionError(
                f"two jobs are named '{job.name}'",
                location=job.source or pipeline.source,
                hint="give each job a unique name",
            )
        names.add(job.name)
    for job in pipeline.jobs:
        _validate_job(pipeline, job, names)
    _validate_acyclic(pipeline)
    _validate_unique_output_paths(pipeline)


def _where(pipeline: Pipeline, job: Job) -> Location:
    base = job.source or pipeline.source or Location()
    return Location(file=base.file, line=base.line, step=job.name)


def _validate_job(pipeline: Pipeline, job: Job, names: set[str]) -> None:
    component = job.component
    where = _where(pipeline, job)
    for port_name, binding in job.inputs.items():
        port = component.input(port_name)
        if port is None:
            raise ReferenceError_(
                f"component '{component.name}' has no input '{port_name}'"
                f"{did_you_mean(port_name, [p.name for p in component.inputs])}",
                location=where,
                hint=f"its inputs: {known(p.name for p in component.inputs)}",
            )
        _validate_binding(pipeline, job, port_name, port.type, binding, names, where)
    for port_name, binding in job.parameters.items():
        parameter = component.parameter(port_name)
        if parameter is None:
            raise ReferenceError_(
                f"component '{component.name}' has no parameter '{port_name}'"
                f"{did_you_mean(port_name, [p.name for p in component.parameters])}",
                location=where,
                hint=f"its parameters: {known(p.name for p in component.parameters)}",
            )
        if isinstance(binding, PipelineInputRef) and pipeline.pipeline_input(binding.name) is None:
            _unknown_pipeline_input(pipeline, binding.name, where)
        if isinstance(binding, JobOutputRef):
            raise TypeMismatch(
                f"parameter '{port_name}' is bound to an output of job '{binding.job}'",
                location=where,
                hint="parameters take values; bind data outputs to inputs",
            )
    for port in component.inputs:
        if port.name not in job.inputs and not port.optional:
            raise DefinitionError(
                f"required input '{port.name}' of component '{component.name}' is not bound",
                location=where,
                hint=f"bind it, e.g. {port.name}: ${{{{parent.jobs.<job>.outputs.<output>}}}}",
            )
    for port_name in (*job.output_paths, *job.output_bindings):
        if component.output(port_name) is None:
            raise ReferenceError_(
                f"component '{component.name}' has no output '{port_name}'"
                f"{did_you_mean(port_name, [p.name for p in component.outputs])}",
                location=where,
                hint=f"its outputs: {known(p.name for p in component.outputs)}",
            )
    for port_name, target in job.output_bindings.items():
        if pipeline.pipeline_output(target) is None:
            raise ReferenceError_(
                f"output '{port_name}' is bound to unknown pipeline output '{target}'"
                f"{did_you_mean(target, [o.name for o in pipeline.outputs])}",
                location=where,
                hint=f"pipeline outputs: {known(o.name for o in pipeline.outputs)}",
            )


def _unknown_pipeline_input(pipeline: Pipeline, name: str, where: Location) -> None:
    raise ReferenceError_(
        f"unknown pipeline input '{name}'{did_you_mean(name, [i.name for i in pipeline.inputs])}",
        location=where,
        hint=f"pipeline inputs: {known(i.name for i in pipeline.inputs)}",
    )


def _validate_binding(pipeline, job, port_name, port_type, binding, names, where) -> None:
    if isinstance(binding, JobOutputRef):
        if binding.job not in names:
            raise ReferenceError_(
                f"input '{port_name}' reads from unknown job '{binding.job}'"
                f"{did_you_mean(binding.job, names)}",
                location=where,
                hint=f"jobs in this pipeline: {known(names)}",
            )
        upstream = pipeline.job(binding.job).component
        output = upstream.output(binding.output)
        if output is None:
            raise ReferenceError_(
                f"input '{port_name}' reads unknown output '{binding.output}' of job '{binding.job}'"
                f"{did_you_mean(binding.output, [o.name for o in upstream.outputs])}",
                location=where,
                hint=f"outputs of '{binding.job}': {known(o.name for o in upstream.outputs)}",
            )
        if not accepts(port_type, output.type):
            raise TypeMismatch(
                f"input '{port_name}' ({port_type.value}) is fed by output "
                f"'{binding.job}.{binding.output}' ({output.type.value})",
                location=where,
                hint="make the types match, or change the input's type",
            )
    elif isinstance(binding, PipelineInputRef):
        pipeline_input = pipeline.pipeline_input(binding.name)
        if pipeline_input is None:
            _unknown_pipeline_input(pipeline, binding.name, where)
        if not pipeline_input.type.is_artifact:
            raise TypeMismatch(
                f"input '{port_name}' ({port_type.value}) is bound to pipeline parameter "
                f"'{binding.name}' ({pipeline_input.type.value})",
                location=where,
            )
        if pipeline_input.default is None and not pipeline_input.optional:
            raise DefinitionError(
                f"pipeline input '{binding.name}' has no path",
                location=where,
                hint=f"give it one: inputs: {binding.name}: {{type: {pipeline_input.type.value}, path: ./data}}",
            )
    elif isinstance(binding, Value):
        raise TypeMismatch(
            f"input '{port_name}' ({port_type.value}) is given the value {binding.value!r}",
            location=where,
            hint="data inputs take a path: {type: uri_folder, path: ./data}",
        )


def _validate_acyclic(pipeline: Pipeline) -> None:
    try:
        pipeline.topological_order()
    except graphlib.CycleError as cycle:
        names = list(cycle.args[1])
        raise CycleError(
            f"the jobs form a cycle: {' -> '.join(names)}",
            location=pipeline.source,
            hint="a job cannot read, directly or indirectly, its own output",
        ) from None


def _validate_unique_output_paths(pipeline: Pipeline) -> None:
    writers: dict[str, str] = {}
    for job in pipeline.jobs:
        for output in job.component.outputs:
            path = pipeline.output_path(job.name, output.name)
            owner = f"{job.name}.{output.name}"
            if path in writers:
                raise DefinitionError(
                    f"'{writers[path]}' and '{owner}' both write '{path}'",
                    location=_where(pipeline, job),
                    hint="give each output its own path",
                )
            writers[path] = owner
    for path, owner in writers.items():
        parent = posixpath.dirname(path)
        while parent:
            if parent in writers:
                raise DefinitionError(
                    f"output '{owner}' ({path}) lies inside output '{writers[parent]}' ({parent})",
                    location=pipeline.source,
                    hint="outputs must not overlap",
                )
            parent = posixpath.dirname(parent)
