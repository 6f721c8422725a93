"""Where the per-user repository of built-in template snapshots lives."""

from __future__ import annotations

from pipeyard.project_templates.builtin_snapshots import (
    LOCATION_VARIABLE,
    is_snapshot_source,
    snapshot_repository,
)
from pipeyard.project_templates.sources import TemplateSource


def test_the_variable_wins_then_xdg_data_home_then_the_home_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(LOCATION_VARIABLE, str(tmp_path / "chosen.git"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert snapshot_repository() == (tmp_path / "chosen.git").resolve()
    monkeypatch.delenv(LOCATION_VARIABLE)
    assert snapshot_repository() == (tmp_path / "data" / "pipeyard" / "templates.git").resolve()
    monkeypatch.delenv("XDG_DATA_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert (
        snapshot_repository()
        == (tmp_path / "home" / ".local" / "share" / "pipeyard" / "templates.git").resolve()
    )


def test_only_the_snapshot_repository_counts_as_one(tmp_path, monkeypatch):
    monkeypatch.setenv(LOCATION_VARIABLE, str(tmp_path / "snapshots.git"))
    assert is_snapshot_source(TemplateSource("git", str(tmp_path / "snapshots.git"), "minimal"))
    assert not is_snapshot_source(TemplateSource("git", str(tmp_path / "other.git"), "minimal"))
    assert not is_snapshot_source(TemplateSource("git", "https://example.invalid/snapshots.git", "minimal"))
    assert not is_snapshot_source(TemplateSource("builtin", "minimal"))
