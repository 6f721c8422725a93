"""What a value in Azure ML YAML points at: a local path, a workspace asset, a URL, or
a ``${{...}}`` expression; and the checks of a command template's placeholders."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import (
    DefinitionError,
    Location,
    ReferenceError_,
    UnsupportedError,
    did_you_mean,
    known,
)

_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://")
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
_OPTIONAL_BLOCK = re.compile(r"\$\[\[(.*?)\]\]", re.DOTALL)


def strip_azureml(name: str | None) -> str | None:
    """'azureml:cpu-cluster' -> 'cpu-cluster' (compute names); other values unchanged."""
    if isinstance(name, str) and name.startswith("azureml:"):
        return name[len("azureml:") :]
    return name


def is_remote(text: str) -> bool:
    """True for workspace assets (azureml:...) and URLs (https://, wasbs://, abfss://, ...)."""
    return text.startswith("azureml:") or bool(_URL.match(text)) and not text.startswith("file://")


def local_path(
    text: object, *, folder: Path, root: Path, what: str, where: Location, must_exist: bool = False
) -> str:
    """text (relative to folder; ``./`` and ``file:`` prefixes allowed) as a POSIX path
    relative to root. Workspace assets and URLs raise UnsupportedError with a next step."""
    if not isinstance(text, str) or not text.strip():
        raise DefinitionError(f"{what} needs a path, got {text!r}", location=where)
    text = text.strip()
    if text.startswith("azureml:"):
        raise UnsupportedError(
            f"{what} uses the Azure ML workspace asset '{text}', which does not exist locally",
            location=where,
            hint="download it into the repository (e.g. az ml data download), track it with "
            "'dvc add', and point to the local copy: path: ./data/<name>",
        )
    if _URL.match(text) and not text.startswith("file://"):
        raise UnsupportedError(
            f"{what} reads '{text}', a remote URL that pipeyard cannot use as a local path",
            location=where,
            hint=f"fetch it into the repository with 'dvc import-url {text} data/<name>' "
            "and use path: ./data/<name>",
        )
    for prefix in ("file://", "file:"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    absolute = os.path.normpath(os.path.join(folder, text))
    relative = os.path.relpath(absolute, root)
    if relative.startswith(os.pardir):
        raise DefinitionError(
            f"{what} '{text}' lies outside the project ({root})",
            location=where,
            hint="keep code and data inside the repository so they are versioned",
        )
    if must_exist and not os.path.exists(absolute):
        raise ReferenceError_(
            f"{what} '{text}' not found (looked in {Path(relative).as_posix()})",
            location=where,
            hint="paths are relative to the YAML file that names them",
        )
    return Path(relative).as_posix()


@dataclass(frozen=True)
class Expression:
    """A parsed binding ``${{parent.inputs.x}}``, ``${{parent.jobs.j.outputs.o}}`` or
    ``${{parent.outputs.o}}``; kind is "input", "job_output" or "output"."""

    kind: str
    name: str
    job: str | None = None


_BINDINGS = (
    (re.compile(r"^(?:parent\.)?inputs\.([\w\-]+)$"), "input"),
    (re.compile(r"^(?:parent\.)?outputs\.([\w\-]+)$"), "output"),
    (re.compile(r"^(?:parent\.)?jobs\.([\w\-]+)\.outputs\.([\w\-]+)$"), "job_output"),
)


def bound_value(value: object) -> object:
    """An input given as ``{path: ${{...}}, type, mode}`` is bound by its path's expression."""
    if isinstance(value, dict) and isinstance(value.get("path"), str) and "${{" in value["path"]:
        return value["path"]
    return value


def parse_binding(value: object, where: Location) -> Expression | None:
    """The expression value is made of, None for a literal; DefinitionError for mixed text."""
    if not isinstance(value, str) or "${{" not in value:
        return None
    match = _EXPRESSION.fullmatch(value.strip())
    if not match:
        raise DefinitionError(
            f"'{value}' mixes text and an expression; pipeyard binds whole values only",
            location=where,
            hint="bind the input to exactly one ${{parent.inputs.x}} or ${{parent.jobs.j.outputs.o}}",
        )
    body = match.group(1)
    for pattern, kind in _BINDINGS:
        found = pattern.match(body)
        if found:
            if kind == "job_output":
                return Expression(kind, found.group(2), job=found.group(1))
            return Expression(kind, found.group(1))
    raise DefinitionError(
        f"unknown expression '${{{{{body}}}}}'",
        location=where,
        hint="use ${{parent.inputs.<name>}}, ${{parent.jobs.<job>.outputs.<name>}} "
        "or ${{parent.outputs.<name>}}",
    )


def check_command(command: str, *, inputs: dict[str, bool], outputs: set[str], where: Location) -> None:
    """Every ``${{inputs.x}}``/``${{outputs.y}}`` is declared, and inputs inside optional
    blocks ``$[[...]]`` are optional; inputs maps every input and parameter to optional."""
    optional_spans = [m.span() for m in _OPTIONAL_BLOCK.finditer(command)]
    if command.count("$[[") != len(optional_spans):
        raise DefinitionError(
            "command has an unclosed optional block '$[['",
            location=where,
            hint="close it with ']]'",
        )
    for match in _EXPRESSION.finditer(command):
        body = match.group(1)
        kind, _, name = body.partition(".")
        inside = any(start <= match.start() < end for start, end in optional_spans)
        if kind == "inputs":
            if name not in inputs:
                raise ReferenceError_(
                    f"command uses '${{{{inputs.{name}}}}}', which is not declared"
                    f"{did_you_mean(name, inputs)}",
                    location=where,
                    hint=f"declared inputs: {known(inputs)}",
                )
            if inside and not inputs[name]:
                raise DefinitionError(
                    f"input '{name}' is used inside an optional block $[[...]] but is not optional",
                    location=where,
                    hint="declare it with 'optional: true', or move it out of the $[[...]] block",
                )
        elif kind == "outputs":
            if name not in outputs:
                raise ReferenceError_(
                    f"command uses '${{{{outputs.{name}}}}}', which is not declared"
                    f"{did_you_mean(name, outputs)}",
                    location=where,
                    hint=f"declared outputs: {known(outputs)}",
                )
        else:
            raise DefinitionError(
                f"command uses unknown expression '${{{{{body}}}}}'",
                location=where,
                hint="commands may use ${{inputs.<name>}} and ${{outputs.<name>}}",
            )
