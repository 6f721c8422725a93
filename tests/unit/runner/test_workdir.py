"""What runner.workdir moves out of a code folder after a step: the topmost new entries, never
what was there before nor a declared output (pure: listings in, paths out)."""

from __future__ import annotations

from pipeyard.runner.workdir import new_entries


def test_new_folders_move_whole_and_old_files_stay():
    before = frozenset({"train.py", "notes.txt"})
    after = before | {
        "scratch.txt",
        "mlruns",
        "mlruns/0",
        "mlruns/0/meta.yaml",
        "__pycache__",
        "__pycache__/a.pyc",
    }
    assert new_entries(before, after, ()) == ["__pycache__", "mlruns", "scratch.txt"]


def test_declared_outputs_stay_even_inside_a_new_folder():
    before = frozenset({"train.py"})
    after = before | {"out", "out/model", "out/model/w.bin", "out/tmp.txt", "cache", "cache/x"}
    assert new_entries(before, after, ["out/model/"]) == ["cache", "out/tmp.txt"]


def test_nothing_new_nothing_moved():
    listing = frozenset({"a.py", "data", "data/x.csv"})
    assert new_entries(listing, listing, ["data"]) == []
