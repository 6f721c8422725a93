"""`pipeyard new` and `pipeyard templates` with real cookiecutter templates and git repositories."""

from __future__ import annotations

import json
from pathlib import Path

from template_repos import BASE_FILES, git

from pipeyard.project_templates import sources


def test_new_from_a_local_git_repository_records_the_cruft_state(tmp_path, template_repo, cli):
    head = git(template_repo.root, "rev-parse", "HEAD")

    result = cli(
        tmp_path, "new", str(template_repo.root), "--no-input", "project_name=Fancy", "greeting=hello"
    )

    assert result.code == 0, result.err
    root = tmp_path / "fancy"  # the folder the template names
    assert "next: cd" in result.out
    state = json.loads((root / ".cruft.json").read_text())
    assert state == {
        "template": str(template_repo.root),
        "commit": head,
        "checkout": None,
        "context": {
            "cookiecutter": {
                "project_name": "Fancy",
                "project_slug": "fancy",
                "greeting": "hello",
                "_description": "a small test template",
                "_template": str(template_repo.root),
                "_commit": head,  # as cruft records it
            }
        },
        "directory": None,
        "skip": [],
    }
    assert (root / "README.md").read_text().startswith("# Fancy")
    assert "hello" in (root / "pipeline.py").read_text()
    assert (root / ".dvc").is_dir() and (root / "dvc.yaml").is_file() and (root / "params.yaml").is_file()
    assert git(root, "log", "--format=%s") == f"Create project from template {template_repo.root}"
    assert git(root, "status", "--porcelain") == ""


def test_new_from_a_file_url_of_a_bare_repository_with_directory_and_checkout(tmp_path, cli):
    work = tmp_path / "work"
    tiny = work / "templates" / "tiny"
    (tiny / "{{cookiecutter.name}}").mkdir(parents=True)
    (tiny / "cookiecutter.json").write_text('{"name": "tiny"}')
    (tiny / "{{cookiecutter.name}}" / "hello.txt").write_text("v1 {{ cookiecutter.name }}\n")
    git(work, "init", "-q", "-b", "main")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "v1")
    git(work, "tag", "v1")
    first = git(work, "rev-parse", "HEAD")
    (tiny / "{{cookiecutter.name}}" / "hello.txt").write_text("v2 {{ cookiecutter.name }}\n")
    git(work, "commit", "-q", "-am", "v2")
    bare = tmp_path / "bare.git"
    git(tmp_path, "clone", "-q", "--bare", str(work), str(bare))
    url = bare.as_uri()

    result = cli(
        tmp_path, "new", url, "--directory", "templates/tiny", "--checkout", "v1", "--no-input", "name=small"
    )

    assert result.code == 0, result.err
    root = tmp_path / "small"
    assert (root / "hello.txt").read_text() == "v1 small\n"
    state = json.loads((root / ".cruft.json").read_text())
    assert (state["template"], state["commit"], state["checkout"], state["directory"]) == (
        url,
        first,
        "v1",
        "templates/tiny",
    )
    assert state["context"]["cookiecutter"] == {"name": "small", "_template": url, "_commit": first}
    assert not (root / "dvc.yaml").exists()  # no pipeline, nothing compiled
    assert cli(root, "template", "check").code == 0  # follows the tag, which has not moved
    assert cli(root, "template", "check", "--checkout", "main").code == 1


def test_a_template_without_history_updates_from_the_render_kept_in_the_project(tmp_path, cli):
    """Plain folders (and the built-in templates) keep no history: the project keeps each render."""
    folder = tmp_path / "plain"
    (folder / "{{cookiecutter.name}}").mkdir(parents=True)
    (folder / "cookiecutter.json").write_text('{"name": "plainproj"}')
    (folder / "{{cookiecutter.name}}" / "a.txt").write_text("a\n")
    (folder / "{{cookiecutter.name}}" / "b.txt").write_text("one\ntwo\nthree\nfour\nfive\n")

    assert cli(tmp_path, "new", str(folder), "--no-input").code == 0
    root = tmp_path / "plainproj"
    state = json.loads((root / ".cruft.json").read_text())
    assert state["commit"].startswith("sha256:")
    assert git(root, "for-each-ref", "refs/pipeyard/templates/")  # the render of this version
    assert cli(root, "template", "check").code == 0

    (folder / "{{cookiecutter.name}}" / "a.txt").write_text("a, improved\n")
    (root / "b.txt").write_text("one\ntwo\nthree\nfour\nfive, mine\n")
    git(root, "commit", "-qam", "my change")
    assert cli(root, "template", "check").code == 1
    update = cli(root, "template", "update")
    assert update.code == 0, update.err
    assert (root / "a.txt").read_text() == "a, improved\n"  # the template's change
    assert (root / "b.txt").read_text() == "one\ntwo\nthree\nfour\nfive, mine\n"  # the user's
    git(root, "commit", "-qam", "template update")
    assert cli(root, "template", "check").code == 0

    (folder / "{{cookiecutter.name}}" / "b.txt").write_text("ONE\ntwo\nthree\nfour\nfive\n")
    second = cli(root, "template", "update")  # based on the render the first update kept
    assert second.code == 0, second.err
    assert (root / "b.txt").read_text() == "ONE\ntwo\nthree\nfour\nfive, mine\n"


def test_errors_say_what_is_wrong_and_what_to_do(tmp_path, template_repo, cli, monkeypatch):
    builtin = tmp_path / "builtin"
    (builtin / "minimal").mkdir(parents=True)
    (builtin / "minimal" / "cookiecutter.json").write_text('{"_description": "the smallest project"}')
    monkeypatch.setattr(sources, "builtin_folder", lambda: builtin)

    unknown = cli(tmp_path, "new", "minimall")
    assert unknown.code == 2
    assert "no template named 'minimall' (did you mean 'minimal'?)" in unknown.err
    assert "hint:" in unknown.err

    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("x")
    exists = cli(tmp_path, "new", str(template_repo.root), "taken", "--no-input")
    assert exists.code == 2 and "already exists and is not empty" in exists.err

    bad = cli(tmp_path, "new", str(template_repo.root), "dir", "project_name")
    assert bad.code == 2 and "'project_name' is not a key=value answer" in bad.err

    typo = cli(tmp_path, "new", str(template_repo.root), "dir", "--no-input", "project_nam=x")
    assert typo.code == 2 and "did you mean 'project_name'" in typo.err

    (tmp_path / "notatemplate").mkdir()
    (tmp_path / "notatemplate" / "readme.txt").write_text("hi")
    not_template = cli(tmp_path, "new", str(tmp_path / "notatemplate"), "--no-input")
    assert not_template.code == 2 and "is not a cookiecutter template" in not_template.err

    missing_ref = cli(tmp_path, "new", str(template_repo.root), "dir", "--no-input", "--checkout", "nope")
    assert missing_ref.code == 2 and "'nope' is not a branch, tag or commit" in missing_ref.err
    assert not (tmp_path / "dir").exists()


def test_templates_lists_the_built_in_ones(tmp_path, cli, monkeypatch):
    builtin = tmp_path / "builtin"
    for name, description in (("minimal", "the smallest project"), ("tabular", "a tabular classifier")):
        (builtin / name).mkdir(parents=True)
        (builtin / name / "cookiecutter.json").write_text(json.dumps({"_description": description}))
    monkeypatch.setattr(sources, "builtin_folder", lambda: builtin)

    result = cli(tmp_path, "templates")

    assert result.code == 0
    assert "minimal  the smallest project" in result.out
    assert "tabular  a tabular classifier" in result.out


def test_the_base_files_are_what_the_template_renders(project):
    assert set(BASE_FILES) <= {p.relative_to(project).as_posix() for p in project.rglob("*") if p.is_file()}
    assert (project / "logo.bin").read_bytes() == BASE_FILES["logo.bin"]
    assert Path(project / "src" / "settings.py").read_text().startswith("NAME = 'proj'")
