"""The pipeline: ingest -> train (on the `gpu` compute profile) -> evaluate. Run it with `pipeyard run`.

Parameters live in conf/, one config group per step; `pipeyard run train.epochs=20` changes one.
"""

from pipeyard import pipeline
from {{ cookiecutter.package_name }}.steps import evaluate, ingest, train


@pipeline
def image_classification():
    """Train and score a small image classifier on 8x8 digits."""
    data = ingest(digits="data/digits")
    trained = train(digits=data.outputs.digits, model="models/model.pt", history="reports/training.csv")
    evaluate(
        model=trained.outputs.model,
        digits=data.outputs.digits,
        metrics="reports/metrics.json",
        predictions="reports/predictions.csv",
    )
