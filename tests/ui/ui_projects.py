"""Small real projects for the `pipeyard ui` tests: git + DVC + an Azure ML YAML pipeline.

prepare -> train -> evaluate        train has a parameter lr and writes metrics
       \\-> report                  every step can be told to sleep (to watch it run)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

BIN = Path(sys.executable).parent

COMPONENT = """
type: command
name: work
version: "1"
inputs:
  source:
    type: uri_folder
    optional: true
  lr:
    type: number
    default: 0.1
  sleep:
    type: number
    default: 0
outputs:
  out:
    type: uri_folder
  metrics:
    type: uri_file
    dvc: metrics
code: ./src
command: >-
  python work.py --lr ${{inputs.lr}} --sleep ${{inputs.sleep}}
  --out ${{outputs.out}} --metrics ${{outputs.metrics}} $[[--source ${{inputs.source}}]]
"""

SCRIPT = """
import argparse, json, os, time
parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float)
parser.add_argument("--sleep", type=float)
parser.add_argument("--out")
parser.add_argument("--metrics")
parser.add_argument("--source")
args = parser.parse_args()
print(f"working with lr={args.lr}", flush=True)
if args.lr < 0:
    raise SystemExit(f"lr must be positive, got {args.lr}")
time.sleep(args.sleep)
os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "data.txt"), "w") as handle:
    handle.write(str(args.lr))
os.makedirs(os.path.dirname(args.metrics) or ".", exist_ok=True)
with open(args.metrics, "w") as handle:
    json.dump({"score": round(args.lr * 10, 4), "loss": round(1 - args.lr, 4)}, handle)
print("done", flush=True)
"""


def job(name: str, source: str | None, sleep: str, lr: str = "0.1", metrics: str | None = None) -> str:
    """One job of the pipeline, fed by source's output; metrics names a pipeline output."""
    lines = [f"  {name}:", "    type: command", "    component: ./components/work.yml", "    inputs:"]
    if source:
        lines.append(f"      source: ${{{{parent.jobs.{source}.outputs.out}}}}")
    lines += [f"      lr: {lr}", f"      sleep: {sleep}"]
    if metrics:
        lines += ["    outputs:", f"      metrics: ${{{{parent.outputs.{metrics}}}}}"]
    return "\n".join(lines) + "\n"


def pipeline_text(sleep: str = "0", lr: str = "0.1", extra: str = "") -> str:
    """The pipeline file; `# the steps` is a comment an edit must keep."""
    return (
        "type: pipeline\ndisplay_name: ui_example\n"
        "outputs:\n  scores:\n    type: uri_file\n    path: ./reports/train.json\n"
        "# the steps\njobs:\n"
        + job("prepare", None, "0")
        + job("train", "prepare", sleep, lr, metrics="scores")
        + job("evaluate", "train", "0")
        + job("report", "prepare", "0")
        + extra
    )


def env() -> dict[str, str]:
    """The environment for pipeyard, dvc and git in a test project."""
    values = dict(os.environ)
    values["PATH"] = f"{BIN}{os.pathsep}{values.get('PATH', '')}"
    values["DVC_NO_ANALYTICS"] = "1"
    values.pop("PIPEYARD_TRACEBACK", None)
    return values


def git(root: Path, *args: str) -> str:
    """Run git in root; its stdout."""
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=True, env=env()
    ).stdout


def pipeyard(root: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run the real CLI in root."""
    return subprocess.run(
        [sys.executable, "-m", "pipeyard", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env(),
    )


def start_pipeyard(root: Path, *args: str) -> subprocess.Popen:
    """Start the real CLI in root without waiting."""
    return subprocess.Popen(
        [sys.executable, "-m", "pipeyard", *args],
        cwd=root,
        env=env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )


def write(root: Path, relpath: str, text: str) -> None:
    """Write a file under root (dedented)."""
    path = root / relpath
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip())


def ui_project(root: Path, *, history: bool = True) -> Path:
    """A project with the pipeline above; with history, two commits each with a run (lr 0.1, 0.01)."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "-b", "main")
    result = pipeyard(root, "init")
    assert result.returncode == 0, result.stderr
    write(root, "components/work.yml", COMPONENT)
    write(root, "components/src/work.py", SCRIPT)
    (root / "pipeline.yml").write_text(pipeline_text())
    commit_all(root, "first version")
    if history:
        run_ok(root)
        commit_all(root, "results of the first version")
        (root / "pipeline.yml").write_text(pipeline_text(lr="0.01"))
        run_ok(root)
        commit_all(root, "lower learning rate")
    return root


def run_ok(root: Path, *args: str) -> None:
    """`pipeyard run ARGS`, asserting it succeeds."""
    result = pipeyard(root, "run", *args)
    assert result.returncode == 0, result.stdout + result.stderr


def commit_all(root: Path, message: str) -> None:
    """Stage everything and commit."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def copy_project(template: Path, destination: Path) -> Path:
    """A copy of a project made by ui_project (git history, notes, runs and DVC cache included)."""
    shutil.copytree(template, destination, symlinks=True)
    return destination
