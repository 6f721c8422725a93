"""Scores of the classifier on the test set, and per-row predictions for `dvc plots`.

`evaluate` is the work of the step of that name, free of pipeline code.
"""

import csv
from pathlib import Path

{% if cookiecutter.pipeline_format == "python" %}from . import data, model as models{% else %}import data
import model as models{% endif %}


def scores(fitted, features, target) -> dict:
    """Accuracy, macro F1 and ROC AUC (one-vs-rest for more than two classes), rounded."""
    from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

    predicted = fitted.predict(features)
    result = {
        "accuracy": accuracy_score(target, predicted),
        "f1_macro": f1_score(target, predicted, average="macro"),
    }
    if hasattr(fitted, "predict_proba") and len(set(target)) > 1:
        probabilities = fitted.predict_proba(features)
        if probabilities.shape[1] == 2:
            result["roc_auc"] = roc_auc_score(target, probabilities[:, 1])
        else:
            result["roc_auc"] = roc_auc_score(target, probabilities, multi_class="ovr")
    result = {name: round(float(value), 4) for name, value in result.items()}
    result["test_rows"] = int(len(target))
    return result


def write_predictions(path: Path, fitted, features, target, classes: list[str]) -> None:
    """One row per test example: actual and predicted class (`dvc plots --template confusion`)."""
    predicted = fitted.predict(features)
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["actual", "predicted"])
        for actual, guess in zip(target, predicted, strict=True):
            writer.writerow([classes[int(actual)], classes[int(guess)]])


def evaluate(model: Path, test_set: Path, metrics: Path, predictions: Path) -> None:
    """Write the model's scores on test_set to metrics (JSON) and its predictions (CSV)."""
    features, target, _ = data.read_table(test_set / "table.csv")
    classes = data.read_json(test_set / "dataset.json")["classes"]
    fitted = models.load(model)
    result = scores(fitted, features, target)
    data.write_json(metrics, result)
    write_predictions(predictions, fitted, features, target, classes)
    print(", ".join(f"{name} {value}" for name, value in result.items()))
