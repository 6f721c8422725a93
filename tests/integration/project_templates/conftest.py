"""Fixtures: a template in a real git repository, a project made from it, and the CLI in-process."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from template_repos import BASE_FILES, TemplateRepo, git

from pipeyard.cli import main as cli_main
from pipeyard.project_templates import create_project


@pytest.fixture(scope="session")
def golden(tmp_path_factory) -> tuple[Path, Path]:
    """A template repository (one commit) and a project made from it, made once per test session.

    `dvc init` takes seconds, so tests copy these instead of running `pipeyard new` each time.
    """
    base = tmp_path_factory.mktemp("golden")
    root = base / "template"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    spec = {
        "project_name": "Demo",
        "project_slug": "{{ cookiecutter.project_name.lower() }}",
        "greeting": "hi",
        "_description": "a small test template",
    }
    (root / "cookiecutter.json").write_text(json.dumps(spec, indent=2))
    TemplateRepo(root).commit("first", BASE_FILES)
    created = create_project(str(root), base / "proj", answers={"project_name": "Proj"}, no_input=True)
    return root, created.root


@pytest.fixture
def template_repo(tmp_path: Path, golden) -> TemplateRepo:
    """This test's copy of the golden template repository (same commits); add commits with .commit."""
    shutil.copytree(golden[0], tmp_path / "template", symlinks=True)
    return TemplateRepo(tmp_path / "template")


@pytest.fixture
def project(tmp_path: Path, template_repo: TemplateRepo, golden) -> Path:
    """This test's copy of the golden project, pointing at template_repo, committed and clean."""
    root = tmp_path / "proj"
    shutil.copytree(golden[1], root, symlinks=True)
    state = json.loads((root / ".cruft.json").read_text())
    state["template"] = state["context"]["cookiecutter"]["_template"] = str(template_repo.root)
    (root / ".cruft.json").write_text(json.dumps(state, indent=2) + "\n")
    git(root, "commit", "-q", "-a", "--amend", "--no-edit")
    return root


@dataclass
class CliResult:
    """Exit code and captured output of one in-process CLI call."""

    code: int
    out: str
    err: str


@pytest.fixture
def cli(monkeypatch, capsys):
    """Run `pipeyard ARGS` in-process in a folder; returns a CliResult."""

    def run(cwd: Path, *args: str) -> CliResult:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = cli_main.main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run
