"""The model package: the model, its model card (markdown) and model.json (name, version, tag).

`package_model` is the work of the `register` step, free of pipeline code; the git tag is
made afterwards, from a commit, by `python -m {{ cookiecutter.package_name }}.register --tag`.
"""

import re
import shutil
from pathlib import Path

{% if cookiecutter.pipeline_format == "python" %}from . import data, model as models{% else %}import data
import model as models{% endif %}

PACKAGE_NAME = "{{ cookiecutter.package_name }}"
_VERSION = re.compile(r"^\d+\.\d+\.\d+$")


def package_model(
    model: Path, metrics: Path, train_set: Path, package: Path, *, model_name: str, version: str
) -> dict:
    """Write package/ (model.joblib, MODEL_CARD.md, model.json) and return model.json's content."""
    if not _VERSION.match(version):
        raise ValueError(f"version must look like 1.2.3, got {version!r}")
    _, _, features = data.read_table(train_set / "table.csv")
    description = data.read_json(train_set / "dataset.json")
    info = {
        "name": model_name,
        "version": version,
        "tag": f"{model_name}@v{version}",
        "package": PACKAGE_NAME,
        "dataset": description["dataset"],
        "classes": description["classes"],
        "features": features,
        "training": models.describe(models.load(model)),
        "metrics": data.read_json(metrics),
    }
    package.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(model, package / "model.joblib")
    (package / "MODEL_CARD.md").write_text(model_card(info))
    data.write_json(package / "model.json", info)
    print(f"packaged {info['tag']}; tag it with `python -m {PACKAGE_NAME}.register --tag` after a commit")
    return info


def model_card(info: dict) -> str:
    """A markdown model card from model.json's content."""
    metrics = "\n".join(f"| {name} | {value} |" for name, value in info["metrics"].items())
    training = "\n".join(f"| {name} | {value} |" for name, value in info["training"].items())
    features = ", ".join(f"`{name}`" for name in info["features"])
    return f"""# Model card: {info['name']} v{info['version']}

Git tag: `{info['tag']}`, made by `python -m {info['package']}.register --tag`.

## What it does

Classifies a row of {len(info['features'])} numeric features into one of: {', '.join(info['classes'])}.
Trained on scikit-learn's bundled `{info['dataset']}` dataset.

## Model

`model.joblib`, a fitted scikit-learn estimator:

```python
import joblib
model = joblib.load("model.joblib")
model.predict(rows)  # rows: the features below, in this order
```

| training parameter | value |
| --- | --- |
{training}

## Features

{features}

## Evaluation (held-out test set)

| metric | value |
| --- | --- |
{metrics}

## Limits

Trained on a small public dataset; not validated for any real-world use.
"""
