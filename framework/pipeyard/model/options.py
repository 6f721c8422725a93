"""Step options written the way people write them: ``timeout="10m"``, ``resources={"cpus": 2}``.

Shared by the definition readers (the Python SDK when it builds, the Azure ML YAML reader).
"""

from __future__ import annotations

import re
from typing import Any

from ..errors import DefinitionError, Location, did_you_mean
from .resources import Distribution, Resources
from .sizes import parse_memory_mb

_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_timeout(value: Any, *, where: Location | None = None) -> float | None:
    """Seconds from a number (seconds) or a text like '90s', '10m', '1h30m'; None stays None."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip().lower().replace(" ", "")
        if re.fullmatch(r"\d+(\.\d+)?", text):
            seconds = float(text)
        elif re.fullmatch(f"(?:{_DURATION.pattern})+", text):
            seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION.findall(text))
        else:
            seconds = -1.0
    else:
        seconds = -1.0
    if seconds <= 0:
        raise DefinitionError(
            f"invalid timeout {value!r}",
            location=where,
            hint="write seconds (600) or a duration such as '90s', '10m', '2h' or '1h30m'",
        )
    return seconds


RESOURCE_KEYS = ("cpus", "memory_mb", "memory", "gpus", "custom", "labels")


def parse_resources(value: Any, *, where: Location | None = None) -> Resources | None:
    """Resources from a mapping with cpus / gpus / memory_mb / memory ('4g', '512MB')."""
    if value is None:
        return None
    if isinstance(value, Resources):
        return value
    if not isinstance(value, dict):
        raise DefinitionError(
            f"resources must be a mapping, got {value!r}",
            location=where,
            hint="e.g. resources={'cpus': 2, 'memory': '4g', 'gpus': 1}",
        )
    for key in value:
        if key not in RESOURCE_KEYS:
            raise DefinitionError(
                f"unknown resource '{key}'{did_you_mean(str(key), RESOURCE_KEYS)}",
                location=where,
                hint=f"resources are {', '.join(RESOURCE_KEYS)}",
            )
    try:
        cpus = float(value.get("cpus", 1))
        gpus = int(value.get("gpus", 0))
        memory_mb = parse_memory_mb(value["memory"]) if "memory" in value else int(value.get("memory_mb", 0))
        custom = tuple(sorted((str(k), float(v)) for k, v in dict(value.get("custom") or {}).items()))
        labels = tuple(sorted((str(k), str(v)) for k, v in dict(value.get("labels") or {}).items()))
    except (TypeError, ValueError):
        raise DefinitionError(
            f"invalid resources {value!r}",
            location=where,
            hint="cpus is a number, gpus an integer, memory_mb an integer or memory like '4g', "
            "custom a mapping like {highmem: 1}, labels one like {zone: eu}",
        ) from None
    if cpus <= 0 or gpus < 0 or memory_mb < 0 or any(amount <= 0 for _, amount in custom):
        raise DefinitionError(
            f"invalid resources {value!r}: cpus and custom amounts must be positive", location=where
        )
    return Resources(cpus, memory_mb, gpus, custom=custom, labels=labels)


def parse_distribution(value: Any, *, where: Location | None = None) -> Distribution | None:
    """A Distribution from the SDK's mapping, e.g. {"type": "pytorch", "processes_per_instance": 2,
    "instance_count": 1} (Azure's names process_count_per_instance / worker_count work too)."""
    if value is None or isinstance(value, Distribution):
        return value
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise DefinitionError(
            f"distribution must be a mapping with a type, got {value!r}",
            location=where,
            hint="e.g. distribution={'type': 'pytorch', 'processes_per_instance': 2}",
        )
    per_instance: Any = value.get(  # what the user wrote; int() below judges it
        "processes_per_instance", value.get("process_count_per_instance", value.get("worker_count", 1))
    )
    try:
        return Distribution(value["type"].lower(), int(per_instance), int(value.get("instance_count", 1)))
    except (TypeError, ValueError) as error:
        raise DefinitionError(
            f"invalid distribution {value!r}: {error}",
            location=where,
            hint="type is pytorch, mpi or tensorflow; counts are whole numbers >= 1",
        ) from None
