"""What a run will do, predicted by checking each step the way the run will see it.

A run restores a step's outputs before it checks the steps below it, so a prediction that
checked every step against today's workspace would be wrong below every restore: this one
checks each step against the outputs its upstream steps will have by then. `status` and
`run --dry-run` show it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from ..cache import PathHash, StageCheck, Workspace
from ..model import Stage
from .plan import Action, Plan, forced_steps, planned_step


def predict(
    workspace: Workspace,
    stages: Sequence[Stage],
    params: Mapping[str, Any],
    force: Collection[str] = (),
    force_downstream: bool = False,
) -> tuple[Plan, dict[str, StageCheck]]:
    """The plan of a run of stages (topological order) and each step's check as the run sees it."""
    upstream = {stage.name: stage.upstream for stage in stages}
    forced = forced_steps([s.name for s in stages], upstream, force, force_downstream)
    actions: dict[str, Action] = {}
    checks: dict[str, StageCheck] = {}
    restored: dict[str, PathHash] = {}
    steps = []
    for stage in stages:
        check = workspace.check(stage, params, restored)
        step = planned_step(stage.name, check, upstream, actions, forced)
        if step.action == "restore":
            restored.update(workspace.restored_outputs(check))
        checks[stage.name] = check
        actions[stage.name] = step.action
        steps.append(step)
    return Plan(steps=tuple(steps)), checks
