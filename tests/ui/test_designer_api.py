"""The designer's JSON API through Starlette's TestClient, on real projects (git, a folder
registry filled by the real `pipeyard component register`); and one end-to-end check: a
designer edit saved from the API is a pipeline `pipeyard validate` and `pipeyard run` accept."""

from __future__ import annotations

import json

import pytest
from designer_projects import example_project, git, pipeyard
from starlette.applications import Starlette
from starlette.testclient import TestClient

from pipeyard.ui.designer import designer_routes

API = "/api/designer"


def _client(root) -> TestClient:
    return TestClient(Starlette(routes=designer_routes(root)))


def _with_registry(root) -> None:
    """A folder registry beside root with components/train.yml registered as train:7."""
    (root / "pipeyard.yaml").write_text("registries:\n  - {name: team, path: ../registry}\n")
    result = pipeyard(root, "component", "register", "components/train.yml", "--version", "7")
    assert result.returncode == 0, result.stdout + result.stderr
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "registry")


def _edit(client, document, op, **fields):
    response = client.post(
        f"{API}/edit",
        json={
            "path": document["path"],
            "version": document["version"],
            "text": document["text"],
            "edit": {"op": op, **fields},
        },
    )
    return response


def test_document_palette_and_files(tmp_path):
    root = example_project(tmp_path)
    _with_registry(root)
    client = _client(root)
    assert client.get(f"{API}/files").json() == {"files": ["pipeline.yml"], "default": "pipeline.yml"}
    document = client.get(f"{API}/document").json()
    assert document["path"] == "pipeline.yml" and document["valid"] and not document["read_only"]
    assert document["text"] == (root / "pipeline.yml").read_text()
    assert [j["name"] for j in document["graph"]["jobs"]] == [
        "prepare",
        "train_linear",
        "train_baseline",
        "compare",
    ]
    palette = client.get(f"{API}/palette", params={"path": "pipeline.yml"}).json()
    references = {(c["origin"], c["reference"]) for c in palette["components"]}
    assert ("local", "./components/train.yml") in references
    assert ("registry", "azureml:train:7") in references
    registered = next(c for c in palette["components"] if c["origin"] == "registry")
    assert {"name": "train_set", "type": "uri_folder", "optional": False} in registered["inputs"]
    assert registered["versions"] == ["7"]


def test_an_edit_returns_graph_and_diff_and_a_refusal_says_why(tmp_path):
    root = example_project(tmp_path)
    client = _client(root)
    document = client.get(f"{API}/document", params={"path": "pipeline.yml"}).json()
    response = _edit(client, document, "set_parameter", job="train_linear", name="l2", value="0.5")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["valid"] and not body["stale"]
    assert "-      l2: 0.0\n+      l2: 0.5\n" in body["diff"]
    refused = _edit(
        client, document, "connect", source="train_linear", output="model", target="compare", input="test_set"
    )
    assert refused.status_code == 422
    assert (
        "cannot connect train_linear.model (uri_file) to compare.test_set (uri_folder)"
        in refused.json()["error"]
    )
    unknown = _edit(client, document, "conect")
    assert unknown.status_code == 422 and "did you mean" in unknown.json()["error"]
    assert (root / "pipeline.yml").read_text() == document["text"]  # edits never write


def test_save_then_conflict_then_commit(tmp_path):
    root = example_project(tmp_path)
    client = _client(root)
    document = client.get(f"{API}/document").json()
    edited = _edit(client, document, "set_compute", job="compare", compute="local").json()
    saved = client.post(
        f"{API}/save", json={"path": "pipeline.yml", "version": document["version"], "text": edited["text"]}
    )
    assert saved.status_code == 200, saved.text
    assert "+    compute: local\n" in saved.json()["diff"]
    version = saved.json()["version"]
    assert client.get(f"{API}/version", params={"path": "pipeline.yml"}).json()["version"] == version

    (root / "pipeline.yml").write_text(edited["text"] + "# from my editor\n")
    polled = client.get(f"{API}/version", params={"path": "pipeline.yml"}).json()["version"]
    assert polled != version
    conflict = client.post(
        f"{API}/save", json={"path": "pipeline.yml", "version": version, "text": document["text"]}
    )
    assert conflict.status_code == 409
    assert conflict.json()["reload"] is True and "changed on disk" in conflict.json()["error"]
    assert conflict.json()["version"] == polled
    stale = client.post(f"{API}/commit", json={"path": "pipeline.yml", "message": "x", "version": version})
    assert stale.status_code == 409

    committed = client.post(
        f"{API}/commit", json={"path": "pipeline.yml", "message": "Run compare locally", "version": polled}
    )
    assert committed.status_code == 200, committed.text
    assert git(root, "log", "-1", "--format=%s").strip() == "Run compare locally"
    assert git(root, "show", "--name-only", "--format=", "HEAD").split() == ["pipeline.yml"]
    empty = client.post(f"{API}/commit", json={"path": "pipeline.yml", "message": "again"})
    assert empty.status_code == 422 and "nothing to commit" in empty.json()["error"]


def test_an_incomplete_draft_is_not_saved(tmp_path):
    root = example_project(tmp_path)
    client = _client(root)
    document = client.get(f"{API}/document").json()
    added = _edit(client, document, "add_job", component="./components/train.yml").json()
    assert added["incomplete"] and not added["valid"]
    job = next(j for j in added["graph"]["jobs"] if j["name"] == "train")
    assert {p["name"]: p["source"] for p in job["inputs"]} == {"train_set": None}
    refused = client.post(
        f"{API}/save", json={"path": "pipeline.yml", "version": document["version"], "text": added["text"]}
    )
    assert refused.status_code == 422 and "not saved" in refused.json()["error"]
    assert (root / "pipeline.yml").read_text() == document["text"]


@pytest.mark.parametrize(
    "path", ["../../etc/passwd", "/etc/passwd", ".git/config", "link.yml", "pipeline.yml/.."]
)
def test_paths_outside_the_project_are_refused(tmp_path, path):
    root = example_project(tmp_path)
    (tmp_path / "secret.yml").write_text("jobs: {}\n")
    (root / "link.yml").symlink_to(tmp_path / "secret.yml")
    client = _client(root)
    for method, url, payload in [
        ("GET", f"{API}/document", None),
        ("GET", f"{API}/version", None),
        ("POST", f"{API}/save", {"text": "x", "version": "v"}),
        ("POST", f"{API}/commit", {"message": "m"}),
    ]:
        if method == "GET":
            response = client.get(url, params={"path": path})
        else:
            response = client.post(url, json={"path": path, **payload})
        assert response.status_code == 403, (url, response.text)
    assert (tmp_path / "secret.yml").read_text() == "jobs: {}\n"


def test_a_python_pipeline_is_shown_read_only(tmp_path):
    root = example_project(tmp_path, "python")
    client = _client(root)
    document = client.get(f"{API}/document", params={"path": "pipeline.py"}).json()
    assert document["read_only"] and "Python (SDK) pipeline" in document["reason"]
    assert document["graph"]["jobs"]
    refused = client.post(
        f"{API}/save",
        json={"path": "pipeline.py", "version": document["version"], "text": document["text"] + "\n"},
    )
    assert refused.status_code == 422


def test_bad_bodies_are_refused(tmp_path):
    client = _client(example_project(tmp_path))
    assert client.post(f"{API}/save", content=b"not json").status_code == 400
    assert client.post(f"{API}/save", json=[1]).status_code == 400
    assert client.post(f"{API}/save", json={"path": "pipeline.yml"}).status_code == 422


@pytest.mark.slow
def test_a_designer_edit_is_a_pipeline_that_runs(tmp_path):
    """Add a registered component, connect it, set a parameter, save: validate and run accept it."""
    root = example_project(tmp_path)
    assert pipeyard(root, "init").returncode == 0
    _with_registry(root)
    client = _client(root)
    document = client.get(f"{API}/document").json()
    text = document["text"]
    for edit in [
        {"op": "add_job", "component": "azureml:train:7", "name": "train_mean"},
        {
            "op": "connect",
            "source": "prepare",
            "output": "train_set",
            "target": "train_mean",
            "input": "train_set",
        },
        {"op": "set_parameter", "job": "train_mean", "name": "method", "value": "mean"},
    ]:
        response = client.post(
            f"{API}/edit",
            json={"path": "pipeline.yml", "version": document["version"], "text": text, "edit": edit},
        )
        assert response.status_code == 200, response.text
        text = response.json()["text"]
    assert response.json()["valid"]
    saved = client.post(
        f"{API}/save", json={"path": "pipeline.yml", "version": document["version"], "text": text}
    )
    assert saved.status_code == 200, saved.text
    assert (root / "components" / "_registry" / "train" / "v7").is_dir()  # copied in, as `run` does
    palette = client.get(f"{API}/palette").json()["components"]
    assert not [c for c in palette if "_registry" in c.get("file", "")]  # the copy is not offered twice
    validated = pipeyard(root, "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    ran = pipeyard(root, "run", "--json")
    assert ran.returncode == 0, ran.stdout + ran.stderr
    statuses = {name: step["status"] for name, step in json.loads(ran.stdout)["steps"].items()}
    assert statuses["train_mean"] == "ran", statuses
