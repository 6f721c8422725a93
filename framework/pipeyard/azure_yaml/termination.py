"""A sweep's ``early_termination`` policies as Azure ML defines them, as pure functions.

An *interval* is one logged value of the primary metric: a trial that has logged it k times is
at interval k. The policy is evaluated at interval k when k > ``delay_evaluation`` and
``(k - delay_evaluation)`` is a multiple of ``evaluation_interval`` (0 counts as 1). At that
point the trial is compared with the other trials that reached interval k:

* ``bandit``: stopped when its value at k is not within ``slack_factor`` (a ratio) or
  ``slack_amount`` (a distance) of the best value any trial had at k;
* ``median_stopping``: stopped when its best value so far is worse than the median of the
  trials' running averages (of their first k values);
* ``truncation_selection``: stopped when its value at k is among the lowest
  ``truncation_percentage`` percent of the trials' values at k.

Keys and defaults as in azure-ai-ml 1.35 (``BanditPolicySchema``, ``MedianStoppingPolicySchema``,
``TruncationSelectionPolicySchema``; ``evaluation_interval`` defaults to 1 for median stopping).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import DefinitionError, Location, did_you_mean

POLICY_TYPES = ("bandit", "median_stopping", "truncation_selection")
_KEYS = {
    "bandit": {"type", "evaluation_interval", "delay_evaluation", "slack_factor", "slack_amount"},
    "median_stopping": {"type", "evaluation_interval", "delay_evaluation"},
    "truncation_selection": {"type", "evaluation_interval", "delay_evaluation", "truncation_percentage"},
}


@dataclass(frozen=True)
class Policy:
    """One early termination policy, read and checked."""

    type: str
    evaluation_interval: int = 1
    delay_evaluation: int = 0
    slack_factor: float = 0.0
    slack_amount: float = 0.0
    truncation_percentage: int = 0

    def as_dict(self) -> dict[str, Any]:
        """The policy as JSON-ready values (passed to the trial guard)."""
        return dict(self.__dict__)


def read_policy(spec: Mapping[str, Any], where: Location) -> Policy:
    """The Policy of an ``early_termination`` mapping; DefinitionError for what Azure refuses."""
    kind = str(spec.get("type", ""))
    if kind not in POLICY_TYPES:
        raise DefinitionError(
            f"unknown early_termination type '{kind}'{did_you_mean(kind, POLICY_TYPES)}",
            location=where,
            hint=f"use one of: {', '.join(POLICY_TYPES)}",
        )
    for key in spec:
        if key not in _KEYS[kind]:
            raise DefinitionError(
                f"early_termination {kind} has no key '{key}'{did_you_mean(str(key), sorted(_KEYS[kind]))}",
                location=where,
                hint=f"its keys: {', '.join(sorted(_KEYS[kind]))}",
            )
    values: dict[str, Any] = {"type": kind}
    for key in ("evaluation_interval", "delay_evaluation", "truncation_percentage"):
        if spec.get(key) is not None:
            value = spec[key]
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise DefinitionError(
                    f"early_termination {key} must be a whole number >= 0, got {value!r}", location=where
                )
            values[key] = value
    for key in ("slack_factor", "slack_amount"):
        if spec.get(key) is not None:
            value = spec[key]
            if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
                raise DefinitionError(
                    f"early_termination {key} must be a number >= 0, got {value!r}", location=where
                )
            values[key] = float(value)
    if kind == "truncation_selection" and not 0 < values.get("truncation_percentage", 0) < 100:
        raise DefinitionError(
            "truncation_selection needs truncation_percentage between 1 and 99", location=where
        )
    if values.get("evaluation_interval") == 0:
        values["evaluation_interval"] = (
            1  # azure-ai-ml's default for bandit and truncation; the service reads it as 1
        )
    return Policy(**values)


def is_evaluation_point(policy: Policy, interval: int) -> bool:
    """True when the policy is evaluated at this interval (1-based)."""
    every = max(1, policy.evaluation_interval)
    return interval > policy.delay_evaluation and (interval - policy.delay_evaluation) % every == 0


def should_stop(
    policy: Policy, goal: str, own: Sequence[float], others: Sequence[Sequence[float]]
) -> str | None:
    """Why the trial whose primary metric values are own should stop now, or None.

    Evaluated at interval len(own) against the other trials that reached it.
    """
    k = len(own)
    if k == 0 or not is_evaluation_point(policy, k):
        return None
    peers = [values for values in others if len(values) >= k]
    if not peers:
        return None
    higher = goal == "maximize"
    value = own[k - 1]
    if policy.type == "bandit":
        best = max(p[k - 1] for p in [*peers, own]) if higher else min(p[k - 1] for p in [*peers, own])
        if policy.slack_factor:
            limit = best / (1 + policy.slack_factor) if higher else best * (1 + policy.slack_factor)
        else:
            limit = best - policy.slack_amount if higher else best + policy.slack_amount
        if (value < limit) if higher else (value > limit):
            return f"bandit at interval {k}: {value:.6g} is not within the slack of the best, {best:.6g}"
        return None
    if policy.type == "median_stopping":
        averages = [statistics.fmean(p[:k]) for p in [*peers, own]]
        median = statistics.median(averages)
        so_far = max(own) if higher else min(own)
        if (so_far < median) if higher else (so_far > median):
            return (
                f"median_stopping at interval {k}: best so far {so_far:.6g} is worse than the median "
                f"of running averages, {median:.6g}"
            )
        return None
    values = [p[k - 1] for p in peers]
    worse = sum(1 for v in values if (v < value if higher else v > value))
    if (worse + 1) <= (len(values) + 1) * policy.truncation_percentage / 100:
        return (
            f"truncation_selection at interval {k}: {value:.6g} is in the lowest "
            f"{policy.truncation_percentage}% of {len(values) + 1} trials"
        )
    return None
