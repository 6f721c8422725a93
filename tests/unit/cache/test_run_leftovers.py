"""What a killed run leaves half-written goes; everything else stays."""

from __future__ import annotations

import os
import time

from pipeyard.cache.files import CACHE_TEMP_MIN_AGE_S, remove_run_leftovers, temp_name_for


def test_temporary_names_of_the_lock_state_outputs_and_records_are_removed(tmp_path):
    lock_tmp = temp_name_for(tmp_path / "dvc.lock")
    lock_tmp.write_text("half")
    state_tmp = temp_name_for(tmp_path / ".pipeyard" / "state" / "lock.json")
    state_tmp.parent.mkdir(parents=True)
    state_tmp.write_text("{")
    staging = temp_name_for(tmp_path / "data" / "model")
    (staging / "inner").mkdir(parents=True)
    record = tmp_path / ".pipeyard" / "runs" / "r1" / ".record-abc.tmp"
    record.parent.mkdir(parents=True)
    record.write_text("{")
    kept = [
        tmp_path / "dvc.lock",
        tmp_path / "notes.tmp",  # not a pipeyard name
        tmp_path / "data" / f"other.{'0' * 32}.tmp",  # next to an output, but not of one
        tmp_path / "data" / "model" / "weights.bin",
    ]
    for path in kept:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("keep")

    removed = remove_run_leftovers(tmp_path, ["data/model"])

    assert set(removed) == {lock_tmp, state_tmp, staging, record}
    assert not any(p.exists() for p in removed)
    assert all(p.exists() for p in kept)


def test_cache_temporaries_go_only_when_untouched_and_open_nowhere(tmp_path):
    cache = tmp_path / "cache"
    folder = cache / "files" / "md5" / "ab"
    folder.mkdir(parents=True)
    fresh, abandoned, written = (temp_name_for(folder / name) for name in ("cdef", "0123", "4567"))
    for path in (fresh, abandoned, written):
        path.write_text("data")
    old = time.time() - CACHE_TEMP_MIN_AGE_S - 5
    for path in (abandoned, written):
        os.utime(path, (old, old))

    with open(written, "ab"):  # a live writer holds it open
        removed = remove_run_leftovers(tmp_path, [], cache)

    assert removed == [abandoned]
    assert fresh.exists() and written.exists() and not abandoned.exists()
