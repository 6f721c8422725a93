"""Turn a recorded pipeline function into the frozen, validated ``model.Pipeline``."""

from __future__ import annotations

import inspect
import os
import pathlib
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from ..errors import DefinitionError, Location, PipeyardError
from ..model import (
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
    Value,
)
from ..model.options import parse_distribution, parse_resources, parse_timeout
from ..model.types import PlotOptions
from .handles import OutputRef, PipelineParam
from .ports import PortSpec, check_value, relative_location
from .step import RecordedJob, Recording, Step


class DefinedPipeline(Protocol):
    """What building reads of a ``@pipeline`` definition (``recording.PipelineDefinition``)."""

    name: str
    function: Callable[..., Any]
    ports: tuple[PortSpec, ...]
    default_compute: str | None
    force_rerun: bool

    def record(self) -> Recording:
        """Call the pipeline function once and collect the jobs it creates."""
        ...


def build_pipeline(definition: DefinedPipeline, root: Path) -> Pipeline:
    """Record definition once and build the Pipeline; every path relative to root."""
    root = Path(os.path.abspath(root))
    try:
        recording = definition.record()
        components: dict[int, Component] = {}
        jobs = []
        for recorded in recording.jobs:
            key = id(recorded.step.function)
            if key not in components:
                components[key] = build_component(recorded.step, root)
            jobs.append(_job(recorded, components[key], root))
        outputs = []
        bindings: dict[str, dict[str, str]] = {}
        for name, ref in recording.returned.items():
            outputs.append(PipelineOutput(name, PortType(ref.spec.type)))
            bindings.setdefault(ref.job, {})[ref.output] = name
        jobs = [_with_output_bindings(job, bindings.get(job.name, {})) for job in jobs]
        return Pipeline(
            name=definition.name,
            jobs=tuple(jobs),
            inputs=tuple(_pipeline_input(p, root, definition) for p in definition.ports),
            outputs=tuple(outputs),
            default_compute=definition.default_compute,
            force_rerun=definition.force_rerun,
            source=relative_location(_function_location(definition.function), root),
        )
    except PipeyardError as error:
        error.location = relative_location(error.location, root)
        raise


def build_component(declared: Step, root: Path) -> Component:
    """The model Component of a Python step."""
    where = relative_location(declared.source, root)
    options = declared.options
    ports = declared.ports
    decorator = relative_location(options.where, root)
    resources = parse_resources(options.resources, where=decorator) or Resources()
    return Component(
        name=declared.name,
        inputs=tuple(
            InputPort(p.name, PortType(p.type), optional=p.optional or p.has_default)
            for p in ports
            if p.kind == "input"
        ),
        outputs=tuple(
            OutputPort(
                p.name,
                PortType(p.type),
                OutputRole(p.role),
                plot=PlotOptions.parse(dict(p.plot), what=f"output '{p.name}'") if p.plot else None,
            )
            for p in ports
            if p.kind == "output"
        ),
        parameters=tuple(
            Parameter(p.name, PortType(p.type), default=p.default, optional=p.optional, choices=p.choices)
            for p in ports
            if p.kind == "parameter"
        ),
        function=FunctionRef(_module_file(declared, root, where), declared.function.__qualname__),
        version=options.version,
        environment=options.environment,
        resources=resources,
        compute=options.compute,
        retries=options.retries,
        timeout_s=parse_timeout(options.timeout, where=decorator),
        distribution=parse_distribution(options.distribution, where=decorator),
        description=_first_paragraph(declared.function.__doc__),
        source=where,
    )


def _job(recorded: RecordedJob, component: Component, root: Path) -> Job:
    where = relative_location(recorded.location, root)
    inputs: dict[str, Any] = {}
    parameters: dict[str, Any] = {}
    output_paths: dict[str, str] = {}
    for port in recorded.step.ports:
        if port.name not in recorded.arguments:
            if port.kind == "input" and port.default is not None:
                inputs[port.name] = DataPath(project_path(port.default, root, where), PortType(port.type))
            continue
        value = recorded.arguments[port.name]
        if port.kind == "output":
            if value is not None:
                output_paths[port.name] = _output_path(value, port, root, where, recorded.name)
        elif port.kind == "input":
            if value is not None:
                inputs[port.name] = _input_binding(value, port, root, where)
        else:
            parameters[port.name] = _parameter_binding(value, port, recorded, where)
    return Job(
        name=recorded.name,
        component=component,
        inputs=inputs,
        parameters=parameters,
        output_paths=output_paths,
        source=Location(where.file, where.line),
    )


def _input_binding(value: Any, port: PortSpec, root: Path, where: Location) -> Any:
    if isinstance(value, OutputRef):
        return JobOutputRef(value.job, value.output)
    if isinstance(value, PipelineParam):
        return PipelineInputRef(value.name)
    if isinstance(value, (str, pathlib.PurePath)):
        return DataPath(project_path(value, root, where), PortType(port.type))
    return Value(value)  # the Pipeline rejects it with a TypeMismatch naming the input


def _parameter_binding(value: Any, port: PortSpec, recorded: RecordedJob, where: Location) -> Any:
    if isinstance(value, PipelineParam):
        return PipelineInputRef(value.name)
    if isinstance(value, OutputRef):
        return JobOutputRef(value.job, value.output)  # the Pipeline rejects it with a hint
    if value is None and port.optional:
        return Value(None)
    return Value(check_value(port, value, what=f"job '{recorded.name}'", where=where))


def _output_path(value: Any, port: PortSpec, root: Path, where: Location, job: str) -> str:
    if not isinstance(value, (str, pathlib.PurePath)):
        raise DefinitionError(
            f"output '{port.name}' of job '{job}' is given {value!r}; outputs take a path",
            location=where,
            hint=f"pass a path such as {port.name}='models/{port.name}', or leave it out",
        )
    return project_path(value, root, where)


def _pipeline_input(port: PortSpec, root: Path, definition: DefinedPipeline) -> PipelineInput:
    default = port.default
    if port.is_artifact and default is not None:
        default = project_path(
            default, root, relative_location(_function_location(definition.function), root)
        )
    return PipelineInput(port.name, PortType(port.type), default=default, optional=port.optional)


def _with_output_bindings(job: Job, bindings: dict[str, str]) -> Job:
    if not bindings:
        return job
    return replace(job, output_bindings=bindings)


def project_path(value: Any, root: Path, where: Location | None) -> str:
    """value (relative to root, or absolute inside it) as a normalised POSIX path."""
    text = os.fspath(value)
    absolute = os.path.normpath(os.path.join(root, text))
    relative = os.path.relpath(absolute, root)
    if relative == os.curdir or relative.startswith(os.pardir):
        raise DefinitionError(
            f"path '{text}' lies outside the project ({root})",
            location=where,
            hint="keep data inside the repository so DVC can track it",
        )
    return pathlib.Path(relative).as_posix()


def _module_file(declared: Step, root: Path, where: Location) -> str:
    filename = declared.function.__code__.co_filename
    relative = os.path.relpath(os.path.abspath(filename), root)
    if relative.startswith(os.pardir):
        raise DefinitionError(
            f"step '{declared.name}' is defined in {filename}, outside the project ({root})",
            location=where,
            hint="move the step's module into the repository so its code is versioned with it",
        )
    return pathlib.Path(relative).as_posix()


def _function_location(function: Callable[..., Any]) -> Location:
    code = function.__code__
    return Location(code.co_filename, code.co_firstlineno)


def _first_paragraph(doc: str | None) -> str:
    if not doc:
        return ""
    return inspect.cleandoc(doc).split("\n\n")[0].replace("\n", " ")
