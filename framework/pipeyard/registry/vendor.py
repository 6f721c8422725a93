"""Copies of registered components inside the consuming project (``components/_registry/``).

A pipeline that names ``azureml:train:10`` runs the copy in
``components/_registry/train/v10/``: DVC's dependencies must be files of the project, and a
fresh clone must run (and ``dvc repro``) without reaching the registry. Commit the folder.
Versions never change, so an existing copy is used as it is; its ``.registry-origin.yaml``
says where it came from and the content hash it had there.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError, Location
from ..yamlio import to_yaml
from .store import Entry, content_hash, copy_tree

VENDOR_FOLDER = "components/_registry"
ORIGIN_FILE = ".registry-origin.yaml"
_HEADER = "# Copied by pipeyard from a component registry; do not edit. Commit this folder.\n"


def _identifier(text: str) -> str:
    return re.sub(r"\W", "_", text)


def vendored_folder(root: Path, name: str, version: str) -> Path:
    """Where the copy of name:version lives in the project (an importable package path)."""
    return Path(root) / VENDOR_FOLDER / _identifier(name) / f"v{_identifier(version)}"


def read_origin(folder: Path) -> dict[str, Any] | None:
    """The origin record of a vendored copy, or None when folder is not one."""
    path = folder / ORIGIN_FILE
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else None


def find_vendored(root: Path, name: str, version: str) -> Path | None:
    """The project's copy of name:version, or None."""
    folder = vendored_folder(root, name, version)
    origin = read_origin(folder)
    if origin and str(origin.get("name")) == name and str(origin.get("version")) == version:
        return folder
    return None


def vendor(root: Path, source: Path, entry: Entry, registry: str, commit: str | None) -> Path:
    """Copy the registry's version folder source into the project, checking its hash."""
    found = content_hash(source)
    if entry.hash and found != entry.hash:
        raise ConfigError(
            f"{entry.name}:{entry.version} in registry '{registry}' does not match its index "
            f"(hash {found[:19]}..., index says {entry.hash[:19]}...)",
            location=Location(file=str(source)),
            hint="the registry was edited by hand; restore it, or register a new version",
        )
    target = vendored_folder(root, entry.name, entry.version)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".vendor-", dir=target.parent))
    try:
        copy_tree(source, staging / "copy")
        origin = {
            "name": entry.name,
            "version": entry.version,
            "registry": registry,
            "hash": found,
            **({"commit": commit} if commit else {}),
        }
        (staging / "copy" / ORIGIN_FILE).write_text(_HEADER + to_yaml(origin), encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)
        (staging / "copy").rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def vendored_hash(folder: Path) -> str:
    """The content hash of a vendored copy (its origin record left out)."""
    return content_hash(folder, exclude=frozenset({ORIGIN_FILE}))
