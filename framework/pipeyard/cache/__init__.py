"""DVC-compatible hashing, object cache, dvc.lock and run-cache, and stage status.

The only layer that reads or writes `.dvc/cache`, the run-cache and `dvc.lock`. It never
imports `dvc` (too slow for the hot path); it writes DVC 3's formats itself (the same bytes as DVC but
for long lines, which DVC folds).
"""

from .hashing import DirEntry, Hasher, HashState, PathHash, md5_of_file
from .lockfile import LockFile, lock_entry
from .objects import ObjectCache
from .runcache import RunCache, can_run_cache, run_cache_key, run_cache_value
from .status import (
    FROM_LOCK,
    FROM_RUN_CACHE,
    RESTORABLE,
    STALE,
    UP_TO_DATE,
    StageCheck,
    dependency_kinds,
    lock_differences,
    param_changes,
)
from .workspace import Workspace, cache_dir_of, lookup_param

__all__ = [
    "FROM_LOCK",
    "FROM_RUN_CACHE",
    "RESTORABLE",
    "STALE",
    "UP_TO_DATE",
    "DirEntry",
    "HashState",
    "Hasher",
    "LockFile",
    "ObjectCache",
    "PathHash",
    "RunCache",
    "StageCheck",
    "Workspace",
    "cache_dir_of",
    "can_run_cache",
    "dependency_kinds",
    "lock_differences",
    "lock_entry",
    "lookup_param",
    "md5_of_file",
    "param_changes",
    "run_cache_key",
    "run_cache_value",
]
