"""A component: one reusable step with typed inputs, outputs and parameters."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import DefinitionError, Location
from .resources import Distribution, Resources
from .types import OutputRole, PlotOptions, PortType

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")


def check_name(kind: str, name: str, location: Location | None = None) -> str:
    """Return name when it is a valid identifier for a job, port or component."""
    if not isinstance(name, str) or not _NAME.match(name):
        raise DefinitionError(
            f"invalid {kind} name {name!r}",
            location=location,
            hint="names start with a letter or '_' and contain letters, digits, '_' or '-'",
        )
    return name


@dataclass(frozen=True)
class InputPort:
    """An input artifact (a path) of a component."""

    name: str
    type: PortType = PortType.URI_FOLDER
    optional: bool = False
    description: str = ""

    def __post_init__(self) -> None:
        check_name("input", self.name)
        if not self.type.is_artifact:
            raise DefinitionError(f"input '{self.name}' has parameter type {self.type.value}")


@dataclass(frozen=True)
class Parameter:
    """A typed scalar parameter of a component, with an optional default."""

    name: str
    type: PortType
    default: object = None
    optional: bool = False
    description: str = ""
    choices: tuple = ()

    def __post_init__(self) -> None:
        check_name("parameter", self.name)
        if self.type.is_artifact:
            raise DefinitionError(f"parameter '{self.name}' has artifact type {self.type.value}")

    @property
    def required(self) -> bool:
        """True when the parameter needs a value from the pipeline or config."""
        return self.default is None and not self.optional


@dataclass(frozen=True)
class OutputPort:
    """An output artifact of a component; role says how DVC tracks it."""

    name: str
    type: PortType = PortType.URI_FOLDER
    role: OutputRole = OutputRole.OUT
    description: str = ""
    plot: PlotOptions | None = None  # how `dvc plots` draws it (role plots only)

    def __post_init__(self) -> None:
        check_name("output", self.name)
        if not self.type.is_artifact:
            raise DefinitionError(f"output '{self.name}' must be an artifact type, not {self.type.value}")
        if self.plot is not None and self.role is not OutputRole.PLOTS:
            raise DefinitionError(
                f"output '{self.name}' has plot options but is not a plots output",
                hint="mark it as plots (dvc: plots, or Out[Plots(...)]), or drop the plot options",
            )


@dataclass(frozen=True)
class FunctionRef:
    """Where a Python step's function lives: an importable file and the function's name."""

    file: str  # path relative to the project root
    qualname: str


@dataclass(frozen=True)
class Component:
    """A step definition: either a shell command template or a Python function.

    The command template uses Azure ML's syntax: ``${{inputs.x}}``, ``${{outputs.y}}``
    and optional blocks ``$[[ ... ]]`` that vanish when an optional input is unset.
    """

    name: str
    inputs: tuple[InputPort, ...] = ()
    outputs: tuple[OutputPort, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    command: str | None = None
    function: FunctionRef | None = None
    version: str = "1"
    code: tuple[str, ...] = ()
    environment: str | None = None
    environment_files: tuple[str, ...] = ()
    resources: Resources = field(default_factory=Resources)
    compute: str | None = None
    distribution: Distribution | None = None  # several cooperating processes (Azure distribution:)
    deterministic: bool = True
    retries: int = 0
    timeout_s: float | None = None
    description: str = ""
    source: Location | None = None

    def __post_init__(self) -> None:
        check_name("component", self.name, self.source)
        if (self.command is None) == (self.function is None):
            raise DefinitionError(
                f"component '{self.name}' needs exactly one of a command or a Python function",
                location=self.source,
            )
        seen: set[str] = set()
        for name in self.port_names:
            if name in seen:
                raise DefinitionError(
                    f"component '{self.name}' declares '{name}' twice",
                    location=self.source,
                    hint="inputs, parameters and outputs share one namespace",
                )
            seen.add(name)
        if self.retries < 0:
            raise DefinitionError(f"component '{self.name}': retries must be >= 0", location=self.source)
        if self.timeout_s is not None and self.timeout_s <= 0:
            raise DefinitionError(f"component '{self.name}': timeout must be positive", location=self.source)

    def input(self, name: str) -> InputPort | None:
        """The input port called name, or None."""
        return next((p for p in self.inputs if p.name == name), None)

    def output(self, name: str) -> OutputPort | None:
        """The output port called name, or None."""
        return next((p for p in self.outputs if p.name == name), None)

    def parameter(self, name: str) -> Parameter | None:
        """The parameter called name, or None."""
        return next((p for p in self.parameters if p.name == name), None)

    @property
    def port_names(self) -> tuple[str, ...]:
        """Every input, parameter and output name."""
        return (
            *(p.name for p in self.inputs),
            *(p.name for p in self.parameters),
            *(p.name for p in self.outputs),
        )
