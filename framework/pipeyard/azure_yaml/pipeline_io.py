"""The ``inputs`` and ``outputs`` of an Azure ML pipeline job or pipeline component -> model values.

Inputs are literal parameters, ``{type, path}`` data or ``{type, default}``; outputs may pin a
local ``path``. Paths are relative to the YAML file; workspace assets and URLs raise
UnsupportedError with a next step.
"""

from __future__ import annotations

from ..errors import DefinitionError, Location, UnsupportedError
from ..model import PipelineInput, PipelineOutput
from .component import literal_type, parameter_value, parse_type
from .leniency import INPUT_MODES, OUTPUT_MODES, check_mode
from .refs import local_path
from .yamlfile import SourceFile, YamlMap, expect_map, line_of


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
            inputs.append(PipelineInput(name, literal_type(value, where), default=value))
        else:
            raise DefinitionError(
                f"pipeline input '{name}' has no value",
                location=where,
                hint=f"write {name}: 0.1, or {name}: {{type: uri_folder, path: ./data}}",
            )
    return tuple(inputs)


def _declared_input(name: str, value: dict, source: SourceFile, where: Location) -> PipelineInput:
    if "dataset" in value or "data" in value:
        raise UnsupportedError(
            f"pipeline input '{name}' uses the old 'dataset:' form",
            location=where,
            hint=f"write {name}: {{type: uri_folder, path: ./data}}",
        )
    check_mode(value, INPUT_MODES, f"pipeline input '{name}'", where)
    has_path = value.get("path") is not None
    type_text = value.get("type")
    if type_text is None:
        type_text = "uri_folder" if has_path else literal_type(value.get("default"), where).value
    port_type = parse_type(type_text, where)
    description = str(value.get("description") or "")
    optional = bool(value.get("optional", False))
    if port_type.is_artifact:
        path = (
            local_path(
                value["path"], folder=source.folder, root=source.root, what=f"input '{name}'", where=where
            )
            if has_path
            else None
        )
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
        check_mode(value, OUTPUT_MODES, f"pipeline output '{name}'", where)
        port_type = parse_type(value.get("type", "uri_folder"), where)
        path = None
        if value.get("path") is not None:
            try:
                path = local_path(
                    value["path"],
                    folder=source.folder,
                    root=source.root,
                    what=f"output '{name}'",
                    where=where,
                )
            except UnsupportedError as error:
                error.hint = "remove 'path' to write under outputs/<job>/<output>, or give a local path"
                raise
        outputs.append(
            PipelineOutput(str(name), port_type, path=path, description=str(value.get("description") or ""))
        )
    return tuple(outputs)
