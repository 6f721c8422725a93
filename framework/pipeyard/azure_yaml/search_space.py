"""An Azure ML sweep's ``search_space`` and ``sampling_algorithm`` -> the trials' values (pure).

Distributions as azure-ai-ml 1.35's schemas define them (``_schema/_sweep/search_space``):
``choice`` (values), ``randint`` (upper: 0 <= n < upper), ``uniform`` / ``loguniform``
(min_value, max_value; loguniform's bounds are natural logs, as in Azure), ``normal`` /
``lognormal`` (mu, sigma) and the ``q`` variants (q: round(x / q) * q). ``grid`` takes only
``choice`` and enumerates every combination in the order the keys are written; ``random``
draws with ``seed`` (a seed derived from the job's name when none is given, so a rerun draws
the same trials and finds them cached). ``bayesian`` needs feedback between trials, which a
pipeline planned up front cannot give: it is refused with what to use instead.
"""

from __future__ import annotations

import hashlib
import itertools
import math
import random
from collections.abc import Mapping
from typing import Any

from ..errors import DefinitionError, Location, UnsupportedError, did_you_mean, known

DISTRIBUTIONS = {
    "choice": ("values",),
    "randint": ("upper",),
    "uniform": ("min_value", "max_value"),
    "loguniform": ("min_value", "max_value"),
    "quniform": ("min_value", "max_value", "q"),
    "qloguniform": ("min_value", "max_value", "q"),
    "normal": ("mu", "sigma"),
    "lognormal": ("mu", "sigma"),
    "qnormal": ("mu", "sigma", "q"),
    "qlognormal": ("mu", "sigma", "q"),
}
ALGORITHMS = ("grid", "random", "bayesian")


def algorithm_of(value: Any, where: Location) -> tuple[str, int | None]:
    """(type, seed) of ``sampling_algorithm`` (a name or ``{type, seed, ...}``)."""
    if isinstance(value, dict):
        kind, seed = value.get("type"), value.get("seed")
    else:
        kind, seed = value, None
    kind = str(kind or "random").lower()
    if kind not in ALGORITHMS:
        raise DefinitionError(
            f"unknown sampling_algorithm '{kind}'{did_you_mean(kind, ALGORITHMS)}",
            location=where,
            hint=f"use one of: {', '.join(ALGORITHMS)}",
        )
    if kind == "bayesian":
        raise UnsupportedError(
            "sampling_algorithm 'bayesian' picks each trial from the results of the earlier ones, "
            "which a pipeline planned before it runs cannot do",
            location=where,
            hint="use sampling_algorithm: {type: random, seed: 1} (or grid) with limits.max_total_trials",
        )
    if seed is not None and (not isinstance(seed, int) or isinstance(seed, bool)):
        raise DefinitionError(f"seed must be a whole number, got {seed!r}", location=where)
    return kind, seed


def check_space(space: Mapping[str, Any], where: Location) -> None:
    """Every entry is a known distribution with exactly the arguments it needs."""
    if not space:
        raise DefinitionError(
            "the sweep has an empty search_space",
            location=where,
            hint="e.g. search_space: {lr: {type: uniform, min_value: 0.01, max_value: 0.1}}",
        )
    for name, spec in space.items():
        if not isinstance(spec, dict) or spec.get("type") not in DISTRIBUTIONS:
            kind = spec.get("type") if isinstance(spec, dict) else spec
            raise DefinitionError(
                f"search_space '{name}' has unknown type {kind!r}{did_you_mean(str(kind), DISTRIBUTIONS)}",
                location=where,
                hint=f"types: {known(DISTRIBUTIONS)}",
            )
        needed = DISTRIBUTIONS[spec["type"]]
        missing = [k for k in needed if spec.get(k) is None]
        if missing:
            raise DefinitionError(
                f"search_space '{name}' ({spec['type']}) lacks {', '.join(missing)}",
                location=where,
                hint=f"{spec['type']} takes {', '.join(needed)}",
            )
        if spec["type"] == "choice" and (not isinstance(spec["values"], list) or not spec["values"]):
            raise DefinitionError(
                f"search_space '{name}': choice needs a non-empty list of values", location=where
            )
        if any(isinstance(v, dict) for v in (spec.get("values") or [])):
            raise UnsupportedError(
                f"search_space '{name}' nests search spaces in a choice",
                location=where,
                hint="split it into one sweep per branch",
            )


def sample(
    space: Mapping[str, Any],
    algorithm: str,
    seed: int | None,
    max_trials: int | None,
    name: str,
    where: Location,
) -> list[dict[str, Any]]:
    """The values of every trial, in trial order."""
    check_space(space, where)
    if algorithm == "grid":
        not_choice = [k for k, v in space.items() if v["type"] != "choice"]
        if not_choice:
            raise DefinitionError(
                f"grid sampling takes only choice; {', '.join(not_choice)} "
                f"{'is' if len(not_choice) == 1 else 'are'} not",
                location=where,
                hint="use random sampling, or list the values with choice",
            )
        keys = list(space)
        grid = [
            dict(zip(keys, combo, strict=True))
            for combo in itertools.product(*(space[k]["values"] for k in keys))
        ]
        return grid[:max_trials] if max_trials else grid
    if not max_trials:
        raise DefinitionError(
            "random sampling needs limits.max_total_trials",
            location=where,
            hint="add limits: {max_total_trials: 10}",
        )
    rng = random.Random(seed if seed is not None else _seed_from(name))
    return [{k: _draw(v, rng) for k, v in space.items()} for _ in range(max_trials)]


def _seed_from(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")


def _draw(spec: Mapping[str, Any], rng: random.Random) -> Any:
    kind = spec["type"]
    if kind == "choice":
        return rng.choice(spec["values"])
    if kind == "randint":
        return rng.randrange(int(spec["upper"]))
    if kind.endswith("uniform"):
        value = rng.uniform(spec["min_value"], spec["max_value"])
    else:
        value = rng.gauss(spec["mu"], spec["sigma"])
    if "log" in kind:
        value = math.exp(value)
    if kind.startswith("q"):
        q = spec["q"]
        value = round(value / q) * q
        return int(value) if isinstance(q, int) else round(value, 12)
    return value
