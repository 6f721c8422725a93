"""DVC's run-cache: `.dvc/cache/runs/<key[:2]>/<key>/<value>`, one lock entry per file.

key is the sha256 of the entry with `outs` reduced to their paths, value the sha256 of the
whole entry; both hash `json.dumps(..., sort_keys=True)` with every `size` and `nfiles` key left
out (DVC's `dict_sha256(..., exclude=[size, nfiles])`). The key depends only on what a stage
reads (cmd, deps, params, output paths), so a stage that ran before with the same inputs -- on
any branch -- finds its outputs through it.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..yamlio import emit_yaml, parse_yaml
from .files import write_atomic

_EXCLUDED = frozenset({"size", "nfiles"})


def _without_sizes(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _without_sizes(v) for k, v in data.items() if k not in _EXCLUDED}
    if isinstance(data, list):
        return [_without_sizes(v) for v in data]
    return data


def _sha256(data: Any) -> str:
    text = json.dumps(_without_sizes(data), sort_keys=True)
    return hashlib.sha256(text.encode("utf-8"), usedforsecurity=False).hexdigest()


def run_cache_key(entry: dict) -> str:
    """The run-cache key of a lock entry: what the stage reads, with outputs as paths only."""
    keyed = dict(entry)
    keyed["outs"] = [out["path"] for out in entry.get("outs", [])]
    return _sha256(keyed)


def run_cache_value(entry: dict) -> str:
    """The run-cache value of a lock entry: the whole entry, outputs' hashes included."""
    return _sha256(entry)


def can_run_cache(entry: dict, always_changed: bool) -> bool:
    """True when DVC would use the run-cache for a stage with this entry.

    DVC skips stages that always run and stages without a command, dependencies (params
    count) or outputs.
    """
    return bool(
        not always_changed
        and entry.get("cmd")
        and (entry.get("deps") or entry.get("params"))
        and entry.get("outs")
    )


def _is_lock_entry(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and bool(data.get("cmd"))
        and isinstance(data.get("outs", []), list)
        and all(isinstance(o, dict) and "path" in o and "md5" in o for o in data.get("outs", []))
    )


class RunCache:
    """The run-cache folder of a DVC cache (by default `.dvc/cache/runs`)."""

    def __init__(self, cache_dir: Path) -> None:
        self.runs_dir = cache_dir / "runs"

    def _key_dir(self, key: str) -> Path:
        return self.runs_dir / key[:2] / key

    def save(self, entry: dict) -> Path:
        """Store entry under its key and value (skipped when already there); returns its file."""
        key = run_cache_key(entry)
        path = self._key_dir(key) / run_cache_value(entry)
        if not path.is_file():
            write_atomic(path, emit_yaml(entry).encode("utf-8"), fsync=False)
        return path

    def lookup(self, entry: dict) -> Iterator[dict]:
        """Stored entries whose key matches entry's, newest first (DVC tries only the first).

        Only cmd, deps, params and the output paths of entry are used; corrupt files are skipped.
        """
        key_dir = self._key_dir(run_cache_key(entry))
        try:
            names = os.listdir(key_dir)
        except FileNotFoundError:
            return
        candidates = []
        for name in names:
            if name.endswith(".tmp"):
                continue
            try:
                candidates.append((os.path.getmtime(key_dir / name), name))
            except FileNotFoundError:
                continue
        for _, name in sorted(candidates, reverse=True):
            try:
                found = parse_yaml((key_dir / name).read_text(encoding="utf-8"))
            except Exception:  # noqa: BLE001, S112 - a corrupt entry is skipped, as DVC does
                continue
            if _is_lock_entry(found):
                yield found
