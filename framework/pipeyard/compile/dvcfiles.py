"""dvc.yaml, params.yaml and .gitignore entries for a compiled pipeline, written only on change.

The YAML is deterministic (same input, same bytes) so that git diffs show real changes only.
DVC reads these files with ruamel.yaml (YAML 1.2) while other tools use PyYAML (YAML 1.1): a
string that either would read as something else (``yes``, ``1e5``, ``0o17``, ``null``) is
quoted, so every value reads back as the same value and type.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from ..cache.files import write_atomic
from ..model.project_layout import PARAMS_FILE
from ..model.types import OutputRole
from .dvc_stages import DVC_FILE, GENERATED_MARK, HEADER_START, remember_generated_only
from .stages import CompiledPipeline

GITIGNORE = ".gitignore"
_STR_TAG = "tag:yaml.org,2002:str"


# ruamel.yaml's YAML 1.2 implicit-type rules (ruamel/yaml/resolver.py: tag, pattern, flags,
# first characters), by which DVC reads dvc.yaml and params.yaml. Importing ruamel for them
# costs every run 15-25 ms; a test pins this copy to the installed ruamel's own table.
_YAML12_RULES = (
    ("tag:yaml.org,2002:bool", """^(?:true|True|TRUE|false|False|FALSE)$""", re.X, "tTfF"),
    ("tag:yaml.org,2002:float", """^(?:
         [-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\\.(?:inf|Inf|INF)
        |\\.(?:nan|NaN|NAN))$""", re.X, "-+0123456789."),
    ("tag:yaml.org,2002:int", """^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""", re.X, "-+0123456789"),
    ("tag:yaml.org,2002:merge", "^(?:<<)$", 0, "<"),
    ("tag:yaml.org,2002:null", """^(?: ~
        |null|Null|NULL
        | )$""", re.X, ("~", "n", "N", "")),
    ("tag:yaml.org,2002:timestamp", """^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \\t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?
        (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""", re.X, "0123456789"),
    ("tag:yaml.org,2002:value", "^(?:=)$", 0, "="),
    ("tag:yaml.org,2002:yaml", "^(?:!|&|\\*)$", 0, "!&*"),
)


@functools.cache
def yaml12_resolvers() -> dict[str, list[tuple[str, re.Pattern]]]:
    """YAML 1.2 implicit-type rules by first character, as ruamel.yaml (DVC's reader) has them."""
    rules: dict[str, list[tuple[str, re.Pattern]]] = {}
    for tag, pattern, flags, firsts in _YAML12_RULES:
        compiled = re.compile(pattern, flags)
        for first in firsts:
            rules.setdefault(first, []).append((tag, compiled))
    return rules


def _reads_as_other_type(value: str) -> bool:
    """True when YAML 1.1 (PyYAML) or 1.2 (ruamel.yaml) would read the plain scalar value as
    a non-string."""
    first = value[:1]
    for _tag, pattern in yaml.resolver.Resolver.yaml_implicit_resolvers.get(first, ()):
        if pattern.match(value):
            return True
    return any(pattern.match(value) for _tag, pattern in yaml12_resolvers().get(first, ()))


if TYPE_CHECKING:
    _SafeDumper = yaml.SafeDumper
else:  # libyaml's emitter is ~10x faster
    _SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_SafeDumper):
    """SafeDumper that quotes strings YAML 1.1 or 1.2 would read as another type."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: Any, value: str) -> yaml.Node:
    if _reads_as_other_type(value):
        return dumper.represent_scalar(_STR_TAG, value, style="'")
    style = "|" if "\n" in value else None
    return dumper.represent_scalar(_STR_TAG, value, style=style)


_Dumper.add_representer(str, _represent_str)


def _dump(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=100_000,
    )


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
                for o in stage.outs if o.role is role
            ]
            if paths:
                entry[role.value] = paths
        if stage.always_changed:
            entry["always_changed"] = True
        entry["meta"] = GENERATED_MARK
        stages[stage.name] = entry
    text = _dump({"stages": stages})
    # a blank line before each stage but the first: its name is the only line indented by two
    lines = text.splitlines(keepends=True)
    spaced = [
        ("\n" + line) if i > 1 and line.startswith("  ") and line[2] != " " else line
        for i, line in enumerate(lines)
    ]
    return header(source) + "".join(spaced)


def render_params_yaml(params: Mapping[str, Any]) -> str:
    """params.yaml: one top-level key per job (plus inputs and pipeyard), values round-tripping."""
    return _dump(_plain(params)) if params else "{}\n"


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
