"""Every cloud asset an Azure ML pipeline needs, found in one pass, for one error that names them all.

Reading a pipeline stops at the first thing that exists only in Azure ML. Before that error
reaches the user, find_assets walks the pipeline file, the component files it uses and the
pipeline components nested in it, and lists every registered component the project's
registries cannot provide, every data asset (``azureml:iris:1``, ``azureml://.../data/...``),
every datastore path (``azureml://datastores/<store>/paths/...``) and every URL read as data
or written as an output, each with how to provide it locally. Environments are not listed: a
local run uses the project's environment whatever the job names (see docs/azure.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import Location, PipeyardError, UnsupportedError
from .refs import is_remote
from .yamlfile import SourceFile, line_of, read_yaml

REGISTERED_PREFIXES = ("azureml:", "registry:")
_DATASTORE = re.compile(r"^azureml://datastores/(?P<store>[^/]+)/paths/(?P<path>.*)$")
_ASSET_NAME = re.compile(r"^azureml:(?P<name>[^:@/]+)")


@dataclass(frozen=True)
class Asset:
    """One cloud asset a pipeline needs: its kind, the reference as written, where, how to provide it."""

    kind: str
    reference: str
    location: Location
    how: str

    def describe(self) -> str:
        """'<kind> '<reference>' (<file:line>): <how>'."""
        return f"{self.kind} '{self.reference}' ({self.location}): {self.how}"


def assets_error(assets: list[Asset]) -> UnsupportedError:
    """The one error that names every asset (in file order) and how to provide each."""
    count = len(assets)
    listed = "; ".join(a.describe() for a in assets)
    return UnsupportedError(
        f"the pipeline needs {count} cloud asset{'s' if count != 1 else ''} that exist only in "
        f"Azure ML: {listed}",
        location=assets[0].location,
        hint="provide each one locally as said, then run again",
    )


def find_assets(path: Path, root: Path, resolve_component: Any = None) -> list[Asset]:
    """Every cloud asset the pipeline (or component) file at path needs, without duplicates."""
    found: dict[tuple[str, str], Asset] = {}
    for asset in _walk_file(Path(path), Path(root), resolve_component, ()):
        found.setdefault((asset.kind, asset.reference), asset)
    return sorted(found.values(), key=lambda a: (a.location.file or "", a.location.line or 0))


def classify(reference: str, where: Location, *, output: bool = False) -> Asset | None:
    """The Asset a data path names when it is remote (None for a local path)."""
    text = reference.strip()
    if not is_remote(text):
        return None
    store = _DATASTORE.match(text)
    if store:
        return Asset(
            "datastore path",
            text,
            where,
            "copy the files into the repository (az storage blob download-batch or "
            f"az ml datastore), track them with 'dvc add', and give path: ./data/{_last(store['path'])}"
            if not output
            else "remove 'path' (outputs go under outputs/<job>/<output>) or give a local path",
        )
    if text.startswith("azureml:"):
        if output:
            return Asset("output location", text, where, "remove 'path' or give a local path")
        name = _ASSET_NAME.match(text)
        shown = name["name"] if name else "<name>"
        return Asset(
            "data asset",
            text,
            where,
            f"download it (az ml data download --name {shown}), track it with 'dvc add', "
            f"and give path: ./data/{shown}",
        )
    if output:
        return Asset("output URL", text, where, "remove 'path' or give a local path")
    return Asset(
        "URL",
        text,
        where,
        f"fetch it with 'dvc import-url {text} data/{_last(text)}' and give path: ./data/{_last(text)}",
    )


def _last(text: str) -> str:
    return text.rstrip("/").rsplit("/", 1)[-1] or "data"


def _walk_file(path: Path, root: Path, resolve: Any, stack: tuple[Path, ...]) -> Iterator[Asset]:
    try:
        data, source = read_yaml(path, root)
    except PipeyardError:
        return
    if not isinstance(data, dict) or source.path in stack:
        return
    stack = (*stack, source.path)
    yield from _ports(data, "inputs", source, None, output=False)
    yield from _ports(data, "outputs", source, None, output=True)
    component = data.get("component")
    if isinstance(component, (str, dict)) and "jobs" not in data:
        yield from _component(component, data, source, None, resolve, stack)
    jobs = data.get("jobs")
    if isinstance(jobs, dict):
        for name, job in jobs.items():
            if isinstance(job, dict):
                yield from _job(str(name), job, source, resolve, stack)


def _job(name: str, job: dict, source: SourceFile, resolve: Any, stack: tuple[Path, ...]) -> Iterator[Asset]:
    yield from _ports(job, "inputs", source, name, output=False)
    yield from _ports(job, "outputs", source, name, output=True)
    for key in ("component", "trial"):
        if key in job:
            yield from _component(job[key], job, source, name, resolve, stack, key)
    task = job.get("task")
    if isinstance(task, dict):
        yield from _code(task, source, name)
    yield from _code(job, source, name)


def _component(
    value: Any,
    holder: dict,
    source: SourceFile,
    job: str | None,
    resolve: Any,
    stack: tuple[Path, ...],
    key: str = "component",
) -> Iterator[Asset]:
    where = source.at(line_of(holder, key), job)
    if isinstance(value, dict):
        yield from _ports(value, "inputs", source, job, output=False)
        yield from _code(value, source, job)
        if isinstance(value.get("jobs"), dict):
            for name, inner in value["jobs"].items():
                if isinstance(inner, dict):
                    yield from _job(str(name), inner, source, resolve, stack)
        return
    if not isinstance(value, str):
        return
    text = value.strip()
    if text.startswith(REGISTERED_PREFIXES):
        if resolve is not None:
            try:
                resolve(text, where)
                return
            except PipeyardError:
                pass
        yield Asset(
            "registered component",
            text,
            where,
            "register it in a local registry (registries: in pipeyard.yaml, then "
            "'pipeyard component register <its YAML file>') or use component: ./<file>.yml",
        )
        return
    if is_remote(text):
        return
    file = text[len("file:") :] if text.startswith("file:") else text
    yield from _walk_file(source.folder / file, source.root, resolve, stack)


def _code(spec: dict, source: SourceFile, job: str | None) -> Iterator[Asset]:
    code = spec.get("code")
    if isinstance(code, str) and is_remote(code.strip()):
        yield Asset(
            "code",
            code.strip(),
            source.at(line_of(spec, "code"), job),
            "put the code in the repository and give code: ./<folder>",
        )


def _ports(spec: dict, key: str, source: SourceFile, job: str | None, *, output: bool) -> Iterator[Asset]:
    ports = spec.get(key)
    if not isinstance(ports, dict):
        return
    for name, value in ports.items():
        where = source.at(line_of(ports, name), job)
        text = (
            next((value[k] for k in ("path", "file", "folder") if isinstance(value.get(k), str)), None)
            if isinstance(value, dict)
            else value
        )
        if isinstance(text, str) and "${{" not in text:
            asset = classify(text, where, output=output)
            if asset is not None:
                yield asset
