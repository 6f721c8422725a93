"""Staging by content hash, without Ray: a dict stands in for the object store."""

from __future__ import annotations

import pytest

from pipeyard.errors import RepositoryError, UnsafePathError
from pipeyard.executors.staging import (
    NODE_CACHE_VARIABLE,
    UNSEEN_VARIABLE,
    InputOffer,
    ProjectMarker,
    StagedFile,
    StagedPaths,
    lay_out_inputs,
    offer_outputs,
    receive_outputs,
    sees,
)


class Store:
    """put/get by handle, counting what was fetched."""

    def __init__(self):
        self.objects: dict[int, bytes] = {}
        self.fetched = 0

    def put(self, data: bytes) -> int:
        self.objects[len(self.objects)] = data
        return len(self.objects) - 1

    def get(self, handle: int) -> bytes:
        self.fetched += 1
        return self.objects[handle]


@pytest.fixture
def project(tmp_path, monkeypatch):
    root = tmp_path / "project"
    (root / ".dvc").mkdir(parents=True)
    (root / "data" / "sub").mkdir(parents=True)
    (root / "data" / "sub" / "a.txt").write_text("a")
    (root / "data" / "b.txt").write_text("a")  # the same content: one object
    (root / "params.yaml").write_text("x: 1\n")
    monkeypatch.setenv(NODE_CACHE_VARIABLE, str(tmp_path / "node-cache"))
    return root


def test_inputs_travel_once_by_hash_and_outputs_come_back_only_when_missing(project, tmp_path):
    store = Store()
    offer = InputOffer(project, store.put)
    inputs = offer.offer(["data", "params.yaml", "missing.txt"])
    assert sorted(f.relpath for f in inputs.files) == ["data/b.txt", "data/sub/a.txt", "params.yaml"]
    assert len(store.objects) == 2  # "a" once, params.yaml once
    node = tmp_path / "node"
    moved = lay_out_inputs(inputs, node, store.get)
    assert (moved.listed, moved.fetched) == (2, 2)
    assert (node / "data" / "sub" / "a.txt").read_text() == "a" and (node / "params.yaml").is_file()
    assert lay_out_inputs(inputs, tmp_path / "again", store.get).fetched == 0  # the node cache has them
    (node / "out").mkdir()
    (node / "out" / "result.txt").write_text("result")
    outputs = offer_outputs(node, ["out"], store.put)
    back = receive_outputs(project, outputs, store.get)
    assert (back.listed, back.fetched, back.size) == (1, 1, 6)
    assert (project / "out" / "result.txt").read_text() == "result"
    (project / "out" / "result.txt").unlink()
    assert receive_outputs(project, outputs, store.get).fetched == 0  # the DVC cache has it now
    assert (project / "out" / "result.txt").read_text() == "result"


def test_an_object_whose_bytes_do_not_match_its_hash_is_refused(project, tmp_path):
    store = Store()
    forged = StagedPaths((StagedFile("out/x.txt", "0" * 32),), {"0" * 32: store.put(b"not that")})
    with pytest.raises(RepositoryError, match="refused"):
        receive_outputs(project, forged, store.get)
    assert not (project / "out").exists()


def test_a_file_named_outside_the_folder_is_refused(project, tmp_path):
    store = Store()
    inputs = InputOffer(project, store.put).offer(["params.yaml"])
    escaping = StagedPaths((StagedFile("../escape.txt", inputs.files[0].md5),), inputs.objects)
    with pytest.raises(UnsafePathError):
        lay_out_inputs(escaping, tmp_path / "node", store.get)
    assert not (tmp_path / "escape.txt").exists()


def test_a_node_sees_the_project_when_it_reads_the_marker_back(project, monkeypatch):
    marker = ProjectMarker(project)
    assert sees(str(marker.path), marker.token)
    assert not sees(str(marker.path), "another run")
    monkeypatch.setenv(UNSEEN_VARIABLE, str(project))
    assert not sees(str(marker.path), marker.token)
    marker.remove()
    monkeypatch.delenv(UNSEEN_VARIABLE)
    assert not sees(str(marker.path), marker.token) and not (project / ".pipeyard").exists()
