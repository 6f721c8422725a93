"""DVC's cache.type: each link type restores by link, cache objects stay read-only, a step
never writes through a link into the cache, and reflink falls back to copy."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from pipeyard.cache.hashing import Hasher, HashState
from pipeyard.cache.links import (
    DEFAULT_LINK_TYPES,
    Linker,
    parse_link_types,
    read_cache_settings,
    unprotect,
)
from pipeyard.cache.objects import ObjectCache
from pipeyard.cache.workspace import Workspace
from pipeyard.errors import RepositoryError
from pipeyard.model import Stage, StageOutput


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def _reflink_works(folder: Path) -> bool:
    (folder / "probe").write_text("x")
    done = subprocess.run(
        ["cp", "--reflink=always", folder / "probe", folder / "probe2"], capture_output=True
    )
    return done.returncode == 0


def _project(tmp_path: Path, cache_type: str | None) -> Path:
    root = tmp_path / "repo"
    (root / ".dvc").mkdir(parents=True)
    if cache_type is not None:
        (root / ".dvc" / "config").write_text(f'[cache]\n    type = "{cache_type}"\n')
    (root / "out").mkdir()
    (root / "out" / "a.txt").write_text("a" * 1000)
    (root / "out" / "sub").mkdir()
    (root / "out" / "sub" / "b.bin").write_bytes(os.urandom(3000))
    (root / "model.pkl").write_bytes(b"model")
    return root


STAGE = Stage(
    name="train",
    commands=("true",),
    outs=(StageOutput("out"), StageOutput("model.pkl", is_dir=False)),
)


def _commit(root: Path) -> Workspace:
    ws = Workspace(root, workers=2)
    ws.commit(STAGE, {})
    return ws


# -- settings ---------------------------------------------------------------------------


def test_settings_default_to_reflink_then_copy(tmp_path: Path) -> None:
    (tmp_path / ".dvc").mkdir()
    assert read_cache_settings(tmp_path).link_types == DEFAULT_LINK_TYPES == ("reflink", "copy")
    assert read_cache_settings(tmp_path).folder == tmp_path / ".dvc" / "cache"


def test_settings_read_quoted_lists_and_config_local_wins(tmp_path: Path) -> None:
    (tmp_path / ".dvc").mkdir()
    (tmp_path / ".dvc" / "config").write_text('[cache]\n    type = "hardlink,symlink"\n    shared = group\n')
    settings = read_cache_settings(tmp_path)
    assert settings.link_types == ("hardlink", "symlink")
    assert settings.shared and settings.file_mode == 0o664
    (tmp_path / ".dvc" / "config.local").write_text("[cache]\n    type = symlink\n")
    assert read_cache_settings(tmp_path).link_types == ("symlink",)


def test_an_unknown_cache_type_is_refused_as_dvc_refuses_it() -> None:
    with pytest.raises(RepositoryError, match="unsupported cache type.*hardlnk"):
        parse_link_types("hardlink, hardlnk")
    assert parse_link_types(" hardlink , copy ") == ("hardlink", "copy")


# -- each cache.type --------------------------------------------------------------------


def test_copy_restores_private_writable_files(tmp_path: Path) -> None:
    root = _project(tmp_path, "copy")
    ws = _commit(root)
    entry = ws.lock.entry("train")
    out_md5 = next(o["md5"] for o in entry["outs"] if o["path"] == "out")
    ws.objects.checkout(out_md5, root / "out")
    for name in ("a.txt", "sub/b.bin"):
        here = root / "out" / name
        assert not here.is_symlink() and os.stat(here).st_nlink == 1
        assert _mode(here) & stat.S_IWUSR
    objects = [p for p in (root / ".dvc" / "cache").rglob("*") if p.is_file()]
    assert objects and all(_mode(p) == 0o444 for p in objects)


def test_hardlink_keeps_one_copy_on_disk_and_protects_it(tmp_path: Path) -> None:
    root = _project(tmp_path, "hardlink")
    ws = _commit(root)
    hashed = ws.hasher.hash_path("out")
    for entry in hashed.entries:  # commit moved the bytes into the cache by link
        here = root / "out" / entry.relpath
        obj = ws.objects.object_path(entry.md5)
        assert os.stat(here).st_ino == os.stat(obj).st_ino
        assert _mode(here) == 0o444  # the workspace name is the read-only object
    (root / "out").rename(root / "gone")
    ws.objects.checkout(hashed.md5, root / "out")
    for entry in hashed.entries:
        assert os.path.samefile(root / "out" / entry.relpath, ws.objects.object_path(entry.md5))


def test_symlink_points_at_the_read_only_object(tmp_path: Path) -> None:
    root = _project(tmp_path, "symlink")
    ws = _commit(root)
    for path in ("out/a.txt", "out/sub/b.bin", "model.pkl"):
        here = root / path
        assert here.is_symlink(), path
        target = Path(os.path.realpath(here))
        assert target.is_relative_to(root / ".dvc" / "cache") and _mode(target) == 0o444
    assert ws.hasher.hash_path("out") == Hasher(root, HashState(tmp_path / "fresh.json")).hash_path("out")


def test_reflink_falls_back_to_copy_where_the_file_system_cannot_clone(tmp_path: Path) -> None:
    root = _project(tmp_path, "reflink,copy")
    ws = _commit(root)
    obj = ws.objects.object_path(ws.hasher.hash_path("model.pkl").md5)
    dest = tmp_path / "restored.pkl"
    kind = ws.objects.linker.place(obj, dest)
    assert dest.read_bytes() == b"model" and _mode(dest) & stat.S_IWUSR
    if _reflink_works(tmp_path):
        assert kind == "reflink"
    else:
        assert kind == "copy"
        assert os.stat(dest).st_ino != os.stat(obj).st_ino


def test_reflink_alone_is_an_error_that_names_the_fix(tmp_path: Path) -> None:
    if _reflink_works(tmp_path):
        pytest.skip("this file system clones files")
    (tmp_path / "obj").write_text("x")
    with pytest.raises(RepositoryError, match="no cache link type of reflink works") as caught:
        Linker(("reflink",)).place(tmp_path / "obj", tmp_path / "dest")
    assert "reflink,copy" in caught.value.hint
    assert not (tmp_path / "dest").exists()


def test_hardlink_falls_back_when_linking_is_refused(tmp_path: Path, monkeypatch) -> None:
    """Another device (EXDEV): the next type in the list is used, and not retried per file."""
    import errno

    calls = []

    def cross_device(src, dst, *args, **kwargs):
        calls.append(dst)
        raise OSError(errno.EXDEV, "Invalid cross-device link")

    monkeypatch.setattr(os, "link", cross_device)
    (tmp_path / "obj").write_text("x")
    linker = Linker(("hardlink", "copy"))
    assert linker.place(tmp_path / "obj", tmp_path / "d1") == "copy"
    assert linker.place(tmp_path / "obj", tmp_path / "d2") == "copy"
    assert len(calls) == 1


# -- protection and unprotect -----------------------------------------------------------


@pytest.mark.parametrize("cache_type", ["hardlink", "symlink"])
def test_a_step_never_writes_through_a_link_into_the_cache(tmp_path: Path, cache_type: str) -> None:
    root = _project(tmp_path, cache_type)
    ws = _commit(root)
    objects = {p: p.read_bytes() for p in (root / ".dvc" / "cache").rglob("*") if p.is_file()}
    ws.prepare_outputs(STAGE)
    assert not (root / "out").exists() and not (root / "model.pkl").exists()
    (root / "out").mkdir()
    (root / "out" / "a.txt").write_text("new bytes")  # what the step writes
    (root / "model.pkl").write_bytes(b"new model")
    for path, data in objects.items():
        assert path.read_bytes() == data and _mode(path) in (0o444, 0o555), path


def test_unprotect_turns_links_into_private_writable_copies(tmp_path: Path) -> None:
    root = _project(tmp_path, "hardlink,symlink")
    ws = _commit(root)
    obj = ws.objects.object_path(ws.hasher.hash_path("model.pkl").md5)
    assert os.path.samefile(root / "model.pkl", obj)
    assert unprotect(root / "model.pkl") == 1
    assert not os.path.samefile(root / "model.pkl", obj)
    assert _mode(root / "model.pkl") & stat.S_IWUSR and _mode(obj) == 0o444
    (root / "model.pkl").write_bytes(b"edited")
    assert obj.read_bytes() == b"model"
    assert unprotect(root / "out") == 2 and unprotect(root / "out") == 0


def test_restore_after_a_branch_switch_links_instead_of_copying(tmp_path: Path) -> None:
    root = _project(tmp_path, "hardlink")
    ws = _commit(root)
    ws.flush_lock(["train"])
    check_before = ws.check(STAGE, {})
    assert check_before.up_to_date
    (root / "model.pkl").unlink()
    check = ws.check(STAGE, {})
    assert check.restorable
    ws.restore(STAGE, check)
    obj = ws.objects.object_path(ws.hasher.hash_path("model.pkl").md5)
    assert os.path.samefile(root / "model.pkl", obj)


def test_store_copies_and_verifies_a_file_the_state_does_not_vouch_for(tmp_path: Path) -> None:
    (tmp_path / "f").write_bytes(b"abc")
    hashed = Hasher(tmp_path, HashState(tmp_path / "s.json")).hash_path("f")
    cache = ObjectCache(tmp_path / "cache", ("hardlink", "copy"))
    cache.store(tmp_path / "f", hashed, fresh=lambda _path, _md5: False)
    assert os.stat(tmp_path / "f").st_nlink == 1  # copied, not linked: its hash was unproven
    assert cache.object_path(hashed.md5).read_bytes() == b"abc"


@pytest.mark.parametrize("cache_type", ["hardlink", "symlink", "copy"])
def test_an_executable_output_stays_executable_and_up_to_date(tmp_path: Path, cache_type: str) -> None:
    root = _project(tmp_path, cache_type)
    os.chmod(root / "model.pkl", 0o755)
    ws = _commit(root)
    ws.flush_lock(["train"])
    assert os.access(root / "model.pkl", os.X_OK)
    assert next(o for o in ws.lock.entry("train")["outs"] if o["path"] == "model.pkl").get("isexec")
    ws.close()
    assert Workspace(root).check(STAGE, {}).up_to_date
