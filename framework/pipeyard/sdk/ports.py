"""Port annotations of Python steps (``In[Dir]``, ``Out[Metrics]``) and reading a signature.

This module is imported by every user step module and by ``python -m pipeyard.exec``,
so it stays light: no pipeyard.model here. Types are kept
as the Azure ML type names (``"uri_folder"``) and turned into ``PortType`` when built.
"""

from __future__ import annotations

import ast
import inspect
import os
import pathlib
import sys
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar, overload

from ..errors import DefinitionError, Location


@dataclass(frozen=True)
class ArtifactKind:
    """What an artifact annotation stands for: an Azure ML type and a DVC role."""

    type: str
    role: str = "outs"
    plot: tuple[tuple[str, Any], ...] = ()  # x, y, template... of a plots output, as given

    @property
    def is_folder(self) -> bool:
        """True when the artifact is a directory on disk."""
        return self.type != "uri_file"


class Dir:
    """A folder artifact (Azure ML ``uri_folder``)."""

    kind = ArtifactKind("uri_folder")


class File:
    """A single-file artifact (Azure ML ``uri_file``)."""

    kind = ArtifactKind("uri_file")


class Metrics:
    """A metrics file (JSON or YAML) that ``dvc metrics`` reads; an output only."""

    kind = ArtifactKind("uri_file", "metrics")


class Plots:
    """A plots file (CSV, JSON or TSV) that ``dvc plots`` reads; an output only.

    ``Out[Plots]`` leaves the drawing to DVC's defaults; ``Out[Plots(x="step", y="loss",
    template="linear")]`` says which columns and template (also title, x_label, y_label).
    """

    kind = ArtifactKind("uri_file", "plots")

    def __init__(self, **options: Any) -> None:
        self.kind = ArtifactKind("uri_file", "plots", tuple(options.items()))

    def __repr__(self) -> str:
        return f"Plots({', '.join(f'{k}={v!r}' for k, v in self.kind.plot)})"


ARTIFACT_TYPES = ("uri_folder", "uri_file", "mltable", "mlflow_model", "custom_model")


@dataclass(frozen=True)
class PortMarker:
    """The metadata ``In[...]``/``Out[...]`` attach to ``pathlib.Path`` via ``Annotated``."""

    direction: str  # "input" or "output"
    kind: ArtifactKind


def _kind_of(item: Any, direction: str) -> ArtifactKind:
    if isinstance(item, str) and item in ARTIFACT_TYPES:
        return ArtifactKind(item)
    kind = getattr(item, "kind", None)
    port = "In" if direction == "input" else "Out"
    written = f"{port}[{getattr(item, '__name__', None) or repr(item)}]"
    if not isinstance(kind, ArtifactKind):
        if item in _SCALARS:
            hint = (
                f"a value going in is a parameter ('x: {item.__name__} = ...'); a value coming "
                "out is written to a file: Out[File] or Out[Metrics]"
            )
        else:
            hint = "use Dir, File, Metrics or Plots, or an Azure ML type name such as 'mltable'"
        raise _annotation_error(
            f"{written} is not a data type: {port}[...] takes Dir, File, Metrics or Plots",
            hint,
            item,
            port,
        )
    if direction == "input" and kind.role != "outs":
        raise _annotation_error(
            f"{written}: {getattr(item, '__name__', type(item).__name__)} is an output type; an input reads it as File",
            "annotate the input as In[File]",
            item,
            port,
        )
    return kind


def _annotation_error(message: str, hint: str, item: Any, port: str) -> DefinitionError:
    """The error for a bad In[...]/Out[...], placed at the user's line when it can be found.

    Without ``from __future__ import annotations`` the annotation is evaluated while the
    user's module runs the ``def``: the innermost frame outside pipeyard is that line. With
    it, ``read_signature`` evaluates the annotations and places the error itself.
    """
    error = DefinitionError(message, hint=hint)
    error.annotation = (item, port)  # type: ignore[attr-defined]  # what was written, to place it
    frame: types.FrameType | None = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename.startswith((_PACKAGE_DIR, _STDLIB_DIR, "<")):
        frame = frame.f_back  # past pipeyard, inspect/typing, and eval()'d annotation strings
    if frame is not None:
        _place(error, frame.f_code.co_filename, line=frame.f_lineno)
    return error


def _place(
    error: DefinitionError, file: str, *, line: int | None = None, function: str | None = None
) -> None:
    """Set error's location (file, line, step) and name the argument, from file's syntax tree."""
    error.location = Location(file=file, line=line)
    item, port = error.annotation  # type: ignore[attr-defined]
    found = _find_annotation(file, item, port, line=line, function=function)
    if found is None:
        return
    line, name, kind, argument = found
    error.location = Location(file=file, line=line, step=name if kind == "step" else None)
    what = f"pipeline '{name}', " if kind == "pipeline" else ""
    error.message = f"{what}argument '{argument}': {error.message}"
    error.args = (error.message,)
    error.hint = (error.hint or "").replace("'x: ", f"'{argument}: ")


def _find_annotation(file: str, item: Any, port: str, *, line: int | None, function: str | None):
    """(line, function, 'step' | 'pipeline' | None, argument) of ``port[item]`` in file, or None."""
    try:
        tree = ast.parse(pathlib.Path(file).read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return None
    item_text = getattr(item, "__name__", None) or repr(item)
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        if function is not None and node.name != function:
            continue
        arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
        for argument in arguments:
            annotation = argument.annotation
            if not isinstance(annotation, ast.Subscript):
                continue
            if ast.unparse(annotation.value).split(".")[-1] != port:
                continue
            if ast.unparse(annotation.slice).split(".")[-1] not in (item_text, repr(item)):
                continue
            if line is not None and not annotation.lineno <= line <= (annotation.end_lineno or line):
                continue
            decorators = [ast.unparse(d).split("(")[0].split(".")[-1] for d in node.decorator_list]
            kind = "step" if "step" in decorators else "pipeline" if "pipeline" in decorators else None
            return annotation.lineno, node.name, kind, argument.arg
    return None


if TYPE_CHECKING:
    _Kind = TypeVar("_Kind")

    class In(pathlib.Path, Generic[_Kind]):
        """What a type checker sees of ``In[...]``: the step receives a ``pathlib.Path``."""

    class Out(pathlib.Path, Generic[_Kind]):
        """What a type checker sees of ``Out[...]``: the step writes to a ``pathlib.Path``."""

else:

    class In:
        """Annotation of a data input: ``data: In[Dir]``; the step receives a ``pathlib.Path``."""

        def __class_getitem__(cls, item: Any) -> Any:
            return Annotated[pathlib.Path, PortMarker("input", _kind_of(item, "input"))]

    class Out:
        """Annotation of a data output: ``model: Out[File]``; the step writes to the given Path."""

        def __class_getitem__(cls, item: Any) -> Any:
            return Annotated[pathlib.Path, PortMarker("output", _kind_of(item, "output"))]


@dataclass(frozen=True)
class PortSpec:
    """One argument of a step or pipeline function, read from its signature.

    kind is "input", "output" or "parameter"; type is an Azure ML type name; a parameter
    has choices when annotated with ``Literal[...]``.
    """

    name: str
    kind: str
    type: str
    role: str = "outs"
    plot: tuple[tuple[str, Any], ...] = ()  # the options of Out[Plots(...)]
    default: Any = None
    has_default: bool = False
    optional: bool = False
    choices: tuple = ()

    @property
    def is_artifact(self) -> bool:
        """True for inputs and outputs (paths), False for parameters (values)."""
        return self.kind != "parameter"

    @property
    def is_folder(self) -> bool:
        """True when the artifact is a directory on disk."""
        return self.type != "uri_file"


_SCALARS = {bool: "boolean", int: "integer", float: "number", str: "string"}
_PACKAGE_DIR = str(pathlib.Path(__file__).resolve().parents[1])
_STDLIB_DIR = str(pathlib.Path(inspect.__file__).parent)  # where inspect and typing live


def read_signature(fn: Any, *, what: str) -> tuple[PortSpec, ...]:
    """The ports of fn, from its annotations and defaults; what names it in errors."""
    where = code_location(fn)
    try:
        annotations = inspect.get_annotations(fn, eval_str=True)
    except DefinitionError as error:  # a bad In[...]/Out[...] under postponed annotations
        if not hasattr(error, "annotation"):
            raise
        if where.file:
            _place(error, where.file, function=getattr(fn, "__name__", None))
        if error.location is None or error.location.line is None:
            error.location = where
        raise
    except Exception as exc:  # noqa: BLE001 - any failure to evaluate a user's annotation
        raise DefinitionError(
            f"cannot read the annotations of {what}: {type(exc).__name__}: {exc}",
            location=where,
        ) from None
    specs = []
    for param in inspect.signature(fn).parameters.values():
        if param.kind in (param.VAR_POSITIONAL, param.VAR_KEYWORD):
            raise DefinitionError(
                f"{what} takes *{param.name}; every argument must be named",
                location=where,
                hint="declare each input, output and parameter as its own argument",
            )
        has_default = param.default is not inspect.Parameter.empty
        default = param.default if has_default else None
        annotation = annotations.get(param.name, inspect.Parameter.empty)
        specs.append(_spec(param.name, annotation, default, has_default, what, where))
    return tuple(specs)


def _spec(name, annotation, default, has_default, what, where) -> PortSpec:
    optional = False
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) in (typing.Union, types.UnionType) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            annotation, optional = rest[0], True
    if typing.get_origin(annotation) is Annotated:
        marker = next((m for m in annotation.__metadata__ if isinstance(m, PortMarker)), None)
        if marker is not None:
            return _artifact_spec(name, marker, default, has_default, optional, what, where)
        annotation = typing.get_args(annotation)[0]
    if annotation is inspect.Parameter.empty:
        if not has_default or default is None:
            raise DefinitionError(
                f"{what}: argument '{name}' has neither an annotation nor a default",
                location=where,
                hint=f"annotate it, e.g. '{name}: float = 0.1' or '{name}: In[Dir]'",
            )
        annotation = type(default)
    choices: tuple = ()
    if typing.get_origin(annotation) is Literal:
        choices = typing.get_args(annotation)
        type_name = _literal_type(choices, name, what, where)
    elif annotation in _SCALARS:
        type_name = _SCALARS[annotation]
    else:
        raise DefinitionError(
            f"{what}: argument '{name}' has unsupported type {annotation!r}",
            location=where,
            hint="parameters are int, float, str, bool or Literal[...]; data is In[...] or Out[...]",
        )
    spec = PortSpec(
        name,
        "parameter",
        type_name,
        default=default,
        has_default=has_default,
        optional=optional or (has_default and default is None),
        choices=choices,
    )
    if default is not None:
        check_value(spec, default, what=what, where=where)
    return spec


def _artifact_spec(name, marker, default, has_default, optional, what, where) -> PortSpec:
    if marker.direction == "output" and default is not None:
        raise DefinitionError(
            f"{what}: output '{name}' cannot have a default path",
            location=where,
            hint=f"pin its path where the step is used: step(..., {name}='path/to/file')",
        )
    if default is not None and not isinstance(default, (str, pathlib.PurePath)):
        raise DefinitionError(
            f"{what}: input '{name}' has default {default!r}; data defaults are paths",
            location=where,
        )
    return PortSpec(
        name,
        marker.direction,
        marker.kind.type,
        marker.kind.role,
        marker.kind.plot,
        default=None if default is None else str(default),
        has_default=has_default,
        optional=optional or (has_default and default is None),
    )


def _literal_type(choices: tuple, name: str, what: str, where: Location) -> str:
    if choices and all(isinstance(c, str) for c in choices):
        return "string"
    if choices and all(isinstance(c, int) and not isinstance(c, bool) for c in choices):
        return "integer"
    if choices and all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in choices):
        return "number"
    raise DefinitionError(
        f"{what}: Literal choices of '{name}' must be all strings or all numbers, got {choices!r}",
        location=where,
    )


def check_value(spec: PortSpec, value: Any, *, what: str, where: Location | None) -> Any:
    """Return value when it suits parameter spec; DefinitionError naming both otherwise."""
    ok = {
        "boolean": lambda v: isinstance(v, bool),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "string": lambda v: isinstance(v, str),
    }[spec.type](value)
    if not ok:
        raise DefinitionError(
            f"{what}: parameter '{spec.name}' expects {spec.type}, got {value!r} ({type(value).__name__})",
            location=where,
            hint=f"give '{spec.name}' a value of type {spec.type}",
        )
    if spec.choices and value not in spec.choices:
        raise DefinitionError(
            f"{what}: parameter '{spec.name}' must be one of {list(spec.choices)}, got {value!r}",
            location=where,
        )
    return value


def code_location(fn: Any) -> Location:
    """Where fn is defined, as an absolute file and line (made relative when built)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return Location()
    return Location(file=code.co_filename, line=code.co_firstlineno)


@overload
def relative_location(location: Location, root: Path) -> Location: ...


@overload
def relative_location(location: None, root: Path) -> None: ...


def relative_location(location: Location | None, root: Path) -> Location | None:
    """location with an absolute file inside root made relative to it (POSIX)."""
    if location is None or not location.file or not os.path.isabs(location.file):
        return location
    relative = os.path.relpath(location.file, root)
    if relative.startswith(os.pardir):
        return location
    return Location(pathlib.Path(relative).as_posix(), location.line, location.step)


def prepare_output(path: pathlib.Path, *, is_folder: bool) -> None:
    """Create an output folder, or the parent folder of an output file."""
    (path if is_folder else path.parent).mkdir(parents=True, exist_ok=True)
