"""Fixtures of the step tests: each step as the pipeline defines it, and the outputs of the
steps upstream of the one under test, made once per test session on the bundled dataset."""

from pathlib import Path

import pytest

from pipeyard.testing.steps import run_step

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("ingest", "prepare", "train", "evaluate", "register")
{%- if cookiecutter.pipeline_format == "python" %}

from {{ cookiecutter.package_name }} import steps as _steps  # noqa: E402

STEPS = {name: getattr(_steps, name) for name in NAMES}
{%- else %}
STEPS = {name: ROOT / "components" / f"{name}.yml" for name in NAMES}
{%- endif %}


@pytest.fixture(scope="session")
def steps() -> dict:
    """The steps by name, as pipeyard.testing.steps.run_step takes them."""
    return STEPS


@pytest.fixture(scope="session")
def raw(tmp_path_factory) -> Path:
    """ingest's output: the breast cancer dataset as raw/table.csv and raw/dataset.json."""
    return run_step(STEPS["ingest"], tmp_path_factory.mktemp("ingest"))["raw"]


@pytest.fixture(scope="session")
def split(raw, tmp_path_factory):
    """prepare's outputs (train_set, test_set), keeping 5 features."""
    return run_step(
        STEPS["prepare"], tmp_path_factory.mktemp("prepare"), inputs={"raw": raw}, params={"n_features": 5}
    )


@pytest.fixture(scope="session")
def trained(split, tmp_path_factory) -> Path:
    """train's output: a logistic regression fitted on the train set."""
    return run_step(
        STEPS["train"], tmp_path_factory.mktemp("train"), inputs={"train_set": split["train_set"]}
    )["model"]


@pytest.fixture(scope="session")
def scored(trained, split, tmp_path_factory):
    """evaluate's outputs (metrics, predictions)."""
    return run_step(
        STEPS["evaluate"],
        tmp_path_factory.mktemp("evaluate"),
        inputs={"model": trained, "test_set": split["test_set"]},
    )
