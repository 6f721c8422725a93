"""One job of an Azure ML pipeline job (or a standalone command job) -> model.Job.

A job uses a component file (``component: ./train.yml`` or ``file:./train.yml``), an inline
component mapping, a registered component (``azureml:train:1``, ``azureml:train@latest``,
``azureml://registries/<r>/components/<name>/versions/<v>`` or ``registry:team/train:1``,
found by the ``resolve_component`` callable the caller passes down), or is itself an inline
command job (``command`` + ``inputs`` with values), whose component pipeyard derives from
the values it is given.
``environment_variables`` of a job are ignored: set variables in the step's command.
Pipeline components, sweeps and parallel jobs are expanded by nesting, sweep and parallel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import (
    DefinitionError,
    Location,
    ReferenceError_,
    TypeMismatch,
    UnsupportedError,
    did_you_mean,
    known,
)
from ..model import (
    Component,
    DataPath,
    InputPort,
    Job,
    JobOutputRef,
    Parameter,
    PipelineInput,
    PipelineInputRef,
    PortType,
    Value,
)
from .assets import REGISTERED_PREFIXES
from .coercion import lenient_value
from .component import (
    COMPONENT_KEYS,
    check_type,
    component_from_spec,
    literal_type,
    load_component_yaml,
    parameter_value,
    parse_type,
    read_code,
    read_environment,
    read_outputs,
    read_resources,
    read_retries,
    read_timeout,
)
from .leniency import INPUT_MODES, OUTPUT_MODES, check_mode, note_cloud_only
from .parallel import as_command, is_parallel
from .refs import bound_value, check_command, local_path, parse_binding, strip_azureml
from .yamlfile import SourceFile, YamlMap, check_keys, expect_map, line_of, yaml_map

JOB_KEYS = COMPONENT_KEYS | {"component", "settings"}

ComponentResolver = Callable[[str, Location], Component]
"""Finds a registered component by its reference (e.g. ``azureml:train:1``); raises a
UserError naming where when it cannot."""


@dataclass
class JobContext:
    """What a job needs from its pipeline: the file, the pipeline inputs, jobs built so far,
    and how to find registered components (None: they cannot be used).

    Inside a pipeline component (see azure_yaml.nesting) the context is a scope: prefix starts
    the names of its jobs, scope_inputs holds what each of the component's inputs is bound to
    in the outermost pipeline's terms (None: unbound), scope_outputs what each of its outputs
    is sent to (("binding", pipeline output) or ("path", local path)), and produced collects
    which inner job output feeds each of its outputs. nested maps (job, output) of a pipeline
    component job in this scope to the inner job output behind it.
    """

    source: SourceFile
    pipeline_inputs: dict[str, PipelineInput] = field(default_factory=dict)
    built: dict[str, Job] = field(default_factory=dict)
    components: dict[Path | str, Component] = field(default_factory=dict)
    in_pipeline: bool = True
    resolve_component: ComponentResolver | None = None
    prefix: str = ""
    scope_inputs: dict[str, Any] | None = None
    scope_outputs: dict[str, tuple[str, str]] = field(default_factory=dict)
    produced: dict[str, JobOutputRef] = field(default_factory=dict)
    nested: dict[tuple[str, str], JobOutputRef] = field(default_factory=dict)
    files: tuple[Path, ...] = ()
    notes: list[str] = field(default_factory=list)
    assets: list[Any] = field(default_factory=list)

    def job_output(self, job: str, output: str) -> JobOutputRef:
        """``${{parent.jobs.<job>.outputs.<output>}}`` in this scope, as a flattened reference."""
        return self.nested.get((job, output)) or JobOutputRef(self.prefix + job, output)


def build_job(name: str, spec: Any, context: JobContext, line: int | None) -> Job:
    """The model Job for the job called name in the pipeline (or the standalone job file)."""
    source = context.source
    where = source.at(line, name)
    spec = expect_map(spec, f"job '{name}'", where)
    if is_parallel(spec):
        spec = as_command(spec, source, name) if "component" not in spec else _typed_command(spec)
    check_type(spec, source, name, "job")
    check_keys(spec, JOB_KEYS, f"job '{name}'", source, name)
    note_cloud_only(spec, source, name, context.notes)
    if "component" in spec:
        component = _component(spec, name, context)
        inputs, parameters = bind_inputs(spec, component, name, context)
    elif "command" in spec:
        component, inputs, parameters = _inline_command_job(spec, name, context)
    else:
        raise DefinitionError(
            f"job '{name}' has neither a component nor a command",
            location=where,
            hint="add component: ./components/<name>.yml",
        )
    output_paths, output_bindings = bind_outputs(spec, component, name, context)
    resources = read_resources(spec, source, name)
    return Job(
        name=name,
        component=component,
        inputs=inputs,
        parameters=parameters,
        output_paths=output_paths,
        output_bindings=output_bindings,
        compute=strip_azureml(spec.get("compute")),
        resources=resources,
        retries=read_retries(spec, source, name),
        timeout_s=read_timeout(spec, source, name),
        source=Location(source.shown, line),
    )


def _typed_command(spec: YamlMap) -> YamlMap:
    """A ``type: parallel`` job that uses a parallel component: the component holds the task."""
    copy = YamlMap(spec)
    copy.line, copy.lines = spec.line, dict(spec.lines)
    copy["type"] = "command"
    return copy


def _component(spec: YamlMap, name: str, context: JobContext) -> Component:
    where = context.source.at(line_of(spec, "component"), name)
    return resolve_component(spec["component"], name, where, context, load_component_yaml)


def resolve_component(
    value: Any, name: str, where: Location, context: JobContext, load: Callable[[Path, Path], Component]
) -> Component:
    """The command component value names for job name: an inline mapping, a local file
    (read with load, once per file) or a registered component."""
    source = context.source
    if isinstance(value, dict):
        return component_from_spec(yaml_map(value), source, default_name=name.replace("-", "_"), step=name)
    if not isinstance(value, str):
        raise DefinitionError(f"component must be a file or a mapping, got {value!r}", location=where)
    if value.startswith(REGISTERED_PREFIXES):
        return _registered_component(value.strip(), name, where, context)
    relative = local_path(
        value, folder=source.folder, root=source.root, what="component file", where=where, must_exist=True
    )
    path = source.root / relative
    if path not in context.components:
        context.components[path] = load(path, source.root)
    return context.components[path]


def _registered_component(reference: str, job: str, where: Location, context: JobContext) -> Component:
    if context.resolve_component is None:
        raise UnsupportedError(
            f"job '{job}' uses the registered component '{reference}', which exists only in a "
            "workspace or a registry, and no component registry is available here",
            location=where,
            hint="add one to pipeyard.yaml (registries: [{name: team, path: ../registry}]) and "
            "register the component there: pipeyard component register ./components/train.yml; "
            "or reference a local file: component: ./components/<name>.yml",
        )
    if reference not in context.components:
        context.components[reference] = context.resolve_component(reference, where)
    return context.components[reference]


def bind_inputs(
    spec: YamlMap, component: Component, job: str, context: JobContext
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The input and parameter bindings of a job's ``inputs`` for component."""
    source = context.source
    given = expect_map(spec.get("inputs"), "inputs", source.at(line_of(spec, "inputs"), job))
    inputs: dict[str, Any] = {}
    parameters: dict[str, Any] = {}
    names = [*(p.name for p in component.inputs), *(p.name for p in component.parameters)]
    for key, value in given.items():
        where = source.at(line_of(given, key), job)
        port = component.input(key)
        parameter = component.parameter(key)
        if port is None and parameter is None:
            raise ReferenceError_(
                f"component '{component.name}' has no input or parameter '{key}'{did_you_mean(str(key), names)}",
                location=where,
                hint=f"its inputs and parameters: {known(names)}",
            )
        value = bound_value(value)
        expression = parse_binding(value, where)
        if expression is not None:
            binding = expression_binding(expression, where, context)
            if binding is None:
                continue  # an unbound input of the enclosing pipeline component
            if parameter is not None and isinstance(binding, PipelineInputRef):
                _check_parameter_ref(binding.name, parameter, context, where)
            if parameter is not None and isinstance(binding, Value):
                binding = Value(
                    lenient_value(
                        binding.value, parameter.type, str(key), where, context.notes, parameter.choices
                    )
                )
            (inputs if port is not None else parameters)[key] = binding
        elif port is not None:
            inputs[key] = data_binding(value, port.type, source, where)
        elif parameter is not None:  # (neither port nor parameter was refused above)
            if isinstance(value, dict):
                value = value.get("default", value.get("value"))
            parameters[key] = Value(
                lenient_value(value, parameter.type, str(key), where, context.notes, parameter.choices)
            )
    return inputs, parameters


def expression_binding(expression, where: Location, context: JobContext) -> Any:
    """The model binding of a ``${{...}}`` input expression in context (None: an unbound
    input of the enclosing pipeline component)."""
    if not context.in_pipeline:
        raise DefinitionError(
            "a standalone command job cannot bind inputs to ${{...}} expressions",
            location=where,
            hint="give literal values and {type: uri_folder, path: ./data} paths",
        )
    if expression.kind == "output":
        raise DefinitionError(
            f"an input cannot read pipeline output '{expression.name}'",
            location=where,
            hint="inputs read ${{parent.inputs.<name>}} or ${{parent.jobs.<job>.outputs.<name>}}",
        )
    if expression.kind == "job_output":
        return context.job_output(expression.job, expression.name)
    if context.scope_inputs is None:
        return PipelineInputRef(expression.name)
    if expression.name not in context.scope_inputs:
        raise ReferenceError_(
            f"unknown input '{expression.name}' of the pipeline component"
            f"{did_you_mean(expression.name, context.scope_inputs)}",
            location=where,
            hint=f"its inputs: {known(context.scope_inputs)}",
        )
    return context.scope_inputs[expression.name]


def _check_parameter_ref(name: str, parameter: Parameter, context: JobContext, where: Location) -> None:
    pipeline_input = context.pipeline_inputs.get(name)
    if pipeline_input is None or pipeline_input.default is None:
        return
    if pipeline_input.type.is_artifact:
        raise TypeMismatch(
            f"parameter '{parameter.name}' ({parameter.type.value}) is bound to data input "
            f"'{name}' ({pipeline_input.type.value})",
            location=where,
        )
    try:
        lenient_value(pipeline_input.default, parameter.type, parameter.name, where, context.notes)
    except TypeMismatch:
        raise TypeMismatch(
            f"parameter '{parameter.name}' ({parameter.type.value}) is bound to pipeline input "
            f"'{name}' = {pipeline_input.default!r} ({pipeline_input.type.value})",
            location=where,
            hint="make the types match",
        ) from None


def data_binding(value: Any, port_type: PortType, source: SourceFile, where: Location) -> Any:
    """A literal data input (``./data`` or ``{type, path}``) as a DataPath relative to the root."""
    if isinstance(value, dict):
        check_mode(value, INPUT_MODES, "the input", where)
        if value.get("path") is None:
            raise DefinitionError(
                "data input needs a path", location=where, hint="e.g. {type: uri_folder, path: ./data}"
            )
        port_type = parse_type(value.get("type", port_type.value), where)
        value = value["path"]
    if isinstance(value, str):
        return DataPath(
            local_path(value, folder=source.folder, root=source.root, what="input path", where=where),
            port_type,
        )
    return Value(value)  # the Pipeline rejects it: data inputs take paths


def bind_outputs(
    spec: YamlMap, component: Component, job: str, context: JobContext
) -> tuple[dict[str, str], dict[str, str]]:
    """The output paths and pipeline-output bindings of a job's ``outputs`` for component."""
    source = context.source
    given = expect_map(spec.get("outputs"), "outputs", source.at(line_of(spec, "outputs"), job))
    paths: dict[str, str] = {}
    bindings: dict[str, str] = {}
    for key, value in given.items():
        where = source.at(line_of(given, key), job)
        if component.output(key) is None:
            names = [o.name for o in component.outputs]
            raise ReferenceError_(
                f"component '{component.name}' has no output '{key}'{did_you_mean(str(key), names)}",
                location=where,
                hint=f"its outputs: {known(names)}",
            )
        check_mode(value, OUTPUT_MODES, f"output '{key}'", where)
        expression = parse_binding(value, where)
        if expression is not None:
            if expression.kind != "output" or not context.in_pipeline:
                raise DefinitionError(
                    f"output '{key}' can only be bound to ${{{{parent.outputs.<name>}}}}", location=where
                )
            if context.scope_inputs is None:
                bindings[str(key)] = expression.name
                continue
            context.produced[expression.name] = JobOutputRef(job, str(key))
            kind, target = context.scope_outputs.get(expression.name, ("", ""))
            (bindings if kind == "binding" else paths if kind == "path" else {})[str(key)] = target
        elif isinstance(value, dict) and value.get("path") is not None:
            paths[str(key)] = output_path(value["path"], source, where)
        elif isinstance(value, str):
            paths[str(key)] = output_path(value, source, where)
    return paths, bindings


def output_path(text: Any, source: SourceFile, where: Location) -> str:
    """A local output path relative to the root; remote ones raise UnsupportedError."""
    try:
        return local_path(text, folder=source.folder, root=source.root, what="output path", where=where)
    except UnsupportedError as error:
        error.hint = "remove 'path' to write under outputs/<job>/<output>, or give a local path"
        raise


def _inline_command_job(spec: YamlMap, name: str, context: JobContext):
    """A component derived from a command job's own inputs, plus the job's bindings."""
    source = context.source
    given = expect_map(spec.get("inputs"), "inputs", source.at(line_of(spec, "inputs"), name))
    ports: list[InputPort] = []
    parameters: list[Parameter] = []
    inputs: dict[str, Any] = {}
    bound_parameters: dict[str, Any] = {}
    for key, value in given.items():
        key = str(key)
        where = source.at(line_of(given, key), name)
        value = bound_value(value)
        expression = parse_binding(value, where)
        if expression is not None:
            binding = expression_binding(expression, where, context)
            if binding is None:
                continue
            port_type = _referenced_type(binding, context, where)
            if port_type.is_artifact:
                ports.append(InputPort(key, port_type))
                inputs[key] = binding
            else:
                parameters.append(Parameter(key, port_type))
                bound_parameters[key] = binding
        elif isinstance(value, dict) and "path" in value:
            binding = data_binding(value, parse_type(value.get("type", "uri_folder"), where), source, where)
            ports.append(InputPort(key, binding.type))
            inputs[key] = binding
        else:
            if isinstance(value, dict):
                port_type = (
                    parse_type(value["type"], where)
                    if value.get("type")
                    else literal_type(value.get("default"), where)
                )
                default = value.get("default")
            else:
                port_type, default = literal_type(value, where), value
            parameters.append(
                Parameter(key, port_type, default=parameter_value(default, port_type, key, where))
            )
    outputs = read_outputs(_output_specs(spec), source, name)
    command = str(spec["command"]).strip()
    optional = {**{p.name: p.optional for p in ports}, **{p.name: p.optional for p in parameters}}
    check_command(
        command,
        inputs=optional,
        outputs={o.name for o in outputs},
        where=source.at(line_of(spec, "command"), name),
    )
    environment, files = read_environment(
        spec.get("environment"), source, source.at(line_of(spec, "environment"), name)
    )
    component = Component(
        name=name.replace("-", "_"),
        inputs=tuple(ports),
        outputs=outputs,
        parameters=tuple(parameters),
        command=command,
        code=read_code(spec, source, name),
        environment=environment,
        environment_files=files,
        deterministic=bool(spec.get("is_deterministic", True)),
        description=str(spec.get("description") or spec.get("display_name") or ""),
        source=Location(source.shown, line_of(spec)),
    )
    return component, inputs, bound_parameters


def _output_specs(spec: YamlMap) -> YamlMap:
    """The job's outputs as component output declarations (paths and bindings dropped)."""
    given = spec.get("outputs")
    declared = YamlMap()
    declared.line = line_of(spec, "outputs")
    if isinstance(given, dict):
        for key, value in given.items():
            declared[key] = (
                {k: v for k, v in value.items() if k in ("type", "dvc", "description")}
                if isinstance(value, dict)
                else None
            )
            declared.lines[key] = line_of(given, key)
    wrapper = YamlMap(outputs=declared)
    wrapper.lines["outputs"] = declared.line
    return wrapper


def _referenced_type(binding: Any, context: JobContext, where: Location) -> PortType:
    if isinstance(binding, DataPath):
        return binding.type
    if isinstance(binding, Value):
        return literal_type(binding.value, where)
    if isinstance(binding, PipelineInputRef):
        pipeline_input = context.pipeline_inputs.get(binding.name)
        if pipeline_input is None:
            raise ReferenceError_(
                f"unknown pipeline input '{binding.name}'{did_you_mean(binding.name, context.pipeline_inputs)}",
                location=where,
                hint=f"pipeline inputs: {known(context.pipeline_inputs)}",
            )
        return pipeline_input.type
    upstream = context.built.get(binding.job)
    output = upstream.component.output(binding.output) if upstream else None
    return output.type if output else PortType.URI_FOLDER


def job_name_from(text: Any, fallback: str) -> str:
    """A usable job name: text when it is one, else fallback with odd characters replaced."""
    candidate = str(text) if text else fallback
    cleaned = "".join(c if c.isalnum() or c in "_-" else "_" for c in candidate)
    return cleaned if cleaned and (cleaned[0].isalpha() or cleaned[0] == "_") else f"job_{cleaned}"
