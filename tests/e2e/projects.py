"""Build small real projects (git + DVC + Azure ML YAML pipelines) and drive the real CLI."""

from __future__ import annotations

import json
import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

from pipeyard.testing.projects import BIN as BIN  # re-exported: tests find dvc and pre-commit there
from pipeyard.testing.projects import cli_environment, commit_all, init_project, run_cli
from pipeyard.vcs.git import run_git


@dataclass
class Project:
    """A project folder with helpers to run pipeyard, dvc and git in it."""

    root: Path

    def pipeyard(self, *args: str, check: bool = False, timeout: float = 120) -> subprocess.CompletedProcess:
        """Run the real `pipeyard` CLI in the project."""
        result = run_cli(self.root, "pipeyard", *args, timeout=timeout)
        if check and result.returncode != 0:
            raise AssertionError(f"pipeyard {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result

    def run_json(self, *args: str) -> dict:
        """`pipeyard run --json ARGS`, asserting success; returns the parsed JSON."""
        result = self.pipeyard("run", "--json", *args)
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads(result.stdout)

    def dvc(self, *args: str) -> subprocess.CompletedProcess:
        """Run the real `dvc` CLI in the project."""
        return run_cli(self.root, "dvc", *args, timeout=300)

    def git(self, *args: str) -> str:
        """Run git in the project and return its stdout (it must succeed)."""
        return run_git(self.root, *args, env=cli_environment()).stdout

    def write(self, relpath: str, text: str) -> Path:
        """Write a file (dedented) under the project root."""
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
        return path

    def commit_all(self, message: str) -> None:
        """Stage everything and commit."""
        commit_all(self.root, message)


def _env() -> dict:
    """The environment of a command in a test (pipeyard.testing.projects.cli_environment)."""
    return cli_environment()


def new_project(root: Path) -> Project:
    """An empty git repository with pipeyard (and DVC) initialised."""
    init_project(root)
    return Project(root)


# A component that writes a line and the value of a parameter into its output folder,
# appending what it read from an optional input folder; it sleeps first so overlap shows.
ECHO_COMPONENT = """
$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
type: command
name: echo_step
version: "1"
inputs:
  source:
    type: uri_folder
    optional: true
  message:
    type: string
    default: hello
  sleep:
    type: number
    default: 0
outputs:
  out:
    type: uri_folder
code: ./src
command: >-
  python echo.py --message ${{inputs.message}} --sleep ${{inputs.sleep}}
  --out ${{outputs.out}} $[[--source ${{inputs.source}}]]
"""

ECHO_SCRIPT = """
import argparse, json, os, time
parser = argparse.ArgumentParser()
parser.add_argument("--message")
parser.add_argument("--sleep", type=float)
parser.add_argument("--out")
parser.add_argument("--source")
args = parser.parse_args()
start = time.time()
time.sleep(args.sleep)
text = args.message
if args.source:
    with open(os.path.join(args.source, "data.txt")) as handle:
        text = handle.read() + "|" + text
os.makedirs(args.out, exist_ok=True)
with open(os.path.join(args.out, "data.txt"), "w") as handle:
    handle.write(text)
if args.sleep:
    with open(os.path.join(args.out, "timing.json"), "w") as handle:
        json.dump({"start": start, "end": time.time()}, handle)
if os.environ.get("PIPEYARD_TEST_FAIL") == args.message:
    raise SystemExit("asked to fail")
"""


def diamond_project(root: Path, sleep: float = 0.0) -> Project:
    """prepare -> {left, right} -> join, all from one echo component."""
    project = new_project(root)
    project.write("components/echo.yml", ECHO_COMPONENT)
    project.write("components/src/echo.py", ECHO_SCRIPT)
    project.write(
        "pipeline.yml",
        f"""
        $schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
        type: pipeline
        display_name: diamond
        settings:
          default_compute: azureml:cpu-cluster
        jobs:
          prepare:
            type: command
            component: ./components/echo.yml
            inputs:
              message: prep
          left:
            type: command
            component: ./components/echo.yml
            inputs:
              source: ${{{{parent.jobs.prepare.outputs.out}}}}
              message: left
              sleep: {sleep}
          right:
            type: command
            component: ./components/echo.yml
            inputs:
              source: ${{{{parent.jobs.prepare.outputs.out}}}}
              message: right
              sleep: {sleep}
          join:
            type: command
            component: file:./components/echo.yml
            inputs:
              source: ${{{{parent.jobs.left.outputs.out}}}}
              message: join
        """,
    )
    project.commit_all("diamond pipeline")
    return project


def statuses(result: dict) -> dict[str, str]:
    """{step: status} from a `run --json` result."""
    return {name: step["status"] for name, step in result["steps"].items()}
