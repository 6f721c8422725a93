"""A small real project (git + DVC, Azure ML YAML) with metrics and plots, run in-process."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

from pipeyard import session

COMPONENT = """
type: command
name: train
inputs:
  lr: {type: number, default: 0.1}
outputs:
  model: {type: uri_folder}
  metrics: {type: uri_file, dvc: metrics}
  curve: {type: uri_file, dvc: plots}
code: ./src
command: >-
  python train.py --lr ${{inputs.lr}} --model ${{outputs.model}}
  --metrics ${{outputs.metrics}} --curve ${{outputs.curve}}
"""

SCRIPT = """
import argparse, json, os
p = argparse.ArgumentParser()
for name in ("--lr", "--model", "--metrics", "--curve"):
    p.add_argument(name)
a = p.parse_args()
lr = float(a.lr)
os.makedirs(a.model, exist_ok=True)
open(os.path.join(a.model, "weights.txt"), "w").write(str(lr))
json.dump({"accuracy": round(1 - lr, 4), "loss": round(lr * 2, 4)}, open(a.metrics, "w"))
with open(a.curve, "w") as f:
    f.write("epoch,loss\\n" + "".join(f"{e},{round(lr / e, 4)}\\n" for e in range(1, 4)))
"""

PIPELINE = """
type: pipeline
jobs:
  train:
    type: command
    component: ./components/train.yml
    inputs: {{lr: {lr}}}
    outputs:
      metrics: {{path: ./results/metrics.json}}
      curve: {{path: ./results/curve.csv}}
"""


def git(root: Path, *args: str) -> str:
    """Run git in root; its stdout."""
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def write(root: Path, relpath: str, text: str) -> None:
    """Write a dedented file under root."""
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())


def run(root: Path, lr: float | None = None, commit: str | None = None):
    """Set lr in pipeline.yml (when given), run the pipeline, then commit (when given); the summary."""
    if lr is not None:
        write(root, "pipeline.yml", PIPELINE.format(lr=lr))
    summary = session.run(session.load(root), session.RunOptions(), lambda event: None)
    if commit:
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", commit)
    return summary
