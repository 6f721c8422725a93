"""YAML as pipeyard reads and writes it: the one module that turns data into YAML text.

Two kinds of file are written, by one quoting rule each told apart by who else writes them:

* files DVC writes too (``dvc.lock``, run-cache entries) are laid out byte for byte as DVC's
  ruamel writer lays them out (`emit_yaml`), so DVC and pipeyard never rewrite each other's
  bytes: a string is quoted when YAML 1.2 (DVC's reader) would read it as another type;
* every file pipeyard alone writes (``dvc.yaml``, ``params.yaml``, GitHub workflows, registry
  indexes, manifests, pins and component specs) goes through `to_yaml`: a string is quoted
  when YAML 1.1 (PyYAML) *or* 1.2 (ruamel, DVC) would read it as another type, so every tool
  reads back the same value and type.

Both rules read YAML 1.2 from one table, ruamel's own (a test pins it to the installed
ruamel). Reading uses PyYAML's libyaml parser with those YAML 1.2 resolvers (`parse_yaml`):
ruamel is slow to import and to parse, so it is imported only when `dump_yaml` needs it.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:
    from ruamel.yaml import YAML

_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_STR_TAG = "tag:yaml.org,2002:str"

# ruamel.yaml's YAML 1.2 implicit-type rules (ruamel/yaml/resolver.py: tag, pattern, flags,
# first characters), by which DVC reads its files. Importing ruamel for them costs every run
# 15-25 ms; a test pins this copy to the installed ruamel's own table.
_YAML12_RULES = (
    (_BOOL_TAG, """^(?:true|True|TRUE|false|False|FALSE)$""", re.X, "tTfF"),
    (
        _FLOAT_TAG,
        """^(?:
         [-+]?(?:[0-9][0-9_]*)\\.[0-9_]*(?:[eE][-+]?[0-9]+)?
        |[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)
        |[-+]?\\.[0-9_]+(?:[eE][-+][0-9]+)?
        |[-+]?\\.(?:inf|Inf|INF)
        |\\.(?:nan|NaN|NAN))$""",
        re.X,
        "-+0123456789.",
    ),
    (
        _INT_TAG,
        """^(?:[-+]?0b[0-1_]+
        |[-+]?0o?[0-7_]+
        |[-+]?[0-9_]+
        |[-+]?0x[0-9a-fA-F_]+)$""",
        re.X,
        "-+0123456789",
    ),
    ("tag:yaml.org,2002:merge", "^(?:<<)$", 0, "<"),
    (
        "tag:yaml.org,2002:null",
        """^(?: ~
        |null|Null|NULL
        | )$""",
        re.X,
        ("~", "n", "N", ""),
    ),
    (
        "tag:yaml.org,2002:timestamp",
        """^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]
        |[0-9][0-9][0-9][0-9] -[0-9][0-9]? -[0-9][0-9]?
        (?:[Tt]|[ \\t]+)[0-9][0-9]?
        :[0-9][0-9] :[0-9][0-9] (?:\\.[0-9]*)?
        (?:[ \\t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$""",
        re.X,
        "0123456789",
    ),
    ("tag:yaml.org,2002:value", "^(?:=)$", 0, "="),
    ("tag:yaml.org,2002:yaml", "^(?:!|&|\\*)$", 0, "!&*"),
)


@functools.cache
def yaml12_resolvers() -> dict[str, list[tuple[str, re.Pattern[str]]]]:
    """YAML 1.2 implicit-type rules by first character, as ruamel.yaml (DVC's reader) has them."""
    rules: dict[str, list[tuple[str, re.Pattern[str]]]] = {}
    for tag, pattern, flags, firsts in _YAML12_RULES:
        compiled = re.compile(pattern, flags)
        for first in firsts:
            rules.setdefault(first, []).append((tag, compiled))
    return rules


def reads_as_other_type(text: str) -> bool:
    """True when YAML 1.1 (PyYAML) or YAML 1.2 (ruamel.yaml, DVC) would read the plain scalar
    text as something other than a string: the one rule by which `to_yaml` quotes."""
    first = text[:1]
    for _tag, pattern in yaml.resolver.Resolver.yaml_implicit_resolvers.get(first, ()):
        if pattern.match(text):
            return True
    return any(pattern.match(text) for _tag, pattern in yaml12_resolvers().get(first, ()))


if TYPE_CHECKING:
    _SafeLoader = yaml.SafeLoader
    _SafeDumper = yaml.SafeDumper
else:  # libyaml's parser and emitter, when PyYAML was built with it, are ~10x faster
    _SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    _SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class Yaml12Loader(_SafeLoader):
    """PyYAML's fast safe loader, resolving plain scalars the way YAML 1.2 (and DVC) does."""


Yaml12Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag not in (_BOOL_TAG, _INT_TAG, _FLOAT_TAG)]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _flags, _firsts in _YAML12_RULES:
    if _tag in (_BOOL_TAG, _INT_TAG, _FLOAT_TAG):
        Yaml12Loader.add_implicit_resolver(_tag, re.compile(_pattern, _flags), list(_firsts))


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int:
    text = loader.construct_scalar(node).replace("_", "")
    return int(text, 0) if text.lstrip("+-")[:2] in ("0b", "0o", "0x") else int(text, 10)


Yaml12Loader.add_constructor(_INT_TAG, _construct_int)


def parse_yaml(text: str) -> Any:
    """The data in a YAML document, with YAML 1.2 scalars; an empty document is None."""
    return yaml.load(text, Loader=Yaml12Loader)


@lru_cache(maxsize=1)
def _dvc_dumper() -> YAML:
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
# the YAML 1.2 rules by a plain scalar's first character, compiled once for the fast writer
_IMPLICIT_BY_FIRST = {first: tuple(rx for _tag, rx in rules) for first, rules in yaml12_resolvers().items()}
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
                lines.append(f"{pad}- {nested[0][indent + 2 :]}")
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


class Folded(str):
    """A string `to_yaml` writes in YAML's folded style (``>-``): a long command stays readable."""


_NO_FOLDING = 100_000  # lines longer than this fold; to_yaml folds none unless asked


class _Dumper(_SafeDumper):
    """PyYAML's safe dumper with `to_yaml`'s rule: no anchors, strings quoted as the rule says."""

    def ignore_aliases(self, data: Any) -> bool:
        return True  # a list shared by two keys is written twice: GitHub reads no aliases


class _EmptyNullDumper(_Dumper):
    """`_Dumper` writing None as nothing (``pull_request:``), as GitHub's documentation does."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if reads_as_other_type(value):
        return dumper.represent_scalar(_STR_TAG, value, style="'")
    return dumper.represent_scalar(_STR_TAG, value, style="|" if "\n" in value else None)


def _represent_folded(dumper: yaml.SafeDumper, value: Folded) -> yaml.ScalarNode:
    return dumper.represent_scalar(_STR_TAG, str(value), style=">")


def _represent_empty_null(dumper: yaml.SafeDumper, value: None) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:null", "")


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(Folded, _represent_folded)
_EmptyNullDumper.add_representer(type(None), _represent_empty_null)


def to_yaml(data: Mapping[str, Any], *, width: int | None = None, empty_null: bool = False) -> str:
    """data as the YAML text of a file pipeyard writes: keys in the order given, block style.

    A string is quoted ('...') when YAML 1.1 or 1.2 would read it as another type
    (`reads_as_other_type`), a multi-line string is a literal block (``|``), a `Folded` one a
    folded block; no anchors, unicode as it is. Lines fold only beyond width (default: never);
    empty_null writes None as nothing instead of ``null``.
    """
    return yaml.dump(
        dict(data),
        Dumper=_EmptyNullDumper if empty_null else _Dumper,
        sort_keys=False,
        default_flow_style=False,
        allow_unicode=True,
        width=width or _NO_FOLDING,
    )
