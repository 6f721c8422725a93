"""Which paths DVC tracks in a repository: the outs of dvc.yaml stages and of `.dvc` files.

Such paths live in DVC's cache, not in git; a commit that stages one of them (or a file
inside an output folder) into git is a mistake the data check reports.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from .gitfiles import git_files

DVC_YAML = "dvc.yaml"
DVC_FILE_SUFFIX = ".dvc"


@dataclass(frozen=True)
class DvcTracked:
    """Paths DVC tracks (POSIX, relative to the repository root) and who declares each."""

    owners: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def owner(self, path: str) -> str | None:
        """Who tracks path, e.g. "stage 'train' in dvc.yaml" or "data/raw.csv.dvc"; None if nobody.

        A file inside a tracked folder is tracked too.
        """
        current = path
        while current:
            if current in self.owners:
                return self.owners[current]
            current = posixpath.dirname(current)
        return None


def find_dvc_tracked(root: Path) -> DvcTracked:
    """Read every dvc.yaml and `.dvc` file in the repository at root (tracked or not)."""
    owners: dict[str, str] = {}
    for relpath in _dvc_files(root):
        document = _read_yaml(root / relpath)
        if posixpath.basename(relpath) == DVC_YAML:
            owners.update(_dvc_yaml_outs(relpath, document))
        else:
            owners.update(_dvc_file_outs(relpath, document))
    return DvcTracked(MappingProxyType(owners))


def _dvc_files(root: Path) -> list[str]:
    """dvc.yaml and *.dvc files git knows of or would add (ignored files are left out)."""
    patterns = [DVC_YAML, f"*/{DVC_YAML}", f"*{DVC_FILE_SUFFIX}"]
    return sorted(p for p in git_files(root, *patterns) if (root / p).is_file())


def _dvc_yaml_outs(relpath: str, document: Any) -> dict[str, str]:
    folder = posixpath.dirname(relpath)
    stages = document.get("stages") if isinstance(document, dict) else None
    owners: dict[str, str] = {}
    for name, stage in (stages or {}).items():
        if not isinstance(stage, dict):
            continue
        wdir = posixpath.join(folder, str(stage.get("wdir") or "."))
        for key in ("outs", "metrics", "plots"):
            for out in _cached_paths(stage.get(key)):
                owners[_normal(wdir, out)] = f"stage '{name}' in {relpath}"
    return owners


def _dvc_file_outs(relpath: str, document: Any) -> dict[str, str]:
    folder = posixpath.dirname(relpath)
    outs = document.get("outs") if isinstance(document, dict) else None
    owners: dict[str, str] = {}
    for out in outs or ():
        if isinstance(out, dict) and isinstance(out.get("path"), str) and out.get("cache", True):
            owners[_normal(folder, out["path"])] = relpath
    return owners


def _cached_paths(entries: Any) -> Iterable[str]:
    """Paths of dvc.yaml out entries DVC caches: `- path` or `- path: {cache: true, ...}`."""
    if not isinstance(entries, list):
        return
    for entry in entries:
        options: dict[str, Any]
        if isinstance(entry, str):
            path, options = entry, {}
        elif isinstance(entry, dict) and len(entry) == 1:
            path, options = next(iter(entry.items()))
            options = options if isinstance(options, dict) else {}
        else:
            continue
        # ${...} paths come from templating we do not evaluate; cache: false outs belong in git
        if isinstance(path, str) and "${" not in path and options.get("cache", True):
            yield path


def _normal(folder: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(folder, path))


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None  # an unreadable DVC file tracks nothing we can know of; DVC reports it
