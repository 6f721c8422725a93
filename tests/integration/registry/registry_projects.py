"""Helpers for the registry tests: real projects (tests/e2e/projects.py) and the component CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))

from projects import ECHO_COMPONENT, ECHO_SCRIPT, Project, _env, new_project  # noqa: E402

_CLI = "import sys\nfrom pipeyard.cli import main\nsys.exit(main.main(sys.argv[1:]))\n"


def component(project: Project, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run `pipeyard component ARGS` in project."""
    result = subprocess.run(
        [sys.executable, "-c", _CLI, "component", *args],
        cwd=project.root,
        capture_output=True,
        text=True,
        timeout=120,
        env=_env(),
    )
    if check and result.returncode != 0:
        raise AssertionError(f"pipeyard component {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def plain_project(root: Path) -> Project:
    """A git repository without DVC: enough to register components or validate pipelines."""
    root.mkdir(parents=True)
    project = Project(root)
    project.git("init", "-q", "-b", "main")
    return project


def producer(root: Path, registries: str) -> Project:
    """A project holding the echo component (YAML + code), with registries configured."""
    project = plain_project(root)
    project.write("components/echo.yml", ECHO_COMPONENT)
    project.write("components/src/echo.py", ECHO_SCRIPT)
    project.write("pipeyard.yaml", registries)
    project.commit_all("echo component")
    return project


def consumer(root: Path, registries: str, reference: str, runnable: bool = True) -> Project:
    """A project whose pipeline uses the registered echo component by reference (with DVC
    when runnable)."""
    project = new_project(root) if runnable else plain_project(root)
    project.write("pipeyard.yaml", registries)
    project.write(
        "pipeline.yml",
        f"""
        type: pipeline
        jobs:
          first:
            component: {reference}
            inputs:
              message: hello
          second:
            component: {reference}
            inputs:
              source: ${{{{parent.jobs.first.outputs.out}}}}
              message: world
        """,
    )
    project.commit_all("pipeline using a registered component")
    return project
