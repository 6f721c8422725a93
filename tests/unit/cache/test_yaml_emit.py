"""emit_yaml writes what DVC's ruamel writer writes, byte for byte; its fast path is checked
against ruamel itself on awkward values and on random ones."""

from __future__ import annotations

import random

import pytest

from pipeyard.yamlio import dump_yaml, emit_yaml, parse_yaml, try_emit_yaml

AWKWARD = [
    "yes",
    "on",
    "no",
    "off",
    "y",
    "null",
    "Null",
    "~",
    "true",
    "True",
    "1e5",
    "1E5",
    "0o17",
    "017",
    "0x1F",
    "1_000",
    "_",
    "2024-01-01",
    ".inf",
    ".nan",
    "=",
    "<<",
    "!",
    "&",
    "*",
    "-",
    "- x",
    "-x",
    "?",
    "? x",
    ":",
    "a:",
    "a: b",
    "a:b",
    "#x",
    "a #x",
    "a#x",
    "it's",
    "'q'",
    '"q"',
    "back\\slash",
    "---",
    "...x",
    " lead",
    "trail ",
    "a,b",
    "[x]",
    "{x}",
    "%x",
    "@x",
    "`x",
    "|x",
    ">x",
    "",
    "x" * 70,
    "echo 1 > out && cat a | b",
    "python -c \"print('hi')\"",
]


@pytest.mark.parametrize("value", AWKWARD)
def test_each_awkward_string_is_laid_out_as_ruamel_does(value: str) -> None:
    for data in ({"k": value}, {"k": [value]}, {"stages": {"s": {"cmd": value, "outs": [{"path": value}]}}}):
        assert emit_yaml(data) == dump_yaml(data)
        assert parse_yaml(emit_yaml(data)) == data


def test_values_dvc_records_are_laid_out_as_ruamel_does() -> None:
    data = {
        "schema": "2.0",
        "stages": {
            "train": {
                "cmd": ["python train.py --lr 0.1", "echo done"],
                "params": {
                    "params.yaml": {
                        "train": {
                            "lr": 0.001,
                            "eps": 1e-05,
                            "big": 1e16,
                            "n": 10**20,
                            "off": False,
                            "none": None,
                            "inf": float("inf"),
                            "empty_list": [],
                            "empty_map": {},
                            "nested": [[1, None], {"a": "b"}],
                        }
                    }
                },
                "outs": [{"path": "model.pkl", "hash": "md5", "md5": "0" * 32, "size": 3, "isexec": True}],
            }
        },
    }
    assert try_emit_yaml(data) is not None  # all of it on the fast path
    assert emit_yaml(data) == dump_yaml(data)


def test_long_lines_and_unicode_go_to_ruamel_and_fold_as_dvc_does() -> None:
    long = {"cmd": "python train.py " + " ".join(f"--option-{i} value" for i in range(10))}
    assert try_emit_yaml(long) is None
    assert emit_yaml(long) == dump_yaml(long) and "\n  " in emit_yaml(long)
    unicode = {"name": "café ☕"}
    assert try_emit_yaml(unicode) is None and emit_yaml(unicode) == "name: café ☕\n"


def test_shared_objects_do_not_become_yaml_anchors() -> None:
    shared = ["a"]
    data = {"x": shared, "y": shared, "long": "é"}
    assert "&" not in emit_yaml(data) and emit_yaml(data) == dump_yaml({"x": ["a"], "y": ["a"], "long": "é"})


def test_random_documents_match_ruamel() -> None:
    rng = random.Random(12)
    alphabet = list("ab yn:-#'\"\\?.,[]{}&*!|>%@`~=<0123456789eExo_+tTfFlNuO/") + ["yes", "on", "null", "1e5"]

    def text() -> str:
        return "".join(rng.choice(alphabet) for _ in range(rng.choice([1, 2, 3, 5, 9, 30])))

    def value(depth: int = 0):
        roll = rng.random()
        if depth < 2 and roll < 0.2:
            return {text(): value(depth + 1) for _ in range(rng.randint(0, 3))}
        if depth < 2 and roll < 0.4:
            return [value(depth + 1) for _ in range(rng.randint(0, 3))]
        return rng.choice([None, True, 7, -3, 0.25, 1e-07, text(), text(), text()])

    for _ in range(400):
        data = {"stages": {text(): {"cmd": value(), "params": value()}}}
        assert emit_yaml(data) == dump_yaml(data), data
