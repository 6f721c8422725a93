"""YAML as DVC reads and writes it: YAML 1.2 values, ruamel's layout.

DVC parses with ruamel.yaml (YAML 1.2: `yes` is a string, `1e-05` a float) and writes with
ruamel's round-trip dumper. Reading with ruamel is slow (pure Python), so reading uses PyYAML's
libyaml parser with the YAML 1.2 core-schema resolvers instead; writing uses ruamel itself,
imported only when something is written, so files come out byte for byte as DVC writes them.
"""

from __future__ import annotations

import io
import json
import re
from functools import lru_cache
from typing import Any

import yaml

_BASE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"

_YAML12_RESOLVERS = (
    (_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), "tTfF"),
    (
        _FLOAT_TAG,
        re.compile(
            r"""^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
            |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
            |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
            |[-+]?\.(?:inf|Inf|INF)
            |\.(?:nan|NaN|NAN))$""",
            re.VERBOSE,
        ),
        "-+0123456789.",
    ),
    (
        _INT_TAG,
        re.compile(
            r"""^(?:[-+]?0b[0-1_]+
            |[-+]?0o[0-7_]+
            |[-+]?[0-9_]+
            |[-+]?0x[0-9a-fA-F_]+)$""",
            re.VERBOSE,
        ),
        "-+0123456789",
    ),
)


class Yaml12Loader(_BASE_LOADER):  # type: ignore[misc, valid-type]
    """PyYAML's fast safe loader, resolving plain scalars the way YAML 1.2 (and DVC) does."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _INT_TAG, _FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _regexp, _first in _YAML12_RESOLVERS:
    Yaml12Loader.add_implicit_resolver(_tag, _regexp, list(_first))


def _construct_int(loader: yaml.SafeLoader, node: yaml.Node) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    return int(text, 0) if text.lstrip("+-")[:2] in ("0b", "0o", "0x") else int(text, 10)


Yaml12Loader.add_constructor(_INT_TAG, _construct_int)


def parse_yaml(text: str) -> Any:
    """The data in a YAML document, with YAML 1.2 scalars; an empty document is None."""
    return yaml.load(text, Loader=Yaml12Loader)


@lru_cache(maxsize=1)
def _dvc_dumper():
    from ruamel.yaml import YAML

    dumper = YAML()
    dumper.default_flow_style = False
    return dumper


def dump_yaml(data: Any) -> str:
    """data as YAML text laid out exactly as DVC writes dvc.lock and run-cache entries.

    ruamel (what DVC uses) costs several milliseconds per stage; `emit_yaml` writes the same
    layout in microseconds and is what the hot path uses. This stays as the reference.
    """
    stream = io.StringIO()
    _dvc_dumper().dump(data, stream)
    return stream.getvalue()


_STR_TAG = "tag:yaml.org,2002:str"
_YAML11 = yaml.resolver.Resolver()
_YAML12 = Yaml12Loader("")
_PLAIN_FIRST = re.compile(r"[A-Za-z0-9_./~(]")
_UNSAFE_INSIDE = re.compile(r": |\s#|[\x00-\x1f\x7f]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def emit_yaml(data: Any) -> str:
    """data (dicts, lists, scalars) as block YAML in DVC's layout, read back identically.

    Strings stay plain only where both YAML 1.1 and YAML 1.2 read them back as the same
    string; every other string is double-quoted. Long lines are not folded (ruamel folds them
    at 80 columns), so a long command may differ from DVC's bytes but never in meaning.
    """
    lines: list[str] = []
    _emit(data, 0, lines)
    return "\n".join(lines) + "\n"


def _emit(data: Any, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(data, dict):
        for key, value in data.items():
            head = f"{pad}{_scalar(str(key))}:"
            if isinstance(value, dict) and value:
                lines.append(head)
                _emit(value, indent + 2, lines)
            elif isinstance(value, (list, tuple)) and value:
                lines.append(head)
                _emit(list(value), indent, lines)
            else:
                text = _scalar(value, in_mapping=True)
                lines.append(f"{head} {text}" if text else head)
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, (dict, list, tuple)) and item:
                nested: list[str] = []
                _emit(list(item) if isinstance(item, tuple) else item, indent + 2, nested)
                lines.append(f"{pad}- {nested[0][indent + 2:]}")
                lines.extend(nested[1:])
            else:
                lines.append(f"{pad}- {_scalar(item)}")
    else:
        lines.append(pad + _scalar(data))


def _scalar(value: Any, in_mapping: bool = False) -> str:
    if value is None:
        return "" if in_mapping else "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, (list, tuple)):
        return "[]"
    text = str(value)
    if _plain_ok(text):
        return text
    if _CONTROL.search(text) or "'" in text:
        return json.dumps(text, ensure_ascii=False)
    return "'" + text.replace("'", "''") + "'"


def _plain_ok(text: str) -> bool:
    if not text or text != text.strip() or not _PLAIN_FIRST.match(text) or text.endswith(":"):
        return False
    if _UNSAFE_INSIDE.search(text):
        return False
    for resolver in (_YAML11, _YAML12):
        if resolver.resolve(yaml.ScalarNode, text, (True, False)) != _STR_TAG:
            return False
    return True
