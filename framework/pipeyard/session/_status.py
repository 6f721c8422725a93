"""What a run would do for each step, and the checks of the steps a command names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from ..cache import Workspace
from ..errors import RepositoryError, did_you_mean, known
from ..model import Stage
from ..runner.predict import predict
from ._project import Loaded, StepStatus


def status(loaded: Loaded, force: Sequence[str] = ()) -> list[StepStatus]:
    """What a run would do for each step, and why, without running anything."""
    stages = loaded.compiled.stages
    check_force(stages, force)
    with Workspace(loaded.root) as workspace:
        predicted, checks = predict(workspace, stages, loaded.compiled.params, force=tuple(force))
    by_name = {p.name: p for p in predicted.steps}
    return [
        StepStatus(s.name, checks[s.name].state, by_name[s.name].action, tuple(by_name[s.name].reasons))
        for s in stages
    ]


def check_force(stages: Iterable[Stage], force: Sequence[str]) -> None:
    """RepositoryError for a --force name that is no step, with a suggestion."""
    _check_names(stages, force, "--force names unknown step")


def only_steps(stages: Sequence[Stage], names: Sequence[str]) -> tuple[Stage, ...]:
    """The named steps alone (all when names is empty), cut loose from other upstream steps.

    Used where the outputs of the steps upstream are already in the workspace (a CI job
    pulled them), so only the named steps are checked, run and recorded.
    """
    if not names:
        return tuple(stages)
    _check_names(stages, names, "unknown step")
    chosen = set(names)
    return tuple(
        replace(s, upstream=tuple(u for u in s.upstream if u in chosen)) for s in stages if s.name in chosen
    )


def _check_names(stages: Iterable[Stage], names: Iterable[str], problem: str) -> None:
    """RepositoryError "<problem> 'name'" for the first name that is no step, with a suggestion."""
    steps = [s.name for s in stages]
    for name in names:
        if name not in steps:
            raise RepositoryError(
                f"{problem} '{name}'{did_you_mean(name, steps)}", hint=f"steps: {known(steps)}"
            )
