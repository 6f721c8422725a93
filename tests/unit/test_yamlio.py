"""pipeyard.yamlio: the one quoting rule of the files pipeyard writes, and the YAML 1.2 table it
shares with the DVC-layout writer and the reader. (The DVC layout itself: tests/unit/cache/test_yaml_emit.py.)"""

from __future__ import annotations

import io

import pytest
import yaml
from ruamel.yaml import YAML
from ruamel.yaml.resolver import VersionedResolver

from pipeyard.yamlio import Folded, parse_yaml, reads_as_other_type, to_yaml, yaml12_resolvers

# strings YAML 1.1 (PyYAML) reads as another type, and strings only YAML 1.2 (ruamel, DVC) does
YAML11_ONLY = ["yes", "on", "off", "No", "1_000", "1:20"]
YAML12 = ["1e5", "0o17", "true", "null", "~", "12", "-.inf", "2024-01-01", "<<", "="]


def test_the_yaml12_rules_are_ruamels_own() -> None:
    """yamlio keeps a copy of the YAML 1.2 rules DVC reads with, so as not to import ruamel."""

    def table(rules):
        return {first: [(tag, rx.pattern, rx.flags) for tag, rx in found] for first, found in rules.items()}

    assert table(yaml12_resolvers()) == table(VersionedResolver(version=(1, 2)).versioned_resolver)


@pytest.mark.parametrize("text", YAML11_ONLY + YAML12)
def test_a_string_either_yaml_version_misreads_is_quoted(text: str) -> None:
    assert reads_as_other_type(text)
    written = to_yaml({"k": text, "list": [text]})
    assert f"k: '{text}'" in written
    assert yaml.safe_load(written) == {"k": text, "list": [text]}
    assert parse_yaml(written) == {"k": text, "list": [text]}
    assert YAML(typ="safe").load(io.StringIO(written)) == {"k": text, "list": [text]}


@pytest.mark.parametrize("text", ["train", "python train.py --lr 0.1", "a:b", "${{ inputs.x }}", "é"])
def test_other_strings_stay_plain(text: str) -> None:
    assert not reads_as_other_type(text)
    assert to_yaml({"k": text}) == f"k: {text}\n"


def test_layout_keys_in_order_blocks_no_anchors_no_folding() -> None:
    shared = ["a", "b"]
    data = {"z": "one\ntwo\n", "a": shared, "b": shared, "long": "word " * 40, "none": None, "n": 3}
    written = to_yaml(data)
    assert written.splitlines()[0] == "z: |"
    assert "&" not in written and "*" not in written
    assert max(len(line) for line in written.splitlines()) > 150
    assert "none: null" in written
    assert yaml.safe_load(written) == data


def test_empty_null_width_and_folded_strings() -> None:
    assert to_yaml({"on": {"pull_request": None}}, empty_null=True) == "'on':\n  pull_request:\n"
    command = Folded("python run.py " + " ".join(f"--option-{i} ${{{{inputs.o{i}}}}}" for i in range(8)))
    written = to_yaml({"command": command}, width=88)
    assert written.startswith("command: >-\n") and len(written.splitlines()) > 3
    assert yaml.safe_load(written) == {"command": str(command)}
