"""`pipeyard template update|check|diff` on real projects made from a template in a real git repository."""

from __future__ import annotations

import json

from template_repos import BASE_FILES, git


def _state(project):
    return json.loads((project / ".cruft.json").read_text())


def _settings(lr="0.1", epochs="3"):
    return (
        f"NAME = '{{{{ cookiecutter.project_slug }}}}'\nLR = {lr}\n\n# how long to train\nEPOCHS = {epochs}\n"
    )


def _commit_all(project, message="mine"):
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", message)


def test_user_and_template_changes_in_different_files_are_both_kept(project, template_repo, cli):
    (project / "README.md").write_text("# Proj\n\nmy own words\nline three\n")
    _commit_all(project)
    new = template_repo.commit("tune", {"src/settings.py": _settings(lr="0.01")})

    assert cli(project, "template", "check").code == 1
    result = cli(project, "template", "update")

    assert result.code == 0, result.err
    assert "updated   src/settings.py" in result.out
    assert "my own words" in (project / "README.md").read_text()
    assert "LR = 0.01" in (project / "src/settings.py").read_text()
    assert _state(project)["commit"] == new
    assert "git add -A && git commit" in result.out
    _commit_all(project, "update")
    assert cli(project, "template", "check").code == 0


def test_changes_to_different_lines_of_one_file_merge_cleanly(project, template_repo, cli):
    settings = project / "src/settings.py"
    settings.write_text(settings.read_text().replace("EPOCHS = 3", "EPOCHS = 30"))
    _commit_all(project)
    template_repo.commit("tune", {"src/settings.py": _settings(lr="0.01")})

    result = cli(project, "template", "update")

    assert result.code == 0, result.err
    assert "merged    src/settings.py" in result.out
    assert settings.read_text() == "NAME = 'proj'\nLR = 0.01\n\n# how long to train\nEPOCHS = 30\n"


def test_both_changing_the_same_lines_leaves_markers_and_exits_1(project, template_repo, cli):
    settings = project / "src/settings.py"
    settings.write_text(settings.read_text().replace("LR = 0.1", "LR = 0.5"))
    (project / "README.md").write_text("# Proj\n\nmy own words\nline three\n")
    _commit_all(project)
    old = _state(project)["commit"]
    new = template_repo.commit("tune", {"src/settings.py": _settings(lr="0.01"), "notes.txt": "new notes\n"})

    result = cli(project, "template", "update")

    assert result.code == 1
    text = settings.read_text()
    assert "<<<<<<< ours\nLR = 0.5\n=======\nLR = 0.01\n>>>>>>> template\n" in text
    assert text.startswith("NAME = 'proj'\n") and text.endswith("EPOCHS = 3\n")
    assert "1 file with conflicts:\n  src/settings.py" in result.err
    assert "git add -A && git commit" in result.err and "git reset --hard && git clean -fd" in result.err
    assert (project / "notes.txt").read_text() == "new notes\n"  # the template's other change is applied
    assert "my own words" in (project / "README.md").read_text()  # the user's other change is kept
    assert _state(project)["commit"] == new  # committing the resolution finishes the update

    git(project, "reset", "-q", "--hard")
    git(project, "clean", "-qfd")
    assert _state(project)["commit"] == old and "LR = 0.5" in settings.read_text()


def test_new_template_files_are_added_and_deleted_ones_removed(project, template_repo, cli):
    template_repo.commit("reshape", {"src/extra/new_module.py": "X = 1\n"}, delete=("notes.txt",))

    result = cli(project, "template", "update")

    assert result.code == 0, result.err
    assert (project / "src/extra/new_module.py").read_text() == "X = 1\n"
    assert not (project / "notes.txt").exists()
    assert "added     src/extra/new_module.py" in result.out and "deleted   notes.txt" in result.out


def test_a_file_the_user_deleted_stays_deleted(project, template_repo, cli):
    (project / "notes.txt").unlink()
    _commit_all(project)
    template_repo.commit("notes", {"notes.txt": "more template notes\n"})

    result = cli(project, "template", "update")

    assert result.code == 0, result.err
    assert not (project / "notes.txt").exists()
    assert "kept      notes.txt  (you deleted it; it stays deleted)" in result.out


def test_a_file_the_template_deleted_but_the_user_changed_is_kept(project, template_repo, cli):
    (project / "notes.txt").write_text("mine now\n")
    _commit_all(project)
    template_repo.commit("drop notes", delete=("notes.txt",))

    result = cli(project, "template", "update")

    assert result.code == 0, result.err
    assert (project / "notes.txt").read_text() == "mine now\n"
    assert "the template deleted it, but you changed it" in result.out


def test_binary_files_take_the_template_unless_the_user_changed_them(project, template_repo, cli):
    template_repo.commit("logo", {"logo.bin": b"\x00template v2"})
    assert cli(project, "template", "update").code == 0
    assert (project / "logo.bin").read_bytes() == b"\x00template v2"
    _commit_all(project, "update")

    (project / "logo.bin").write_bytes(b"\x00mine")
    _commit_all(project)
    template_repo.commit("logo 3", {"logo.bin": b"\x00template v3"})
    result = cli(project, "template", "update")

    assert result.code == 0, result.err
    assert (project / "logo.bin").read_bytes() == b"\x00mine"
    assert "binary file changed by both you and the template; kept yours" in result.out


def test_skipped_files_are_left_alone(project, template_repo, cli):
    state = _state(project)
    state["skip"] = ["src/*"]
    (project / ".cruft.json").write_text(json.dumps(state, indent=2))
    _commit_all(project)
    new = template_repo.commit("tune", {"src/settings.py": _settings(lr="0.01"), "notes.txt": "new notes\n"})

    result = cli(project, "template", "update")

    assert result.code == 0, result.err
    assert "LR = 0.1" in (project / "src/settings.py").read_text()
    assert (project / "notes.txt").read_text() == "new notes\n"
    assert _state(project)["commit"] == new and _state(project)["skip"] == ["src/*"]


def test_a_dirty_tree_is_refused(project, template_repo, cli):
    template_repo.commit("tune", {"src/settings.py": _settings(lr="0.01")})
    (project / "README.md").write_text("uncommitted\n")

    result = cli(project, "template", "update")

    assert result.code == 2
    assert "uncommitted changes (README.md)" in result.err and "hint: commit or stash" in result.err
    assert "LR = 0.1" in (project / "src/settings.py").read_text()


def test_check_and_update_follow_the_recorded_branch(project, template_repo, cli):
    assert cli(project, "template", "check").code == 0
    up_to_date = cli(project, "template", "update")
    assert up_to_date.code == 0 and "already up to date" in up_to_date.out

    git(template_repo.root, "checkout", "-q", "-b", "next")
    on_next = template_repo.commit("next only", {"notes.txt": "next notes\n"})
    git(template_repo.root, "checkout", "-q", "main")
    assert cli(project, "template", "check").code == 0  # main has not moved
    assert cli(project, "template", "check", "--checkout", "next").code == 1

    assert cli(project, "template", "update", "--checkout", "next").code == 0
    assert (_state(project)["commit"], _state(project)["checkout"]) == (on_next, "next")


def test_update_recompiles_a_changed_pipeline(project, template_repo, cli):
    pipeline = BASE_FILES["pipeline.py"].replace("hello.txt", "greeting.txt")
    template_repo.commit("rename output file", {"pipeline.py": pipeline})

    result = cli(project, "template", "update")

    assert result.code == 0, result.err
    assert "greeting.txt" in (project / "pipeline.py").read_text()
    assert git(project, "status", "--porcelain").strip()  # left for the user to review and commit


def test_diff_shows_the_template_change(project, template_repo, cli):
    assert cli(project, "template", "diff").err.startswith("up to date")
    template_repo.commit("tune", {"src/settings.py": _settings(lr="0.01"), "docs/new.md": "hello\n"})

    result = cli(project, "template", "diff")

    assert result.code == 0
    assert "--- a/src/settings.py\n+++ b/src/settings.py\n" in result.out
    assert "-LR = 0.1\n+LR = 0.01\n" in result.out
    assert "--- /dev/null\n+++ b/docs/new.md\n" in result.out and "+hello" in result.out
    limited = cli(project, "template", "diff", "docs")
    assert "docs/new.md" in limited.out and "settings.py" not in limited.out
    assert "\x1b[" not in result.out  # no colour when not on a terminal
    assert git(project, "status", "--porcelain") == ""  # diff changes nothing


def test_commands_outside_a_templated_project_explain(tmp_path, cli):
    git(tmp_path, "init", "-q")
    result = cli(tmp_path, "template", "check")
    assert result.code == 2 and "has no .cruft.json" in result.err
