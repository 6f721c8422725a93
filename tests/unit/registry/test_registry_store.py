"""The registry folder: add versions, find them, refuse to change one, hash content."""

from __future__ import annotations

import pytest
import yaml

from pipeyard.errors import ConfigError
from pipeyard.registry.store import Entry, RegistryFolder, content_hash


def staged(tmp_path, name: str, text: str):
    folder = tmp_path / name
    (folder / "src").mkdir(parents=True)
    (folder / "component.yml").write_text(text)
    (folder / "src" / "run.py").write_text("print('hi')\n")
    return folder


def entry(folder, name="train", version="1"):
    return Entry(name, version, "command", content_hash(folder), "fits a line")


def test_add_then_find_by_version_and_latest(tmp_path):
    registry = RegistryFolder("team", tmp_path / "registry")
    for version in ("1", "2", "10"):
        folder = staged(tmp_path, f"v{version}", f"version {version}")
        assert registry.add(folder, entry(folder, version=version)) is True
    assert registry.find("train", None).version == "10"
    assert registry.find("train", "2").version == "2"
    assert registry.find("train", "3") is None
    assert registry.find("other", None) is None
    assert (tmp_path / "registry/train/10/src/run.py").is_file()
    index = yaml.safe_load((tmp_path / "registry/registry.yaml").read_text())
    assert set(index["components"]["train"]) == {"1", "2", "10"}


def test_same_content_again_is_a_no_op_and_other_content_is_refused(tmp_path):
    registry = RegistryFolder("team", tmp_path / "registry")
    first = staged(tmp_path, "a", "one")
    assert registry.add(first, entry(first)) is True
    assert registry.add(first, entry(first)) is False
    changed = staged(tmp_path, "b", "two")
    with pytest.raises(ConfigError) as caught:
        registry.add(changed, entry(changed))
    assert "never change" in caught.value.message
    assert "bump the version" in caught.value.hint and "--version 2" in caught.value.hint
    assert (tmp_path / "registry/train/1/component.yml").read_text() == "one"


def test_hash_ignores_caches_but_not_content(tmp_path):
    folder = staged(tmp_path, "a", "one")
    before = content_hash(folder)
    (folder / "src" / "__pycache__").mkdir()
    (folder / "src" / "__pycache__" / "run.cpython-311.pyc").write_bytes(b"\0")
    assert content_hash(folder) == before
    (folder / "src" / "run.py").write_text("print('changed')\n")
    assert content_hash(folder) != before


def test_an_unreadable_index_is_a_config_error(tmp_path):
    (tmp_path / "registry.yaml").write_text("components: [unclosed")
    with pytest.raises(ConfigError) as caught:
        RegistryFolder("team", tmp_path).entries()
    assert "not valid YAML" in caught.value.message
