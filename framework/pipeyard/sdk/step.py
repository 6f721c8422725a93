"""``@step``: turn a Python function into a pipeline step, and the recorder its calls go to.

Inside a ``@pipeline`` function (while a `Recorder` is active), calling a step records a job;
anywhere else it simply runs the function (paths become ``pathlib.Path`` and output folders
are created), which is handy in tests. Light on purpose: every step module imports it.
"""

from __future__ import annotations

import contextvars
import functools
import inspect
import pathlib
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import DefinitionError, Location, did_you_mean, known
from .handles import JobHandle, OutputRef, Outputs
from .ports import PortSpec, code_location, prepare_output, read_signature


@dataclass(frozen=True)
class StepOptions:
    """How a step runs: compute name, resources, retries, timeout, environment, distribution, version.

    resources and timeout are kept as written ({"cpus": 2}, "10m") and checked when the
    pipeline is built, so that importing a step module stays light; where is the decorator.
    """

    compute: str | None = None
    resources: Any = None
    retries: int = 0
    timeout: Any = None
    environment: str | None = None
    version: str = "1"
    where: Location | None = None
    distribution: Any = None  # e.g. {"type": "pytorch", "processes_per_instance": 2}


@dataclass(frozen=True)
class Step:
    """A Python function declared as a pipeline step (see ``step``).

    ``step.named("train_small")(...)`` records the next job under an explicit name.
    """

    function: Callable[..., Any]
    options: StepOptions = field(default_factory=StepOptions)
    job_name: str | None = None

    def __post_init__(self) -> None:
        for attribute in ("__module__", "__name__", "__qualname__", "__doc__"):
            object.__setattr__(self, attribute, getattr(self.function, attribute, None))
        object.__setattr__(self, "__wrapped__", self.function)

    @property
    def name(self) -> str:
        """The step's (component's) name: the function's name."""
        return self.function.__name__

    @functools.cached_property
    def ports(self) -> tuple[PortSpec, ...]:
        """Inputs, outputs and parameters read from the function's signature."""
        return read_signature(self.function, what=f"step '{self.name}'")

    @property
    def source(self) -> Location:
        """Where the function is defined (absolute file path)."""
        return code_location(self.function)

    def port(self, name: str) -> PortSpec | None:
        """The port called name, or None."""
        return next((p for p in self.ports if p.name == name), None)

    def named(self, job_name: str) -> Step:
        """The same step, recording its next job under job_name instead of the function name."""
        return replace(self, job_name=job_name)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        recorder = current_recorder()
        arguments = self._bind(args, kwargs, caller_location(depth=2))
        if recorder is not None:
            return recorder.record(self, arguments, caller_location(depth=2))
        return self._run(arguments)

    def _bind(self, args: tuple, kwargs: dict, where: Location) -> dict[str, Any]:
        names = [p.name for p in self.ports]
        for key in kwargs:
            if key not in names:
                raise DefinitionError(
                    f"step '{self.name}' has no input, output or parameter '{key}'{did_you_mean(key, names)}",
                    location=where,
                    hint=f"its arguments: {known(names)}",
                )
        if len(args) > len(names):
            raise DefinitionError(
                f"step '{self.name}' takes {len(names)} arguments but got {len(args)}",
                location=where,
            )
        bound = dict(zip(names, args, strict=False))
        for key, value in kwargs.items():
            if key in bound:
                raise DefinitionError(f"step '{self.name}' got '{key}' twice", location=where)
            bound[key] = value
        return bound

    def _run(self, arguments: dict[str, Any]) -> Any:
        """Run the function directly, as ``pipeyard.exec`` would."""
        values: dict[str, Any] = {}
        for port in self.ports:
            if port.name in arguments:
                value = arguments[port.name]
            elif port.kind == "output":
                raise DefinitionError(
                    f"step '{self.name}' called without output '{port.name}'",
                    hint=f"pass a path: {self.name}(..., {port.name}='out/{port.name}')",
                )
            elif port.has_default:
                value = port.default
            else:
                raise DefinitionError(f"step '{self.name}' called without '{port.name}'")
            if port.is_artifact and value is not None:
                value = pathlib.Path(value)
                if port.kind == "output":
                    prepare_output(value, is_folder=port.is_folder)
            values[port.name] = value
        return self.function(**values)


def step(
    function: Callable[..., Any] | None = None,
    *,
    compute: str | None = None,
    resources: Any = None,
    retries: int = 0,
    timeout: float | str | None = None,
    environment: str | None = None,
    version: str | int = "1",
    distribution: Any = None,
) -> Any:
    """Declare a pipeline step; use as ``@step`` or ``@step(compute="gpu", timeout="10m")``.

    Arguments annotated ``In[...]`` are data inputs, ``Out[...]`` data outputs (both
    arrive as ``pathlib.Path``); the others are parameters typed by their annotation
    (int, float, str, bool, ``Literal[...]``) with the signature's defaults. distribution runs the
    step as several processes, e.g. ``{"type": "pytorch", "processes_per_instance": 2}``.
    """
    where = caller_location(depth=2)
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 0:
        raise DefinitionError(f"retries must be a whole number >= 0, got {retries!r}", location=where)
    options = StepOptions(
        compute=compute,
        resources=resources,
        retries=retries,
        timeout=timeout,
        environment=environment,
        version=str(version),
        where=where,
        distribution=distribution,
    )

    def decorate(fn: Callable[..., Any]) -> Step:
        if not inspect.isfunction(fn):
            raise DefinitionError(f"@step decorates functions, not {fn!r}", location=where)
        declared = Step(fn, options)
        declared.ports  # noqa: B018 - check the signature where it is written
        return declared

    return decorate(function) if function is not None else decorate


def caller_location(depth: int) -> Location:
    """File and line of the frame depth levels above the caller of this function."""
    try:
        frame = sys._getframe(depth)
    except ValueError:
        return Location()
    return Location(file=frame.f_code.co_filename, line=frame.f_lineno)


@dataclass
class RecordedJob:
    """One step call inside a pipeline function, with its raw arguments."""

    name: str
    step: Step
    arguments: dict[str, Any]
    location: Location


@dataclass
class Recording:
    """The result of calling a pipeline function once: its jobs and returned outputs."""

    jobs: list[RecordedJob]
    returned: dict[str, OutputRef]


_RECORDER: contextvars.ContextVar[Recorder | None] = contextvars.ContextVar("pipeyard_recorder", default=None)


def current_recorder() -> Recorder | None:
    """The recorder of the pipeline function being called, or None outside of one."""
    return _RECORDER.get()


@dataclass
class Recorder:
    """Collects the jobs created while one pipeline function runs."""

    jobs: list[RecordedJob] = field(default_factory=list)
    prefix: str = ""  # '<pipeline job>__' while a nested @pipeline function records its steps

    def call(self, function: Callable[..., Any], **arguments: Any) -> Any:
        """Call function with arguments, recording the steps it calls here."""
        token = _RECORDER.set(self)
        try:
            return function(**arguments)
        finally:
            _RECORDER.reset(token)

    def record(self, step: Step, arguments: dict[str, Any], where: Location) -> JobHandle:
        """Record a call of step and return a handle to its outputs."""
        taken = {job.name for job in self.jobs}
        name = self.prefix + (step.job_name or step.name)
        if step.job_name is None and name in taken:
            suffix = 2
            while f"{name}_{suffix}" in taken:
                suffix += 1
            name = f"{name}_{suffix}"
        self.jobs.append(RecordedJob(name, step, dict(arguments), where))
        outputs = {p.name: p for p in step.ports if p.kind == "output"}
        return JobHandle(name, Outputs(name, step.name, outputs, where))
