"""The designer's edits of a YAML pipeline, each a value, each applied to the file's text.

``apply_edit(text, edit, components)`` returns the new text and notes; it refuses (UserError)
an edit that names what does not exist or that the model's type rules forbid, saying why.
What the components of jobs are comes from the caller (``Components``), so this module reads
no files: it is a function of the text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from ruamel.yaml.comments import CommentedMap

from ...azure_yaml.refs import Expression, parse_binding
from ...errors import (
    DefinitionError,
    Location,
    ParameterError,
    PipeyardError,
    ReferenceError_,
    TypeMismatch,
    did_you_mean,
    known,
)
from ...model import Component, PortType
from ...model.component import check_name
from ...model.pipeline import RESERVED_JOB_NAMES
from ...model.types import accepts, coerce_parameter
from . import yamltext


class Components(Protocol):
    """Where an edit learns the component of a job, or of a reference it adds."""

    def of_job(self, job: str) -> Component | None:
        """The component job uses (None: it cannot be told, e.g. the file does not load)."""

    def of_reference(self, reference: str) -> Component:
        """The component a ``component:`` value names; a UserError when there is none."""


@dataclass(frozen=True)
class AddJob:
    """Add a job using component (a file path relative to the pipeline, or azureml:name:version)."""

    component: str
    name: str | None = None


@dataclass(frozen=True)
class RemoveJob:
    """Remove a job, and the inputs of other jobs that read its outputs."""

    job: str


@dataclass(frozen=True)
class RenameJob:
    """Rename a job, and every binding that names it."""

    job: str
    new_name: str


@dataclass(frozen=True)
class Connect:
    """Feed input of job target from output of job source."""

    source: str
    output: str
    target: str
    input: str


@dataclass(frozen=True)
class Disconnect:
    """Unbind input of job."""

    job: str
    input: str


@dataclass(frozen=True)
class SetParameter:
    """Give a parameter of job a value (None or "": back to the component's default)."""

    job: str
    name: str
    value: Any


@dataclass(frozen=True)
class SetCompute:
    """Set the compute a job asks for (None or "": the pipeline's default)."""

    job: str
    compute: str | None


Edit = AddJob | RemoveJob | RenameJob | Connect | Disconnect | SetParameter | SetCompute

OPERATIONS: Mapping[str, type] = {
    "add_job": AddJob,
    "remove_job": RemoveJob,
    "rename_job": RenameJob,
    "connect": Connect,
    "disconnect": Disconnect,
    "set_parameter": SetParameter,
    "set_compute": SetCompute,
}


@dataclass(frozen=True)
class Edited:
    """The text after an edit, what the user should know about it, and the job it touched."""

    text: str
    notes: tuple[str, ...] = ()
    job: str | None = None


# what applying one edit says: its notes, and the job to select afterwards (None: no job)
_Outcome = tuple[list[str], str | None]


def edit_from_json(data: Any) -> Edit:
    """The edit a JSON object names: {"op": "connect", "source": ..., ...}."""
    if not isinstance(data, dict) or not isinstance(data.get("op"), str):
        raise DefinitionError("an edit is an object with an 'op'", hint=f"ops: {known(OPERATIONS)}")
    kind = OPERATIONS.get(data["op"])
    if kind is None:
        raise DefinitionError(
            f"unknown edit '{data['op']}'{did_you_mean(data['op'], OPERATIONS)}",
            hint=f"ops: {known(OPERATIONS)}",
        )
    fields = {k: v for k, v in data.items() if k != "op"}
    try:
        return kind(**fields)
    except TypeError as exc:
        raise DefinitionError(f"edit '{data['op']}' has wrong fields: {exc}") from None


def apply_edit(text: str, edit: Edit, components: Components, shown: str = "pipeline.yml") -> Edited:
    """The text after edit (a UserError saying why when the edit is refused)."""
    tree = yamltext.parse(text, shown)
    jobs = _jobs(tree.data, shown)
    notes, job = _apply(jobs, edit, components)
    return Edited(tree.dump(), tuple(notes), job)


def _jobs(data: Any, shown: str) -> CommentedMap:
    if not isinstance(data, CommentedMap) or not isinstance(data.get("jobs"), CommentedMap):
        raise DefinitionError(
            f"{shown} has no jobs: mapping the designer can edit",
            hint="the designer edits pipeline jobs (type: pipeline, jobs: ...)",
        )
    return data["jobs"]


def _job(jobs: CommentedMap, name: str) -> CommentedMap:
    if name not in jobs:
        raise ReferenceError_(f"no job '{name}'{did_you_mean(name, jobs)}", hint=f"jobs: {known(jobs)}")
    spec = jobs[name]
    if not isinstance(spec, CommentedMap):
        raise DefinitionError(f"job '{name}' is not a mapping", location=Location(step=name))
    return spec


def _component(components: Components, job: str) -> Component:
    component = components.of_job(job)
    if component is None:
        raise DefinitionError(
            f"cannot tell the ports of job '{job}'",
            hint="fix the job in your editor until the pipeline loads",
        )
    return component


# -- jobs ----------------------------------------------------------------------------------


def _add_job(jobs: CommentedMap, edit: AddJob, components: Components) -> _Outcome:
    component = components.of_reference(edit.component)
    name = edit.name or _free_name(component.name, jobs)
    _check_new_name(name, jobs)
    spec = yamltext.block_map([("type", "command"), ("component", edit.component)])
    yamltext.append(jobs, name, spec)
    unbound = [p.name for p in component.inputs if not p.optional]
    notes = [f"added job '{name}' ({component.name})"]
    if unbound:
        notes.append(f"connect its input{'s' if len(unbound) > 1 else ''} {known(unbound)} before saving")
    return notes, name


def _free_name(base: str, jobs: CommentedMap) -> str:
    base = re.sub(r"[^A-Za-z0-9_\-]", "_", base) or "job"
    if base in RESERVED_JOB_NAMES or not (base[0].isalpha() or base[0] == "_"):
        base = f"job_{base}"
    name, number = base, 2
    while name in jobs:
        name, number = f"{base}_{number}", number + 1
    return name


def _check_new_name(name: str, jobs: CommentedMap) -> None:
    check_name("job", name)
    if name in RESERVED_JOB_NAMES:
        raise DefinitionError(f"'{name}' is a reserved name", hint=f"reserved: {known(RESERVED_JOB_NAMES)}")
    if name in jobs:
        raise DefinitionError(f"there is already a job '{name}'", hint="choose another name")


def _remove_job(jobs: CommentedMap, edit: RemoveJob, components: Components) -> _Outcome:
    _job(jobs, edit.job)
    notes = []
    for reader, spec in list(jobs.items()):
        if reader == edit.job or not isinstance(spec, CommentedMap):
            continue
        for port, output in _reads(spec, edit.job):
            _remove_input(spec, port)
            notes.append(f"removed input '{port}' of job '{reader}' (it read {edit.job}.{output})")
    yamltext.remove(jobs, edit.job)
    return [f"removed job '{edit.job}'", *notes], None


def _reads(spec: CommentedMap, job: str) -> list[tuple[str, str]]:
    """(input, output) of every input of spec that reads an output of job."""
    inputs = spec.get("inputs")
    if not isinstance(inputs, CommentedMap):
        return []
    found = []
    for port, value in inputs.items():
        expression = binding_of(value)
        if expression is not None and expression.kind == "job_output" and expression.job == job:
            found.append((str(port), expression.name))
    return found


def binding_of(value: Any) -> Expression | None:
    """The ``${{...}}`` expression value is (an azure_yaml Expression), or None for anything else."""
    try:
        return parse_binding(value, Location())
    except PipeyardError:
        return None


_JOB_IN_EXPRESSION = r"(\$\{{\{{\s*(?:parent\.)?jobs\.){job}(\.outputs\.)"


def _rename_job(jobs: CommentedMap, edit: RenameJob, components: Components) -> _Outcome:
    _job(jobs, edit.job)
    if edit.new_name == edit.job:
        return [], edit.job
    _check_new_name(edit.new_name, jobs)
    yamltext.rename(jobs, edit.job, edit.new_name)
    pattern = re.compile(_JOB_IN_EXPRESSION.format(job=re.escape(edit.job)))
    changed = []
    for reader, spec in jobs.items():
        inputs = spec.get("inputs") if isinstance(spec, CommentedMap) else None
        if not isinstance(inputs, CommentedMap):
            continue
        for port, value in list(inputs.items()):
            if isinstance(value, str) and pattern.search(value):
                new_text = pattern.sub(lambda m: f"{m.group(1)}{edit.new_name}{m.group(2)}", value)
                yamltext.replace(inputs, port, yamltext.same_style(value, new_text))
                changed.append(f"{reader}.{port}")
    notes = [f"renamed job '{edit.job}' to '{edit.new_name}'"]
    if changed:
        notes.append(f"updated the inputs that read it: {', '.join(changed)}")
    return notes, edit.new_name


# -- ports ---------------------------------------------------------------------------------


def _connect(jobs: CommentedMap, edit: Connect, components: Components) -> _Outcome:
    target = _job(jobs, edit.target)
    _job(jobs, edit.source)
    if edit.source == edit.target:
        raise DefinitionError(
            f"job '{edit.target}' cannot read its own output",
            hint="connect an output to an input of another job",
        )
    consumer = _component(components, edit.target)
    producer = _component(components, edit.source)
    port = consumer.input(edit.input)
    if port is None:
        if consumer.parameter(edit.input) is not None:
            raise TypeMismatch(
                f"'{edit.input}' of job '{edit.target}' is a parameter: it takes a value, not data",
                hint="set it in the job's parameter form",
            )
        names = [p.name for p in consumer.inputs]
        raise ReferenceError_(
            f"job '{edit.target}' has no input '{edit.input}'{did_you_mean(edit.input, names)}",
            hint=f"its inputs: {known(names)}",
        )
    output = producer.output(edit.output)
    if output is None:
        names = [o.name for o in producer.outputs]
        raise ReferenceError_(
            f"job '{edit.source}' has no output '{edit.output}'{did_you_mean(edit.output, names)}",
            hint=f"its outputs: {known(names)}",
        )
    if not accepts(port.type, output.type):
        welcome = [t.value for t in PortType if t.is_artifact and accepts(port.type, t)]
        raise TypeMismatch(
            f"cannot connect {edit.source}.{edit.output} ({output.type.value}) to "
            f"{edit.target}.{edit.input} ({port.type.value}): input '{edit.input}' takes "
            f"{' or '.join(welcome)}",
            hint=f"connect an output of type {' or '.join(welcome)}",
        )
    binding = f"${{{{parent.jobs.{edit.source}.outputs.{edit.output}}}}}"
    inputs = _inputs_of(target)
    if edit.input in inputs:
        yamltext.replace(inputs, edit.input, yamltext.same_style(inputs[edit.input], binding))
    else:
        yamltext.append(inputs, edit.input, binding, gap="")
    return [f"connected {edit.source}.{edit.output} to {edit.target}.{edit.input}"], edit.target


def _inputs_of(spec: CommentedMap) -> CommentedMap:
    """The job's inputs mapping, made (after its component or compute) when it has none."""
    inputs = spec.get("inputs")
    if isinstance(inputs, CommentedMap):
        return inputs
    inputs = yamltext.block_map([])
    if "inputs" in spec:
        yamltext.replace(spec, "inputs", inputs)
    else:
        anchor = next((k for k in ("compute", "component", "command", "type") if k in spec), None)
        yamltext.insert_after(spec, anchor, "inputs", inputs)
    return inputs


def _remove_input(spec: CommentedMap, port: str) -> None:
    inputs = spec["inputs"]
    if len(inputs) == 1:
        yamltext.remove(spec, "inputs")
    else:
        yamltext.remove(inputs, port)


def _disconnect(jobs: CommentedMap, edit: Disconnect, components: Components) -> _Outcome:
    spec = _job(jobs, edit.job)
    inputs = spec.get("inputs")
    if not isinstance(inputs, CommentedMap) or edit.input not in inputs:
        raise ReferenceError_(f"input '{edit.input}' of job '{edit.job}' is not connected")
    _remove_input(spec, edit.input)
    return [f"disconnected {edit.job}.{edit.input}"], edit.job


def _set_parameter(jobs: CommentedMap, edit: SetParameter, components: Components) -> _Outcome:
    spec = _job(jobs, edit.job)
    component = _component(components, edit.job)
    parameter = component.parameter(edit.name)
    if parameter is None:
        if component.input(edit.name) is not None:
            raise TypeMismatch(f"'{edit.name}' of job '{edit.job}' is a data input: connect it to an output")
        names = [p.name for p in component.parameters]
        raise ReferenceError_(
            f"job '{edit.job}' has no parameter '{edit.name}'{did_you_mean(edit.name, names)}",
            hint=f"its parameters: {known(names)}",
        )
    inputs = spec.get("inputs")
    if edit.value is None or edit.value == "":
        if isinstance(inputs, CommentedMap) and edit.name in inputs:
            _remove_input(spec, edit.name)
        shown = "none" if parameter.default is None else repr(parameter.default)
        return [f"{edit.job}.{edit.name} back to its default ({shown})"], edit.job
    value = coerce_parameter(edit.value, parameter.type, name=edit.name)
    if parameter.choices and value not in parameter.choices:
        raise ParameterError(
            f"parameter '{edit.name}' must be one of {known(parameter.choices)}, got {value!r}"
        )
    inputs = _inputs_of(spec)
    if edit.name in inputs:
        old = inputs[edit.name]
        if isinstance(old, str) and isinstance(value, str):
            value = yamltext.same_style(old, value)
        yamltext.replace(inputs, edit.name, value)
    else:
        yamltext.append(inputs, edit.name, value, gap="")
    return [f"set {edit.job}.{edit.name} = {value!r}"], edit.job


def _set_compute(jobs: CommentedMap, edit: SetCompute, components: Components) -> _Outcome:
    spec = _job(jobs, edit.job)
    compute = (edit.compute or "").strip()
    if not compute:
        if "compute" in spec:
            yamltext.remove(spec, "compute")
        return [f"job '{edit.job}' runs on the pipeline's default compute"], edit.job
    if "compute" in spec:
        yamltext.replace(spec, "compute", yamltext.same_style(spec["compute"], compute))
    else:
        anchor = next((k for k in ("component", "command", "type") if k in spec), None)
        yamltext.insert_after(spec, anchor, "compute", compute)
    return [f"job '{edit.job}' asks for compute '{compute}'"], edit.job


def _apply(jobs: CommentedMap, edit: Edit, components: Components) -> _Outcome:
    match edit:
        case AddJob():
            return _add_job(jobs, edit, components)
        case RemoveJob():
            return _remove_job(jobs, edit, components)
        case RenameJob():
            return _rename_job(jobs, edit, components)
        case Connect():
            return _connect(jobs, edit, components)
        case Disconnect():
            return _disconnect(jobs, edit, components)
        case SetParameter():
            return _set_parameter(jobs, edit, components)
        case SetCompute():
            return _set_compute(jobs, edit, components)
