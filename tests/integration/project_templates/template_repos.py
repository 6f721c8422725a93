"""Helpers for template tests: a cookiecutter template kept in a real git repository."""

from __future__ import annotations

import subprocess
import textwrap
from dataclasses import dataclass
from pathlib import Path

PIPELINE = """
from pathlib import Path

from pipeyard import Dir, Out, pipeline, step


@step
def hello(greeting: Out[Dir], text: str = "{{ cookiecutter.greeting }}") -> None:
    (Path(greeting) / "hello.txt").write_text(text)


@pipeline
def main():
    hello()
"""


def git(cwd: Path, *args: str) -> str:
    """Run git in cwd; return stdout (asserting success)."""
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


def write(root: Path, files: dict[str, str | bytes]) -> None:
    """Write files (text dedented) under root."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip())


@dataclass
class TemplateRepo:
    """A cookiecutter template kept in a git repository, with a commit helper."""

    root: Path

    @property
    def project(self) -> Path:
        """The folder cookiecutter renders."""
        return self.root / "{{cookiecutter.project_slug}}"

    def commit(
        self, message: str, files: dict[str, str | bytes] | None = None, delete: tuple[str, ...] = ()
    ) -> str:
        """Change files in the rendered folder (and delete some), commit, return the sha."""
        write(self.project, files or {})
        for rel in delete:
            (self.project / rel).unlink()
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", message)
        return git(self.root, "rev-parse", "HEAD")


BASE_FILES = {
    "README.md": "# {{ cookiecutter.project_name }}\n\nline two\nline three\n",
    "src/settings.py": "NAME = '{{ cookiecutter.project_slug }}'\nLR = 0.1\n\n# how long to train\nEPOCHS = 3\n",
    "notes.txt": "template notes\n",
    "logo.bin": b"\x00\x01\x02binary",
    "pipeline.py": PIPELINE,
}
