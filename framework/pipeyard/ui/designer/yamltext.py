"""Round-trip YAML for the designer: parse a pipeline file into a tree that remembers its
comments, quotes and layout, change entries, and print it back so that what was not edited
stays byte for byte.

ruamel.yaml keeps the text between two entries (blank lines, full-line comments) in one of
two places: after the last scalar of the entry before (a "tail"), or before the key of the
entry after (a "lead"), which for a flow value ``{type: x}`` may be a key one level up. The
helpers here move that text along when an entry is added, removed or replaced, so that an
edit's diff holds the edited lines and nothing else.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.tokens import CommentToken
from ruamel.yaml.util import load_yaml_guess_indent

from ...errors import DefinitionError

_EXPLICIT_START = re.compile(r"^(?:#[^\n]*\n|\s*\n)*---[ \t]*(?:#[^\n]*)?\n")


@dataclass
class Tree:
    """A parsed YAML document (``data``) with what it takes to print it as it was."""

    data: Any
    yaml: YAML
    newline: str  # "\n" or "\r\n"
    final_newline: bool
    original: str = ""

    def dump(self) -> str:
        """The document as text, in the layout it was read with."""
        if self.data is None:  # nothing but comments (or nothing): nothing an edit could change
            return self.original
        out = io.StringIO()
        self.yaml.dump(self.data, out)
        text = out.getvalue()
        if not self.final_newline and text.endswith("\n"):
            text = text[:-1]
        return text.replace("\n", self.newline) if self.newline != "\n" else text


def parse(text: str, shown: str = "the file") -> Tree:
    """The round-trip tree of text; DefinitionError (with the line) when it is not YAML."""
    newline = "\r\n" if "\r\n" in text else "\n"
    plain = text.replace("\r\n", "\n")
    yaml = YAML()  # round-trip mode: comments, quotes, key order and flow style kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap long lines
    try:
        yaml.explicit_start = bool(_EXPLICIT_START.match(plain))
        data = yaml.load(plain)
        _choose_layout(yaml, data, plain)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 1})" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "invalid YAML"
        raise DefinitionError(
            f"{shown} is not valid YAML{where}: {problem}",
            hint="fix it in your editor; the designer reloads it",
        ) from None
    return Tree(data, yaml, newline, plain.endswith("\n") or not plain, text)


def _choose_layout(yaml: YAML, data: Any, text: str) -> None:
    """Set the mapping and sequence indentation that prints text as it is: ruamel's guess
    first, then the common layouts (mappings by 2 with sequences flush or indented, by 4)."""
    _, guessed, offset = load_yaml_guess_indent(text) if text.strip() else (None, 2, 0)
    guessed, offset = guessed or 2, offset or 0
    candidates = [
        (guessed, guessed, offset),
        (2, 2, 0),
        (2, 4, 2),
        (4, 4, 2),
        (4, 4, 0),
        (3, 3, 0),
        (2, guessed, offset),
    ]
    for mapping, sequence, dash in candidates:
        yaml.indent(mapping=mapping, sequence=sequence, offset=dash)
        out = io.StringIO()
        yaml.dump(data, out)
        printed = out.getvalue()
        if printed == text or printed == text + "\n":
            return
    yaml.indent(mapping=2, sequence=guessed, offset=offset)


# -- the text between entries ------------------------------------------------------------


def _deepest_slot(mapping: CommentedMap, key: Any) -> tuple[list, int]:
    """The comment list and index that hold the tail of the entry key (the text after its
    last line), going down to its last scalar through block mappings and sequences."""
    value = mapping[key]
    if isinstance(value, CommentedMap) and value and not value.fa.flow_style():
        return _deepest_slot(value, list(value)[-1])
    if isinstance(value, CommentedSeq) and value and not value.fa.flow_style():
        last = len(value) - 1
        item = value[last]
        if isinstance(item, CommentedMap) and item and not item.fa.flow_style():
            return _deepest_slot(item, list(item)[-1])
        return value.ca.items.setdefault(last, [None, None, None, None]), 0
    slots = mapping.ca.items.setdefault(key, [None, None, None, None])
    return slots, 2


def tail(mapping: CommentedMap, key: Any) -> str | None:
    """The text stored after the entry key's last value (end-of-line comment, newline, then
    blank and comment lines), or None."""
    slots, index = _deepest_slot(mapping, key)
    token = slots[index]
    return token.value if isinstance(token, CommentToken) else None


def set_tail(mapping: CommentedMap, key: Any, text: str | None) -> None:
    """Store text after the entry key's last value (None or a bare newline: nothing)."""
    slots, index = _deepest_slot(mapping, key)
    old = slots[index]
    if text is None or text == "\n":
        slots[index] = None
        return
    column = old.column if isinstance(old, CommentToken) else 0
    slots[index] = CommentToken(text, CommentMark(column), None)


def split_tail(text: str | None) -> tuple[str, str]:
    """(end of the entry's own line, the lines after it) of a tail."""
    if not text:
        return "\n", ""
    line, newline, rest = text.partition("\n")
    return line + newline, rest


def lead(mapping: CommentedMap, key: Any) -> str:
    """The blank and comment lines stored before the key of the entry key."""
    slots = mapping.ca.items.get(key)
    tokens = slots[1] if slots and len(slots) > 1 and isinstance(slots[1], list) else []
    return "".join(t.value for t in tokens if isinstance(t, CommentToken))


def _set_lead(mapping: CommentedMap, key: Any, text: str) -> None:
    """Store text (blank and comment lines) before the key of the entry key."""
    slots = mapping.ca.items.setdefault(key, [None, None, None, None])
    slots[1] = [CommentToken(text, CommentMark(0), None)] if text else None


def separator(mapping: CommentedMap) -> str:
    """The blank lines a mapping puts between its entries ("" or "\\n"), read off the first gap."""
    keys = list(mapping)
    if len(keys) < 2:
        return ""
    gap = split_tail(tail(mapping, keys[0]))[1] + lead(mapping, keys[1])
    return "\n" if gap.startswith("\n") else ""


# -- changing entries ----------------------------------------------------------------------


def append(mapping: CommentedMap, key: Any, value: Any, gap: str | None = None) -> None:
    """Add key: value after the last entry; the text that followed the mapping still follows
    it, and gap (default: the mapping's own separator) goes between the old last entry and it."""
    keys = list(mapping)
    if not keys:
        mapping[key] = value
        return
    gap = separator(mapping) if gap is None else gap
    last = keys[-1]
    own_line, after = split_tail(tail(mapping, last))
    set_tail(mapping, last, own_line + gap)
    mapping[key] = value
    set_tail(mapping, key, "\n" + after)


def insert_after(mapping: CommentedMap, anchor: Any | None, key: Any, value: Any) -> None:
    """Add key: value right after the entry anchor (None: first); the lines that followed
    anchor now follow the new entry."""
    keys = list(mapping)
    if anchor is None or anchor not in mapping:
        position = 0
    else:
        position = keys.index(anchor) + 1
    if position >= len(keys):
        append(mapping, key, value, gap="")
        return
    mapping.insert(position, key, value)
    if anchor is not None and anchor in mapping:
        own_line, after = split_tail(tail(mapping, anchor))
        if after:
            set_tail(mapping, anchor, own_line)
            set_tail(mapping, key, "\n" + after)


def replace(mapping: CommentedMap, key: Any, value: Any) -> None:
    """Set the value of an existing entry, keeping its comments and the lines after it."""
    kept = tail(mapping, key)
    mapping[key] = value
    set_tail(mapping, key, kept)


def remove(mapping: CommentedMap, key: Any) -> None:
    """Delete the entry key and its lines; the lines that separate it from what follows the
    mapping stay, and no blank line is doubled or lost."""
    keys = list(mapping)
    position = keys.index(key)
    removed_tail = split_tail(tail(mapping, key))[1]
    removed_lead = lead(mapping, key)
    is_last = position == len(keys) - 1
    if is_last and position > 0:
        previous = keys[position - 1]
        own_line, _ = split_tail(tail(mapping, previous))
        set_tail(mapping, previous, own_line + removed_tail)
    elif not is_last:
        # The gap before key (its lead, or the tail of the entry before) stays; the gap after
        # it (its own tail, or the lead of the next entry) goes, except comment lines there.
        following = keys[position + 1]
        comments = removed_tail.lstrip("\n") + lead(mapping, following).lstrip("\n")
        _set_lead(mapping, following, removed_lead + comments)
    del mapping[key]
    mapping.ca.items.pop(key, None)


def rename(mapping: CommentedMap, old: Any, new: Any) -> None:
    """Give the entry old the key new, in the same place, with its comments."""
    keys = list(mapping)
    position = keys.index(old)
    comments = mapping.ca.items.pop(old, None)
    value = mapping[old]
    del mapping[old]
    mapping.insert(position, new, value)
    if comments is not None:
        mapping.ca.items[new] = comments


def block_map(pairs: list[tuple[str, Any]]) -> CommentedMap:
    """A new block-style mapping of pairs, in order."""
    mapping = CommentedMap()
    for key, value in pairs:
        mapping[key] = value
    mapping.fa.set_block_style()
    return mapping


def same_style(old: Any, text: str) -> Any:
    """text as a scalar quoted the way old was (plain when old was not a quoted string)."""
    if isinstance(old, str) and type(old) is not str:
        try:
            return type(old)(text)
        except TypeError:
            return text
    return text
