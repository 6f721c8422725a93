"""params.yaml as pipeyard writes and reads it: the values, the overrides that made them, a digest.

params.yaml is generated (component defaults < ``conf/`` < overrides) and committed. So that a
commit always agrees with itself, the overrides of earlier runs are recorded in the file::

    train: {lr: 0.3, model: random_forest}
    pipeyard:
      overrides: [train=random_forest, train.lr=0.3]
      written: 9c1f0a2e4b7d

and every later load applies them again: a plain ``pipeyard run`` after ``pipeyard run
train=random_forest`` keeps the random forest, as ``dvc exp run -S`` keeps its values.
``written`` is a digest of the values pipeyard wrote. When the values no longer match it,
someone changed the file outside pipeyard (an editor, ``dvc exp run -S``, ``dvc exp apply``):
each changed value becomes one more recorded override, so nothing the user set is dropped.
``pipeyard run --reset-params`` forgets the recorded overrides and returns to ``conf/``.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError, Location, unreadable_yaml
from ..model.project_layout import PARAMS_FILE, RESERVED_KEY

OVERRIDES_KEY = "overrides"
DIGEST_KEY = "written"
_PLAIN_STRING = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
_HYDRA_WORDS = {"true", "false", "null", "nan", "inf", "none", "yes", "no", "on", "off"}
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class RecordedParams:
    """What params.yaml says: its values, its recorded overrides, and whether it was edited.

    edited is True when the values differ from what pipeyard last wrote (the digest).
    """

    values: Mapping[str, Any]
    overrides: tuple[str, ...] = ()
    edited: bool = False


NOTHING_RECORDED = RecordedParams(values={})


def read_params_file(root: Path) -> RecordedParams:
    """The recorded state of root's params.yaml (nothing recorded when the file is absent).

    Raises ConfigError for a params.yaml that is not YAML or not a mapping.
    """
    path = Path(root) / PARAMS_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return NOTHING_RECORDED
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(
            f"cannot read {PARAMS_FILE}: {error}",
            location=Location(file=PARAMS_FILE),
            hint=f"fix or delete {PARAMS_FILE}; pipeyard writes it again from conf/",
        ) from None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        raise unreadable_yaml(
            PARAMS_FILE,
            error,
            text,
            hint=f"fix it by hand, or delete {PARAMS_FILE} and run `pipeyard run` to write it again "
            "(values set only in that file are then lost)",
        ) from None
    if data is None:
        return NOTHING_RECORDED
    if not isinstance(data, dict):
        raise ConfigError(
            f"{PARAMS_FILE} must hold a mapping of step names to parameters",
            location=Location(file=PARAMS_FILE),
            hint=f"delete {PARAMS_FILE} and run `pipeyard run` to write it again",
        )
    reserved = data.get(RESERVED_KEY)
    reserved = reserved if isinstance(reserved, dict) else {}
    overrides = reserved.get(OVERRIDES_KEY) or []
    if not isinstance(overrides, list) or not all(isinstance(o, str) for o in overrides):
        raise ConfigError(
            f"{RESERVED_KEY}.{OVERRIDES_KEY} in {PARAMS_FILE} must be a list of overrides",
            location=Location(file=PARAMS_FILE),
            hint="pipeyard writes this key; `pipeyard run --reset-params` rewrites it",
        )
    values = {k: v for k, v in data.items() if k != RESERVED_KEY}
    written = reserved.get(DIGEST_KEY)
    edited = written is not None and written != digest(values)
    return RecordedParams(values=values, overrides=tuple(overrides), edited=edited)


def digest(values: Mapping[str, Any]) -> str:
    """A short fingerprint of a parameter tree (the reserved key left out)."""
    plain = {k: v for k, v in values.items() if k != RESERVED_KEY}
    text = json.dumps(plain, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def with_record(params: Mapping[str, Any], overrides: Sequence[str]) -> dict[str, Any]:
    """params with the overrides that made it and the digest of its values recorded."""
    values = {k: v for k, v in params.items() if k != RESERVED_KEY}
    reserved = dict(params.get(RESERVED_KEY) or {})
    reserved.pop(OVERRIDES_KEY, None)
    reserved.pop(DIGEST_KEY, None)
    if overrides:
        reserved[OVERRIDES_KEY] = list(overrides)
    reserved[DIGEST_KEY] = digest(values)
    return {**values, RESERVED_KEY: reserved}


def without_record(params: Mapping[str, Any]) -> dict[str, Any]:
    """params without pipeyard's bookkeeping (recorded overrides, digest): the values alone."""
    reserved = params.get(RESERVED_KEY)
    if not isinstance(reserved, Mapping) or not ({OVERRIDES_KEY, DIGEST_KEY} & set(reserved)):
        return dict(params)
    kept = {k: v for k, v in reserved.items() if k not in (OVERRIDES_KEY, DIGEST_KEY)}
    values = {k: v for k, v in params.items() if k != RESERVED_KEY}
    return {**values, RESERVED_KEY: kept} if kept else values


def override_key(override: str) -> str:
    """The key an override sets: `train.lr` of `train.lr=0.1`, `+train.x=1` and `~train.lr`."""
    return override.split("=", 1)[0].lstrip("+~").strip()


def merge_overrides(earlier: Iterable[str], later: Iterable[str]) -> tuple[str, ...]:
    """earlier then later, each key kept once: a later override of a key replaces an earlier one.

    Selecting a config group (`train=large`) also drops earlier overrides of keys inside it
    (`train.lr=0.1`), since the new selection is meant to take over the whole group.
    """
    result: list[str] = []
    for override in (*earlier, *later):
        key = override_key(override)
        is_group = "." not in key and not override.startswith("~")
        result = [
            kept
            for kept in result
            if override_key(kept) != key and not (is_group and override_key(kept).startswith(key + "."))
        ]
        result.append(override)
    return tuple(result)


def edits_as_overrides(
    values: Mapping[str, Any], composed: Mapping[str, Any]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The values of params.yaml that differ from the composed tree, as overrides, and notes.

    A value params.yaml lacks is written again from the composed tree (and said in a note).
    """
    overrides: list[str] = []
    notes: list[str] = []
    for key, value, known in _leaves(values, composed):
        if not known:
            overrides.append(f"+{key}={format_value(value)}")
        elif value != _lookup(composed, key):
            overrides.append(f"{key}={format_value(value)}")
    for key, _value, _known in _leaves(composed, values):
        if not _has(values, key):
            notes.append(f"{PARAMS_FILE} lacks '{key}'; it is written again from conf/ and the definitions")
    return tuple(overrides), tuple(notes)


def format_value(value: Any) -> str:
    """value in Hydra's override grammar, so that parsing the override gives value back."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(format_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{k}:{format_value(v)}" for k, v in value.items()) + "}"
    text = str(value).replace("${", "\\${")
    if _PLAIN_STRING.match(text) and text.lower() not in _HYDRA_WORDS:
        return text
    return "'" + _escape_quoted(text) + "'"


def _escape_quoted(text: str) -> str:
    """Escape for a single-quoted Hydra string: quotes, and backslashes that precede a quote."""
    out: list[str] = []
    run = 0
    for char in text:
        if char == "\\":
            run += 1
            continue
        if char == "'":
            out.append("\\" * (2 * run) + "\\'")
        else:
            out.append("\\" * run + char)
        run = 0
    out.append("\\" * (2 * run))
    return "".join(out)


def _leaves(tree: Mapping[str, Any], other: Mapping[str, Any], prefix: str = ""):
    """(dotted key, value, whether other has the key) for every leaf of tree."""
    for key, value in tree.items():
        if key == RESERVED_KEY and not prefix:
            continue
        dotted = f"{prefix}{key}"
        if isinstance(value, Mapping) and value and isinstance(_lookup(other, dotted), Mapping):
            yield from _leaves(value, other, dotted + ".")
        else:
            yield dotted, value, _has(other, dotted)


def _lookup(tree: Mapping[str, Any], dotted: str) -> Any:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _has(tree: Mapping[str, Any], dotted: str) -> bool:
    node: Any = tree
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False
        node = node[part]
    return True
