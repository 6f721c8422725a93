"""In the SDK a @pipeline function called inside another is a pipeline component: its steps
are named ``<pipeline>__<step>`` and bind across the levels, as in Azure ML YAML."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeyard.errors import DefinitionError
from pipeyard.model import JobOutputRef, PipelineInputRef, Value
from pipeyard.sdk import Dir, File, In, Out, pipeline, step

ROOT = Path(__file__).parents[2]  # tests/, which holds this module and data/


@step
def prep(raw: In[Dir], clean: Out[Dir]):
    """Clean."""


@step
def fit(data: In[Dir], model: Out[File], lr: float = 0.1):
    """Fit."""


@step
def check(model: In[File], report: Out[File], threshold: float = 0.5):
    """Check."""


@pipeline
def evaluate(model: In[File], threshold: float = 0.7):
    report = check(model=model, threshold=threshold)
    return {"report": report.outputs.report}


@pipeline
def train_and_evaluate(data: In[Dir], lr: float = 0.01):
    trained = fit(data=data, lr=lr)
    evaluated = evaluate(model=trained.outputs.model)
    return {"model": trained.outputs.model, "report": evaluated.outputs.report}


@pipeline
def outer(raw: In[Dir] = "data", lr: float = 0.2):
    cleaned = prep(raw=raw)
    first = train_and_evaluate(data=cleaned.outputs.clean, lr=lr)
    second = train_and_evaluate(data=cleaned.outputs.clean)
    check(model=first.outputs.model)
    return {"report": second.outputs.report}


def test_nested_pipeline_functions_flatten_like_pipeline_components():
    built = outer.build(ROOT)
    assert built.job_names == (
        "prep",
        "train_and_evaluate__fit",
        "train_and_evaluate__evaluate__check",
        "train_and_evaluate_2__fit",
        "train_and_evaluate_2__evaluate__check",
        "check",
    )
    assert built.job("train_and_evaluate__fit").inputs == {"data": JobOutputRef("prep", "clean")}
    assert built.job("train_and_evaluate__fit").parameters == {"lr": PipelineInputRef("lr")}
    assert built.job("train_and_evaluate_2__fit").parameters == {"lr": Value(0.01)}
    assert built.job("train_and_evaluate__evaluate__check").parameters == {"threshold": Value(0.7)}
    assert built.job("check").inputs == {"model": JobOutputRef("train_and_evaluate__fit", "model")}


def test_a_nested_pipeline_needs_its_required_arguments():
    @pipeline
    def broken():
        evaluate()

    with pytest.raises(DefinitionError) as caught:
        broken.build(ROOT)
    assert "missing a required argument: 'model'" in caught.value.format()
