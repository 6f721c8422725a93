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
    """data as YAML text laid out exactly as DVC writes dvc.lock and run-cache entries."""
    stream = io.StringIO()
    _dvc_dumper().dump(data, stream)
    return stream.getvalue()
