"""``pipeyard component init train.py``: an Azure ML command component guessed from the
``argparse`` arguments of an existing script, read with ``ast`` (the script never runs).

Guesses: ``type=int`` -> integer, ``float`` -> number, ``str`` or none -> string,
``action="store_true"`` -> boolean; path-like names (input, data, path, dir, file, src)
become data inputs and output-like names (out, output, model, save, dest) outputs, a file
when the name or default says so (``file``, ``.csv``), else a folder. Arguments without a
default that are not required go in optional blocks ``$[[--opt ${{inputs.opt}}]]``.
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from ..errors import DefinitionError, Location
from ..yamlio import Folded, to_yaml

SCHEMA = "https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json"
_TYPES = {"int": "integer", "float": "number", "str": "string", "bool": "boolean"}
_PATH_TYPES = {"str", "Path", "FileType", None}
_OUTPUT_WORDS = (
    "out",
    "output",
    "outdir",
    "outfile",
    "outpath",
    "model",
    "save",
    "dest",
    "export",
    "checkpoint",
    "ckpt",
    "metrics",
    "report",
    "predictions",
    "results",
)
_FOLDER_WORDS = ("folder", "folders", "directory", "directories", "dir")
_PLAIN_WORDS = ("name", "type", "id", "kind", "format", "mode", "prefix", "suffix", "ext", "pattern", "url")
_INPUT_WORDS = ("in", "input", "load", "from", "read")
_DATA_WORDS = ("data", "path", "dir", "folder", "file", "src", "source", "dataset", "csv", "root")
_FILE_HINTS = ("file", "csv", "json", "jsonl", "parquet", "txt", "yaml", "yml", "pkl", "pt", "ckpt")


@dataclass(frozen=True)
class Guess:
    """What one argparse argument became: the flag, the port, its kind and type, and why."""

    flag: str  # "--lr", or the name of a positional argument
    name: str
    kind: str  # input | parameter | output
    type: str
    default: Any = None
    optional: bool = False
    description: str = ""
    choices: tuple = ()
    positional: bool = False
    in_command: bool = True
    review: str = ""  # what a person should check, when anything


@dataclass(frozen=True)
class ScriptComponent:
    """The component guessed from a script: the YAML text and what was guessed."""

    name: str
    text: str
    guesses: tuple[Guess, ...]
    notes: tuple[str, ...] = field(default_factory=tuple)


def component_from_script(script: Path, output: Path, name: str | None = None) -> ScriptComponent:
    """The command component for script, written to be saved at output (code = script's folder)."""
    script, output = Path(os.path.abspath(script)), Path(os.path.abspath(output))
    shown = script.name
    try:
        tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    except SyntaxError as exc:
        raise DefinitionError(
            f"syntax error: {exc.msg}", location=Location(str(script), exc.lineno)
        ) from None
    parser = _find_parser(tree)
    if parser is None:
        raise DefinitionError(
            f"{shown} has no argparse.ArgumentParser",
            location=Location(str(script)),
            hint="component init reads argparse arguments; write the component by hand, "
            "or turn the script into a @step (from pipeyard import step)",
        )
    notes: list[str] = []
    if _has_call(tree, "add_subparsers"):
        notes.append(
            "the script has sub-commands (add_subparsers); only the main parser's arguments were read"
        )
    guesses = [g for call in _add_argument_calls(tree) if (g := _guess(call, notes)) is not None]
    if not guesses:
        notes.append("no add_argument calls were found; the command takes no arguments")
    component_name = _identifier(name or script.stem)
    code = Path(os.path.relpath(script.parent, output.parent)).as_posix()
    spec: dict[str, Any] = {
        "$schema": SCHEMA,
        "type": "command",
        "name": component_name,
        "version": "1",
        "display_name": component_name,
    }
    description = _description(parser, tree)
    if description:
        spec["description"] = description
    inputs = {g.name: _port(g) for g in guesses if g.kind != "output"}
    outputs = {g.name: _port(g) for g in guesses if g.kind == "output"}
    if inputs:
        spec["inputs"] = inputs
    if outputs:
        spec["outputs"] = outputs
    spec["code"] = code if code.startswith(".") else f"./{code}"
    spec["command"] = Folded(_command(script.name, guesses))
    text = to_yaml(spec, width=88)
    return ScriptComponent(component_name, text, tuple(guesses), tuple(notes))


def _find_parser(tree: ast.AST) -> ast.Call | None:
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _callee(node) == "ArgumentParser":
            return node
    return None


def _callee(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _has_call(tree: ast.AST, name: str) -> bool:
    return any(isinstance(n, ast.Call) and _callee(n) == name for n in ast.walk(tree))


def _add_argument_calls(tree: ast.AST) -> list[ast.Call]:
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _callee(n) == "add_argument"]
    return sorted(calls, key=lambda c: (c.lineno, c.col_offset))


def _literal(node: ast.AST | None) -> tuple[bool, Any]:
    if node is None:
        return False, None
    try:
        return True, ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return False, None


def _guess(call: ast.Call, notes: list[str]) -> Guess | None:
    flags = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not flags:
        return None
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    long_flags = [f for f in flags if f.startswith("--")]
    positional = not flags[0].startswith("-")
    flag = flags[0] if positional else (long_flags[0] if long_flags else flags[0])
    known_dest, dest = _literal(keywords.get("dest"))
    name = _identifier(dest if known_dest and dest else flag.lstrip("-"))
    if name in ("help", "h", "version"):
        return None
    _, action = _literal(keywords.get("action"))
    has_default, default = _literal(keywords.get("default"))
    _, help_text = _literal(keywords.get("help"))
    _, required = _literal(keywords.get("required"))
    _, choices = _literal(keywords.get("choices"))
    description = str(help_text or "").replace("%(default)s", str(default)).strip()
    review = []
    if "default" in keywords and not has_default:
        review.append("its default is computed in the script; set one here if it has a fixed value")
    if action in ("store_true", "store_false"):
        return Guess(
            flag,
            name,
            "parameter",
            "boolean",
            default=action == "store_false",
            description=description,
            in_command=False,
            review="a flag: Azure commands cannot pass it conditionally, so it is left out of "
            "the command; change the script to take --flag true/false to use it",
        )
    if action not in (None, "store"):
        return Guess(
            flag,
            name,
            "parameter",
            "string",
            description=description,
            optional=True,
            in_command=False,
            review=f"action '{action}' has no component equivalent; left out of the command",
        )
    type_name = _type_name(keywords.get("type"))
    nargs_given, nargs = _literal(keywords.get("nargs"))
    if nargs_given and nargs not in (None, 1):
        review.append(f"nargs={nargs!r}: the component passes one value")
    is_required = positional or bool(required)
    kind, port_type = _kind_and_type(name, type_name, default, description)
    if isinstance(default, (list, tuple)):
        default = " ".join(map(str, default))
    if kind == "parameter" and port_type == "string" and default is not None and not isinstance(default, str):
        default = str(default)
    if type_name not in _TYPES and type_name not in _PATH_TYPES:
        review.append(f"type={type_name} is not a plain type; read as a string")
    if kind == "parameter":
        optional = not is_required and default is None
        return Guess(
            flag,
            name,
            kind,
            port_type,
            default=default if default is not None else None,
            optional=optional,
            description=description,
            choices=tuple(choices) if isinstance(choices, (list, tuple)) else (),
            positional=positional,
            review="; ".join(review),
        )
    if kind == "output":
        if default is not None:
            review.append(f"the script's default {default!r} is replaced by a path pipeyard chooses")
        return Guess(
            flag,
            name,
            kind,
            port_type,
            description=description,
            positional=positional,
            review="; ".join(review),
        )
    optional = not is_required
    if default is not None:
        review.append(
            f"the script's default {default!r} applies when the input is not bound; "
            "bind it in the pipeline to make the dependency visible"
        )
    return Guess(
        flag,
        name,
        kind,
        port_type,
        optional=optional,
        description=description,
        positional=positional,
        review="; ".join(review),
    )


def _type_name(node: ast.AST | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Call):
        return _type_name(node.func)
    return type(node).__name__.lower()


def _words(name: str) -> list[str]:
    return [w for w in re.split(r"[_\-]+", name.lower()) if w]


def _kind_and_type(name: str, type_name: str | None, default: Any, description: str) -> tuple[str, str]:
    if type_name in _TYPES and type_name != "str":
        return "parameter", _TYPES[type_name]
    if type_name not in _PATH_TYPES and type_name not in _TYPES:
        return "parameter", "string"
    words = _words(name)
    if any(w in _PLAIN_WORDS for w in words):
        return "parameter", "string"
    is_input = any(w in _INPUT_WORDS for w in words)
    is_output = not is_input and any(w in _OUTPUT_WORDS or w.startswith(_OUTPUT_WORDS[1:]) for w in words)
    is_data = (
        is_input
        or any(any(hint in w for hint in _DATA_WORDS) for w in words)
        or type_name in ("Path", "FileType")
    )
    if not (is_output or is_data):
        if isinstance(default, bool):
            return "parameter", "boolean"
        return "parameter", "string"
    suffix = PurePosixPath(str(default)).suffix.lstrip(".") if isinstance(default, str) else ""
    said = re.findall(r"[a-z]+", description.lower())
    is_file = (
        type_name == "FileType"
        or suffix in _FILE_HINTS
        or any(w in _FILE_HINTS for w in words)
        or not any(w in _FOLDER_WORDS for w in said)
        and any(w in _FILE_HINTS for w in said)
    )
    return ("output" if is_output else "input"), ("uri_file" if is_file else "uri_folder")


def _port(guess: Guess) -> dict[str, Any]:
    port: dict[str, Any] = {"type": guess.type}
    if guess.default is not None and guess.kind == "parameter":
        port["default"] = guess.default
    if guess.optional:
        port["optional"] = True
    if guess.choices:
        port["enum"] = list(guess.choices)
    if guess.description:
        port["description"] = guess.description
    return port


def _command(script: str, guesses: list[Guess]) -> str:
    parts = [f"python {script}"]
    positional = [g for g in guesses if g.positional and g.in_command]
    for guess in [*positional, *(g for g in guesses if not g.positional and g.in_command)]:
        group = "outputs" if guess.kind == "output" else "inputs"
        value = "${{" + f"{group}.{guess.name}" + "}}"
        text = value if guess.positional else f"{guess.flag} {value}"
        parts.append(f"$[[{text}]]" if guess.optional else text)
    return " ".join(parts)


def _description(parser: ast.Call, tree: ast.Module) -> str:
    for keyword in parser.keywords:
        if keyword.arg == "description":
            found, value = _literal(keyword.value)
            if found and isinstance(value, str):
                return value.strip().split("\n\n")[0].replace("\n", " ")
    doc = ast.get_docstring(tree)
    return doc.strip().split("\n\n")[0].replace("\n", " ") if doc else ""


def _identifier(text: str) -> str:
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", text)
    return cleaned if cleaned and (cleaned[0].isalpha() or cleaned[0] == "_") else f"_{cleaned}"
