"""Port types: the artifact and parameter types of Azure ML CLI v2, and value checks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from ..errors import DefinitionError, Location, ParameterError, did_you_mean


class PortType(str, Enum):
    """The type of an input, output or parameter, named as in Azure ML CLI v2."""

    URI_FOLDER = "uri_folder"
    URI_FILE = "uri_file"
    MLTABLE = "mltable"
    MLFLOW_MODEL = "mlflow_model"
    CUSTOM_MODEL = "custom_model"
    INTEGER = "integer"
    NUMBER = "number"
    STRING = "string"
    BOOLEAN = "boolean"

    @property
    def is_artifact(self) -> bool:
        """True for data types (paths), False for parameter types (values)."""
        return self not in PARAMETER_TYPES

    @property
    def is_folder(self) -> bool:
        """True when the artifact is a directory on disk."""
        return self.is_artifact and self is not PortType.URI_FILE

    @classmethod
    def parse(cls, text: str, *, location: Location | None = None) -> PortType:
        """The type named by text, or a ParameterError listing the known ones."""
        try:
            return cls(str(text).strip().lower())
        except ValueError:
            names = [t.value for t in cls]
            raise DefinitionError(
                f"unknown type '{text}'{did_you_mean(str(text), names)}",
                location=location,
                hint=f"use one of: {', '.join(names)}",
            ) from None


PARAMETER_TYPES = frozenset({PortType.INTEGER, PortType.NUMBER, PortType.STRING, PortType.BOOLEAN})


class OutputRole(str, Enum):
    """How DVC treats an output: a plain out, a metrics file or a plots file."""

    OUT = "outs"
    METRICS = "metrics"
    PLOTS = "plots"


PLOT_KEYS = ("x", "y", "template", "title", "x_label", "y_label")


@dataclass(frozen=True)
class PlotOptions:
    """How ``dvc plots`` draws a plots output: its x and y columns, template and labels.

    Every field is optional; y may name several columns. template is one of DVC's (linear,
    scatter, smooth, confusion, bar_horizontal, ...) or the path of a template of your own.
    """

    x: str | None = None
    y: str | tuple[str, ...] | None = None
    template: str | None = None
    title: str | None = None
    x_label: str | None = None
    y_label: str | None = None

    def as_dvc(self) -> dict[str, Any]:
        """The options as dvc.yaml writes them under the plot's path (unset ones left out)."""
        values = {key: getattr(self, key) for key in PLOT_KEYS}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in values.items() if v is not None}

    @classmethod
    def parse(cls, value: Any, *, what: str, location: Location | None = None) -> PlotOptions:
        """PlotOptions from a mapping such as ``{x: step, y: loss, template: linear}``."""
        example = "plot: {x: step, y: loss, template: linear}"
        if not isinstance(value, Mapping):
            raise DefinitionError(
                f"{what}: plot options must be a mapping, got {value!r}",
                location=location,
                hint=f"e.g. {example}",
            )
        options: dict[str, Any] = {}
        for key, item in value.items():
            if key not in PLOT_KEYS:
                raise DefinitionError(
                    f"{what}: unknown plot option '{key}'{did_you_mean(str(key), PLOT_KEYS)}",
                    location=location,
                    hint=f"plot options: {', '.join(PLOT_KEYS)}",
                )
            if (
                key == "y"
                and isinstance(item, (list, tuple))
                and item
                and all(isinstance(i, str) for i in item)
            ):
                options[key] = tuple(item)
            elif isinstance(item, str) and item.strip():
                options[key] = item
            else:
                raise DefinitionError(
                    f"{what}: plot option '{key}' must be a column name or text, got {item!r}",
                    location=location,
                    hint=f"e.g. {example}",
                )
        return cls(**options)


def accepts(input_type: PortType, output_type: PortType) -> bool:
    """True when an output of output_type may feed an input of input_type."""
    if input_type == output_type:
        return True
    if input_type is PortType.URI_FOLDER:
        return output_type.is_folder
    return False


_BOOL_WORDS = {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}


def coerce_parameter(value: Any, type_: PortType, *, name: str, location: Location | None = None) -> Any:
    """Return value checked (and losslessly converted) for a parameter of type_.

    Raises ParameterError naming the parameter and the expected type.
    """

    def bad() -> ParameterError:
        return ParameterError(
            f"parameter '{name}' expects {type_.value}, got {value!r} ({type(value).__name__})",
            location=location,
            hint=f"give '{name}' a value of type {type_.value}",
        )

    if value is None:
        return None
    if type_ is PortType.BOOLEAN:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _BOOL_WORDS:
            return _BOOL_WORDS[value.strip().lower()]
        raise bad()
    if type_ is PortType.INTEGER:
        if isinstance(value, bool):
            raise bad()
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str):
            try:
                return int(value.strip())
            except ValueError:
                raise bad() from None
        raise bad()
    if type_ is PortType.NUMBER:
        if isinstance(value, bool):
            raise bad()
        if isinstance(value, (int, float)):
            return value
        if isinstance(value, str):
            try:
                return float(value.strip())
            except ValueError:
                raise bad() from None
        raise bad()
    if type_ is PortType.STRING:
        if isinstance(value, (str, int, float)):
            return str(value)  # True -> 'True': the text Azure ML passes for a literal
        raise bad()
    raise bad()
