"""Limits that steps of one group share (a sweep's ``max_concurrent_trials`` and ``timeout``).

A stage whose ``group`` has a limit starts only while fewer than limit stages of the group
run; the others wait in the queue (within the machine's capacity, as usual). A group with a
timeout starts its clock when its first stage starts: a stage of it gets only the time left as
its timeout, and one that could start only after the time is up fails without starting, as
Azure ML cancels a sweep at its ``limits.timeout``. Pure book-keeping: the clock is passed in.
A group with an early termination policy runs each stage under pipeyard.azure_yaml.trial_guard
(guarded_command), which compares it with the others as it logs its primary metric.
"""

from __future__ import annotations

import json
import shlex
import sys
from collections.abc import Iterable
from urllib.parse import unquote, urlparse

from ..model.stage import Stage


class GroupLimits:
    """What runs in each group now and when each group's time is up."""

    def __init__(self) -> None:
        self.running: dict[str, int] = {}
        self.deadlines: dict[str, float] = {}

    def admits(self, stage: Stage) -> bool:
        """True when stage may start now as far as its group's limit is concerned."""
        group = stage.group
        return group is None or group.limit is None or self.running.get(group.name, 0) < group.limit

    def expired(self, stage: Stage, now: float) -> str | None:
        """Why stage may no longer start (its group's timeout passed), or None."""
        group = stage.group
        if group is None or group.name not in self.deadlines or now < self.deadlines[group.name]:
            return None
        return f"not started: the limits.timeout of '{group.name}' ({group.timeout_s:g}s) passed"

    def take(self, stage: Stage, now: float) -> float | None:
        """Count stage as running; the timeout it runs with (its own, or the group's time left)."""
        group = stage.group
        if group is None:
            return stage.timeout_s
        self.running[group.name] = self.running.get(group.name, 0) + 1
        if group.timeout_s is None:
            return stage.timeout_s
        deadline = self.deadlines.setdefault(group.name, now + group.timeout_s)
        left = max(deadline - now, 0.001)
        return left if stage.timeout_s is None else min(stage.timeout_s, left)

    def give(self, stage: Stage) -> None:
        """Count stage as ended."""
        if stage.group is not None:
            self.running[stage.group.name] = max(0, self.running.get(stage.group.name, 0) - 1)


GUARD_MODULE = "pipeyard.azure_yaml.trial_guard"


def guarded_command(stage: Stage, command: str, peers: Iterable[Stage]) -> str:
    """command, run under the trial guard when stage's group has an early termination policy.

    peers are the other stages of the group whose MLflow stores belong to this run (finished
    in it, or running now): stores of trials not started yet still hold an earlier run's values.
    """
    group = stage.group
    store = _store(stage)
    if group is None or group.termination is None or store is None:
        return command
    settings = json.loads(group.termination)
    words = [
        sys.executable,
        "-m",
        GUARD_MODULE,
        "--policy",
        json.dumps(settings["policy"], sort_keys=True),
        "--goal",
        settings["goal"],
        "--metric",
        settings["metric"],
        "--store",
        store,
    ]
    for peer in peers:
        if peer.name != stage.name and (other := _store(peer)) is not None:
            words += ["--peer", other]
    for out in stage.outs:
        words += ["--folder" if out.is_dir else "--file", out.path]
    return shlex.join(words) + " -- " + shlex.quote(command)


def _store(stage: Stage) -> str | None:
    uri = stage.env.get("MLFLOW_TRACKING_URI", "")
    return unquote(urlparse(uri).path) if uri.startswith("file:") else None
