"""Azure ML pipeline job files (``type: pipeline``) and standalone command jobs -> model.Pipeline.

Read: ``display_name`` / ``experiment_name``, ``inputs`` (literal parameters, ``{type, path}``
data, ``{type, default}``), ``outputs`` (``{type, path}`` with a local path), ``settings``
(``default_compute``, ``force_rerun``), top-level ``compute`` and ``jobs``. Everything else
Azure-only (tags, datastores, identity, ``mode``) is ignored. Local paths are relative to the
YAML file; ``azureml:`` assets and URLs raise UnsupportedError with a next step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import DefinitionError, Location, PipeyardError, UnsupportedError
from ..model import Pipeline, PipelineInput, PipelineOutput, PortType
from .component import check_type, parameter_value, parse_type
from .jobs import JOB_KEYS, ComponentResolver, JobContext, build_job, job_name_from
from .refs import local_path, strip_azureml
from .yamlfile import SourceFile, YamlMap, check_keys, expect_map, line_of, read_yaml

PIPELINE_KEYS = frozenset({
    "$schema", "type", "name", "display_name", "experiment_name", "description", "tags",
    "properties", "settings", "jobs", "inputs", "outputs", "compute", "identity", "services",
})
SETTINGS_KEYS = frozenset({"default_compute", "force_rerun", "default_datastore",
                           "continue_on_step_failure", "on_init", "on_finalize"})


def load_pipeline_yaml(path: Path, root: Path, *, resolve_component: ComponentResolver | None = None
                       ) -> Pipeline:
    """The Pipeline in the Azure ML YAML file at path (a pipeline job or one command job).

    resolve_component finds registered components (``component: azureml:train:1``); without
    it they raise UnsupportedError saying how to register them.
    """
    data, source = read_yaml(path, root)
    spec = expect_map(data, f"{source.shown}", source.at(1))
    if not isinstance(data, dict):
        raise DefinitionError(f"{source.shown} is empty", location=source.at(1),
                              hint="start it with type: pipeline and a jobs: mapping")
    kind = spec.get("type", "pipeline" if "jobs" in spec else None)
    if kind == "pipeline":
        return _pipeline(spec, source, resolve_component)
    if kind in ("command", None) and "command" in spec:
        return _command_job(spec, source, resolve_component)
    check_type(spec, source, None, "job")
    raise DefinitionError(f"{source.shown} is neither a pipeline job nor a command job",
                          location=source.at(line_of(spec)),
                          hint="use type: pipeline with jobs:, or type: command with a command")


def _pipeline(spec: YamlMap, source: SourceFile, resolve_component: ComponentResolver | None) -> Pipeline:
    check_keys(spec, PIPELINE_KEYS, "the pipeline", source)
    settings = expect_map(spec.get("settings"), "settings", source.at(line_of(spec, "settings")))
    check_keys(settings, SETTINGS_KEYS, "settings", source)
    inputs = read_pipeline_inputs(spec, source)
    context = JobContext(source, {i.name: i for i in inputs}, resolve_component=resolve_component)
    jobs = expect_map(spec.get("jobs"), "jobs", source.at(line_of(spec, "jobs")))
    if not jobs:
        raise DefinitionError("the pipeline has no jobs", location=source.at(line_of(spec)),
                              hint="add jobs: with at least one command job")
    for name, job_spec in jobs.items():
        context.built[str(name)] = build_job(str(name), job_spec, context, line_of(jobs, name))
    return _validated(
        source,
        name=str(spec.get("display_name") or spec.get("experiment_name") or spec.get("name")
                 or source.folder.name or "pipeline"),
        jobs=tuple(context.built.values()),
        inputs=inputs,
        outputs=read_pipeline_outputs(spec, source),
        default_compute=strip_azureml(settings.get("default_compute") or spec.get("compute")),
        force_rerun=bool(settings.get("force_rerun", False)),
        source=source.at(line_of(spec, "jobs")),
    )


def _command_job(spec: YamlMap, source: SourceFile, resolve_component: ComponentResolver | None
                 ) -> Pipeline:
    """A standalone command job file as a pipeline of one job."""
    check_keys(spec, JOB_KEYS, "the command job", source)
    name = job_name_from(spec.get("name"), source.path.stem)
    context = JobContext(source, in_pipeline=False, resolve_component=resolve_component)
    job = build_job(name, spec, context, line_of(spec))
    return _validated(
        source,
        name=str(spec.get("display_name") or spec.get("experiment_name") or name),
        jobs=(job,),
        source=source.at(line_of(spec)),
    )


def _validated(file: SourceFile, **fields: Any) -> Pipeline:
    """Pipeline(**fields); the model's own checks keep their location or get this file's."""
    try:
        return Pipeline(**fields)
    except PipeyardError as error:
        if error.location is None:
            error.location = file.at(None)
        raise


def read_pipeline_inputs(spec: YamlMap, source: SourceFile) -> tuple[PipelineInput, ...]:
    """Pipeline inputs: literal parameters, ``{type, path}`` data or ``{type, default}``."""
    declared = expect_map(spec.get("inputs"), "inputs", source.at(line_of(spec, "inputs")))
    inputs = []
    for name, value in declared.items():
        name = str(name)
        where = source.at(line_of(declared, name))
        if isinstance(value, dict):
            inputs.append(_declared_input(name, value, source, where))
        elif isinstance(value, (bool, int, float, str)):
            inputs.append(PipelineInput(name, _literal_type(value), default=value))
        else:
            raise DefinitionError(f"pipeline input '{name}' has no value", location=where,
                                  hint=f"write {name}: 0.1, or {name}: {{type: uri_folder, path: ./data}}")
    return tuple(inputs)


def _declared_input(name: str, value: dict, source: SourceFile, where: Location) -> PipelineInput:
    if "dataset" in value or "data" in value:
        raise UnsupportedError(f"pipeline input '{name}' uses the old 'dataset:' form", location=where,
                               hint=f"write {name}: {{type: uri_folder, path: ./data}}")
    has_path = value.get("path") is not None
    type_text = value.get("type")
    if type_text is None:
        type_text = "uri_folder" if has_path else _literal_type(value.get("default")).value
    port_type = parse_type(type_text, where)
    description = str(value.get("description") or "")
    optional = bool(value.get("optional", False))
    if port_type.is_artifact:
        path = local_path(value["path"], folder=source.folder, root=source.root, what=f"input '{name}'",
                          where=where) if has_path else None
        return PipelineInput(name, port_type, default=path, optional=optional, description=description)
    default = value.get("default", value.get("value"))
    if default is not None:
        default = parameter_value(default, port_type, name, where)
    return PipelineInput(name, port_type, default=default, optional=optional, description=description)


def read_pipeline_outputs(spec: YamlMap, source: SourceFile) -> tuple[PipelineOutput, ...]:
    """Pipeline outputs; a ``path`` must be local (relative to the YAML file)."""
    declared = expect_map(spec.get("outputs"), "outputs", source.at(line_of(spec, "outputs")))
    outputs = []
    for name, value in declared.items():
        where = source.at(line_of(declared, name))
        value = value if isinstance(value, dict) else {}
        port_type = parse_type(value.get("type", "uri_folder"), where)
        path = None
        if value.get("path") is not None:
            try:
                path = local_path(value["path"], folder=source.folder, root=source.root,
                                  what=f"output '{name}'", where=where)
            except UnsupportedError as error:
                error.hint = "remove 'path' to write under outputs/<job>/<output>, or give a local path"
                raise
        outputs.append(PipelineOutput(str(name), port_type, path=path,
                                      description=str(value.get("description") or "")))
    return tuple(outputs)


def _literal_type(value: Any) -> PortType:
    if isinstance(value, bool):
        return PortType.BOOLEAN
    if isinstance(value, int):
        return PortType.INTEGER
    if isinstance(value, float):
        return PortType.NUMBER
    return PortType.STRING
