"""The steps, as pipeyard Python steps. Their signatures are the schema: pipeyard checks every
parameter value from conf/ or the command line against these types (Literal = one of)."""

from typing import Literal

from pipeyard import Dir, File, In, Metrics, Out, Plots, step

from . import digits as images, evaluation, network as networks


@step
def ingest(digits: Out[Dir], test_fraction: float = 0.25, seed: int = 0) -> None:
    """Split scikit-learn's bundled 8x8 digits into digits/train.npz and digits/test.npz."""
    images.ingest(digits, test_fraction=test_fraction, seed=seed)


@step(compute="gpu")
def train(
    digits: In[Dir],
    model: Out[File],
    history: Out[Plots],
    arch: Literal["cnn", "mlp"] = "cnn",
    hidden: int = 32,
    epochs: int = 5,
    batch_size: int = 64,
    lr: float = 0.01,
    seed: int = 0,
    device: Literal["auto", "cpu", "cuda"] = "auto",
) -> None:
    """Train the network on the `gpu` compute profile: on cuda when a GPU is given, else on the CPU."""
    networks.train(
        digits, model, history, arch=arch, hidden=hidden, epochs=epochs,
        batch_size=batch_size, lr=lr, seed=seed, device=device,
    )


@step
def evaluate(model: In[File], digits: In[Dir], metrics: Out[Metrics], predictions: Out[Plots]) -> None:
    """Score the network on the test images: metrics for `dvc metrics`, predictions for `dvc plots`."""
    evaluation.evaluate(model, digits, metrics, predictions)
