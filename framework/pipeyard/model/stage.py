"""A stage: one job compiled to what DVC and the runner need (command, deps, params, outs)."""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from .resources import Distribution, Resources
from .types import OutputRole, PlotOptions


@dataclass(frozen=True)
class StageOutput:
    """One output path of a stage and how DVC tracks it."""

    path: str
    role: OutputRole = OutputRole.OUT
    is_dir: bool = True
    plot: PlotOptions | None = None  # x, y, template... for `dvc plots`


@dataclass(frozen=True)
class StepGroup:
    """Steps that share limits, as a sweep's trials do (``max_concurrent_trials``, ``timeout``,
    ``early_termination``): at most limit of them run at once, none runs on past timeout_s after
    the first started, and with termination (JSON: policy, metric, goal) each runs under a guard
    that stops it when it falls behind the others."""

    name: str
    limit: int | None = None
    timeout_s: float | None = None
    termination: str | None = None


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
    distribution: Distribution | None = None  # run as several processes through pipeyard.launch
    group: StepGroup | None = None  # limits shared with other stages (a sweep's trials)

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
        """The commands joined to run in one shell, stopping at the first failure.

        A distributed stage runs them through `python -m pipeyard.launch`, which starts one
        process per rank; dvc.yaml and dvc.lock keep the commands as written (`cmd`).
        """
        joined = " && ".join(f"( {c} )" if len(self.commands) > 1 else c for c in self.commands)
        if self.distribution is None:
            return joined
        d = self.distribution
        return shlex.join(
            [
                "python",
                "-m",
                "pipeyard.launch",
                d.type,
                str(d.processes_per_instance),
                str(d.instance_count),
                "--",
                joined,
            ]
        )

    @property
    def instances(self) -> int:
        """How many instances (machines' worth of processes) the step runs as: 1 unless distributed."""
        return self.distribution.instance_count if self.distribution is not None else 1

    @property
    def reserved(self) -> Resources:
        """What the scheduler holds while the step runs: its resources for each instance."""
        return self.resources.times(self.instances)

    @property
    def out_paths(self) -> tuple[str, ...]:
        """Every output path."""
        return tuple(o.path for o in self.outs)
