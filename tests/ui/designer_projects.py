"""Helpers (no tests) for the designer tests: the packaged examples and the rendered built-in
templates, copied into git repositories."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "framework" / "pipeyard" / "examples"
TEMPLATES = ("minimal", "tabular-classification", "image-classification")
GOLDEN = Path(__file__).resolve().parent / "golden"


def git(root: Path, *args: str) -> str:
    """git in root, asserting success; its stdout."""
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    assert result.returncode == 0, f"git {' '.join(args)}: {result.stderr}"
    return result.stdout


def committed(root: Path) -> Path:
    """root as a git repository with everything in it committed."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


def example_project(tmp: Path, name: str = "yaml") -> Path:
    """A copy of the packaged example (yaml or python) in a new git repository."""
    root = tmp / f"example-{name}"
    shutil.copytree(EXAMPLES / name, root, ignore=shutil.ignore_patterns("__pycache__"))
    return committed(root)


def render_template(name: str, into: Path) -> Path:
    """The built-in template name rendered (YAML pipeline) with the real cookiecutter."""
    from cookiecutter.main import cookiecutter

    return Path(
        cookiecutter(
            str(REPO / "templates" / name),
            no_input=True,
            output_dir=str(into),
            extra_context={"pipeline_format": "yaml"},
        )
    )


def yaml_files(root: Path) -> list[Path]:
    """Every YAML file under root (outside .git)."""
    return sorted(p for p in root.rglob("*") if p.suffix in (".yml", ".yaml") and ".git" not in p.parts)


def pipeyard(root: Path, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """The real pipeyard CLI in root (this venv first on PATH)."""
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("PIPEYARD_TRACEBACK", None)
    return subprocess.run(
        [sys.executable, "-m", "pipeyard", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )
