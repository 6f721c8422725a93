"""Predict what a run will do, without running anything: pure, plain names in, values out.

`status`, `run --dry-run` and `dag` show this prediction. The scheduler decides again when
each step becomes ready, so a step predicted to run because its upstream runs may still be
found up to date if that upstream produces the same outputs.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, NoReturn, Protocol, TypeVar

from ..errors import InternalError

Action = Literal["skip", "restore", "run"]
_ACTIONS: dict[str, Action] = {"up_to_date": "skip", "restorable": "restore", "stale": "run"}
Name = TypeVar("Name", bound=Hashable)  # a step's name: a string in a run, anything hashable in a test


class CheckLike(Protocol):
    """What the planner reads of a stage check (pipeyard.cache.StageCheck has this shape)."""

    @property
    def state(self) -> str:
        """'up_to_date', 'restorable' or 'stale'."""
        ...

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why, in the user's words."""
        ...


@dataclass(frozen=True)
class PlannedStep:
    """What one step will do and why: action is 'skip', 'restore' or 'run'."""

    name: Hashable
    action: Action
    reasons: tuple[str, ...] = ()
    state: str = "stale"  # the step's own check, before upstream steps are considered


@dataclass(frozen=True)
class Plan:
    """The predicted action of every step, in pipeline order."""

    steps: tuple[PlannedStep, ...]

    def __getitem__(self, name: Hashable) -> PlannedStep:
        for step in self.steps:
            if step.name == name:
                return step
        raise KeyError(name)

    def names(self, action: Action) -> tuple[Hashable, ...]:
        """The steps with the given action, in order."""
        return tuple(s.name for s in self.steps if s.action == action)

    @property
    def actions(self) -> dict[Hashable, Action]:
        """Step name -> action."""
        return {s.name: s.action for s in self.steps}

    @property
    def up_to_date(self) -> bool:
        """True when the run would do nothing."""
        return all(s.action == "skip" for s in self.steps)


def downstream_of(names: Iterable[Name], upstream: Mapping[Name, Iterable[Name]]) -> set[Name]:
    """Every step that depends on any of names, directly or not (names excluded)."""
    names = list(names)
    children: dict[Name, list[Name]] = {}
    for child, parents in upstream.items():
        for parent in parents:
            children.setdefault(parent, []).append(child)
    seen: set[Name] = set()
    todo = list(names)
    while todo:
        for child in children.get(todo.pop(), ()):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen - set(names)


def forced_steps(
    order: Sequence[Name],
    upstream: Mapping[Name, Iterable[Name]],
    force: Collection[Name] = (),
    force_downstream: bool = False,
) -> dict[Name, str]:
    """Step -> the reason it runs regardless of its check ('forced', or downstream of one)."""
    unknown = [name for name in force if name not in set(order)]
    if unknown:
        raise InternalError(f"forced steps not in the pipeline: {unknown}")
    reasons: dict[Name, str] = {name: "forced" for name in force}
    if force_downstream:
        for name in order:
            if name in reasons:
                continue
            parent = next((p for p in upstream.get(name, ()) if p in reasons), None)
            if parent is not None:
                reasons[name] = f"forced: downstream of '{parent}'"
    return reasons


def plan(
    order: Sequence[Name],
    upstream: Mapping[Name, Iterable[Name]],
    checks: Mapping[Name, CheckLike | str],
    force: Collection[Name] = (),
    force_downstream: bool = False,
) -> Plan:
    """Predict each step's action from its own check and what runs upstream of it.

    order is a topological order of the step names; upstream maps a name to the names it
    reads from; checks maps a name to a check (or just its state string). A step runs when
    forced, when its check is stale, or when any upstream step runs.
    """
    forced = forced_steps(order, upstream, force, force_downstream)
    actions: dict[Name, Action] = {}
    steps = []
    for name in order:
        step = planned_step(
            name, checks[name] if name in checks else _missing(name), upstream, actions, forced
        )
        actions[name] = step.action
        steps.append(step)
    return Plan(steps=tuple(steps))


def planned_step(
    name: Name,
    check: CheckLike | str,
    upstream: Mapping[Name, Iterable[Name]],
    actions: Mapping[Name, Action],
    forced: Mapping[Name, str],
) -> PlannedStep:
    """One step's action from its own check and the actions already planned upstream of it.

    The rule of `plan`, one step at a time, for callers that must know each action before
    they can check the next step (a prediction that follows restores downstream).
    """
    state, own_reasons = _read_check(name, check)
    running_parents = [p for p in upstream.get(name, ()) if actions.get(p) == "run"]
    if name in forced:
        action: Action = "run"
        reasons = (forced[name], *own_reasons)
    elif running_parents:
        action = "run"
        extra = own_reasons if state == "stale" else ()
        reasons = (*extra, *(f"upstream '{p}' will run" for p in running_parents))
    else:
        action = _ACTIONS[state]
        reasons = own_reasons
    return PlannedStep(name=name, action=action, reasons=tuple(reasons), state=state)


def _missing(name: Hashable) -> NoReturn:
    raise InternalError(f"no stage check for step '{name}'")


def _read_check(name: Hashable, check: CheckLike | str) -> tuple[str, tuple[str, ...]]:
    state, reasons = (check, ()) if isinstance(check, str) else (check.state, tuple(check.reasons))
    if state not in _ACTIONS:
        raise InternalError(f"unknown stage state '{state}' for step '{name}'")
    return state, reasons
