"""Azure ML command components (``type: command``) -> model.Component.

pipeyard reads the CLI v2 command component schema and adds three keys: ``dvc: metrics``
or ``dvc: plots`` on an output (a plots output may add ``plot: {x: step, y: loss, template:
linear}`` for ``dvc plots``), and ``retries`` / ``timeout`` on the component. ``resources``
may also carry ``cpus`` / ``memory`` / ``gpus``. ``distribution`` (pytorch, mpi, tensorflow)
with ``resources.instance_count`` makes the step run as several processes (pipeyard.launch);
Azure's other ``resources`` keys (instance_type, ...) and ``compute`` are ignored.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import DefinitionError, Location, ParameterError, UnsupportedError, did_you_mean
from ..model import Component, Distribution, InputPort, OutputPort, OutputRole, Parameter, PortType, Resources
from ..model.options import RESOURCE_KEYS, parse_resources, parse_timeout
from ..model.types import PlotOptions, coerce_parameter
from .leniency import PORT_MODES, check_mode
from .parallel import as_command, is_parallel
from .refs import check_command, local_path
from .yamlfile import SourceFile, YamlMap, check_keys, expect_map, line_of, read_yaml

# the keys every Azure ML component kind has (command, parallel and pipeline components)
COMMON_COMPONENT_KEYS = frozenset(
    {
        "$schema",
        "type",
        "name",
        "version",
        "display_name",
        "description",
        "tags",
        "properties",
        "is_deterministic",
        "inputs",
        "outputs",
    }
)
COMPONENT_KEYS = COMMON_COMPONENT_KEYS | frozenset(
    {
        "command",
        "code",
        "environment",
        "distribution",
        "resources",
        "compute",
        "additional_includes",
        "environment_variables",
        "limits",
        "retries",
        "timeout",
        "services",
        "identity",
        "queue_settings",
        "experiment_name",
    }
)
UNSUPPORTED_TYPES = frozenset(
    {"sweep", "parallel", "spark", "automl", "pipeline", "import", "data_transfer", "flow"}
)
TYPE_HINTS = {
    "automl": "AutoML trains only in Azure ML; train locally with a command component "
    "(e.g. scikit-learn or FLAML in a script) and keep the rest of the pipeline",
    "spark": "it needs a Spark cluster; run the script in a command component with "
    "pyspark's local mode (SparkSession.builder.master('local[*]'))",
    "import": "it copies from an external database into Azure; export the data into the "
    "repository (dvc import-url, or a command component) and read it with path: ./data/<name>",
    "data_transfer": "it copies between Azure stores; bring the data into the repository "
    "(dvc import-url) and read it with path: ./data/<name>",
    "flow": "prompt flows run in Azure ML; call the flow's code from a command component",
    "pipeline": "use a pipeline component from a local file: component: ./<pipeline>.yml",
    "command": "pipeyard runs command components, pipeline components, sweeps and "
    "parallel jobs; rewrite it as type: command",
}
PORT_KEYS = frozenset(
    {
        "type",
        "default",
        "optional",
        "description",
        "enum",
        "min",
        "max",
        "mode",
        "path",
        "dvc",
        "value",
        "datastore",
        "name",
        "version",
    }
)
OUTPUT_KEYS = PORT_KEYS | {"plot"}  # plot: x, y, template... of a dvc: plots output
_LEGACY_TYPES = {"path": "uri_folder"}


def load_component_yaml(path: Path, root: Path) -> Component:
    """The command component in the YAML file at path; relative paths start at its folder."""
    data, source = read_yaml(path, root)
    spec = expect_map(data, f"component {source.shown}", source.at(1))
    return component_from_spec(spec, source)


def component_from_spec(
    spec: YamlMap, source: SourceFile, *, default_name: str | None = None, step: str | None = None
) -> Component:
    """The Component a command component mapping describes (read from source)."""
    where = source.at(line_of(spec), step)
    if is_parallel(spec):
        spec = as_command(spec, source, step)
    check_type(spec, source, step, "component")
    check_keys(spec, COMPONENT_KEYS, "the component", source, step, refuse_unknown=step is None)
    name = spec.get("name", default_name)
    if name is None:
        raise DefinitionError("the component has no name", location=where, hint="add name: <component_name>")
    command = spec.get("command")
    if not isinstance(command, str) or not command.strip():
        raise DefinitionError(
            f"component '{name}' has no command",
            location=where,
            hint="add command: python train.py --data ${{inputs.data}}",
        )
    inputs, parameters = read_inputs(spec, source, step)
    outputs = read_outputs(spec, source, step)
    check_command(
        command,
        inputs={**{p.name: p.optional for p in inputs}, **{p.name: p.optional for p in parameters}},
        outputs={o.name for o in outputs},
        where=source.at(line_of(spec, "command"), step),
    )
    environment, environment_files = read_environment(
        spec.get("environment"), source, source.at(line_of(spec, "environment"), step)
    )
    return Component(
        name=str(name),
        inputs=inputs,
        outputs=outputs,
        parameters=parameters,
        command=command.strip(),
        version=str(spec.get("version", "1")),
        code=read_code(spec, source, step),
        environment=environment,
        environment_files=environment_files,
        resources=read_resources(spec, source, step) or Resources(),
        distribution=read_distribution(spec, source, step),
        deterministic=bool(spec.get("is_deterministic", True)),
        retries=read_retries(spec, source, step) or 0,
        timeout_s=read_timeout(spec, source, step),
        description=str(spec.get("description") or spec.get("display_name") or ""),
        source=Location(source.shown, line_of(spec)),
    )


def check_type(spec: dict, source: SourceFile, step: str | None, what: str) -> None:
    """Only command components and jobs run locally; say so for the other Azure types."""
    kind = spec.get("type", "command")
    if kind in ("command", "component"):
        return
    where = source.at(line_of(spec, "type"), step)
    if kind in UNSUPPORTED_TYPES:
        raise UnsupportedError(
            f"{what} of type '{kind}' cannot run locally",
            location=where,
            hint=TYPE_HINTS.get(kind, TYPE_HINTS["command"]),
        )
    raise DefinitionError(
        f"unknown {what} type '{kind}'{did_you_mean(str(kind), ['command'])}",
        location=where,
        hint="use type: command",
    )


def parse_type(text: Any, where: Location) -> PortType:
    """The PortType named text (Azure names, plus the legacy 'path')."""
    if text is None:
        raise DefinitionError("missing 'type'", location=where, hint="e.g. type: uri_folder or type: number")
    return PortType.parse(_LEGACY_TYPES.get(str(text), str(text)), location=where)


def literal_type(value: Any, where: Location) -> PortType:
    """The type of an input given only a literal value (``lr: 0.1``, ``{default: 3}``).

    Azure ML types a literal by its YAML value (boolean, integer, number, string); anything else
    -- no value at all, a list, a mapping -- has no type Azure could infer, so it needs ``type:``.
    """
    if isinstance(value, bool):
        return PortType.BOOLEAN
    if isinstance(value, int):
        return PortType.INTEGER
    if isinstance(value, float):
        return PortType.NUMBER
    if isinstance(value, str):
        return PortType.STRING
    raise DefinitionError(
        f"cannot tell the type of {value!r}",
        location=where,
        hint="write {type: integer, default: 3} or {type: uri_folder, path: ./data}",
    )


def read_inputs(
    spec: YamlMap, source: SourceFile, step: str | None
) -> tuple[tuple[InputPort, ...], tuple[Parameter, ...]]:
    """The data inputs and the parameters declared under ``inputs``."""
    declared = expect_map(spec.get("inputs"), "inputs", source.at(line_of(spec, "inputs"), step))
    inputs, parameters = [], []
    for name, port in declared.items():
        where = source.at(line_of(declared, name), step)
        port = expect_map(port, f"input '{name}'", where)
        check_keys(port, PORT_KEYS, f"input '{name}'", source, step)
        check_mode(port, PORT_MODES, f"input '{name}'", where)
        port_type = parse_type(port.get("type"), where)
        description = str(port.get("description") or "")
        optional = bool(port.get("optional", False))
        if port_type.is_artifact:
            inputs.append(_checked(InputPort, where, str(name), port_type, optional, description))
            continue
        choices = tuple(port.get("enum") or ())
        default = port.get("default")
        default = parameter_value(default, port_type, str(name), where) if default is not None else None
        _check_default(str(name), default, choices, port, where)
        parameters.append(
            _checked(
                Parameter,
                where,
                str(name),
                port_type,
                default,
                optional,
                description,
                tuple(parameter_value(c, port_type, str(name), where) for c in choices),
            )
        )
    return tuple(inputs), tuple(parameters)


def _check_default(name: str, default: Any, choices: tuple, port: dict, where: Location) -> None:
    if default is None:
        return
    if choices and default not in choices:
        raise DefinitionError(
            f"default {default!r} of '{name}' is not one of its enum {list(choices)}",
            location=where,
            hint="make the default one of the enum's values, or add it to the enum",
        )
    low, high = port.get("min"), port.get("max")
    if (low is not None and default < low) or (high is not None and default > high):
        raise DefinitionError(f"default {default!r} of '{name}' lies outside [{low}, {high}]", location=where)


def parameter_value(value: Any, port_type: PortType, name: str, where: Location) -> Any:
    """value checked against port_type; a DefinitionError at where when it does not fit."""
    try:
        return coerce_parameter(value, port_type, name=name)
    except ParameterError as error:
        raise DefinitionError(error.message, location=where, hint=error.hint) from None


def read_outputs(spec: YamlMap, source: SourceFile, step: str | None) -> tuple[OutputPort, ...]:
    """The outputs declared under ``outputs`` (type defaults to uri_folder)."""
    declared = expect_map(spec.get("outputs"), "outputs", source.at(line_of(spec, "outputs"), step))
    outputs = []
    for name, port in declared.items():
        where = source.at(line_of(declared, name), step)
        port = expect_map(port, f"output '{name}'", where)
        check_keys(port, OUTPUT_KEYS, f"output '{name}'", source, step)
        check_mode(port, PORT_MODES, f"output '{name}'", where)
        port_type = parse_type(port.get("type", "uri_folder"), where)
        if not port_type.is_artifact:
            raise UnsupportedError(
                f"output '{name}' has type {port_type.value}; value outputs are not supported",
                location=where,
                hint="write the value to a file output (type: uri_file) and read it downstream",
            )
        plot = (
            PlotOptions.parse(port["plot"], what=f"output '{name}'", location=where)
            if port.get("plot") is not None
            else None
        )
        outputs.append(
            _checked(
                OutputPort,
                where,
                str(name),
                port_type,
                read_role(port, where),
                str(port.get("description") or ""),
                plot,
            )
        )
    return tuple(outputs)


def read_role(port: dict, where: Location) -> OutputRole:
    """The DVC role of an output from pipeyard's ``dvc:`` key (metrics, plots, or outs)."""
    role = port.get("dvc", "outs")
    try:
        return OutputRole(role)
    except ValueError:
        names = [r.value for r in OutputRole]
        raise DefinitionError(
            f"unknown dvc role '{role}'{did_you_mean(str(role), names)}",
            location=where,
            hint="use dvc: metrics or dvc: plots",
        ) from None


def read_code(spec: YamlMap, source: SourceFile, step: str | None) -> tuple[str, ...]:
    """The code folder (``code: ./src``), relative to the project root; it must exist."""
    code = spec.get("code")
    if code is None:
        return ()
    if isinstance(code, dict):
        code = code.get("local_path", code.get("path"))
    where = source.at(line_of(spec, "code"), step)
    return (
        local_path(code, folder=source.folder, root=source.root, what="code", where=where, must_exist=True),
    )


def read_environment(value: Any, source: SourceFile, where: Location) -> tuple[str | None, tuple[str, ...]]:
    """A stable identity of the environment, and the local files that define it.

    ``azureml:name:version`` and image names are kept as written; a local environment YAML
    (``file:env.yml``), an inline mapping's ``conda_file`` and ``build.path`` become files.
    """
    if value is None:
        return None, ()
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("file:") or text.endswith((".yml", ".yaml")):
            path = local_path(
                text, folder=source.folder, root=source.root, what="environment", where=where, must_exist=True
            )
            data, env_source = read_yaml(source.root / path, source.root)
            named, named_files = read_environment(
                expect_map(data, "environment", env_source.at(1)), env_source, env_source.at(1)
            )
            return named, (path, *named_files)
        return text, ()
    if not isinstance(value, dict):
        raise DefinitionError(f"environment must be a name or a mapping, got {value!r}", location=where)
    identity: dict[str, Any] = {}
    files: list[str] = []
    for key in sorted(value):
        if key == "conda_file" and isinstance(value[key], str):
            path = local_path(
                value[key],
                folder=source.folder,
                root=source.root,
                what="conda_file",
                where=where,
                must_exist=True,
            )
            files.append(path)
            identity[key] = path
        elif key == "build" and isinstance(value[key], dict):
            path = local_path(
                value[key].get("path"),
                folder=source.folder,
                root=source.root,
                what="build.path",
                where=where,
                must_exist=True,
            )
            files.append(path)
            identity[key] = {**value[key], "path": path}
        elif key not in ("description", "tags"):
            identity[key] = value[key]
    return json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str), tuple(files)


def read_distribution(spec: dict, source: SourceFile, step: str | None) -> Distribution | None:
    """Azure's ``distribution`` (pytorch / mpi / tensorflow) with ``resources.instance_count``."""
    value = spec.get("distribution")
    if value is None:
        return None
    where = source.at(line_of(spec, "distribution"), step)
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise DefinitionError(
            f"distribution must be a mapping with a type, got {value!r}",
            location=where,
            hint="e.g. distribution: {type: pytorch, process_count_per_instance: 2}",
        )
    resources = given if isinstance(given := spec.get("resources"), dict) else {}
    per_instance: Any = value.get("process_count_per_instance", value.get("worker_count", 1))
    try:
        return Distribution(
            type=value["type"].lower(),
            processes_per_instance=int(per_instance),
            instance_count=int(resources.get("instance_count", 1)),
        )
    except (TypeError, ValueError) as error:
        raise DefinitionError(
            f"invalid distribution {value!r}: {error}",
            location=where,
            hint="type is pytorch, mpi or tensorflow; counts are whole numbers >= 1",
        ) from None


def read_resources(spec: dict, source: SourceFile, step: str | None) -> Resources | None:
    """pipeyard's cpus / memory / gpus under ``resources``; Azure's keys there are ignored."""
    value = spec.get("resources")
    if not isinstance(value, dict):
        return None
    ours = {k: v for k, v in value.items() if k in RESOURCE_KEYS}
    if not ours:
        return None
    return parse_resources(ours, where=source.at(line_of(spec, "resources"), step))


def read_retries(spec: dict, source: SourceFile, step: str | None) -> int | None:
    """pipeyard's ``retries`` key: a whole number >= 0, or None when absent."""
    value = spec.get("retries")
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise DefinitionError(
            f"retries must be a whole number >= 0, got {value!r}",
            location=source.at(line_of(spec, "retries"), step),
        )
    return value


def read_timeout(spec: dict, source: SourceFile, step: str | None) -> float | None:
    """Seconds from ``timeout`` ('10m', 600) or Azure's ``limits.timeout`` (seconds)."""
    if spec.get("timeout") is not None:
        return parse_timeout(spec["timeout"], where=source.at(line_of(spec, "timeout"), step))
    limits = spec.get("limits")
    if isinstance(limits, dict) and limits.get("timeout") is not None:
        return parse_timeout(limits["timeout"], where=source.at(line_of(spec, "limits"), step))
    return None


def _checked(cls, where: Location, *args: Any) -> Any:
    """cls(*args), with a model DefinitionError (e.g. a bad name) moved to where."""
    try:
        return cls(*args)
    except DefinitionError as error:
        error.location = error.location or where
        raise
