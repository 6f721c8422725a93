"""End-to-end: with DVC's cache.type hardlink or symlink, a run and a branch switch leave each
output's bytes on disk once (the workspace file is the cache object), and a forced step still
writes new files instead of writing through the links into the cache."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from projects import Project, diamond_project, statuses

from pipeyard.yamlio import parse_yaml

pytestmark = pytest.mark.slow


def _object(project: Project, md5: str) -> Path:
    return project.root / ".dvc" / "cache" / "files" / "md5" / md5[:2] / md5[2:]


def _output_files(project: Project) -> dict[Path, Path]:
    """{workspace file: its cache object} for every output file dvc.lock records."""
    lock = parse_yaml((project.root / "dvc.lock").read_text())
    files = {}
    for entry in lock["stages"].values():
        for out in entry.get("outs", ()):
            listing = parse_yaml(_object(project, out["md5"]).read_text())
            for item in listing:
                files[project.root / out["path"] / item["relpath"]] = _object(project, item["md5"])
    return files


def _assert_linked(project: Project, kind: str) -> None:
    files = _output_files(project)
    assert files
    for here, obj in files.items():
        assert os.path.samefile(here, obj), here  # one inode: no second copy on disk
        assert stat.S_IMODE(os.stat(obj).st_mode) & 0o222 == 0  # the object stays read-only
        if kind == "symlink":
            assert here.is_symlink()
        else:
            assert os.stat(here).st_nlink >= 2 and not here.is_symlink()


@pytest.mark.parametrize("kind", ["hardlink", "symlink"])
def test_run_and_branch_switch_restore_by_link(tmp_path: Path, kind: str) -> None:
    project = diamond_project(tmp_path / "p")
    assert project.dvc("config", "cache.type", kind).returncode == 0
    project.commit_all(f"cache.type {kind}")
    assert set(statuses(project.run_json()).values()) == {"ran"}
    _assert_linked(project, kind)
    project.commit_all("first results")
    main_files = {p: p.read_bytes() for p in _output_files(project)}

    project.git("checkout", "-q", "-b", "other")
    assert statuses(project.run_json("prepare.message=other"))["prepare"] == "ran"
    _assert_linked(project, kind)
    project.commit_all("other results")

    project.git("checkout", "-q", "main")
    switched = statuses(project.run_json())
    assert switched == dict.fromkeys(("prepare", "left", "right", "join"), "restored"), switched
    _assert_linked(project, kind)
    assert {p: p.read_bytes() for p in _output_files(project)} == main_files
    assert "Data and pipelines are up to date." in project.dvc("status").stdout


def test_a_forced_step_writes_new_files_and_leaves_the_cache_alone(tmp_path: Path) -> None:
    project = diamond_project(tmp_path / "p")
    assert project.dvc("config", "cache.type", "hardlink").returncode == 0
    project.commit_all("cache.type hardlink")
    project.run_json()
    objects = {p: p.read_bytes() for p in (project.root / ".dvc" / "cache").rglob("*") if p.is_file()}
    assert statuses(project.run_json("--force", "prepare", "prepare.message=changed"))["prepare"] == "ran"
    for path, data in objects.items():
        assert path.read_bytes() == data, path
    _assert_linked(project, "hardlink")
    assert "changed" in (project.root / "outputs" / "join" / "out" / "data.txt").read_text()
