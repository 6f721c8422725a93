"""The round-trip YAML helpers: adding, removing and renaming entries changes those lines only,
with the blank and comment lines around them kept in place."""

from __future__ import annotations

import pytest

from pipeyard.errors import DefinitionError
from pipeyard.ui.designer import yamltext


def _edited(text: str, change) -> str:
    tree = yamltext.parse(text)
    change(tree.data)
    return tree.dump()


BLOCK = """\
jobs:
  a:
    x: 1   # a's x

  b:
    x: 2

  # c comes last
  c:
    x: 3

outputs: {}
"""

FLOW = """\
jobs:
  a:
    out: {type: uri_file}

  b:
    out: {type: uri_file}

  c:
    out: {type: uri_file}

outputs: {}
"""


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        (BLOCK, "a", "jobs:\n  b:\n    x: 2\n\n  # c comes last\n  c:\n    x: 3\n\noutputs: {}\n"),
        (BLOCK, "b", "jobs:\n  a:\n    x: 1   # a's x\n\n  # c comes last\n  c:\n    x: 3\n\noutputs: {}\n"),
        (BLOCK, "c", "jobs:\n  a:\n    x: 1   # a's x\n\n  b:\n    x: 2\n\noutputs: {}\n"),
        (
            FLOW,
            "a",
            "jobs:\n  b:\n    out: {type: uri_file}\n\n  c:\n    out: {type: uri_file}\n\noutputs: {}\n",
        ),
        (
            FLOW,
            "b",
            "jobs:\n  a:\n    out: {type: uri_file}\n\n  c:\n    out: {type: uri_file}\n\noutputs: {}\n",
        ),
        (
            FLOW,
            "c",
            "jobs:\n  a:\n    out: {type: uri_file}\n\n  b:\n    out: {type: uri_file}\n\noutputs: {}\n",
        ),
    ],
)
def test_remove_takes_the_entry_and_one_gap(text, key, expected):
    assert _edited(text, lambda data: yamltext.remove(data["jobs"], key)) == expected


@pytest.mark.parametrize("text", [BLOCK, FLOW])
def test_append_keeps_what_follows_the_mapping(text):
    def add(data):
        yamltext.append(data["jobs"], "d", yamltext.block_map([("x", 4)]))

    assert _edited(text, add) == text.replace("\noutputs:", "\n  d:\n    x: 4\n\noutputs:")


def test_insert_after_moves_the_gap_below_the_new_entry():
    text = "a:\n  k: 1\n\nb: 2\n"

    def add(data):
        yamltext.insert_after(data["a"], "k", "m", 5)

    assert _edited(text, add) == "a:\n  k: 1\n  m: 5\n\nb: 2\n"


def test_rename_and_replace_keep_comments_and_quotes():
    text = 'jobs:\n  a: "${{x}}"   # keep me\n  b: 1\n'

    def change(data):
        yamltext.rename(data["jobs"], "a", "z")
        yamltext.replace(data["jobs"], "z", yamltext.same_style(data["jobs"]["z"], "${{y}}"))

    assert _edited(text, change) == 'jobs:\n  z: "${{y}}"   # keep me\n  b: 1\n'


def test_invalid_yaml_says_where():
    with pytest.raises(DefinitionError, match=r"pipeline.yml is not valid YAML \(line 3\)"):
        yamltext.parse("jobs:\n  a: 1\n   b: 2\n", "pipeline.yml")


def test_the_gap_after_a_block_sequence_moves_with_its_entry():
    text = "a:\n  k:\n  - 1\n  - 2\n\n  m: 1\n\nb: 2\n"
    assert _edited(text, lambda data: yamltext.remove(data["a"], "m")) == "a:\n  k:\n  - 1\n  - 2\n\nb: 2\n"
    assert _edited(text, lambda data: yamltext.remove(data["a"], "k")) == "a:\n  m: 1\n\nb: 2\n"
    assert (
        _edited(text, lambda data: yamltext.append(data["a"], "n", 3))
        == "a:\n  k:\n  - 1\n  - 2\n\n  m: 1\n\n  n: 3\n\nb: 2\n"
    )
