"""A stage: one job compiled to what DVC and the runner need (command, deps, params, outs)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .resources import Resources
from .types import OutputRole


@dataclass(frozen=True)
class StageOutput:
    """One output path of a stage and how DVC tracks it."""

    path: str
    role: OutputRole = OutputRole.OUT
    is_dir: bool = True


@dataclass(frozen=True)
class Stage:
    """A job ready to run: every path and value resolved, relative to the project root.

    commands run one after another in a shell from the project root (DVC's list form of cmd),
    with every parameter value written in; dvc_commands are the same commands as dvc.yaml holds
    them, parameters left as `${job.param}` for DVC to fill in from params.yaml;
    deps are the data, code and environment files it reads; params are the keys it reads
    from params.yaml; upstream names the stages whose outputs it reads.
    """

    name: str
    commands: tuple[str, ...]
    deps: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    outs: tuple[StageOutput, ...] = ()
    upstream: tuple[str, ...] = ()
    always_changed: bool = False
    resources: Resources = field(default_factory=Resources)
    compute: str = "local"
    retries: int = 0
    timeout_s: float | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    code_deps: tuple[str, ...] = ()  # the subset of deps that is code, for reasons
    environment: str | None = None
    dvc_commands: tuple[str, ...] = ()  # as written in dvc.yaml (`${job.param}`); () = commands

    def __hash__(self) -> int:
        return hash((self.name, self.commands, self.deps, self.params, self.outs))

    @property
    def cmd(self) -> str | list[str]:
        """The cmd value as written to dvc.yaml and dvc.lock."""
        return self.commands[0] if len(self.commands) == 1 else list(self.commands)

    @property
    def dvc_cmd(self) -> str | list[str]:
        """The cmd value as written to dvc.yaml: parameters as `${job.param}` references."""
        commands = self.dvc_commands or self.commands
        return commands[0] if len(commands) == 1 else list(commands)

    @property
    def shell_command(self) -> str:
        """The commands joined to run in one shell, stopping at the first failure."""
        return " && ".join(f"( {c} )" if len(self.commands) > 1 else c for c in self.commands)

    @property
    def out_paths(self) -> tuple[str, ...]:
        """Every output path."""
        return tuple(o.path for o in self.outs)
