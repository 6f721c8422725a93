"""Pipeline components (``type: pipeline`` used as a job's component), nested to any depth.

A job whose component is a pipeline component is replaced by that component's jobs, named
``<job>__<inner job>`` (NESTING_SEPARATOR, the model's rule), so the flattened pipeline is an
ordinary Pipeline and every later layer (compile, cache, history) works unchanged. Bindings
cross the levels: inside, ``${{parent.inputs.x}}`` becomes whatever the outer job bound ``x``
to (a pipeline input, another job's output, a path or a value; else the component's default);
outside, ``${{parent.jobs.<job>.outputs.y}}`` becomes the inner job output bound to the
component's output ``y``, and an outer binding or path of ``y`` moves onto that inner output.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import DefinitionError, ReferenceError_, did_you_mean, known
from ..model import DataPath, Value
from ..model.pipeline import NESTING_SEPARATOR
from .coercion import lenient_value
from .component import COMMON_COMPONENT_KEYS, parse_type
from .jobs import (
    REGISTERED_PREFIXES,
    JobContext,
    build_job,
    data_binding,
    expression_binding,
    output_path,
)
from .pipeline_io import read_pipeline_inputs, read_pipeline_outputs
from .refs import bound_value, local_path, parse_binding
from .sweep import sweep_jobs
from .yamlfile import SourceFile, YamlMap, check_keys, expect_map, line_of, read_yaml, yaml_map

PIPELINE_COMPONENT_KEYS = COMMON_COMPONENT_KEYS | frozenset({"jobs", "settings", "experiment_name"})
NESTED_JOB_KEYS = frozenset(
    {
        "type",
        "component",
        "inputs",
        "outputs",
        "settings",
        "compute",
        "display_name",
        "description",
        "tags",
        "properties",
        "name",
        "experiment_name",
        "comment",
    }
)


def add_jobs(jobs: YamlMap, context: JobContext) -> None:
    """Build every job of jobs into context.built, expanding pipeline components."""
    for name, spec in jobs.items():
        name = str(name)
        line = line_of(jobs, name)
        if isinstance(spec, dict) and spec.get("type") == "sweep":
            for job in sweep_jobs(context.prefix + name, yaml_map(spec), context):
                context.built[job.name] = job
            continue
        component = pipeline_component_of(spec, name, context)
        if component is None:
            full = context.prefix + name
            context.built[full] = build_job(full, spec, context, line)
        else:
            _expand(name, spec, *component, context)


def add_component_jobs(spec: YamlMap, context: JobContext) -> None:
    """A pipeline job that names a pipeline ``component:`` instead of ``jobs:``: the component's
    jobs, unprefixed, with its inputs and outputs bound to the job's own."""
    job = YamlMap(type="pipeline", component=spec["component"])
    job.lines["component"] = line_of(spec, "component")
    job.line = line_of(spec)
    job["inputs"] = {k: f"${{{{parent.inputs.{k}}}}}" for k in (spec.get("inputs") or {})}
    job["outputs"] = {k: f"${{{{parent.outputs.{k}}}}}" for k in (spec.get("outputs") or {})}
    component = pipeline_component_of(job, "", context)
    if component is None:
        raise DefinitionError(
            "a pipeline job's component must be a pipeline component file",
            location=context.source.at(line_of(spec, "component")),
            hint="component: ./<pipeline_component>.yml (type: pipeline), or write jobs:",
        )
    _expand("", job, *component, context)


def is_pipeline_spec(spec: Any) -> bool:
    """True for a mapping that describes a pipeline (``type: pipeline``, or jobs and no command)."""
    if not isinstance(spec, dict):
        return False
    return spec.get("type") == "pipeline" or ("jobs" in spec and "command" not in spec)


def pipeline_component_of(spec: Any, name: str, context: JobContext) -> tuple[YamlMap, SourceFile] | None:
    """The pipeline component (mapping, file) a job uses, or None for any other job."""
    if not isinstance(spec, dict):
        return None
    source = context.source
    value = spec.get("component")
    where = source.at(line_of(spec, "component"), context.prefix + name)
    if isinstance(value, dict):
        return (yaml_map(value), source) if is_pipeline_spec(value) else None
    if not isinstance(value, str) or value.strip().startswith(REGISTERED_PREFIXES):
        if spec.get("type") == "pipeline" and value is None:
            raise DefinitionError(
                f"job '{name}' of type pipeline has no component",
                location=where,
                hint="add component: ./<pipeline_component>.yml",
            )
        return None
    relative = local_path(
        value, folder=source.folder, root=source.root, what="component file", where=where, must_exist=True
    )
    path = source.root / relative
    if path in context.components:  # already read as a command component by an earlier job
        return None
    data, file = read_yaml(path, source.root)
    if not is_pipeline_spec(data):
        return None
    if path in context.files:
        chain = " -> ".join(Path(p).name for p in (*context.files, path))
        raise DefinitionError(
            f"pipeline component {file.shown} includes itself: {chain}",
            location=where,
            hint="a pipeline component cannot use itself",
        )
    return expect_map(data, f"pipeline component {file.shown}", file.at(1)), file


def _expand(name: str, spec: YamlMap, component: YamlMap, file: SourceFile, context: JobContext) -> None:
    """Add the jobs of the pipeline component a job uses, bound to the job's inputs and outputs."""
    source = context.source
    full = context.prefix + name
    check_keys(spec, NESTED_JOB_KEYS, f"job '{name}'", source, full)
    check_keys(component, PIPELINE_COMPONENT_KEYS, "the pipeline component", file)
    scope = replace(
        context,
        source=file,
        prefix=full + NESTING_SEPARATOR if name else context.prefix,
        scope_inputs=_scope_inputs(name, spec, component, file, context),
        scope_outputs=_scope_outputs(name, spec, component, file, context),
        produced={},
        nested={},
        files=(*context.files, file.path),
    )
    jobs = expect_map(component.get("jobs"), "jobs", file.at(line_of(component, "jobs")))
    if not jobs:
        raise DefinitionError(
            f"pipeline component {file.shown} has no jobs",
            location=file.at(line_of(component)),
            hint="add jobs: with at least one job",
        )
    add_jobs(jobs, scope)
    for output in read_pipeline_outputs(component, file):
        produced = scope.produced.get(output.name)
        if produced is None:
            raise DefinitionError(
                f"output '{output.name}' of pipeline component {file.shown} is written by no job",
                location=file.at(line_of(component, "outputs")),
                hint=f"bind a job output to it: <output>: ${{{{parent.outputs.{output.name}}}}}",
            )
        context.nested[name, output.name] = produced
    bound = expect_map(spec.get("outputs"), "outputs", source.at(line_of(spec, "outputs"), full))
    for key, value in bound.items():
        expression = parse_binding(value, source.at(line_of(bound, key), full))
        if expression is not None and context.scope_inputs is not None:
            context.produced[expression.name] = scope.produced[str(key)]


def _scope_inputs(
    name: str, spec: YamlMap, component: YamlMap, file: SourceFile, context: JobContext
) -> dict[str, Any]:
    """What each input of the pipeline component is bound to, in the outermost pipeline's terms."""
    source = context.source
    full = context.prefix + name
    declared = {i.name: i for i in read_pipeline_inputs(component, file)}
    given = expect_map(spec.get("inputs"), "inputs", source.at(line_of(spec, "inputs"), full))
    bound: dict[str, Any] = {}
    for key, value in given.items():
        key = str(key)
        where = source.at(line_of(given, key), full)
        port = declared.get(key)
        if port is None:
            raise ReferenceError_(
                f"pipeline component {file.shown} has no input '{key}'{did_you_mean(key, declared)}",
                location=where,
                hint=f"its inputs: {known(declared)}",
            )
        value = bound_value(value)
        expression = parse_binding(value, where)
        if expression is not None:
            bound[key] = expression_binding(expression, where, context)
        elif port.type.is_artifact:
            bound[key] = data_binding(value, port.type, source, where)
        else:
            if isinstance(value, dict):
                value = value.get("default", value.get("value"))
            bound[key] = Value(lenient_value(value, port.type, key, where, context.notes))
    for key, port in declared.items():
        if key not in bound and port.default is None and not port.optional:
            raise DefinitionError(
                f"required input '{key}' of pipeline component {file.shown} is not bound",
                location=source.at(line_of(spec), full),
                hint=f"bind it under the job's inputs, e.g. {key}: ${{{{parent.inputs.{key}}}}}",
            )
        if key in bound or port.default is None:
            bound.setdefault(key, None)
        elif port.type.is_artifact:
            bound[key] = DataPath(str(port.default), port.type)
        else:
            bound[key] = Value(port.default)
    return bound


def _scope_outputs(
    name: str, spec: YamlMap, component: YamlMap, file: SourceFile, context: JobContext
) -> dict[str, tuple[str, str]]:
    """Where each output of the pipeline component goes: a pipeline output or a local path."""
    source = context.source
    full = context.prefix + name
    declared = {o.name: o for o in read_pipeline_outputs(component, file)}
    given = expect_map(spec.get("outputs"), "outputs", source.at(line_of(spec, "outputs"), full))
    targets: dict[str, tuple[str, str]] = {o.name: ("path", o.path) for o in declared.values() if o.path}
    for key, value in given.items():
        key = str(key)
        where = source.at(line_of(given, key), full)
        if key not in declared:
            raise ReferenceError_(
                f"pipeline component {file.shown} has no output '{key}'{did_you_mean(key, declared)}",
                location=where,
                hint=f"its outputs: {known(declared)}",
            )
        expression = parse_binding(value, where)
        if expression is not None:
            if expression.kind != "output":
                raise DefinitionError(
                    f"output '{key}' can only be bound to ${{{{parent.outputs.<name>}}}}", location=where
                )
            if context.scope_inputs is None:
                targets[key] = ("binding", expression.name)
            elif expression.name in context.scope_outputs:
                targets[key] = context.scope_outputs[expression.name]
        elif isinstance(value, dict) and value.get("path") is not None:
            targets[key] = ("path", output_path(value["path"], source, where))
        elif isinstance(value, str):
            targets[key] = ("path", output_path(value, source, where))
        elif isinstance(value, dict) and value.get("type") is not None:
            parse_type(value["type"], where)
    return targets
