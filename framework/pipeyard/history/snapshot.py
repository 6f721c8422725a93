"""What one revision, or the workspace, holds: stages, dvc.lock entries, parameters, metrics.

A revision is read from git (dvc.yaml, dvc.lock, params.yaml) without checking anything out.
Its metrics and plots come from git when they are committed, else from the DVC cache (shared
by every branch and worktree) through the md5 its dvc.lock records for them.

The workspace snapshot describes what a run would use now: for each compiled stage, the lock
entry its current inputs (command, parameter values, dependency hashes) would produce.
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from ..cache.hashing import Hasher, HashState
from ..cache.lockfile import lock_entry
from ..cache.objects import ObjectCache
from ..cache.workspace import STATE_DIR, cache_dir_of, lookup_param
from ..config.params_file import without_record
from ..errors import Location, RepositoryError
from ..model.project_layout import ENVIRONMENT_FILES, PARAMS_FILE
from ..model.stage import Stage
from ..model.types import OutputRole
from ..runner.records import flatten
from ..runner.tracking import recalled_metrics
from ..vcs.git import read_files_at, resolve_commit, tracked_files
from ..yamlio import parse_yaml

WORKSPACE = "workspace"
CODE_SUFFIXES = frozenset(
    {
        ".py",
        ".ipynb",
        ".sh",
        ".bash",
        ".r",
        ".jl",
        ".js",
        ".ts",
        ".sql",
        ".scala",
        ".java",
        ".go",
        ".rs",
        ".c",
        ".cc",
        ".cpp",
        ".h",
        ".rb",
        ".pl",
    }
)
_MAX_PLOT_BYTES = 2_000_000


@dataclass(frozen=True)
class StageDef:
    """A stage as dvc.yaml declares it: command, dependency paths, parameter keys, outputs."""

    name: str
    cmd: Any
    deps: tuple[str, ...] = ()
    params: tuple[str, ...] = ()
    outs: tuple[str, ...] = ()  # every output, metrics and plots included
    metrics: tuple[str, ...] = ()
    plots: tuple[str, ...] = ()


@dataclass(frozen=True)
class Snapshot:
    """One side of a diff.

    label is a short sha or "workspace"; lock maps stage -> dvc.lock entry (for the workspace,
    the entry its current inputs would give: deps whose md5 is None are not there yet); params
    is params.yaml; metrics maps each metrics file to its flattened values; plots maps each
    plots file to its text (only when asked for); kinds maps dependency paths to "code" or
    "environment" (others are data).
    """

    label: str
    commit: str | None
    stages: Mapping[str, StageDef] = field(default_factory=dict)
    lock: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)
    metrics: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    plots: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)
    predicted: bool = False

    def producer(self, path: str) -> str | None:
        """The stage whose output is path (or holds it), or None."""
        for stage in self.stages.values():
            for out in stage.outs:
                if path == out or path.startswith(out.rstrip("/") + "/"):
                    return stage.name
        return None


def snapshot_at(root: Path, rev: str, *, with_plots: bool = False) -> Snapshot:
    """The snapshot of revision rev of the project at root (read from git and the DVC cache)."""
    commit = resolve_commit(root, rev)
    files = read_files_at(root, commit, ["dvc.yaml", "dvc.lock", PARAMS_FILE])
    label = commit[:8]
    stages = parse_stages(_text(files["dvc.yaml"]), f"{label}:dvc.yaml")
    lock = parse_lock(_text(files["dvc.lock"]), f"{label}:dvc.lock")
    params = without_record(_parse_mapping(_text(files[PARAMS_FILE]), f"{label}:{PARAMS_FILE}"))
    tracked = tracked_files(root, commit)
    reader = _RevisionOutputs(root, commit, lock, tracked)
    metrics, plots = _metrics_and_plots(stages, reader.read, with_plots)
    metrics.update(recalled_metrics(root, lock))  # what steps logged with MLflow (runner.tracking)
    return Snapshot(
        label=label,
        commit=commit,
        stages=stages,
        lock=lock,
        params=params,
        metrics=metrics,
        plots=plots,
        kinds=_kinds_from_tree(stages, tracked),
    )


def _metrics_and_plots(
    stages: Mapping[str, StageDef], read: Callable[[str], bytes | None], with_plots: bool
) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """The metrics (and, when asked, the plots) the stages' outputs hold, read through read."""
    metric_files = [m for s in stages.values() for m in s.metrics]
    plot_files = [p for s in stages.values() for p in s.plots] if with_plots else []
    return read_metrics(read, metric_files), read_plots(read, plot_files)


def workspace_snapshot(
    root: Path,
    stages: Sequence[Stage] | None = None,
    params: Mapping[str, Any] | None = None,
    *,
    with_plots: bool = False,
) -> Snapshot:
    """The snapshot of the workspace.

    With stages and params (the compiled pipeline) the lock entries are what a run would record
    for the inputs as they are now; without them, the files on disk are read as they are.
    """
    root = Path(root)
    disk = _DiskOutputs(root)
    if stages is None:
        stages_defs = parse_stages(_text(disk.read("dvc.yaml")), "dvc.yaml")
        lock = parse_lock(_text(disk.read("dvc.lock")), "dvc.lock")
        params = without_record(_parse_mapping(_text(disk.read(PARAMS_FILE)), PARAMS_FILE))
        kinds = _kinds_by_suffix(stages_defs)
        predicted = False
    else:
        params = without_record(params or {})
        stages_defs = {s.name: _stage_def(s) for s in stages}
        lock = _current_entries(root, stages, params)
        kinds = {**_kinds_by_suffix(stages_defs), **{p: "code" for s in stages for p in s.code_deps}}
        kinds.update({p: "environment" for p in kinds if PurePosixPath(p).name in ENVIRONMENT_FILES})
        predicted = True
    metrics, plots = _metrics_and_plots(stages_defs, disk.read, with_plots)
    # what steps logged with MLflow in the run that made the outputs on disk (runner.tracking)
    metrics.update(recalled_metrics(root, parse_lock(_text(disk.read("dvc.lock")), "dvc.lock")))
    return Snapshot(
        label=WORKSPACE,
        commit=None,
        stages=stages_defs,
        lock=lock,
        params=params,
        metrics=metrics,
        plots=plots,
        kinds=kinds,
        predicted=predicted,
    )


def parse_stages(text: str | None, where: str) -> dict[str, StageDef]:
    """The stages of a dvc.yaml text, in file order (empty when there is no file)."""
    document = _parse_mapping(text, where)
    stages = document.get("stages") or {}
    if not isinstance(stages, Mapping):
        raise RepositoryError("'stages' is not a mapping", location=Location(file=where))
    found = {}
    for name, body in stages.items():
        if not isinstance(body, Mapping):
            continue
        outs, metrics, plots = (
            _paths(body.get("outs")),
            _paths(body.get("metrics")),
            _paths(body.get("plots")),
        )
        found[str(name)] = StageDef(
            name=str(name),
            cmd=body.get("cmd"),
            deps=_paths(body.get("deps")),
            params=_paths(body.get("params")),
            outs=outs + metrics + plots,
            metrics=metrics,
            plots=plots,
        )
    return found


def parse_lock(text: str | None, where: str) -> dict[str, dict[str, Any]]:
    """Stage name -> entry of a dvc.lock text (empty when there is no file)."""
    stages = _parse_mapping(text, where).get("stages") or {}
    return (
        {str(n): dict(e) for n, e in stages.items() if isinstance(e, Mapping)}
        if isinstance(stages, Mapping)
        else {}
    )


def read_metrics(read: Callable[[str], bytes | None], paths: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Each readable JSON or YAML metrics file -> its values flattened to dotted keys."""
    metrics = {}
    for path in paths:
        data = read(path)
        if data is None or PurePosixPath(path).suffix.lower() not in (".json", ".yaml", ".yml"):
            continue
        try:
            metrics[path] = flatten(yaml.safe_load(data.decode("utf-8")))  # JSON is YAML too
        except (UnicodeDecodeError, yaml.YAMLError):
            continue
    return metrics


def read_plots(read: Callable[[str], bytes | None], paths: Sequence[str]) -> dict[str, str]:
    """Each readable plots file -> its text."""
    plots = {}
    for path in paths:
        data = read(path)
        if data is not None and len(data) <= _MAX_PLOT_BYTES:
            try:
                plots[path] = data.decode("utf-8")
            except UnicodeDecodeError:
                continue
    return plots


def table_of(path: str, text: str) -> list[dict[str, Any]]:
    """The rows of a plots file (CSV, TSV, JSON or YAML list of records); [] when unreadable."""
    suffix = PurePosixPath(path).suffix.lower()
    try:
        if suffix in (".csv", ".tsv"):
            rows = csv.DictReader(io.StringIO(text), delimiter="\t" if suffix == ".tsv" else ",")
            return [{k: _number(v) for k, v in row.items() if k is not None} for row in rows]
        data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    except (ValueError, csv.Error, yaml.YAMLError):
        return []
    if isinstance(data, Mapping):  # {"train": [...]}: DVC reads the first list of records
        data = next((v for v in data.values() if isinstance(v, list)), [])
    return [dict(row) for row in data if isinstance(row, Mapping)] if isinstance(data, list) else []


def _number(text: str | None) -> Any:
    if text is None:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


class _RevisionOutputs:
    """Reads a file of a revision: from git when committed, else from the DVC cache by its md5."""

    def __init__(
        self, root: Path, commit: str, lock: Mapping[str, Mapping[str, Any]], tracked: frozenset[str]
    ) -> None:
        self.root, self.commit, self.tracked = root, commit, tracked
        self.objects = ObjectCache(cache_dir_of(root))
        self.outs = {
            o["path"]: o["md5"]
            for entry in lock.values()
            for o in entry.get("outs") or ()
            if isinstance(o, Mapping) and "path" in o and "md5" in o
        }

    def read(self, path: str) -> bytes | None:
        if path in self.tracked:
            return read_files_at(self.root, self.commit, [path])[path]
        md5 = self._md5(path)
        if md5 is None:
            return None
        try:
            return self.objects.object_path(md5).read_bytes()
        except OSError:
            return None

    def _md5(self, path: str) -> str | None:
        if path in self.outs and not self.outs[path].endswith(".dir"):
            return self.outs[path]
        for out, md5 in self.outs.items():
            if md5.endswith(".dir") and path.startswith(out.rstrip("/") + "/"):
                wanted = posixpath.relpath(path, out)
                return dict(self.objects.read_dir(md5) or ()).get(wanted)
        return None


class _DiskOutputs:
    """Reads a file of the workspace."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def read(self, path: str) -> bytes | None:
        try:
            return (self.root / path).read_bytes()
        except OSError:
            return None


def _current_entries(root: Path, stages: Sequence[Stage], params: Mapping[str, Any]) -> dict[str, dict]:
    """The lock entry each stage's current inputs give; md5 None marks an input not there yet."""
    hasher = Hasher(root.resolve(), HashState(root / STATE_DIR / "hashes.json"))  # read, never saved
    entries = {}
    for stage in stages:
        values = {key: value for key in stage.params for found, value in [lookup_param(params, key)] if found}
        hashes = {path: hasher.hash_path(path) for path in stage.deps}
        entry = lock_entry(stage.cmd, {p: h for p, h in hashes.items() if h is not None}, values, {})
        missing = [{"path": p, "md5": None} for p, h in hashes.items() if h is None]
        if missing:
            entry["deps"] = sorted([*entry.get("deps", []), *missing], key=lambda d: d["path"])
        entry["outs"] = [{"path": p} for p in sorted(stage.out_paths)]
        entries[stage.name] = entry
    return entries


def _stage_def(stage: Stage) -> StageDef:
    def of(role: OutputRole) -> tuple[str, ...]:
        return tuple(o.path for o in stage.outs if o.role is role)

    return StageDef(
        name=stage.name,
        cmd=stage.cmd,
        deps=stage.deps,
        params=stage.params,
        outs=stage.out_paths,
        metrics=of(OutputRole.METRICS),
        plots=of(OutputRole.PLOTS),
    )


def _kinds_by_suffix(stages: Mapping[str, StageDef]) -> dict[str, str]:
    kinds = {}
    for stage in stages.values():
        for dep in stage.deps:
            name = PurePosixPath(dep)
            if name.name in ENVIRONMENT_FILES:
                kinds[dep] = "environment"
            elif name.suffix.lower() in CODE_SUFFIXES:
                kinds[dep] = "code"
    return kinds


def _kinds_from_tree(stages: Mapping[str, StageDef], tracked: frozenset[str]) -> dict[str, str]:
    """Suffix rules, plus: a folder dependency git tracks and that holds code files is code."""
    kinds = _kinds_by_suffix(stages)
    for stage in stages.values():
        for dep in stage.deps:
            prefix = dep.rstrip("/") + "/"
            if dep not in kinds and any(
                p.startswith(prefix) and PurePosixPath(p).suffix.lower() in CODE_SUFFIXES for p in tracked
            ):
                kinds[dep] = "code"
    return kinds


def _paths(items: Any) -> tuple[str, ...]:
    """Paths of a dvc.yaml list whose items are strings or {path: options} mappings."""
    found = []
    for item in items or ():
        if isinstance(item, str):
            found.append(item)
        elif isinstance(item, Mapping):
            found.extend(str(k) for k in item)
    return tuple(found)


def _text(data: bytes | None) -> str | None:
    return data.decode("utf-8") if data is not None else None


def _parse_mapping(text: str | None, where: str) -> dict[str, Any]:
    if text is None:
        return {}
    try:
        document = parse_yaml(text)
    except yaml.YAMLError as exc:
        raise RepositoryError(f"not valid YAML: {exc}", location=Location(file=where)) from None
    return dict(document) if isinstance(document, Mapping) else {}
