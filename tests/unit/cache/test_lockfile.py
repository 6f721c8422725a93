"""dvc.lock entries and text are what DVC writes; reading follows YAML 1.2 like DVC."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeyard.cache.hashing import PathHash
from pipeyard.cache.lockfile import LockFile, lock_entry, render_stage
from pipeyard.yamlio import dump_yaml, parse_yaml

FILE = PathHash(md5="f69f5b72bc79a92dc70c63c9aa142e36", size=4)
FOLDER = PathHash(md5="aa222eaaa7ad338421c74cfc853c00fd.dir", size=9, nfiles=3)


def entry(cmd="python train.py --lr 0.1", lr=0.1) -> dict:
    return lock_entry(
        cmd,
        {"src/train.py": FILE, "data/prepared": FOLDER},
        {"train": {"lr": lr, "size": 3}, "common": "yes"},
        {"model.pkl": FILE, "metrics.json": FILE},
    )


def test_entry_layout_follows_dvc() -> None:
    built = entry()
    assert list(built) == ["cmd", "deps", "params", "outs"]
    assert [d["path"] for d in built["deps"]] == ["data/prepared", "src/train.py"]
    assert built["deps"][0] == {
        "path": "data/prepared",
        "hash": "md5",
        "md5": FOLDER.md5,
        "size": 9,
        "nfiles": 3,
    }
    assert list(built["params"]["params.yaml"]) == ["common", "train"]
    assert [o["path"] for o in built["outs"]] == ["metrics.json", "model.pkl"]


TRICKY = [
    "yes",
    "no",
    "on",
    "1e3",
    "1e-05",
    "0o17",
    "010",
    "2024-01-01",
    "null",
    "~",
    "+1",
    ".5",
    "1_000",
    "True",
    "a: b",
    "- x",
    "'quoted'",
    "",
    " lead",
    "x\ny",
]


@pytest.mark.parametrize("text", TRICKY)
def test_values_read_back_as_dvc_reads_them(text: str) -> None:
    from dvc.utils.serialize import YAMLFileCorruptedError
    from dvc.utils.serialize import parse_yaml as dvc_parse_yaml

    for value in (text, 1e-05, 1000.0, 10, True, None):
        document = dump_yaml({"v": value})
        assert parse_yaml(document) == dvc_parse_yaml(document, "x"), document
    plain = f"v: {text}\n" if text and "\n" not in text else "v: x\n"
    try:
        expected = dvc_parse_yaml(plain, "x")
    except YAMLFileCorruptedError:
        return
    assert parse_yaml(plain) == expected


def test_rendered_stages_read_back_in_dvc_as_written_and_match_its_bytes_when_short() -> None:
    from dvc.utils.serialize import dumps_yaml, parse_yaml_for_update

    long_cmd = "python -m package.module " + " ".join(f"--option-{i} value{i}" for i in range(12))
    short = {"train": entry(), "quoted": entry(cmd="echo '{\"a\": 1}'")}
    document = {"schema": "2.0", "stages": short}
    rendered = "schema: '2.0'\nstages:\n" + "".join(render_stage(n, e) for n, e in short.items())
    # one deliberate difference: words YAML 1.1 reads as booleans stay quoted for 1.1 readers
    assert rendered.replace("common: 'yes'", "common: yes") == dumps_yaml(document)
    assert parse_yaml_for_update(rendered, "dvc.lock") == document

    # ruamel folds lines past 80 columns; pipeyard does not: the bytes differ, the values do not
    stages = {**short, "long": entry(cmd=long_cmd)}
    rendered = "schema: '2.0'\nstages:\n" + "".join(render_stage(n, e) for n, e in stages.items())
    assert parse_yaml_for_update(rendered, "dvc.lock") == {"schema": "2.0", "stages": stages}


def test_flush_writes_order_keeps_known_drops_unknown(tmp_path: Path) -> None:
    lock = LockFile(tmp_path, tmp_path / "state")
    for name in ("a", "b", "c"):
        lock.record(name, entry(cmd=f"run {name}"))
    assert lock.flush(["c", "a", "b"])
    assert list(parse_yaml((tmp_path / "dvc.lock").read_text())["stages"]) == ["c", "a", "b"]

    again = LockFile(tmp_path, tmp_path / "state")
    assert again.entry("a") == entry(cmd="run a")
    assert not again.flush(["c", "a", "b"]), "unchanged content is not rewritten"

    again.record("a", entry(cmd="run a", lr=0.5))
    assert again.flush(["a"], keep={"b"})
    text = (tmp_path / "dvc.lock").read_text()
    assert list(parse_yaml(text)["stages"]) == ["a", "b"]
    assert parse_yaml(text) == {
        "schema": "2.0",
        "stages": {"a": entry(cmd="run a", lr=0.5), "b": entry(cmd="run b")},
    }
    assert not list(tmp_path.glob("*.tmp"))


def test_reading_uses_the_json_copy_until_the_file_changes(tmp_path: Path) -> None:
    lock = LockFile(tmp_path, tmp_path / "state")
    lock.record("a", entry())
    lock.flush(["a"])
    assert (tmp_path / "state" / "lock.json").is_file()
    (tmp_path / "dvc.lock").write_text(dump_yaml({"schema": "2.0", "stages": {"b": entry()}}))
    assert LockFile(tmp_path, tmp_path / "state").stage_names() == ["b"]


def test_a_broken_lock_file_is_a_repository_error(tmp_path: Path) -> None:
    from pipeyard.errors import RepositoryError

    (tmp_path / "dvc.lock").write_text("stages: [unclosed\n")
    with pytest.raises(RepositoryError, match="dvc.lock"):
        LockFile(tmp_path, tmp_path / "state").entry("a")
