"""Commands of steps: Azure ML command templates rendered to shell commands, and Python steps.

Template syntax (Azure ML CLI v2):

* ``${{inputs.x}}`` becomes the local path of input x, or the value of parameter x;
* ``${{outputs.y}}`` becomes the local path of output y;
* ``$[[ ... ]]`` is an optional block: dropped when an input or parameter it names is unset,
  otherwise kept without the brackets.

A value that the shell would split or read (``my model``, ``a;b``, an empty string) is quoted
for the shell (``'my model'``) unless the template already quotes its reference
(``"${{inputs.name}}"``), where only what those quotes cannot hold is escaped. In dvc.yaml such a value
stays a DVC reference inside the quotes (``'${train.name}'``), so DVC's interpolation gives
the same command; only a value holding a single quote is written literally, quoted.
Values render as DVC writes them: booleans as ``true``/``false``, floats in their shortest
exact form (``0.1``, ``1e-05``), integers as digits.
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
        quoted = _quoted_positions(text)

        def one(match: re.Match) -> str:
            kind, name = match.groups()
            in_quotes = quoted.get(match.start())
            if kind == "outputs":
                return _within(in_quotes, outputs[name])
            value = values.get(name)
            if value is None:
                raise DefinitionError(
                    f"the command uses '{name}' but it has no value",
                    location=where,
                    hint=f"bind '{name}', give it a default, or wrap its use in an optional "
                    f"block: $[[--{name} ${{{{inputs.{name}}}}}]]",
                )
            text = render_value(value)
            reference = references.get(name) if references is not None else None
            if in_quotes and reference is not None and _within(in_quotes, text) == text:
                return reference
            if in_quotes:
                return _within(in_quotes, text)
            if shlex.quote(text) == text:
                return reference or text
            if reference is not None and "'" not in text:
                return f"'{reference}'"  # DVC fills the quotes with the value
            return shlex.quote(text)

        return _REFERENCE.sub(one, text)

    def optional(match: re.Match) -> str:
        inner = match.group(1)
        for kind, name in _REFERENCE.findall(inner):
            if kind == "inputs" and values.get(name) is None:
                return ""
        return substitute(inner)

    rendered = substitute(_OPTIONAL_BLOCK.sub(optional, template))
    return "\n".join(line.rstrip() for line in rendered.strip().splitlines())


def _within(quote: str | None, text: str) -> str:
    """text as the shell must read it at a place in the template: unquoted, in '...' or "..."."""
    if quote is None:
        return shlex.quote(text)
    if quote == "'":
        return text.replace("'", "'\"'\"'")
    return re.sub(r'(["\\$`])', r"\\\1", text)


def _quoted_positions(text: str) -> dict[int, str]:
    """The positions of text that the shell reads inside quotes, with the quote ("'" or '"')."""
    inside: dict[int, str] = {}
    quote = None
    escaped = False
    for position, char in enumerate(text):
        if escaped:
            escaped = False
        elif char == "\\" and quote != "'":
            escaped = True
        elif quote is None and char in "'\"":
            quote = char
            continue
        elif char == quote:
            quote = None
        if quote is not None:
            inside[position] = quote
    return inside


def _check_references(component: Component, template: str, where: Location | None) -> None:
    inputs = {*(p.name for p in component.inputs), *(p.name for p in component.parameters)}
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
