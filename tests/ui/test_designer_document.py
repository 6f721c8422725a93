"""The designer's document edits on real pipeline files: the no-edit round trip is byte-identical
on every example and template YAML, each edit's `git diff` is its golden file, refusals say why.

Regenerate the golden files (then read every diff!) with PIPEYARD_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from designer_projects import (
    EXAMPLES,
    GOLDEN,
    TEMPLATES,
    committed,
    example_project,
    git,
    render_template,
    yaml_files,
)

from pipeyard.errors import DefinitionError, ParameterError, ReferenceError_, RepositoryError, TypeMismatch
from pipeyard.ui.designer import (
    AddJob,
    Connect,
    Designer,
    Disconnect,
    RemoveJob,
    RenameJob,
    SetCompute,
    SetParameter,
    edit_from_json,
    files,
)
from pipeyard.ui.designer.yamltext import parse


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict[str, Path]:
    """Each built-in template rendered once (YAML pipeline) for this module."""
    into = tmp_path_factory.mktemp("templates")
    return {name: render_template(name, into) for name in TEMPLATES}


def _template_project(rendered: dict[str, Path], name: str, tmp_path: Path) -> Path:
    root = tmp_path / name
    shutil.copytree(rendered[name], root)
    return committed(root)


# -- the no-edit round trip ----------------------------------------------------------------


def test_every_example_yaml_round_trips_byte_for_byte():
    found = yaml_files(EXAMPLES)
    assert len(found) >= 4
    for path in found:
        text = path.read_text(encoding="utf-8")
        assert parse(text, path.name).dump() == text, path


def test_every_template_yaml_round_trips_byte_for_byte(rendered):
    checked = 0
    for root in rendered.values():
        for path in yaml_files(root):
            text = path.read_text(encoding="utf-8")
            assert parse(text, path.name).dump() == text, path
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    "text",
    [
        "jobs: {}\n",
        "---\njobs:\n  a: 1\n",
        "a: 1",  # no final newline
        "a: 1\r\nb:\r\n  - x\r\n",  # CRLF
        "a:\n    - x\n    - y\n",  # indented sequences
        "# only a comment\n",
        "",
    ],
)
def test_layouts_round_trip(text):
    assert parse(text).dump() == text


def test_a_no_edit_save_changes_nothing(tmp_path, rendered):
    projects = [example_project(tmp_path)] + [_template_project(rendered, n, tmp_path) for n in TEMPLATES]
    for root in projects:
        state = files.read(root, "pipeline.yml")
        designer = Designer(root)
        assert designer.inspect(state.path, state.text).valid
        saved = files.save(root, state.path, parse(state.text).dump(), state.version)
        assert isinstance(saved, files.FileState) and saved.version == state.version
        assert git(root, "status", "--porcelain") == ""


# -- golden edits: each sequence of edits, saved, gives the stored `git diff` ---------------

GOLDEN_EDITS = {
    "example_add_connect_set": (
        "example",
        [
            AddJob("./components/train.yml", "train_ridge"),
            Connect("prepare", "train_set", "train_ridge", "train_set"),
            SetParameter("train_ridge", "l2", "0.5"),
        ],
    ),
    "example_set_parameter": ("example", [SetParameter("train_linear", "l2", 0.25)]),
    "example_set_new_parameter": ("example", [SetParameter("train_baseline", "l2", "0.1")]),
    "example_reset_parameter": ("example", [SetParameter("train_linear", "l2", None)]),
    "example_reconnect": ("example", [Connect("prepare", "test_set", "train_linear", "train_set")]),
    "example_disconnect": ("example", [Disconnect("compare", "model_b")]),
    "example_set_compute": ("example", [SetCompute("compare", "local")]),
    "example_rename": ("example", [RenameJob("prepare", "split")]),
    "example_remove_first": ("example", [RemoveJob("prepare")]),
    "example_remove_last": ("example", [RemoveJob("compare")]),
    "tabular_remove_first": ("tabular-classification", [RemoveJob("ingest")]),
    "tabular_remove_middle": ("tabular-classification", [RemoveJob("prepare")]),
    "tabular_remove_last": ("tabular-classification", [RemoveJob("register")]),
    "tabular_add_at_end": (
        "tabular-classification",
        [
            AddJob("./components/evaluate.yml"),
            Connect("train", "model", "evaluate_2", "model"),
            Connect("prepare", "test_set", "evaluate_2", "test_set"),
        ],
    ),
    "image_change_compute": ("image-classification", [SetCompute("train", "local")]),
    "image_clear_compute": ("image-classification", [SetCompute("train", None)]),
    "minimal_rename_last": ("minimal", [RenameJob("summarize", "report")]),
}


@pytest.mark.parametrize("name", sorted(GOLDEN_EDITS))
def test_golden_edit(name, tmp_path, rendered):
    project, edits = GOLDEN_EDITS[name]
    root = (
        example_project(tmp_path) if project == "example" else _template_project(rendered, project, tmp_path)
    )
    state = files.read(root, "pipeline.yml")
    designer = Designer(root)
    text = state.text
    for edit in edits:
        text, inspection = designer.edit(state.path, text, edit)
    assert isinstance(files.save(root, state.path, text, state.version), files.FileState)
    diff = git(root, "diff")
    golden = GOLDEN / f"{name}.diff"
    if os.environ.get("PIPEYARD_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(diff, encoding="utf-8")
    assert diff == golden.read_text(encoding="utf-8")


def test_add_connect_set_yields_a_valid_pipeline(tmp_path):
    root = example_project(tmp_path)
    designer = Designer(root)
    text = files.read(root, "pipeline.yml").text
    text, added = designer.edit("pipeline.yml", text, AddJob("./components/train.yml"))
    assert added.incomplete and "train_set" in added.problem
    assert any("connect its input train_set" in note for note in added.notes)
    text, connected = designer.edit(
        "pipeline.yml", text, Connect("prepare", "train_set", "train", "train_set")
    )
    assert connected.valid
    text, final = designer.edit("pipeline.yml", text, SetParameter("train", "method", "mean"))
    assert final.valid
    job = next(j for j in final.graph["jobs"] if j["name"] == "train")
    assert {p["name"]: p["value"] for p in job["parameters"]}["method"] == "mean"
    assert {
        "source": "prepare",
        "output": "train_set",
        "target": "train",
        "input": "train_set",
        "type": "uri_folder",
    } in final.graph["edges"]


# -- refusals ------------------------------------------------------------------------------


def test_an_incompatible_connection_is_refused_with_the_reason(tmp_path):
    root = example_project(tmp_path)
    text = files.read(root, "pipeline.yml").text
    with pytest.raises(TypeMismatch) as refused:
        Designer(root).edit("pipeline.yml", text, Connect("train_linear", "model", "compare", "test_set"))
    message = refused.value.message
    assert "train_linear.model (uri_file)" in message and "compare.test_set (uri_folder)" in message
    assert "takes uri_folder or mltable" in message


@pytest.mark.parametrize(
    ("edit", "error", "words"),
    [
        (Connect("prepare", "train_set", "prepare", "measurements"), DefinitionError, "its own output"),
        (Connect("prepare", "nope", "compare", "test_set"), ReferenceError_, "no output 'nope'"),
        (Connect("prepare", "test_set", "train_linear", "method"), TypeMismatch, "is a parameter"),
        (Connect("prepare", "test_set", "ghost", "x"), ReferenceError_, "no job 'ghost'"),
        (SetParameter("train_linear", "l2", "lots"), ParameterError, "expects number"),
        (SetParameter("train_linear", "method", "cubic"), ParameterError, "must be one of"),
        (SetParameter("train_linear", "train_set", "x"), TypeMismatch, "is a data input"),
        (RenameJob("prepare", "compare"), DefinitionError, "already a job 'compare'"),
        (RenameJob("prepare", "parent"), DefinitionError, "reserved"),
        (RenameJob("prepare", "two words"), DefinitionError, "invalid job name"),
        (AddJob("./components/missing.yml"), ReferenceError_, "not found"),
        (Disconnect("train_linear", "l9"), ReferenceError_, "not connected"),
    ],
)
def test_wrong_edits_are_refused(tmp_path, edit, error, words):
    root = example_project(tmp_path)
    text = files.read(root, "pipeline.yml").text
    with pytest.raises(error) as refused:
        Designer(root).edit("pipeline.yml", text, edit)
    assert words in refused.value.message


def test_an_edit_that_breaks_the_pipeline_is_refused_with_the_loaders_message(tmp_path):
    root = example_project(tmp_path)
    text = files.read(root, "pipeline.yml").text
    with pytest.raises(DefinitionError) as refused:  # types match, but prepare would read its own descendant
        Designer(root).edit("pipeline.yml", text, Connect("compare", "metrics", "prepare", "measurements"))
    assert refused.value.message.startswith("refused: pipeline.yml")
    assert "cycle" in refused.value.message


def test_edits_from_json():
    assert edit_from_json(
        {"op": "connect", "source": "a", "output": "o", "target": "b", "input": "i"}
    ) == Connect("a", "o", "b", "i")
    with pytest.raises(DefinitionError, match="unknown edit 'conect'.*connect"):
        edit_from_json({"op": "conect"})
    with pytest.raises(DefinitionError, match="wrong fields"):
        edit_from_json({"op": "remove_job", "name": "x"})


# -- files: conflicts, commits, paths ------------------------------------------------------


def test_a_save_over_a_file_changed_on_disk_is_refused(tmp_path):
    root = example_project(tmp_path)
    state = files.read(root, "pipeline.yml")
    (root / "pipeline.yml").write_text(state.text + "# edited outside\n")
    result = files.save(root, "pipeline.yml", state.text.replace("0.0", "0.5"), state.version)
    assert isinstance(result, files.Conflict)
    assert "changed on disk" in result.message and "reload" in result.message
    assert result.version == files.current_version(root, "pipeline.yml")
    assert (root / "pipeline.yml").read_text().endswith("# edited outside\n")


def test_commit_takes_that_file_only(tmp_path):
    root = example_project(tmp_path)
    state = files.read(root, "pipeline.yml")
    files.save(root, "pipeline.yml", state.text.replace("l2: 0.0", "l2: 0.5"), state.version)
    (root / "components" / "train.yml").write_text("# staged elsewhere\n", encoding="utf-8")
    git(root, "add", "components/train.yml")
    (root / "notes.txt").write_text("untracked\n")
    sha = files.commit(root, "pipeline.yml", "Designer: l2 0.5")
    assert git(root, "rev-parse", "HEAD").strip() == sha
    assert git(root, "show", "--name-only", "--format=%s", "HEAD").split() == [
        "Designer:",
        "l2",
        "0.5",
        "pipeline.yml",
    ]
    status = git(root, "status", "--porcelain").splitlines()
    assert "M  components/train.yml" in status and "?? notes.txt" in status
    with pytest.raises(RepositoryError, match="nothing to commit"):
        files.commit(root, "pipeline.yml", "again")


@pytest.mark.parametrize(
    "path",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "../outside.yml",
        ".git/config",
        "data/measurements.csv",
        "components/../../x.yml",
        "link.yml",
        "linkdir/p.yml",
    ],
)
def test_paths_outside_the_project_are_refused(tmp_path, path):
    root = example_project(tmp_path)
    (tmp_path / "outside.yml").write_text("jobs: {}\n")
    (root / "link.yml").symlink_to(tmp_path / "outside.yml")
    (root / "linkdir").symlink_to(tmp_path)
    with pytest.raises(files.PathRefused):
        files.read(root, path)
    with pytest.raises(files.PathRefused):
        files.save(root, path, "x", "sha256:0")
    assert (tmp_path / "outside.yml").read_text() == "jobs: {}\n"


def test_a_python_pipeline_is_read_only_and_says_why(tmp_path):
    root = example_project(tmp_path, "python")
    state = files.read(root, "pipeline.py")
    assert not state.editable
    inspection = Designer(root).inspect(state.path, state.text)
    assert inspection.read_only and "Python (SDK) pipeline" in inspection.reason
    assert inspection.graph is not None and inspection.graph["jobs"]
    with pytest.raises(DefinitionError, match="does not rewrite"):
        Designer(root).edit(state.path, state.text, RemoveJob("prepare"))


# -- edits undone give back the very bytes -------------------------------------------------


def test_edits_and_their_inverses_give_back_the_file(tmp_path, rendered):
    """On the example and every template: add a job and remove it; for each job, rename it and
    back, set a compute and clear it (same bytes); disconnect each input and connect it again
    (the same graph)."""
    projects = [example_project(tmp_path)] + [_template_project(rendered, n, tmp_path) for n in TEMPLATES]
    checked = 0
    for root in projects:
        designer = Designer(root)
        original = files.read(root, "pipeline.yml").text
        jobs = designer.inspect("pipeline.yml", original).graph["jobs"]
        first_component = sorted((root / "components").glob("*.yml"))[0].name

        def undone(*edits, text=original, root=root):
            for edit in edits:
                text = Designer(root).edit("pipeline.yml", text, edit)[0]
            return text

        assert undone(AddJob(f"./components/{first_component}", "extra"), RemoveJob("extra")) == original
        for job in jobs:
            name = job["name"]
            assert undone(RenameJob(name, "renamed"), RenameJob("renamed", name)) == original, (root, name)
            if job["compute"] is None:
                assert undone(SetCompute(name, "local"), SetCompute(name, None)) == original, (root, name)
            for port in job["inputs"]:
                source = port["source"]
                if source and source.get("job"):  # connected again, the edge is back (maybe moved last)
                    _, again = Designer(root).edit(
                        "pipeline.yml",
                        undone(Disconnect(name, port["name"])),
                        Connect(source["job"], source["output"], name, port["name"]),
                    )
                    assert (
                        again.valid
                        and again.graph["edges"]
                        and sorted(map(str, again.graph["edges"]))
                        == sorted(map(str, designer.inspect("pipeline.yml", original).graph["edges"]))
                    )
            checked += 1
    assert checked >= 13
