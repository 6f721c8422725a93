"""The classifier: a scikit-learn pipeline of the chosen family, fitted and saved with joblib.

`train` is the work of the step of that name, free of pipeline code.
"""

from pathlib import Path

{% if cookiecutter.pipeline_format == "python" %}from . import data{% else %}import data{% endif %}

FAMILIES = ("logistic", "random_forest")
SHOWN_PARAMS = ("C", "max_iter", "n_estimators", "max_depth", "random_state")


def build(family: str, *, C: float, max_iter: int, n_estimators: int, max_depth: int, seed: int):
    """An unfitted classifier: scaled logistic regression, or a random forest (max_depth 0 = unlimited)."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if family == "logistic":
        return make_pipeline(StandardScaler(), LogisticRegression(C=C, max_iter=max_iter, random_state=seed))
    if family == "random_forest":
        return RandomForestClassifier(
            n_estimators=n_estimators, max_depth=max_depth or None, random_state=seed, n_jobs=1
        )
    raise ValueError(f"unknown model family {family!r}; choose one of {FAMILIES}")


def train(train_set: Path, model: Path, *, family: str, C: float, max_iter: int, n_estimators: int,
          max_depth: int, seed: int) -> None:
    """Fit a classifier of the family on train_set/table.csv and save it to model."""
    features, target, _ = data.read_table(train_set / "table.csv")
    fitted = build(family, C=C, max_iter=max_iter, n_estimators=n_estimators, max_depth=max_depth, seed=seed)
    fitted.fit(features, target)
    save(fitted, model)
    print(f"trained {family} on {len(target)} rows; train accuracy {fitted.score(features, target):.3f}")


def describe(model) -> dict:
    """The estimator's class and its main parameters, for the model card."""
    final = model.steps[-1][1] if hasattr(model, "steps") else model
    params = final.get_params()
    return {"estimator": type(final).__name__, **{k: params[k] for k in SHOWN_PARAMS if k in params}}


def save(model, path: Path) -> None:
    """Write a fitted model with joblib."""
    import joblib

    joblib.dump(model, path)


def load(path: Path):
    """Read a model written by save."""
    import joblib

    return joblib.load(path)
