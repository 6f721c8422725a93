"""Commands of steps: Azure ML command templates rendered to shell commands, and Python steps.

Template syntax (Azure ML CLI v2):

* ``${{inputs.x}}`` becomes the local path of input x, or the value of parameter x;
* ``${{outputs.y}}`` becomes the local path of output y;
* ``$[[ ... ]]`` is an optional block: dropped when an input or parameter it names is unset,
  otherwise kept without the brackets.

Values are substituted as text, without shell quoting, as Azure ML does: quote them in the
template when they may hold spaces. Values render as Python's ``str()`` does, which is what
Azure ML's Python SDK sends: booleans as ``True``/``False``, floats in their shortest exact
form (``0.1``, ``1e-05``), integers as digits.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from ..errors import DefinitionError, Location, did_you_mean, known
from ..model.component import Component

_REFERENCE = re.compile(r"\$\{\{\s*(inputs|outputs)\.([A-Za-z_][A-Za-z0-9_\-]*)\s*\}\}")
_OPTIONAL_BLOCK = re.compile(r"\$\[\[(.*?)\]\]", re.DOTALL)
EXEC_MODULE = "pipeyard.exec"


def render_value(value: Any) -> str:
    """A parameter value as text in a command, as DVC writes it: true/false, 0.1, 1e-05, 3."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


_DVC_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_SHELL_VARIABLE = re.compile(r"\$\{(?!\{)")


def dvc_reference(job: str, parameter: str) -> str | None:
    """``${job.parameter}`` for DVC to fill in from params.yaml, or None for names it can't take."""
    if _DVC_KEY.match(job) and _DVC_KEY.match(parameter):
        return f"${{{job}.{parameter}}}"
    return None


def render_template(
    component: Component,
    values: Mapping[str, Any],
    outputs: Mapping[str, str],
    where: Location | None = None,
    references: Mapping[str, str] | None = None,
) -> str:
    """The command of component with every reference replaced.

    values maps input and parameter names to a path or value (None = unset); outputs maps
    output names to paths. references, when given, maps parameter names to the text that
    stands for them instead of their value (DVC's `${job.param}`), and shell variables are
    escaped as DVC needs (`\\${HOME}`). Raises DefinitionError for references to undeclared
    names and for unset values outside an optional block.
    """
    template = component.command or ""
    _check_references(component, template, where)
    if references is not None:
        template = _SHELL_VARIABLE.sub(r"\\${", template)

    def substitute(text: str) -> str:
        def one(match: re.Match) -> str:
            kind, name = match.groups()
            if kind == "outputs":
                return outputs[name]
            value = values.get(name)
            if value is None:
                raise DefinitionError(
                    f"the command uses '{name}' but it has no value",
                    location=where,
                    hint=f"bind '{name}', give it a default, or wrap its use in an optional "
                    f"block: $[[--{name} ${{{{inputs.{name}}}}}]]",
                )
            if references is not None and name in references:
                return references[name]
            return render_value(value)

        return _REFERENCE.sub(one, text)

    def optional(match: re.Match) -> str:
        inner = match.group(1)
        for kind, name in _REFERENCE.findall(inner):
            if kind == "inputs" and values.get(name) is None:
                return ""
        return substitute(inner)

    rendered = substitute(_OPTIONAL_BLOCK.sub(optional, template))
    return "\n".join(line.rstrip() for line in rendered.strip().splitlines())


def _check_references(component: Component, template: str, where: Location | None) -> None:
    inputs = {p.name for p in (*component.inputs, *component.parameters)}
    outputs = {p.name for p in component.outputs}
    for kind, name in _REFERENCE.findall(template):
        names = inputs if kind == "inputs" else outputs
        if name not in names:
            raise DefinitionError(
                f"the command of component '{component.name}' uses ${{{{{kind}.{name}}}}}, "
                f"which it does not declare{did_you_mean(name, names)}",
                location=where,
                hint=f"declared {kind}: {known(names)}",
            )


def python_step_command(
    file: str,
    qualname: str,
    job_name: str,
    inputs: Iterable[tuple[str, str]],
    outputs: Iterable[tuple[str, str]],
) -> str:
    """``python -m pipeyard.exec <file> <qualname> --params <job> --in n=p ... --out n=p ...``."""
    words = ["python", "-m", EXEC_MODULE, file, qualname, "--params", job_name]
    for name, path in inputs:
        words += ["--in", f"{name}={path}"]
    for name, path in outputs:
        words += ["--out", f"{name}={path}"]
    return shlex.join(words)


def mkdir_command(folders: Iterable[str]) -> str | None:
    """``mkdir -p`` for folders (sorted, de-duplicated), or None when there are none."""
    unique = sorted({f for f in folders if f not in ("", ".")})
    return shlex.join(["mkdir", "-p", *unique]) if unique else None
