"""What a ``@pipeline`` function handles while it is recorded: stand-ins for its arguments and
for the outputs of the jobs it creates (``prep.outputs.train_set``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from ..errors import DefinitionError, Location, ReferenceError_, did_you_mean, known
from .ports import PortSpec


@dataclass(frozen=True)
class PipelineParam:
    """Stands for an argument of the pipeline function while it is recorded."""

    name: str
    spec: PortSpec

    def __bool__(self) -> bool:
        raise DefinitionError(
            f"pipeline argument '{self.name}' has no value while the pipeline is defined",
            hint="pass it on to steps; branch inside a step, not in the @pipeline function",
        )


@dataclass(frozen=True)
class OutputRef:
    """An output of a recorded job: ``prep.outputs.train_set``."""

    job: str
    output: str
    spec: PortSpec


class Outputs:
    """The outputs of a recorded job, as attributes."""

    def __init__(self, job: str, step_name: str, specs: dict[str, PortSpec], where: Location):
        self._job, self._step, self._specs, self._where = job, step_name, specs, where

    def __getattr__(self, name: str) -> OutputRef:
        if name.startswith("_"):
            raise AttributeError(name)
        spec = self._specs.get(name)
        if spec is None:
            raise ReferenceError_(
                f"step '{self._step}' has no output '{name}'{did_you_mean(name, self._specs)}",
                location=self._where,
                hint=f"its outputs: {known(self._specs)}",
            )
        return OutputRef(self._job, name, spec)

    def __iter__(self) -> Iterator[OutputRef]:
        return iter(OutputRef(self._job, name, spec) for name, spec in self._specs.items())


class JobHandle:
    """What calling a step inside a pipeline returns: ``job.outputs.x`` (or ``job.x``)."""

    def __init__(self, name: str, outputs: Outputs):
        self.name = name
        self.outputs = outputs

    def __getattr__(self, name: str) -> OutputRef:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.outputs, name)
