"""Render the built-in templates with the real cookiecutter and drive the generated projects."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
BIN = Path(sys.executable).parent
NAMES = ("minimal", "tabular-classification", "image-classification")
FORMATS = ("python", "yaml")
STEP_TIMEOUT_S = 300


def render(name: str, output_dir: Path, **answers: str) -> Path:
    """Render template name into output_dir with its defaults (and answers); return the project."""
    from cookiecutter.main import cookiecutter

    return Path(
        cookiecutter(str(TEMPLATES / name), no_input=True, output_dir=str(output_dir), extra_context=answers)
    )


def env(home: Path | None = None) -> dict:
    """The environment for commands in a generated project: this venv first, no user config."""
    variables = dict(os.environ)
    variables["PATH"] = f"{BIN}{os.pathsep}{variables.get('PATH', '')}"
    variables.pop("PIPEYARD_TRACEBACK", None)
    if home is not None:
        variables["PRE_COMMIT_HOME"] = str(home / "pre-commit-cache")
    return variables


@dataclass
class Generated:
    """A rendered project, with the commands a user would run in it."""

    root: Path

    def run(self, *command: str, timeout: float = STEP_TIMEOUT_S) -> subprocess.CompletedProcess:
        """Run command in the project (this venv first on PATH); never raises on failure."""
        return subprocess.run(
            list(command),
            cwd=self.root,
            capture_output=True,
            text=True,
            timeout=timeout,
            env=env(self.root.parent),
        )

    def ok(self, *command: str) -> str:
        """Run command and return its stdout; fail the test with its output when it fails."""
        result = self.run(*command)
        assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}\n{result.stderr}"
        return result.stdout

    def pipeyard(self, *args: str) -> str:
        """The real pipeyard CLI, asserting success."""
        return self.ok(sys.executable, "-m", "pipeyard", *args)

    def run_json(self, *args: str) -> dict:
        """`pipeyard run --json ARGS`, asserting success."""
        return json.loads(self.pipeyard("run", "--json", *args))

    def git(self, *args: str) -> str:
        """git in the project, asserting success."""
        return self.ok("git", *args)

    def start(self) -> None:
        """What `pipeyard new` does after rendering: git init, pipeyard init, the CI workflow."""
        self.git("init", "-q", "-b", "main")
        self.pipeyard("init")
        self.pipeyard("ci", "github")
