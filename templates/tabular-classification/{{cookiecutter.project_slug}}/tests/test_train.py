"""train, run alone on prepare's output, for each model family."""

import joblib

from pipeyard.testing.steps import run_step


def test_fits_a_logistic_regression(trained):
    model = joblib.load(trained)
    assert type(model.steps[-1][1]).__name__ == "LogisticRegression"


def test_family_selects_a_random_forest(steps, split, tmp_path):
    result = run_step(
        steps["train"],
        tmp_path,
        inputs={"train_set": split["train_set"]},
        params={"family": "random_forest", "n_estimators": 5, "max_depth": 3},
    )
    model = joblib.load(result["model"])
    assert type(model).__name__ == "RandomForestClassifier"
    assert model.n_estimators == 5
