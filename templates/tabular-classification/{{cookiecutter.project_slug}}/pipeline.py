"""The pipeline: ingest -> prepare -> train -> evaluate -> register. Run it with `pipeyard run`.

Parameters live in conf/, one config group per step; `pipeyard run train=random_forest`
selects conf/train/random_forest.yaml, `pipeyard run train.C=0.1` changes one value.
"""

from pipeyard import pipeline
from {{ cookiecutter.package_name }}.steps import evaluate, ingest, prepare, register, train


@pipeline
def tabular_classification():
    """From a bundled dataset to a packaged, versioned classifier."""
    raw = ingest(raw="data/raw")
    split = prepare(raw=raw.outputs.raw)
    trained = train(train_set=split.outputs.train_set, model="models/model.joblib")
    scored = evaluate(
        model=trained.outputs.model,
        test_set=split.outputs.test_set,
        metrics="reports/metrics.json",
        predictions="reports/predictions.csv",
    )
    register(
        model=trained.outputs.model,
        metrics=scored.outputs.metrics,
        train_set=split.outputs.train_set,
        package="package",
    )
