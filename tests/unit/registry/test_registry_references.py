"""Component references: every form a pipeline or the CLI may write, and version order."""

from __future__ import annotations

import pytest

from pipeyard.errors import DefinitionError
from pipeyard.registry.references import ComponentRef, latest, parse_reference


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("azureml:train:10", ComponentRef("train", "10")),
        ("azureml:train@latest", ComponentRef("train")),
        ("azureml:train", ComponentRef("train")),
        ("azureml://registries/team/components/train/versions/1.2.0", ComponentRef("train", "1.2.0", "team")),
        ("azureml://registries/team/components/train/labels/latest", ComponentRef("train", None, "team")),
        ("azureml://registries/team/components/train", ComponentRef("train", None, "team")),  # version-less
        ("registry:team/train:3", ComponentRef("train", "3", "team")),
        ("registry:team/train@latest", ComponentRef("train", None, "team")),
        ("registry:train:3", ComponentRef("train", "3")),
        ("train", ComponentRef("train")),
        ("shared/my-step:v2", ComponentRef("my-step", "v2", "shared")),
    ],
)
def test_reference_forms(text, expected):
    assert parse_reference(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("azureml:train@stable", "registries know only '@latest'"),
        ("azureml:team/train:1", "is not a component reference"),
        ("registry:train:", "is not a component reference"),
    ],
)
def test_bad_references_say_which_forms_work(text, message):
    with pytest.raises(DefinitionError) as caught:
        parse_reference(text)
    assert message in caught.value.message
    assert caught.value.hint


def test_reference_text_round_trips():
    assert str(ComponentRef("train", "3", "team")) == "team/train:3"
    assert str(ComponentRef("train")) == "train@latest"


def test_latest_orders_versions_as_people_do():
    assert latest(["2", "10", "9"]) == "10"
    assert latest(["1.0", "1.0rc1", "0.9"]) == "1.0"
    assert latest(["v2", "v10", "v9"]) == "v10"
    assert latest([]) is None
