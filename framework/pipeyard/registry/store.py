"""The on-disk format of a component registry: one folder per name and version, and an index.

::

    <registry>/
      registry.yaml                   the index: name -> version -> kind, content hash, description
      train/
        10/
          pipeyard-component.yaml     the manifest: kind, interface (ports), where the definition is
          component.yml               a command component (code: ./src), or
          src/...                     its code folder, or a Python step's module and helpers

Versions are immutable: adding different content under an existing version is refused,
adding the same content again changes nothing. The hash covers every file of the version
folder, so a copy can be checked against the index wherever it lands.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..cache.files import write_atomic
from ..errors import ConfigError, Location
from ..yamlio import to_yaml
from .references import latest

INDEX_FILE = "registry.yaml"
MANIFEST_FILE = "pipeyard-component.yaml"
FORMAT = 1
IGNORED_NAMES = frozenset({"__pycache__", ".git", ".DS_Store", ".ipynb_checkpoints", ".pytest_cache"})
IGNORED_SUFFIXES = (".pyc", ".pyo")
_INDEX_HEADER = "# pipeyard component registry: written by `pipeyard component register`\n"


@dataclass(frozen=True)
class Entry:
    """One registered version: its name, version, kind (command | python), content hash."""

    name: str
    version: str
    kind: str
    hash: str
    description: str = ""


def is_ignored(name: str) -> bool:
    """True for files a component never carries (caches, editor files, .git)."""
    return name in IGNORED_NAMES or name.endswith(IGNORED_SUFFIXES)


def content_hash(folder: Path, exclude: frozenset[str] = frozenset()) -> str:
    """sha256 over every file's relative path and bytes (caches and names in exclude left out)."""
    digest = hashlib.sha256()
    for path in sorted(_files(folder), key=lambda p: p.relative_to(folder).as_posix()):
        relative = path.relative_to(folder).as_posix()
        if relative in exclude:
            continue
        digest.update(relative.encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return "sha256:" + digest.hexdigest()


def _files(folder: Path):
    for current, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not is_ignored(d))
        for name in sorted(files):
            if not is_ignored(name):
                yield Path(current) / name


def copy_tree(source: Path, target: Path) -> None:
    """Copy the folder source to target (which must not exist), leaving caches behind."""
    shutil.copytree(source, target, ignore=lambda _, names: [n for n in names if is_ignored(n)])


class RegistryFolder:
    """A registry's folder: read its index, find versions, add a staged version."""

    def __init__(self, name: str, path: Path) -> None:
        self.name = name
        self.path = Path(path)

    @property
    def index_path(self) -> Path:
        """The index file, registry.yaml."""
        return self.path / INDEX_FILE

    def entries(self) -> list[Entry]:
        """Every registered version, sorted by name then version order."""
        data = self._read_index()
        found = []
        for name, versions in sorted((data.get("components") or {}).items()):
            for version, info in (versions or {}).items():
                info = info or {}
                found.append(
                    Entry(
                        str(name),
                        str(version),
                        str(info.get("kind", "command")),
                        str(info.get("hash", "")),
                        str(info.get("description") or ""),
                    )
                )
        return found

    def versions(self, name: str) -> list[str]:
        """The registered versions of name (any order)."""
        return [e.version for e in self.entries() if e.name == name]

    def find(self, name: str, version: str | None) -> Entry | None:
        """The entry of name at version (None: the latest version), or None."""
        entries = {e.version: e for e in self.entries() if e.name == name}
        if version is None:
            version = latest(entries)
        return entries.get(version) if version is not None else None

    def folder(self, entry: Entry) -> Path:
        """Where entry's files are."""
        return self.path / entry.name / entry.version

    def add(self, staged: Path, entry: Entry) -> bool:
        """Copy the staged version folder in and index it; False when it was already there.

        Raises ConfigError when the version exists with other content.
        """
        existing = self.find(entry.name, entry.version)
        if existing is not None:
            if existing.hash == entry.hash:
                return False
            raise ConfigError(
                f"{entry.name}:{entry.version} is already in registry '{self.name}' with other "
                "content; registered versions never change",
                location=Location(file=str(self.index_path)),
                hint=f"bump the version: pipeyard component register ... --version "
                f"{_next_version(entry.version)}",
            )
        target = self.path / entry.name / entry.version
        if target.exists():
            shutil.rmtree(target)  # left over from an interrupted register: not in the index
        target.parent.mkdir(parents=True, exist_ok=True)
        copy_tree(staged, target)
        data = self._read_index()
        versions = data.setdefault("components", {}).setdefault(entry.name, {})
        versions[entry.version] = {"kind": entry.kind, "hash": entry.hash, "description": entry.description}
        self._write_index(data)
        return True

    def _read_index(self) -> dict[str, Any]:
        if not self.index_path.is_file():
            return {"format": FORMAT, "components": {}}
        try:
            data = yaml.safe_load(self.index_path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ConfigError(
                f"the index of registry '{self.name}' is not valid YAML: {exc}",
                location=Location(file=str(self.index_path)),
                hint="restore it from version control",
            ) from None
        if not isinstance(data, dict) or int(data.get("format", FORMAT)) > FORMAT:
            raise ConfigError(
                f"registry '{self.name}' has an index this pipeyard cannot read",
                location=Location(file=str(self.index_path)),
                hint="upgrade pipeyard",
            )
        return data

    def _write_index(self, data: dict[str, Any]) -> None:
        data["format"] = FORMAT
        components = {
            name: dict(sorted(versions.items()))
            for name, versions in sorted(data.get("components", {}).items())
        }
        text = _INDEX_HEADER + to_yaml({"format": FORMAT, "components": components})
        self.path.mkdir(parents=True, exist_ok=True)
        write_atomic(self.index_path, text, fsync=False)


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of a stored (or vendored) version folder."""
    path = folder / MANIFEST_FILE
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(
            f"cannot read the component manifest {path}: {exc}", hint="restore the folder from its registry"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"the component manifest {path} is not a mapping", hint="restore the folder from its registry"
        )
    return data


def _next_version(version: str) -> str:
    head, _, last = version.rpartition(".")
    if last.isdigit():
        return f"{head}.{int(last) + 1}" if head else str(int(last) + 1)
    return f"{version}.1"
