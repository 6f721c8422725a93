"""The shared wording of errors: files that are not UTF-8, YAML errors, an interrupted run."""

from __future__ import annotations

import pytest
import yaml

from pipeyard import errors


def _decode_error(data: bytes) -> UnicodeDecodeError:
    with pytest.raises(UnicodeDecodeError) as caught:
        data.decode("utf-8")
    return caught.value


def test_not_utf8_names_the_line_column_and_byte():
    error = errors.not_utf8("conf/config.yaml", _decode_error(b"a: 1\nb: caf\xe9\n"), errors.ConfigError)
    assert isinstance(error, errors.ConfigError)
    assert error.format().splitlines()[0] == "conf/config.yaml:2: not UTF-8 text: byte 0xe9 at column 7"
    assert "UTF-8" in error.hint


def _yaml_error(text: str) -> Exception:
    with pytest.raises(yaml.YAMLError) as caught:
        yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    return caught.value


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("jobs:\n  a: [1,\n  b: 2\n", 2, "the [ opened here is never closed"),
        ("a: {x: 1\n", 1, "the { opened here is never closed"),
        ('a: "open\n', 1, 'the " opened here is never closed'),
        ("jobs:\n\tprepare: {}\n", 2, "a tab character indents this line; YAML indents with spaces only"),
        ("a: b: c\n", 1, "mapping values are not allowed in this context"),
    ],
)
def test_yaml_errors_are_placed_and_worded(text, line, words):
    found_line, column, found_words = errors.yaml_error_at(_yaml_error(text), text)
    assert (found_line, found_words) == (line, words)
    assert column >= 1


def test_an_interrupted_run_says_how_to_resume():
    assert errors.Interrupted(resume="pipeyard run train.lr=0.1").format() == (
        "interrupted: finished steps are recorded; resume with `pipeyard run train.lr=0.1`"
    )
    assert "pipeyard run" in errors.Interrupted().format()
    assert errors.Interrupted().exit_code == 130


def test_the_tree_drawing_names_every_class():
    drawing = errors.__doc__
    for name, value in vars(errors).items():
        if isinstance(value, type) and issubclass(value, Exception) and value.__module__ == errors.__name__:
            assert name in drawing, name
