"""``@pipeline``: record the jobs a pipeline function creates when it is called once.

The function runs with placeholders for its arguments (``handles.PipelineParam``); every step
called inside it is recorded as a job with its raw arguments (``step.Recorder``).
``PipelineDefinition.build`` turns the record into a validated ``model.Pipeline`` (``build.py``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DefinitionError, ReferenceError_, did_you_mean, known
from .handles import OutputRef, PipelineParam
from .ports import code_location, read_signature
from .step import Recorder, Recording, current_recorder

if TYPE_CHECKING:
    from ..model import Pipeline


class PipelineDefinition:
    """A function decorated with ``@pipeline``; ``build(root)`` returns the model Pipeline."""

    def __init__(
        self,
        function: Callable[..., Any],
        *,
        name: str | None,
        default_compute: str | None,
        force_rerun: bool,
    ):
        self.function = function
        self.name = name or function.__name__
        self.default_compute = default_compute
        self.force_rerun = force_rerun
        self.__doc__ = function.__doc__
        self.__wrapped__ = function
        self.__module__ = function.__module__
        self.ports = read_signature(function, what=f"pipeline '{self.name}'")
        for port in self.ports:
            if port.kind == "output":
                raise DefinitionError(
                    f"pipeline '{self.name}': argument '{port.name}' is an output",
                    location=code_location(function),
                    hint="return pipeline outputs instead: return {'model': fit.outputs.model}",
                )

    def record(self) -> Recording:
        """Call the function once with placeholders and collect the jobs it creates."""
        recorder = Recorder()
        returned = recorder.call(self.function, **{p.name: PipelineParam(p.name, p) for p in self.ports})
        return Recording(recorder.jobs, _returned_outputs(self, returned))

    def build(self, root: Path | str | None = None) -> Pipeline:
        """The validated model Pipeline; paths become relative to root (default: cwd)."""
        # imported here, not at the top: the model costs every step process ~20 ms (measured
        # `import pipeyard.sdk` 67 -> 88 ms) and only building a pipeline needs it
        from .build import build_pipeline

        return build_pipeline(self, Path(root) if root is not None else Path.cwd())

    def __call__(self, *args: Any, **kwargs: Any) -> Pipeline:
        recorder = current_recorder()
        if recorder is not None:
            return self._nested(recorder, args, kwargs)
        if args or kwargs:
            raise DefinitionError(
                f"pipeline '{self.name}' is called with arguments",
                hint="set pipeline inputs with overrides (inputs.lr=0.01), not by calling it",
            )
        return self.build()

    def _nested(self, recorder: Recorder, args: tuple, kwargs: dict) -> Any:
        """Called inside another pipeline: record its steps there as ``<name>__<step>`` (the
        model's nesting rule, as for Azure ML pipeline components) and return its outputs."""
        from ..model.pipeline import NESTING_SEPARATOR  # lazily, as in build(): the model's cost

        try:
            bound = inspect.signature(self.function).bind(*args, **kwargs)
        except TypeError as error:
            raise DefinitionError(
                f"pipeline '{self.name}': {error}",
                location=code_location(self.function),
                hint=f"its arguments: {known(p.name for p in self.ports)}",
            ) from None
        bound.apply_defaults()
        taken = {job.name.split(NESTING_SEPARATOR)[0] for job in recorder.jobs}
        name, suffix = self.name, 2
        while recorder.prefix + name in taken:
            name, suffix = f"{self.name}_{suffix}", suffix + 1
        outer = recorder.prefix
        recorder.prefix = f"{outer}{name}{NESTING_SEPARATOR}"
        try:
            returned = self.function(*bound.args, **bound.kwargs)
        finally:
            recorder.prefix = outer
        return NestedPipeline(f"{outer}{name}", _returned_outputs(self, returned))

    def __repr__(self) -> str:
        return f"<pipeline {self.name}>"


class NestedPipeline:
    """What calling a @pipeline function inside another returns: ``sub.outputs.model``."""

    def __init__(self, name: str, outputs: dict[str, OutputRef]):
        self.name = name
        self._outputs = outputs
        self.outputs = self

    def __getattr__(self, name: str) -> OutputRef:
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in self._outputs:
            raise ReferenceError_(
                f"pipeline '{self.name}' returns no output '{name}'{did_you_mean(name, self._outputs)}",
                hint=f"it returns: {known(self._outputs)}",
            )
        return self._outputs[name]


def _returned_outputs(definition: PipelineDefinition, returned: Any) -> dict[str, OutputRef]:
    if returned is None:
        return {}
    if isinstance(returned, dict) and all(isinstance(v, OutputRef) for v in returned.values()):
        return dict(returned)
    raise DefinitionError(
        f"pipeline '{definition.name}' returns {type(returned).__name__}",
        location=code_location(definition.function),
        hint="return nothing, or a dict of pipeline outputs: {'model': fit.outputs.model}",
    )


def pipeline(
    function: Callable[..., Any] | None = None,
    *,
    name: str | None = None,
    default_compute: str | None = None,
    force_rerun: bool = False,
) -> Any:
    """Declare a pipeline; use as ``@pipeline`` or ``@pipeline(name=..., default_compute=...)``.

    Arguments of the function are pipeline inputs: ``In[...]`` data with a default path
    (relative to the project root) or typed parameters with defaults. Calling steps inside
    it wires jobs; return a dict of job outputs to expose them as pipeline outputs.
    """

    def decorate(fn: Callable[..., Any]) -> PipelineDefinition:
        if not inspect.isfunction(fn):
            raise DefinitionError(f"@pipeline decorates functions, not {fn!r}")
        return PipelineDefinition(fn, name=name, default_compute=default_compute, force_rerun=force_rerun)

    return decorate(function) if function is not None else decorate
