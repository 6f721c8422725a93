"""Scores of the network on the test images, and per-image predictions for `dvc plots`.

`evaluate` is the work of the step of that name, free of pipeline code.
"""

import csv
import json
from pathlib import Path

{% if cookiecutter.pipeline_format == "python" %}from . import digits as images, network as networks{% else %}import digits as images
import network as networks{% endif %}


def evaluate(model: Path, digits: Path, metrics: Path, predictions: Path) -> None:
    """Write accuracy and loss on digits/test.npz to metrics, one row per image to predictions."""
    import torch

    features, labels = images.load(digits / "test.npz")
    network = networks.load(model)
    with torch.no_grad():
        scores = network(torch.from_numpy(features).unsqueeze(1))
        target = torch.from_numpy(labels)
        loss = torch.nn.functional.cross_entropy(scores, target).item()
        guessed = scores.argmax(1)
    result = {
        "accuracy": round((guessed == target).float().mean().item(), 4),
        "loss": round(loss, 4),
        "test_images": len(labels),
    }
    metrics.write_text(json.dumps(result, indent=2) + "\n")
    with predictions.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["actual", "predicted"])
        writer.writerows(zip(labels.tolist(), guessed.tolist(), strict=True))
    print(f"test accuracy {result['accuracy']}, loss {result['loss']}")
