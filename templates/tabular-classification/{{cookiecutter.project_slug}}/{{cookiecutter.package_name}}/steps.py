"""The steps, as pipeyard Python steps. Their signatures are the schema: pipeyard checks every
parameter value from conf/ or the command line against these types (Literal = one of)."""

from typing import Literal

from pipeyard import Dir, File, In, Metrics, Out, Plots, step

from . import card, data, evaluation, model as models


@step
def ingest(raw: Out[Dir], dataset: Literal["breast_cancer", "wine"] = "breast_cancer") -> None:
    """Copy a dataset bundled with scikit-learn into raw/ (table.csv, dataset.json)."""
    data.ingest(dataset, raw)


@step
def prepare(
    raw: In[Dir],
    train_set: Out[Dir],
    test_set: Out[Dir],
    test_fraction: float = 0.25,
    n_features: int = 0,
    seed: int = 42,
) -> None:
    """Split into train and test sets and keep the n_features best features (0 = all)."""
    data.prepare(raw, train_set, test_set, test_fraction=test_fraction, n_features=n_features, seed=seed)


@step
def train(
    train_set: In[Dir],
    model: Out[File],
    family: Literal["logistic", "random_forest"] = "logistic",
    C: float = 1.0,
    max_iter: int = 1000,
    n_estimators: int = 100,
    max_depth: int = 0,
    seed: int = 42,
) -> None:
    """Fit a classifier of the family chosen by the config group (train=logistic|random_forest)."""
    models.train(
        train_set, model, family=family, C=C, max_iter=max_iter,
        n_estimators=n_estimators, max_depth=max_depth, seed=seed,
    )


@step
def evaluate(model: In[File], test_set: In[Dir], metrics: Out[Metrics], predictions: Out[Plots]) -> None:
    """Score the model on the test set: metrics for `dvc metrics`, predictions for `dvc plots`."""
    evaluation.evaluate(model, test_set, metrics, predictions)


@step
def register(
    model: In[File],
    metrics: In[File],
    train_set: In[Dir],
    package: Out[Dir],
    model_name: str = "{{ cookiecutter.model_name }}",
    version: str = "0.1.0",
) -> None:
    """Package the model with its model card; `python -m {{ cookiecutter.package_name }}.register --tag` tags it."""
    card.package_model(model, metrics, train_set, package, model_name=model_name, version=version)
