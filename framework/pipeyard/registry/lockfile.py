"""``pipeyard.lock.yaml``: the commit each git registry is pinned to. Commit it, so every clone
of the project resolves registered components to the same content.

::

    registries:
      shared: {git: https://host/registry.git, ref: main, commit: 3f2a...}
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ..cache.files import write_atomic
from ..errors import ConfigError, Location
from ..yamlio import to_yaml

LOCK_FILE = "pipeyard.lock.yaml"
_HEADER = (
    "# Written by pipeyard: the commit each git registry is pinned to. Commit this file;\n"
    "# `pipeyard component update [REGISTRY]` moves the pins.\n"
)


@dataclass(frozen=True)
class Pin:
    """A git registry pinned to a commit, with the URL and ref it was resolved from."""

    git: str
    ref: str | None
    commit: str


def read_pins(root: Path) -> dict[str, Pin]:
    """The pins recorded in the project's lock file (none when it has no lock file)."""
    path = Path(root) / LOCK_FILE
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        pins = {}
        for name, value in (data.get("registries") or {}).items():
            pins[str(name)] = Pin(str(value["git"]), value.get("ref"), str(value["commit"]))
        return pins
    except (yaml.YAMLError, AttributeError, KeyError, TypeError) as exc:
        raise ConfigError(
            f"{LOCK_FILE} cannot be read: {exc}",
            location=Location(file=str(path)),
            hint="restore it from git, or delete it and run `pipeyard component update` to pin again",
        ) from None


def write_pins(root: Path, pins: dict[str, Pin]) -> None:
    """Write the lock file with pins (sorted by registry name); atomic."""
    path = Path(root) / LOCK_FILE
    data = {
        "registries": {
            name: {"git": pin.git, **({"ref": pin.ref} if pin.ref else {}), "commit": pin.commit}
            for name, pin in sorted(pins.items())
        }
    }
    write_atomic(path, _HEADER + to_yaml(data), fsync=False)
