"""Read a YAML file into dicts that remember the line of every key, for errors at file:line."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from ..errors import DefinitionError, Location, ReferenceError_, did_you_mean, not_utf8, yaml_error_at


class YamlMap(dict):
    """A mapping read from YAML; ``line`` is where it starts, ``key_line(k)`` where k is."""

    line: int | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lines: dict[Any, int | None] = {}

    def key_line(self, key: Any) -> int | None:
        """The line of key in the file (or of the mapping when key is absent)."""
        return self.lines.get(key, self.line)


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """libyaml's fast safe loader, with YamlMaps for mappings and duplicate keys as errors."""


def _construct_map(loader: _LineLoader, node: yaml.MappingNode):
    data = YamlMap()
    data.line = node.start_mark.line + 1
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in data:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[key] = key_node.start_mark.line + 1


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)


@dataclass(frozen=True)
class SourceFile:
    """A definition file: its absolute path, the project root, and the name shown in errors."""

    path: Path
    root: Path

    @cached_property  # every job's Locations ask for it: one relpath per file, not per job
    def shown(self) -> str:
        """The file relative to the project root (POSIX), or absolute when outside it."""
        relative = os.path.relpath(self.path, self.root)
        return Path(relative).as_posix() if not relative.startswith(os.pardir) else str(self.path)

    @property
    def folder(self) -> Path:
        """The folder that relative paths in the file start from."""
        return self.path.parent

    def at(self, line: int | None, step: str | None = None) -> Location:
        """A Location in this file."""
        return Location(self.shown, line, step)


def read_yaml(path: Path, root: Path) -> tuple[Any, SourceFile]:
    """Parse path (relative to root, or absolute); malformed YAML becomes a DefinitionError at file:line with the column."""
    root = Path(os.path.abspath(root))
    source = SourceFile(Path(os.path.abspath(os.path.join(root, path))), root)
    try:
        text = source.path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ReferenceError_(f"file {source.shown} not found", hint="check the path") from None
    except UnicodeDecodeError as exc:
        raise not_utf8(source.shown, exc, DefinitionError) from None
    except OSError as exc:
        raise DefinitionError(
            f"cannot read {source.shown}: {(exc.strerror or str(exc)).lower()}",
            location=source.at(None),
            hint="check that the file exists and that you may read it",
        ) from None
    try:
        data = yaml.load(text, Loader=_LineLoader)
    except yaml.MarkedYAMLError as exc:
        line, column, problem = yaml_error_at(exc, text)
        raise DefinitionError(
            f"invalid YAML, column {column}: {problem}" if column else f"invalid YAML: {problem}",
            location=source.at(line),
            hint="check indentation, colons and quotes around that line",
        ) from None
    except yaml.YAMLError as exc:
        raise DefinitionError(f"invalid YAML: {exc}", location=source.at(None)) from None
    return data, source


def expect_map(value: Any, what: str, where: Location) -> YamlMap:
    """value when it is a mapping (None counts as empty); DefinitionError otherwise."""
    if value is None:
        empty = YamlMap()
        empty.line = where.line
        return empty
    if not isinstance(value, dict):
        raise DefinitionError(f"{what} must be a mapping, got {value!r}", location=where)
    return yaml_map(value)


def yaml_map(value: dict[Any, Any]) -> YamlMap:
    """value as a YamlMap: itself when it was read from a file, else a copy without lines."""
    return value if isinstance(value, YamlMap) else YamlMap(value)


def line_of(mapping: Any, key: Any = None) -> int | None:
    """The line of key in mapping (or of mapping itself) when it was read from a file."""
    if isinstance(mapping, YamlMap):
        return mapping.key_line(key) if key is not None else mapping.line
    return None


def check_keys(
    mapping: dict,
    known_keys: frozenset[str],
    what: str,
    source: SourceFile,
    step: str | None = None,
    notes: list[str] | None = None,
    refuse_unknown: bool = False,
) -> None:
    """Unknown keys that look like typos of known ones: refused where Azure ML's schema refuses
    unknown keys (notes is None), a note with the suggestion where Azure accepts them (notes
    given, e.g. under ``settings`` and in the jobs of a pipeline). Other unknown keys are
    ignored, unless refuse_unknown: the top level of a pipeline job, command job or component
    file, which Azure ML loads with ``unknown=RAISE``, refuses every key it does not know."""
    for key in mapping:
        if key in known_keys or not isinstance(key, str):
            continue
        suggestion = did_you_mean(key, known_keys)
        where = source.at(line_of(mapping, key), step)
        if not suggestion and refuse_unknown:
            raise DefinitionError(
                f"unknown key '{key}' in {what}; Azure ML refuses it too",
                location=where,
                hint=f"keys of {what}: {', '.join(sorted(known_keys))}",
            )
        if not suggestion:
            continue
        if notes is not None:
            notes.append(
                f"{where}: unknown key '{key}' in {what}{suggestion}; Azure ML accepts it "
                "and pipeyard ignores it"
            )
            continue
        raise DefinitionError(
            f"unknown key '{key}' in {what}{suggestion}",
            location=where,
            hint=f"keys pipeyard reads in {what}: {', '.join(sorted(known_keys))}",
        )
