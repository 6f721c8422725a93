"""Run one step of a pipeline in isolation, on small inputs, inside a test.

```python
from pipeyard.testing.steps import run_step
from my_project.steps import train                     # a Python @step ...

def test_train(tmp_path, small_train_set):
    result = run_step(train, tmp_path, inputs={"train_set": small_train_set}, params={"C": 0.5})
    assert result["model"].is_file()                   # output name -> path

def test_train_component(tmp_path, small_train_set):   # ... or an Azure ML command component
    result = run_step("components/train.yml", tmp_path, inputs={"train_set": small_train_set})
```

A Python step is called in this process, as ``python -m pipeyard.exec`` would call it. A
component's command is rendered the way ``pipeyard run`` renders it (pipeyard's own
``render_template``) and runs in a subprocess, in the component's ``code`` folder, with the
current interpreter first on ``PATH`` (so ``python`` is the test's Python). Outputs default to
``tmp_path/outputs/<name>``; parameters are type-checked against the step's declaration and
missing ones take their defaults. Nothing is cached and no project files are written.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..azure_yaml.component import load_component_yaml
from ..compile.command import render_template
from ..errors import DefinitionError, Location, ParameterError, StepFailed, did_you_mean, known
from ..model.types import coerce_parameter
from ..sdk.ports import check_value, prepare_output

_ROOT_MARKERS = (
    ".git",
    ".dvc",
    "pipeyard.yaml",
    "pipeyard.yml",
    "pipeline.yml",
    "pipeline.yaml",
    "pipeline.py",
)
_LOG_TAIL_LINES = 40


@dataclass(frozen=True)
class StepRun(Mapping):
    """What one isolated run of a step produced: its output paths (by name) and its log.

    It reads like the outputs themselves: ``result["model"]`` is a ``pathlib.Path``.
    """

    outputs: Mapping[str, Path]
    log: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> Path:
        if name not in self.outputs:
            raise KeyError(
                f"no output '{name}'{did_you_mean(name, self.outputs)}; outputs: {known(self.outputs)}"
            )
        return self.outputs[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.outputs)

    def __len__(self) -> int:
        return len(self.outputs)

    __hash__ = None  # type: ignore[assignment]  # outputs is a dict


def run_step(
    step: Any,
    tmp_path: Path,
    *,
    inputs: Mapping[str, str | os.PathLike] | None = None,
    params: Mapping[str, Any] | None = None,
    outputs: Mapping[str, str | os.PathLike] | None = None,
    root: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 600,
) -> StepRun:
    """Run step (a Python ``@step`` or the path of a command component YAML) once.

    inputs map input names to existing paths, params parameter names to values, outputs
    (optional) output names to paths; relative paths start at tmp_path. root is the project
    root that the component's relative paths start at (default: the nearest folder above the
    YAML holding .git, .dvc, pipeyard.yaml or a pipeline file). env is added to the
    environment of a component's command.

    Raises DefinitionError for unknown or missing inputs, ParameterError for bad parameters,
    StepFailed when a command exits non-zero or an output was not written; a Python step's own
    exception propagates unchanged.
    """
    tmp_path = Path(tmp_path)
    inputs = {name: _absolute(path, tmp_path) for name, path in (inputs or {}).items()}
    outputs_given = {name: _absolute(path, tmp_path) for name, path in (outputs or {}).items()}
    if isinstance(step, (str, os.PathLike)):
        component_file = _absolute(step, Path.cwd())
        return _run_component(
            component_file,
            root or _project_root(component_file),
            tmp_path,
            inputs,
            dict(params or {}),
            outputs_given,
            dict(env or {}),
            timeout_s,
        )
    if callable(getattr(step, "function", None)) and hasattr(step, "ports"):
        return _run_python_step(step, tmp_path, inputs, dict(params or {}), outputs_given)
    raise DefinitionError(
        f"run_step expects a @step function or the path of a component YAML, got {step!r}",
        hint="pass the decorated function itself, or e.g. 'components/train.yml'",
    )


# --- Python steps ----------------------------------------------------------------------------


def _run_python_step(step, tmp_path: Path, inputs: dict, params: dict, outputs: dict) -> StepRun:
    ports = {p.name: p for p in step.ports}
    what = f"step '{step.name}'"
    _check_names(what, inputs, [n for n, p in ports.items() if p.kind == "input"], "input")
    _check_names(what, params, [n for n, p in ports.items() if p.kind == "parameter"], "parameter")
    _check_names(what, outputs, [n for n, p in ports.items() if p.kind == "output"], "output")
    arguments: dict[str, Any] = {}
    for name, port in ports.items():
        if port.kind == "input":
            arguments[name] = _input_path(what, name, inputs, port.optional or port.has_default, port.default)
        elif port.kind == "output":
            path = outputs.get(name, tmp_path / "outputs" / name)
            prepare_output(path, is_folder=port.is_folder)
            arguments[name] = path
        elif name in params:
            try:
                arguments[name] = check_value(port, params[name], what=what, where=None)
            except DefinitionError as error:
                raise ParameterError(error.message, hint=error.hint) from None
        elif port.has_default:
            arguments[name] = port.default
        else:
            raise ParameterError(f"{what}: parameter '{name}' has no default; pass params={{'{name}': ...}}")
    log = io.StringIO()
    with contextlib.redirect_stdout(_Tee(log, sys.stdout)), contextlib.redirect_stderr(_Tee(log, sys.stderr)):
        step.function(**arguments)
    written = {n: arguments[n] for n, p in ports.items() if p.kind == "output"}
    _check_outputs(what, written, log.getvalue())
    used = {n: arguments[n] for n, p in ports.items() if p.kind == "parameter"}
    return StepRun(outputs=written, log=log.getvalue(), params=used)


class _Tee(io.TextIOBase):
    """Write to a capture buffer and to the stream the test runner watches."""

    def __init__(self, capture: io.StringIO, stream) -> None:
        self.capture = capture
        self.stream = stream

    def write(self, text: str) -> int:
        self.capture.write(text)
        self.stream.write(text)
        return len(text)

    def flush(self) -> None:
        self.stream.flush()


# --- command components ----------------------------------------------------------------------


def _run_component(
    file: Path,
    root: Path,
    tmp_path: Path,
    inputs: dict,
    params: dict,
    outputs: dict,
    env: dict,
    timeout_s: float,
) -> StepRun:
    component = load_component_yaml(file, root)
    what = f"component '{component.name}'"
    declared = {p.name: p for p in component.parameters}
    _check_names(what, inputs, [p.name for p in component.inputs], "input")
    _check_names(what, params, declared, "parameter")
    _check_names(what, outputs, [p.name for p in component.outputs], "output")
    values: dict[str, Any] = {}
    for port in component.inputs:
        path = _input_path(what, port.name, inputs, port.optional, None)
        values[port.name] = None if path is None else str(path)
    for name, parameter in declared.items():
        value = params.get(name, parameter.default)
        value = coerce_parameter(value, parameter.type, name=name, location=Location(step=component.name))
        if parameter.choices and value is not None and value not in parameter.choices:
            raise ParameterError(
                f"{what}: parameter '{name}' must be one of {list(parameter.choices)}, got {value!r}"
            )
        if value is None and parameter.required:
            raise ParameterError(f"{what}: parameter '{name}' has no default; pass params={{'{name}': ...}}")
        values[name] = value
    written = {}
    for output in component.outputs:
        path = outputs.get(output.name, tmp_path / "outputs" / output.name)
        (path if output.type.is_folder else path.parent).mkdir(parents=True, exist_ok=True)
        written[output.name] = path
    command = render_template(
        component, values, {n: str(p) for n, p in written.items()}, Location(file=str(file))
    )
    cwd = (
        root / component.code[0] if len(component.code) == 1 and (root / component.code[0]).is_dir() else root
    )
    completed = subprocess.run(
        ["/bin/sh", "-c", command],
        cwd=cwd,
        env=_command_env(env),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    log = completed.stdout + completed.stderr
    sys.stdout.write(log)  # shown by pytest when the test fails
    if completed.returncode != 0:
        raise StepFailed(
            f"{what} exited with status {completed.returncode}:\n{_tail(log)}",
            location=Location(file=str(file)),
            hint=f"the command was: {command}",
        )
    _check_outputs(what, written, log)
    parameters = {n: values[n] for n in declared}
    return StepRun(outputs=written, log=log, params=parameters)


def _command_env(extra: dict) -> dict:
    env = {**os.environ, **extra}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def _project_root(file: Path) -> Path:
    for folder in file.parents:
        if any((folder / marker).exists() for marker in _ROOT_MARKERS):
            return folder
    return file.parent


# --- shared checks ---------------------------------------------------------------------------


def _absolute(path: str | os.PathLike, base: Path) -> Path:
    path = Path(path)
    return path if path.is_absolute() else base / path


def _check_names(what: str, given: Mapping[str, Any], names, kind: str) -> None:
    for name in given:
        if name not in names:
            error = ParameterError if kind == "parameter" else DefinitionError
            raise error(
                f"{what} has no {kind} '{name}'{did_you_mean(name, names)}",
                hint=f"its {kind}s: {known(names)}",
            )


def _input_path(what: str, name: str, inputs: dict, optional: bool, default: Any) -> Path | None:
    if name in inputs:
        path = inputs[name]
    elif default is not None:
        path = Path(default)
    elif optional:
        return None
    else:
        raise DefinitionError(f"{what} needs input '{name}'", hint=f"pass inputs={{'{name}': path}}")
    if not path.exists():
        raise DefinitionError(
            f"{what}: input '{name}' does not exist: {path}", hint="create it first in the test"
        )
    return path


def _check_outputs(what: str, outputs: Mapping[str, Path], log: str) -> None:
    for name, path in outputs.items():
        if not path.exists() or (path.is_dir() and not any(path.iterdir())):
            raise StepFailed(
                f"{what} did not write its output '{name}' ({path})",
                hint=f"the step's output was:\n{_tail(log)}" if log.strip() else "the step printed nothing",
            )


def _tail(log: str) -> str:
    lines = log.rstrip().splitlines()
    return "\n".join(lines[-_LOG_TAIL_LINES:])
