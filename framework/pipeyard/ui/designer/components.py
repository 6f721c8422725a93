"""The components a pipeline's jobs use, and the palette: local component files and the
versions in the project's registries, each with the ``component:`` value that adds it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...azure_yaml import REGISTERED_PREFIXES, load_component_yaml
from ...azure_yaml.component import component_from_spec
from ...azure_yaml.refs import local_path
from ...azure_yaml.yamlfile import SourceFile
from ...errors import Location, PipeyardError, UnsupportedError
from ...model import Component
from ...registry.manifest import ports_of
from ...registry.references import version_key
from ...registry.store import read_manifest
from ...registry.vendor import VENDOR_FOLDER

SKIPPED_FOLDERS = frozenset(
    {".git", ".dvc", ".pipeyard", "node_modules", "__pycache__", ".venv", "venv", "outputs", "conf"}
)
MAX_FILES = 2000

Resolver = Callable[[str, Location], Component]


@dataclass
class ProjectComponents:
    """The components of one pipeline file's jobs (the ``Components`` edits ask).

    loaded maps job names to components when the whole pipeline loaded; otherwise each job's
    ``component:`` is read on its own (inline command jobs then cannot be told).
    """

    root: Path
    pipeline: Path  # absolute
    jobs: dict[str, Any]  # job name -> its YAML mapping
    resolver: Resolver | None = None
    loaded: dict[str, Component] | None = None
    problems: dict[str, str] = field(default_factory=dict)
    _cache: dict[str, Component] = field(default_factory=dict)

    @property
    def source(self) -> SourceFile:
        """The pipeline file as the loader names it."""
        return SourceFile(self.pipeline, self.root)

    def of_job(self, job: str) -> Component | None:
        """The component job uses, or None (the reason in problems[job])."""
        if self.loaded is not None and job in self.loaded:
            return self.loaded[job]
        spec = self.jobs.get(job)
        value = spec.get("component") if isinstance(spec, dict) else None
        try:
            if isinstance(value, str):
                return self.of_reference(value)
            if isinstance(value, dict):
                return component_from_spec(
                    _plain(value), self.source, default_name=job.replace("-", "_"), step=job
                )
        except PipeyardError as error:
            self.problems[job] = error.message
            return None
        self.problems.setdefault(job, "an inline command job: its ports show once the pipeline loads")
        return None

    def of_reference(self, reference: str) -> Component:
        """The component a ``component:`` value names (a file relative to the pipeline, or a
        registered reference)."""
        reference = reference.strip()
        if reference not in self._cache:
            where = self.source.at(None)
            if reference.startswith(REGISTERED_PREFIXES):
                if self.resolver is None:
                    raise UnsupportedError(
                        f"'{reference}' is a registered component and no registry is open",
                        hint="add a registry to pipeyard.yaml",
                    )
                self._cache[reference] = self.resolver(reference, where)
            else:
                relative = local_path(
                    reference,
                    folder=self.pipeline.parent,
                    root=self.root,
                    what="component file",
                    where=where,
                    must_exist=True,
                )
                self._cache[reference] = load_component_yaml(self.root / relative, self.root)
        return self._cache[reference]


def _plain(value: Any) -> Any:
    """ruamel's mappings and scalars as plain Python values."""
    return json.loads(json.dumps(value, default=str))


# -- the palette ---------------------------------------------------------------------------


def component_entry(component: Component, reference: str, origin: str, **extra: Any) -> dict[str, Any]:
    """One palette entry: the component's name, ports and the ``component:`` value to add it."""
    return {
        "name": component.name,
        "reference": reference,
        "origin": origin,
        "description": component.description,
        **ports_json(component),
        **extra,
    }


def ports_json(component: Component | None) -> dict[str, list[dict[str, Any]]]:
    """The component's inputs, parameters and outputs as the designer shows them (none for None)."""
    return {
        "inputs": [
            {"name": p.name, "type": p.type.value, "optional": p.optional}
            for p in (component.inputs if component else ())
        ],
        "parameters": [
            {
                "name": p.name,
                "type": p.type.value,
                "default": json_value(p.default),
                "optional": p.optional,
                "choices": [json_value(c) for c in p.choices],
            }
            for p in (component.parameters if component else ())
        ],
        "outputs": [{"name": o.name, "type": o.type.value} for o in (component.outputs if component else ())],
    }


def json_value(value: Any) -> Any:
    """value as JSON can carry it (scalars as they are, anything else as text)."""
    return value if value is None or isinstance(value, (bool, int, float, str)) else str(value)


def local_palette(root: Path, pipeline: Path) -> tuple[list[dict[str, Any]], list[str]]:
    """The command components in the project's YAML files (entries, and why files that look
    like components do not load)."""
    entries, problems = [], []
    for path in _component_files(root):
        shown = Path(os.path.relpath(path, root)).as_posix()
        try:
            component = load_component_yaml(path, root)
        except PipeyardError as error:
            problems.append(f"{shown}: {error.message}")
            continue
        reference = Path(os.path.relpath(path, pipeline.parent)).as_posix()
        reference = reference if reference.startswith("../") else f"./{reference}"
        entries.append(component_entry(component, reference, "local", file=shown))
    return entries, problems


def _component_files(root: Path) -> Iterator[Path]:
    """YAML files under root that declare a command component (``type: command`` + ``command:``)."""
    seen = 0
    for folder, dirs, files in os.walk(root):
        relative = Path(os.path.relpath(folder, root))
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".")
            and d not in SKIPPED_FOLDERS
            and (relative / d).as_posix() != VENDOR_FOLDER
        )
        for name in sorted(files):
            if not name.endswith((".yml", ".yaml")) or name.startswith("."):
                continue
            seen += 1
            if seen > MAX_FILES:
                return
            path = Path(folder) / name
            try:
                head = path.read_text(encoding="utf-8", errors="replace")[:20000]
            except OSError:
                continue
            if "command:" in head and "type: command" in head and "jobs:" not in head:
                yield path


def registry_palette(registries) -> tuple[list[dict[str, Any]], list[str]]:
    """The latest version of each component in each registry (a registry.ProjectRegistries),
    read from its manifest, with the ``azureml:name:version`` reference."""
    entries, problems = [], []
    several = len(registries.names) > 1
    for name in registries.names:
        try:
            opened = registries.open(name)
            by_name: dict[str, list] = {}
            for entry in opened.folder.entries():
                by_name.setdefault(entry.name, []).append(entry)
        except PipeyardError as error:
            problems.append(f"registry '{name}': {error.message}")
            continue
        for component_name, versions in sorted(by_name.items()):
            versions.sort(key=lambda e: version_key(e.version))
            latest = versions[-1]
            try:
                manifest = read_manifest(opened.folder.folder(latest))
            except PipeyardError as error:
                problems.append(f"{component_name}:{latest.version} in registry '{name}': {error.message}")
                continue
            reference = (
                f"registry:{name}/{component_name}:{latest.version}"
                if several
                else f"azureml:{component_name}:{latest.version}"
            )
            entries.append(_manifest_entry(manifest, reference, name, [v.version for v in versions]))
    return entries, problems


def _manifest_entry(
    manifest: dict[str, Any], reference: str, registry: str, versions: list[str]
) -> dict[str, Any]:
    ports: dict[str, list] = {"input": [], "parameter": [], "output": []}
    for port in ports_of(manifest):
        info = (manifest.get(f"{port.kind}s") or {}).get(port.name) or {}
        item: dict[str, Any] = {"name": port.name, "type": port.type}
        if port.kind != "output":
            item["optional"] = bool(info.get("optional", False))
        if port.kind == "parameter":
            item["default"] = json_value(info.get("default"))
            item["choices"] = [json_value(c) for c in info.get("enum") or []]
        ports[port.kind].append(item)
    return {
        "name": str(manifest.get("name")),
        "reference": reference,
        "origin": "registry",
        "registry": registry,
        "versions": versions,
        "description": str(manifest.get("description") or ""),
        "inputs": ports["input"],
        "parameters": ports["parameter"],
        "outputs": ports["output"],
    }
