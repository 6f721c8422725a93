"""What a pipeline (or the CLI) writes to name a registered component, parsed into a value.

Forms a pipeline accepts::

    azureml:train:10                                        name and version, any registry
    azureml:train@latest    azureml:train                   the highest version
    azureml://registries/team/components/train/versions/10  name and version in registry 'team'
    azureml://registries/team/components/train/labels/latest
    azureml://registries/team/components/train              the latest version in 'team'
    registry:team/train:10  registry:team/train@latest      pipeyard's form, registry optional
    registry:train:10

On the command line the prefix is left out: ``train``, ``train:10``, ``team/train@latest``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import DefinitionError, Location

LATEST = "latest"
_NAME = r"[A-Za-z_][A-Za-z0-9_\-]*"
_VERSION = r"[A-Za-z0-9][A-Za-z0-9._\-]*"
_SHORT = re.compile(
    rf"^(?:(?P<registry>{_NAME})/)?(?P<name>{_NAME})(?::(?P<version>{_VERSION})|@(?P<label>\w+))?$"
)
_AZURE_URI = re.compile(
    rf"^azureml://registries/(?P<registry>{_NAME})/components/(?P<name>{_NAME})"
    rf"(?:/versions/(?P<version>{_VERSION})|/labels/(?P<label>\w+))?/?$"  # no version: the latest
)
_VERSION_ONLY = re.compile(rf"^{_VERSION}$")

FORMS = "azureml:<name>:<version>, azureml:<name>@latest or registry:<registry>/<name>:<version>"


@dataclass(frozen=True)
class ComponentRef:
    """A registered component asked for by name; version None means the latest one,
    registry None means the first configured registry that has it."""

    name: str
    version: str | None = None
    registry: str | None = None

    def __str__(self) -> str:
        where = f"{self.registry}/" if self.registry else ""
        return f"{where}{self.name}{':' + self.version if self.version else '@' + LATEST}"


def is_version(text: str) -> bool:
    """True when text can be a registered version (a folder name: letters, digits, . _ -)."""
    return bool(_VERSION_ONLY.match(text))


def parse_reference(text: str, where: Location | None = None) -> ComponentRef:
    """The ComponentRef that text names (any form above, prefix optional)."""
    text = text.strip()
    match = _AZURE_URI.match(text) if text.startswith("azureml://") else None
    if match is None:
        body = text
        for prefix in ("azureml:", "registry:"):
            if body.startswith(prefix) and not body.startswith("azureml://"):
                body = body[len(prefix) :]
                break
        match = _SHORT.match(body)
        if match is not None and text.startswith("azureml:") and match.group("registry"):
            match = None  # Azure's short form has no registry part
    if match is None:
        raise DefinitionError(
            f"'{text}' is not a component reference",
            location=where,
            hint=f"write {FORMS}",
        )
    label = match.group("label")
    if label is not None and label != LATEST:
        raise DefinitionError(
            f"'{text}' asks for label '{label}'; registries know only '@{LATEST}'",
            location=where,
            hint="name a version (train:10) or @latest",
        )
    return ComponentRef(match.group("name"), match.group("version"), match.group("registry"))


def version_key(version: str) -> tuple:
    """Sort key for versions: PEP 440 order when they parse (2 < 10, 1.0rc1 < 1.0), else text."""
    from packaging.version import InvalidVersion, Version

    try:
        return (1, Version(version), "")
    except InvalidVersion:
        return (0, _natural(version), version)


def _natural(text: str) -> tuple:
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|\D+", text)
    )


def latest(versions) -> str | None:
    """The highest of versions, or None when there are none."""
    ordered = sorted(versions, key=version_key)
    return ordered[-1] if ordered else None
