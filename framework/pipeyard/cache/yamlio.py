"""YAML as DVC reads and writes it: YAML 1.2 values, ruamel's layout.

DVC parses with ruamel.yaml (YAML 1.2: `yes` is a string, `1e-05` a float) and writes with
ruamel's round-trip dumper. Reading with ruamel is slow (pure Python), so reading uses PyYAML's
libyaml parser with the YAML 1.2 core-schema resolvers instead; writing uses ruamel itself,
imported only when something is written, so files come out byte for byte as DVC writes them.
"""

from __future__ import annotations

import io
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


_WIDTH = 80  # ruamel's best_width: longer lines fold, which only ruamel itself lays out
_TEXT = re.compile(r"[\x20-\x7e]*")  # what the fast writer quotes and measures by itself
# The YAML 1.2 implicit types ruamel's resolver tries, by a plain scalar's first character.
_IMPLICIT_12 = (
    ("tTfF", re.compile(r"(?:true|True|TRUE|false|False|FALSE)\Z")),
    (
        "-+0123456789.",
        re.compile(
            r"""(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?
            |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
            |[-+]?\.[0-9_]+(?:[eE][-+][0-9]+)?
            |[-+]?\.(?:inf|Inf|INF)
            |\.(?:nan|NaN|NAN))\Z""",
            re.VERBOSE,
        ),
    ),
    (
        "-+0123456789",
        re.compile(r"(?:[-+]?0b[0-1_]+|[-+]?0o?[0-7_]+|[-+]?[0-9_]+|[-+]?0x[0-9a-fA-F_]+)\Z"),
    ),
    ("<", re.compile(r"<<\Z")),
    ("~nN", re.compile(r"(?:~|null|Null|NULL)\Z")),
    (
        "0123456789",
        re.compile(
            r"""(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
            |[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?
            (?:[Tt]|[\ \t]+)[0-9][0-9]?
            :[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?
            (?:[\ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)\Z""",
            re.VERBOSE,
        ),
    ),
    ("=", re.compile(r"=\Z")),
    ("!&*", re.compile(r"[!&*]\Z")),
)
_IMPLICIT_BY_FIRST = {
    first: tuple(rx for chars, rx in _IMPLICIT_12 if first in chars)
    for first in "".join(chars for chars, _rx in _IMPLICIT_12)
}
_LEADING_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")


class _NeedsRuamel(Exception):
    """A value whose layout the fast writer does not reproduce (long, non-ASCII, unusual)."""


def emit_yaml(data: Any) -> str:
    """data (dicts, lists, scalars) as YAML text, byte for byte what DVC's ruamel writer gives.

    The common case -- printable ASCII, lines within ruamel's 80 columns, str/int/float/bool/
    None values -- is written here in microseconds with ruamel's rules (YAML 1.2 plain scalars,
    so `yes` and `on` stay plain; single quotes, or double quotes for text holding `'`).
    Anything else (a line ruamel would fold, non-ASCII text, other types) is handed to ruamel
    itself (`dump_yaml`), so the bytes are DVC's either way.
    """
    fast = try_emit_yaml(data)
    return fast if fast is not None else dump_yaml(_unshared(data))


def try_emit_yaml(data: Any) -> str | None:
    """emit_yaml's fast writer alone: the text, or None when only ruamel can lay data out."""
    if not isinstance(data, dict) or not data:
        return None
    lines: list[str] = []
    try:
        _emit(data, 0, lines)
    except _NeedsRuamel:
        return None
    if any(len(line) > _WIDTH for line in lines):
        return None
    return "\n".join(lines) + "\n"


def _unshared(data: Any) -> Any:
    """A copy of data in which no dict or list appears twice (ruamel would emit an anchor)."""
    if isinstance(data, dict):
        return {k: _unshared(v) for k, v in data.items()}
    if isinstance(data, (list, tuple)):
        return [_unshared(v) for v in data]
    return data


def _emit(data: Any, indent: int, lines: list[str]) -> None:
    pad = " " * indent
    if isinstance(data, dict):
        for key, value in data.items():
            head = f"{pad}{_key(key)}:"
            if isinstance(value, dict) and value:
                lines.append(head)
                _emit(value, indent + 2, lines)
            elif isinstance(value, (list, tuple)) and value:
                lines.append(head)
                _emit(list(value), indent, lines)
            else:
                text = _scalar(value)
                lines.append(f"{head} {text}" if text else head)
    else:
        for item in data:
            if isinstance(item, (dict, list, tuple)) and item:
                nested: list[str] = []
                _emit(list(item) if isinstance(item, tuple) else item, indent + 2, nested)
                lines.append(f"{pad}- {nested[0][indent + 2:]}")
                lines.extend(nested[1:])
            else:
                lines.append(f"{pad}- {_scalar(item)}")


@lru_cache(maxsize=4096)
def _str_key(key: str) -> str:
    return _string(key)


def _key(key: Any) -> str:
    if isinstance(key, str) and key and len(key) < 128:
        return _str_key(key)  # keys repeat (path, md5, size, ...): remember their layout
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    raise _NeedsRuamel


def _scalar(value: Any) -> str:
    """A value inside a mapping or sequence as ruamel writes it (None is empty there)."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, str):
        return _string(value) if value else "''"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        return repr(value).lower()
    if isinstance(value, dict):
        return "{}" if not value else _raise()
    if isinstance(value, (list, tuple)):
        return "[]" if not value else _raise()
    raise _NeedsRuamel


def _raise() -> str:
    raise _NeedsRuamel


def _string(text: str) -> str:
    """A non-empty printable-ASCII string in ruamel's style: plain, '...' or "..."."""
    if not _TEXT.fullmatch(text):
        raise _NeedsRuamel
    if _plain_ok(text):
        return text
    if "'" in text:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return "'" + text + "'"


def _plain_ok(text: str) -> bool:
    """True when ruamel writes the printable-ASCII text plain (its analysis and resolver)."""
    if text[0] == " " or text[-1] == " " or text.startswith(("---", "...")):
        return False
    first = text[0]
    if first in _LEADING_INDICATORS:
        return False
    if first in "?:-" and (len(text) == 1 or text[1] == " "):
        return False
    if ": " in text or text.endswith(":") or " #" in text:
        return False
    return not any(rx.match(text) for rx in _IMPLICIT_BY_FIRST.get(first, ()))
