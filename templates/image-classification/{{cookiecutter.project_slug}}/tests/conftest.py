"""Fixtures of the step tests: each step as the pipeline defines it, and the outputs of the
steps upstream of the one under test, made once per test session (one short epoch)."""

from pathlib import Path

import pytest

from pipeyard.testing.steps import run_step

ROOT = Path(__file__).resolve().parents[1]
NAMES = ("ingest", "train", "evaluate")
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
def digits(tmp_path_factory) -> Path:
    """ingest's output: digits/train.npz and digits/test.npz."""
    return run_step(STEPS["ingest"], tmp_path_factory.mktemp("ingest"))["digits"]


@pytest.fixture(scope="session")
def trained(digits, tmp_path_factory):
    """train's outputs (model, history) and log, after two quick epochs of the MLP."""
    return run_step(
        STEPS["train"],
        tmp_path_factory.mktemp("train"),
        inputs={"digits": digits},
        params={"arch": "mlp", "epochs": 2},
    )
