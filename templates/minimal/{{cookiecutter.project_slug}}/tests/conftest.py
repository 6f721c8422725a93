"""Fixtures of the step tests: each step as the pipeline defines it, for run_step."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
{%- if cookiecutter.pipeline_format == "python" %}

from {{ cookiecutter.package_name }} import steps as _steps  # noqa: E402

STEPS = {"make_data": _steps.make_data, "summarize": _steps.summarize}
{%- else %}
STEPS = {name: ROOT / "components" / f"{name}.yml" for name in ("make_data", "summarize")}
{%- endif %}


@pytest.fixture
def steps() -> dict:
    """The steps by name, as pipeyard.testing.steps.run_step takes them."""
    return STEPS
