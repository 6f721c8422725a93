"""DVC's config files read and written the way `dvc config` does (pure file work, no dvc run)."""

import pytest

from pipeyard.errors import Location, RepositoryError
from pipeyard.vcs.dvc import config_value, read_config, write_local_config


def _write(root, name, text):
    (root / ".dvc").mkdir(exist_ok=True)
    (root / ".dvc" / name).write_text(text, encoding="utf-8")


def test_the_local_file_wins_over_the_repository_file(tmp_path):
    _write(tmp_path, "config", "[cache]\n    type = copy\n    dir = shared\n")
    _write(tmp_path, "config.local", "[cache]\n    dir = '../elsewhere'\n")
    config = read_config(tmp_path)
    assert config_value(config, "cache", "dir") == "../elsewhere"  # DVC's quotes removed
    assert config_value(config, "cache", "type") == "copy"
    assert config_value(config, "cache", "shared") == ""


def test_a_scope_reads_only_its_file(tmp_path):
    _write(tmp_path, "config", "['remote \"store\"']\n    url = /tmp/store\n")
    assert read_config(tmp_path, ("local",)).sections() == []
    assert read_config(tmp_path).sections() == ["'remote \"store\"'"]


@pytest.mark.parametrize(
    ("name", "text", "line", "problem"),
    [
        ("config", "[core\n    remote = store\n", 1, "a setting before any [section]"),
        ("config", "[core]\n    remote = store\n  [cache\n", 3, "neither [section] nor name = value"),
        ("config.local", "[cache]\n    dir = a\n    dir = b\n", 3, "option 'dir' in section 'cache' already"),
    ],
)
def test_a_file_dvc_cannot_read_is_named_with_its_line(tmp_path, name, text, line, problem):
    _write(tmp_path, name, text)
    with pytest.raises(RepositoryError) as raised:
        read_config(tmp_path)
    assert raised.value.location == Location(file=f".dvc/{name}", line=line)
    assert problem in str(raised.value)
    assert ("git checkout -- .dvc/config" in raised.value.hint) == (name == "config")


def test_a_file_that_is_not_utf8_is_named_with_its_line(tmp_path):
    (tmp_path / ".dvc").mkdir()
    (tmp_path / ".dvc" / "config").write_bytes(b"[core]\n    remote = \xff\n")
    with pytest.raises(RepositoryError, match="not UTF-8") as raised:
        read_config(tmp_path)
    assert raised.value.location == Location(file=".dvc/config", line=2)


def test_the_global_scope_is_the_users_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home"))
    (tmp_path / "home" / "dvc").mkdir(parents=True)
    (tmp_path / "home" / "dvc" / "config").write_text("[core]\n    hardlink_lock = true\n")
    assert read_config(tmp_path, ("global",)).getboolean("core", "hardlink_lock")


def test_written_local_settings_read_back(tmp_path):
    config = read_config(tmp_path)
    config.add_section("cache")
    config.set("cache", "dir", "/srv/cache")
    write_local_config(tmp_path / "worktree", config)
    assert config_value(read_config(tmp_path / "worktree", ("local",)), "cache", "dir") == "/srv/cache"
