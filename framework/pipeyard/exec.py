"""Run one Python step: ``python -m pipeyard.exec FILE QUALNAME --params JOB [--in n=p] [--out n=p]``.

This is the command of every Python stage, so it also runs under plain ``dvc repro``.
It reads the step's parameters from ``params.yaml[JOB]`` in the current directory (a
missing file or key means the function's defaults), creates the output folders (or the
parent folders of output files), calls the function with ``pathlib.Path`` values for
data and plain values for parameters, and exits non-zero with the traceback on failure.

It must start fast: only the standard library, PyYAML and the light SDK modules load.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

EXIT_FAILED = 1
EXIT_USAGE = 2


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run the step, and return the exit status."""
    args = _parser().parse_args(argv)
    try:
        inputs = _pairs(args.inputs, "--in")
        outputs = _pairs(args.outputs, "--out")
    except ValueError as exc:
        print(f"pipeyard.exec: {exc}", file=sys.stderr)
        return EXIT_USAGE
    cwd = Path.cwd()
    sys.path.insert(0, str(cwd))
    try:
        target = _load(Path(args.file), args.qualname, cwd)
        params = _read_params(cwd / "params.yaml", args.params)
        function, folders = _unwrap(target)
        arguments = _arguments(function, params, inputs, outputs)
        for name, path in outputs.items():
            is_folder = folders.get(name, not Path(path).suffix)
            (Path(path) if is_folder else Path(path).parent).mkdir(parents=True, exist_ok=True)
        function(**arguments)
    except SystemExit as exc:
        if exc.code not in (None, 0):
            traceback.print_exc()
            return exc.code if isinstance(exc.code, int) else EXIT_FAILED
    except BaseException:  # noqa: BLE001 - report whatever the step raised, then fail
        traceback.print_exc()
        return EXIT_FAILED
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipeyard.exec", description=__doc__.split("\n")[0])
    parser.add_argument("file", help="the step's module, relative to the project root")
    parser.add_argument("qualname", help="the step function's qualified name in that module")
    parser.add_argument("--params", required=True, metavar="JOB", help="key of params.yaml to read")
    parser.add_argument("--in", dest="inputs", action="append", default=[], metavar="NAME=PATH")
    parser.add_argument("--out", dest="outputs", action="append", default=[], metavar="NAME=PATH")
    return parser


def _pairs(items: list[str], flag: str) -> dict[str, str]:
    pairs = {}
    for item in items:
        name, sep, path = item.partition("=")
        if not sep or not name or not path:
            raise ValueError(f"{flag} expects NAME=PATH, got {item!r}")
        pairs[name] = path
    return pairs


def _load(file: Path, qualname: str, cwd: Path) -> Any:
    """Import file (as its dotted module name when it is importable from cwd) and find qualname."""
    module = None
    relative = Path(os.path.relpath(os.path.abspath(file), cwd))
    parts = [*relative.parent.parts, relative.stem]
    dotted = ".".join(parts)
    if relative.suffix == ".py" and all(p.isidentifier() for p in parts):
        existing = sys.modules.get(parts[0])
        shadowed = existing is not None and not _inside(getattr(existing, "__file__", None), cwd)
        if not shadowed:
            module = importlib.import_module(dotted)
    if module is None:
        spec = importlib.util.spec_from_file_location("_pipeyard_step", file)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {file}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = module
        spec.loader.exec_module(module)
    target: Any = module
    for part in qualname.split("."):
        target = getattr(target, part)
    return target


def _inside(file: str | None, folder: Path) -> bool:
    return file is not None and file != "" and os.path.abspath(file).startswith(str(folder) + os.sep)


def _unwrap(target: Any) -> tuple[Callable[..., Any], dict[str, bool]]:
    """The plain function behind a @step, and which of its outputs are folders."""
    function = getattr(target, "function", None)
    ports = getattr(target, "ports", None)
    if callable(function) and ports is not None:
        return function, {p.name: p.is_folder for p in ports if p.kind == "output"}
    return target, {}


def _read_params(path: Path, job: str) -> dict[str, Any]:
    if not path.is_file():
        return {}
    import yaml

    with path.open(encoding="utf-8") as stream:
        tree = yaml.safe_load(stream) or {}
    values = tree.get(job) if isinstance(tree, dict) else None
    return values if isinstance(values, dict) else {}


def _arguments(function: Callable[..., Any], params: dict, inputs: dict, outputs: dict) -> dict:
    signature = inspect.signature(function)
    accepts_any = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())
    arguments: dict[str, Any] = {}
    for name, value in params.items():
        if accepts_any or name in signature.parameters:
            arguments[name] = value
    for name, path in {**inputs, **outputs}.items():
        if not accepts_any and name not in signature.parameters:
            raise TypeError(f"{function.__qualname__}() has no argument '{name}'")
        arguments[name] = Path(path)
    return arguments


if __name__ == "__main__":
    sys.exit(main())
