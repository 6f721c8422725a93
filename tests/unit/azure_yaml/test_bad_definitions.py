"""The bad-definition corpus: each file under tests/data/definitions/bad/ names, in its header,
the error class, a part of the message, and the line (and file, when not itself) it expects."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeyard import errors
from pipeyard.azure_yaml import load_pipeline_yaml

DATA = Path(__file__).parents[2] / "data" / "definitions"
CASES = sorted((DATA / "bad").glob("*.yml"))


def _header(path: Path) -> dict[str, str]:
    fields = {}
    for line in path.read_text().splitlines():
        if not line.startswith("# "):
            break
        key, _, value = line[2:].partition(": ")
        fields[key] = value
    return fields


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 20


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_bad_yaml_definition_is_reported_precisely(path: Path):
    expected = _header(path)
    error_class = getattr(errors, expected["error"])
    with pytest.raises(errors.PipeyardError) as caught:
        load_pipeline_yaml(path, DATA)
    error = caught.value
    assert type(error) is error_class, error.format()
    assert expected["message"] in error.message
    assert error.location is not None
    assert error.location.file == expected.get("file", f"bad/{path.name}")
    assert error.location.line == int(expected["line"]), error.format()
