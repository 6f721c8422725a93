"""dvc.yaml, params.yaml and .gitignore entries for a compiled pipeline, written only on change.

The YAML is deterministic (same input, same bytes) so that git diffs show real changes only;
`pipeyard.yamlio.to_yaml` writes it, quoting what any YAML reader would take for another type.
"""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..cache.files import write_atomic
from ..model.project_layout import PARAMS_FILE
from ..model.types import OutputRole
from ..yamlio import to_yaml
from .dvc_stages import DVC_FILE, GENERATED_MARK, HEADER_START, remember_generated_only
from .stages import CompiledPipeline

GITIGNORE = ".gitignore"


def header(source: str) -> str:
    """The first-line comment of generated files."""
    return (
        f"{HEADER_START} from {source}: `pipeyard compile` rewrites the stages marked "
        "`meta: pipeyard` and keeps the others as written\n"
    )


def render_dvc_yaml(compiled: CompiledPipeline, source: str) -> str:
    """dvc.yaml for compiled: stages in topological order, empty keys left out."""
    stages: dict[str, Any] = {}
    for stage in compiled.stages:
        if stage.name in compiled.dvc_entries:  # a stage of the user's own, kept as it was
            stages[stage.name] = compiled.dvc_entries[stage.name]
            continue
        entry: dict[str, Any] = {"cmd": stage.dvc_cmd}
        if stage.deps:
            entry["deps"] = list(stage.deps)
        if stage.params:
            entry["params"] = list(stage.params)
        for role in (OutputRole.OUT, OutputRole.METRICS, OutputRole.PLOTS):
            paths = [
                {o.path: o.plot.as_dvc()} if o.plot is not None and o.plot.as_dvc() else o.path
                for o in stage.outs
                if o.role is role
            ]
            if paths:
                entry[role.value] = paths
        if stage.always_changed:
            entry["always_changed"] = True
        entry["meta"] = GENERATED_MARK
        stages[stage.name] = entry
    text = to_yaml({"stages": stages})
    # a blank line before each stage but the first: its name is the only line indented by two
    lines = text.splitlines(keepends=True)
    spaced = [
        ("\n" + line) if i > 1 and line.startswith("  ") and line[2] != " " else line
        for i, line in enumerate(lines)
    ]
    return header(source) + "".join(spaced)


def render_params_yaml(params: Mapping[str, Any]) -> str:
    """params.yaml: one top-level key per job (plus inputs and pipeyard), values round-tripping."""
    return to_yaml(_plain(params)) if params else "{}\n"


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def planned_files(root: Path, compiled: CompiledPipeline, source: str) -> dict[str, str]:
    """Every file (POSIX path relative to root) whose content differs from what it should be."""
    root = Path(root)
    changed: dict[str, str] = {}
    for name, text in (
        (DVC_FILE, render_dvc_yaml(compiled, source)),
        (PARAMS_FILE, render_params_yaml(compiled.params)),
    ):
        if _read(root / name) != text:
            changed[name] = text
    for folder, entries in _ignore_entries(compiled).items():
        name = posixpath.join(folder, GITIGNORE) if folder else GITIGNORE
        current = _read(root / name) or ""
        lines = set(current.splitlines())
        missing = [e for e in entries if e not in lines]
        if missing:
            prefix = "" if not current or current.endswith("\n") else "\n"
            changed[name] = current + prefix + "".join(f"{e}\n" for e in missing)
    return changed


def write_dvc_files(root: Path, compiled: CompiledPipeline, source: str) -> list[str]:
    """Write dvc.yaml, params.yaml and .gitignore entries that changed; return their paths."""
    changed = planned_files(root, compiled, source)
    for name, text in changed.items():
        write_atomic(Path(root) / name, text, fsync=False)  # the umask's mode, or the file's own
    if not compiled.dvc_entries:
        remember_generated_only(Path(root))
    return sorted(changed)


def out_of_sync(root: Path, compiled: CompiledPipeline, source: str) -> list[str]:
    """The files ``write_dvc_files`` would change (empty when everything is in sync)."""
    return sorted(planned_files(root, compiled, source))


def _ignore_entries(compiled: CompiledPipeline) -> dict[str, list[str]]:
    """.gitignore entries as DVC writes them: ``/name`` in the output's parent folder."""
    entries: dict[str, list[str]] = {}
    for stage in compiled.stages:
        for out in stage.outs:
            path = posixpath.normpath(out.path)
            folder, name = posixpath.split(path)
            entries.setdefault(folder, []).append("/" + _escape_ignore(name))
    return {folder: sorted(set(names)) for folder, names in sorted(entries.items())}


def _escape_ignore(name: str) -> str:
    return "".join(f"\\{c}" if c in "\\[]!*#?" else c for c in name)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
