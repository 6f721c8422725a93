"""Azure ML pipeline job files (``type: pipeline``) and standalone command jobs -> model.Pipeline.

Read: ``display_name`` / ``experiment_name``, ``inputs`` (literal parameters, ``{type, path}``
data, ``{type, default}``), ``outputs`` (``{type, path}`` with a local path), ``settings``
(``default_compute``, ``force_rerun``), top-level ``compute`` and ``jobs``. Everything else
Azure-only (tags, datastores, identity, ``mode``) is ignored. Local paths are relative to the
YAML file; ``azureml:`` assets and URLs raise UnsupportedError with a next step.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import DefinitionError, PipeyardError, UnsupportedError
from ..model import Pipeline, PipelineInput
from .assets import assets_error, find_assets
from .component import check_type
from .jobs import JOB_KEYS, ComponentResolver, JobContext, build_job, job_name_from
from .leniency import note_cloud_only
from .nesting import PIPELINE_COMPONENT_KEYS, add_component_jobs, add_jobs
from .pipeline_io import read_pipeline_inputs, read_pipeline_outputs
from .refs import strip_azureml
from .sweep import sweep_jobs
from .yamlfile import SourceFile, YamlMap, check_keys, expect_map, line_of, read_yaml

PIPELINE_KEYS = (
    frozenset(
        {
            "$schema",
            "type",
            "name",
            "display_name",
            "experiment_name",
            "description",
            "tags",
            "properties",
            "settings",
            "jobs",
            "inputs",
            "outputs",
            "compute",
            "identity",
            "services",
            "component",
        }
    )
    | PIPELINE_COMPONENT_KEYS
)
SETTINGS_KEYS = frozenset(
    {
        "default_compute",
        "force_rerun",
        "default_datastore",
        "continue_on_step_failure",
        "on_init",
        "on_finalize",
    }
)


def load_pipeline_yaml(
    path: Path,
    root: Path,
    *,
    resolve_component: ComponentResolver | None = None,
    set_input: Callable[[PipelineInput], PipelineInput] | None = None,
) -> Pipeline:
    """The Pipeline in the Azure ML YAML file at path (a pipeline job or one command job).

    resolve_component finds registered components (``component: azureml:train:1``); without
    it they raise UnsupportedError saying how to register them. set_input replaces a pipeline
    input as read (a data path given on the command line) before the jobs bind to it.
    """
    try:
        return _load(path, root, resolve_component, set_input)
    except UnsupportedError:
        assets = find_assets(path, root, resolve_component)
        if len(assets) < 2:
            raise  # its own message names the one asset and how to provide it
        raise assets_error(assets) from None


def _load(
    path: Path,
    root: Path,
    resolve_component: ComponentResolver | None,
    set_input: Callable[[PipelineInput], PipelineInput] | None = None,
) -> Pipeline:
    data, source = read_yaml(path, root)
    spec = expect_map(data, f"{source.shown}", source.at(1))
    if not isinstance(data, dict):
        raise DefinitionError(
            f"{source.shown} is empty",
            location=source.at(1),
            hint="start it with type: pipeline and a jobs: mapping",
        )
    kind = spec.get("type", "pipeline" if "jobs" in spec else None)
    if kind == "pipeline":
        return _pipeline(spec, source, resolve_component, set_input)
    if kind in ("command", None) and "command" in spec:
        return _command_job(spec, source, resolve_component)
    if kind == "sweep":
        return _sweep_job(spec, source, resolve_component)
    check_type(spec, source, None, "job")
    raise DefinitionError(
        f"{source.shown} is neither a pipeline job nor a command job",
        location=source.at(line_of(spec)),
        hint="use type: pipeline with jobs:, or type: command with a command",
    )


def _pipeline(
    spec: YamlMap,
    source: SourceFile,
    resolve_component: ComponentResolver | None,
    set_input: Callable[[PipelineInput], PipelineInput] | None = None,
) -> Pipeline:
    check_keys(spec, PIPELINE_KEYS, "the pipeline", source, refuse_unknown=True)
    settings = expect_map(spec.get("settings"), "settings", source.at(line_of(spec, "settings")))
    inputs = read_pipeline_inputs(spec, source)
    if set_input is not None:
        inputs = tuple(set_input(i) for i in inputs)
    context = JobContext(source, {i.name: i for i in inputs}, resolve_component=resolve_component)
    check_keys(settings, SETTINGS_KEYS, "settings", source, notes=context.notes)
    note_cloud_only(spec, source, None, context.notes)
    if settings.get("continue_on_step_failure"):
        context.notes.append(
            f"{source.at(line_of(settings, 'continue_on_step_failure'))}: "
            "continue_on_step_failure is not read from the file; run with "
            "`pipeyard run --keep-going` for the same effect"
        )
    jobs = expect_map(spec.get("jobs"), "jobs", source.at(line_of(spec, "jobs")))
    if not jobs and "component" not in spec:
        raise DefinitionError(
            "the pipeline has no jobs",
            location=source.at(line_of(spec)),
            hint="add jobs: with at least one command job",
        )
    if "component" in spec and not jobs:
        add_component_jobs(spec, context)
    else:
        add_jobs(jobs, context)
    return _validated(
        source,
        name=str(
            spec.get("display_name")
            or spec.get("experiment_name")
            or spec.get("name")
            or source.folder.name
            or "pipeline"
        ),
        jobs=tuple(context.built.values()),
        inputs=inputs,
        outputs=read_pipeline_outputs(spec, source),
        default_compute=strip_azureml(settings.get("default_compute") or spec.get("compute")),
        force_rerun=bool(settings.get("force_rerun", False)),
        source=source.at(line_of(spec, "jobs")),
        notes=tuple(dict.fromkeys(context.notes)),
    )


def _command_job(spec: YamlMap, source: SourceFile, resolve_component: ComponentResolver | None) -> Pipeline:
    """A standalone command job file as a pipeline of one job."""
    check_keys(spec, JOB_KEYS | {"parent_job_name"}, "the command job", source, refuse_unknown=True)
    name = job_name_from(spec.get("name"), source.path.stem)
    context = JobContext(source, in_pipeline=False, resolve_component=resolve_component)
    job = build_job(name, spec, context, line_of(spec))
    return _validated(
        source,
        name=str(spec.get("display_name") or spec.get("experiment_name") or name),
        jobs=(job,),
        source=source.at(line_of(spec)),
        notes=tuple(dict.fromkeys(context.notes)),
    )


def _sweep_job(spec: YamlMap, source: SourceFile, resolve_component: ComponentResolver | None) -> Pipeline:
    """A standalone sweep job file: its trials and the step that picks the best."""
    name = job_name_from(spec.get("name"), source.path.stem)
    context = JobContext(source, in_pipeline=False, resolve_component=resolve_component)
    jobs = sweep_jobs(name, spec, context)
    return _validated(
        source,
        name=str(spec.get("display_name") or spec.get("experiment_name") or name),
        jobs=tuple(jobs),
        source=source.at(line_of(spec)),
        notes=tuple(dict.fromkeys(context.notes)),
    )


def _validated(file: SourceFile, **fields: Any) -> Pipeline:
    """Pipeline(**fields); the model's own checks keep their location or get this file's."""
    try:
        return Pipeline(**fields)
    except PipeyardError as error:
        if error.location is None:
            error.location = file.at(None)
        raise
