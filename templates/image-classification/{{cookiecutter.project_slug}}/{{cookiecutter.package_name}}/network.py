"""The network (a tiny CNN or an MLP), the device it trains on, training, saving and loading.

`train` is the work of the step of that name, free of pipeline code.
"""

import csv
import os
from pathlib import Path

{% if cookiecutter.pipeline_format == "python" %}from . import digits as images{% else %}import digits as images{% endif %}

ARCHITECTURES = ("cnn", "mlp")


def pick_device(requested: str = "auto"):
    """cuda when a GPU is visible, else cpu ("auto"); or the device asked for.

    pipeyard gives a GPU step its GPUs through CUDA_VISIBLE_DEVICES; on a machine without one
    (and a compute profile with cpu_fallback) the step gets none and trains on the CPU.
    """
    import torch

    if requested == "auto":
        requested = "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("device 'cuda' was asked for but no GPU is visible; use device=auto")
    return torch.device(requested)


def build(arch: str, hidden: int):
    """An untrained network mapping (n, 1, 8, 8) images to 10 class scores."""
    from torch import nn

    if arch == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, hidden // 4, kernel_size=3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(hidden // 4 * 16, 10),
        )
    if arch == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))
    raise ValueError(f"unknown architecture {arch!r}; choose one of {ARCHITECTURES}")


def train(digits: Path, model: Path, history: Path, *, arch: str, hidden: int, epochs: int,
          batch_size: int, lr: float, seed: int, device: str) -> None:
    """Train on digits/train.npz; save the network to model and the loss per epoch to history."""
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)  # a tiny network: one thread is fastest, and leaves CPUs to other steps
    chosen = pick_device(device)
    print(f"device: {chosen} (CUDA_VISIBLE_DEVICES={os.environ.get('CUDA_VISIBLE_DEVICES', '<unset>')!r})")
    features, labels = images.load(digits / "train.npz")
    x = torch.from_numpy(features).unsqueeze(1).to(chosen)
    y = torch.from_numpy(labels).to(chosen)
    network = build(arch, hidden).to(chosen)
    optimizer = torch.optim.Adam(network.parameters(), lr=lr)
    loss_of = torch.nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(seed)
    rows = []
    for epoch in range(1, epochs + 1):
        network.train()
        total = 0.0
        for batch in torch.randperm(len(y), generator=order).split(batch_size):
            batch = batch.to(chosen)
            optimizer.zero_grad()
            loss = loss_of(network(x[batch]), y[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        with torch.no_grad():
            accuracy = (network(x).argmax(1) == y).float().mean().item()
        rows.append({"epoch": epoch, "loss": round(total / len(y), 4), "accuracy": round(accuracy, 4)})
        print(f"epoch {epoch}: loss {rows[-1]['loss']}, train accuracy {rows[-1]['accuracy']}")
    save(network.cpu(), model, arch=arch, hidden=hidden)
    with history.open("w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=["epoch", "loss", "accuracy"])
        writer.writeheader()
        writer.writerows(rows)


def save(network, path: Path, *, arch: str, hidden: int) -> None:
    """Write the network's architecture and weights (CPU tensors) to path."""
    import torch

    torch.save({"arch": arch, "hidden": hidden, "state_dict": network.state_dict()}, path)


def load(path: Path):
    """A network saved by save, on the CPU, in evaluation mode."""
    import torch

    saved = torch.load(path, map_location="cpu", weights_only=True)
    network = build(saved["arch"], saved["hidden"])
    network.load_state_dict(saved["state_dict"])
    return network.eval()
