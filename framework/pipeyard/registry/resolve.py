"""Resolve ``component: azureml:train:10`` (and the other reference forms) in a pipeline to a
Component: the project's copy when it has one, else the registry's version, copied in first."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..config.project import ProjectConfig
from ..errors import ConfigError, Location, PipeyardError, ReferenceError_
from ..model import Component
from .package import component_of_folder
from .references import parse_reference
from .registries import EXAMPLE, ProjectRegistries
from .store import read_manifest
from .vendor import find_vendored, read_origin, vendor


class ComponentResolver:
    """The ``resolve_component`` callable a session passes to the pipeline loader.

    ``notes`` collects what resolving did that a person should know (copies to commit,
    registries pinned).
    """

    def __init__(self, project: ProjectConfig) -> None:
        self.project = project
        self.root = project.root
        self.notes: list[str] = []
        self._registries: ProjectRegistries | None = None

    @property
    def registries(self) -> ProjectRegistries:
        """The project's registries, opened on first use."""
        if self._registries is None:
            self._registries = ProjectRegistries(self.project)
        return self._registries

    def __call__(self, text: str, where: Location) -> Component:
        """The Component text names; a UserError at where when it cannot be found."""
        try:
            return self._resolve(text)
        except PipeyardError as error:
            if error.location is None or not error.location.file:
                error.location = where
            raise

    def _resolve(self, text: str) -> Component:
        ref = parse_reference(text)
        if ref.version is not None:
            folder = find_vendored(self.root, ref.name, ref.version)
            if folder is not None and (
                ref.registry is None or _origin(folder).get("registry") == ref.registry
            ):
                return component_of_folder(folder, self.root, read_manifest(folder))
        if not self.project.registries:
            raise ReferenceError_(
                f"'{text}' names a registered component, but this project has no registries",
                hint=f"add one to pipeyard.yaml ({EXAMPLE}) and register the component there: "
                f"pipeyard component register ./components/{ref.name}.yml",
            )
        registry, entry = self.registries.find(ref)
        self.notes.extend(self.registries.notes)
        self.registries.notes.clear()
        folder = find_vendored(self.root, entry.name, entry.version)
        if folder is not None and entry.hash and _origin(folder).get("hash") != entry.hash:
            shown = Path(os.path.relpath(folder, self.root)).as_posix()
            raise ConfigError(
                f"{shown} holds another {entry.name}:{entry.version} (from registry "
                f"'{_origin(folder).get('registry')}') than registry '{registry.spec.name}' has",
                hint=f"name the registry (registry:{registry.spec.name}/{entry.name}:{entry.version}) "
                "or delete the copy to take the registry's",
            )
        if folder is None:
            folder = vendor(
                self.root, registry.folder.folder(entry), entry, registry.spec.name, registry.commit
            )
            shown = Path(os.path.relpath(folder, self.root)).as_posix()
            self.notes.append(
                f"copied {entry.name}:{entry.version} from registry '{registry.spec.name}' "
                f"into {shown}/; commit it"
            )
        return component_of_folder(folder, self.root, read_manifest(folder))


def _origin(folder: Path) -> dict[str, Any]:
    """The origin record of a vendored copy that find_vendored found (so it has one)."""
    return read_origin(folder) or {}
