"""Run records stored in git itself, as notes under `refs/notes/pipeyard`, so push/fetch share them.

Each commit's note holds one line of compact JSON per run made at that commit (JSON Lines):
the run record (`runner.records.RunRecord.to_dict()`) plus the parameters the run used. Lines,
rather than one JSON list, make every way of combining notes safe: `git notes append` adds a
line, and `git notes merge -s cat_sort_uniq` (or any union of lines) merges two histories
without conflicts. Runs on a tree with uncommitted changes are attached to HEAD and say
`"dirty": true`; runs before the first commit are kept only locally (`.pipeyard/runs/`).

Writing is one `git notes append` (a few milliseconds); reading lists the notes of the local
ref and of fetched copies under `refs/notes/remotes/<remote>/pipeyard` (see docs/history.md).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RepositoryError
from ..vcs.git import FALLBACK_IDENTITY, lacks_identity, read_blobs, run_git

if TYPE_CHECKING:
    from ..runner.records import RunRecord

NOTES_REF = "refs/notes/pipeyard"
REMOTE_NOTES_PREFIX = "refs/notes/remotes/"
NOTES_NAME = "pipeyard"
_LOCK_RETRIES = 5


def note_line(record: RunRecord, params: Mapping[str, Any] | None = None) -> str:
    """The one-line JSON a run adds to its commit's note."""
    data = record.to_dict()
    if params is not None:
        data["params"] = params
    return json.dumps(data, separators=(",", ":"), default=str)


def store_record(root: Path, record: RunRecord, params: Mapping[str, Any] | None = None) -> str | None:
    """Append the run's record to the note of its commit; None when stored, else why not.

    Never raises: the run itself has already been recorded under .pipeyard/runs/, and a
    history that cannot be written must not turn a finished run into a failed one.
    """
    if not record.commit:
        return "no commit yet: the run is kept only in .pipeyard/runs/"
    line = note_line(record, params) + "\n"
    args = ("notes", f"--ref={NOTES_REF}", "append", "--file=-", record.commit)
    env: dict[str, str] | None = None
    for attempt in range(_LOCK_RETRIES):
        try:
            result = run_git(root, *args, input_text=line, env=env, check=False)
        except RepositoryError as error:
            return error.message
        if result.returncode == 0:
            return None
        if lacks_identity(result) and env is None:
            env = FALLBACK_IDENTITY
            continue
        if "lock" in result.stderr.lower() and attempt < _LOCK_RETRIES - 1:
            time.sleep(0.05 * (attempt + 1))  # another run of this repository is writing its note
            continue
        return f"git notes failed: {result.stderr.strip()}"
    return "git notes failed: the notes ref stayed locked"


def parse_note(text: str) -> list[dict[str, Any]]:
    """The run dicts in a note's text; blank and unreadable lines are skipped."""
    runs = []
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            data = json.loads(line)
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("run_id"), str):
            runs.append(data)
    return runs


def notes_refs(root: Path) -> list[str]:
    """The notes refs holding pipeyard runs: the local one, then fetched remote copies."""
    result = run_git(root, "for-each-ref", "--format=%(refname)", "refs/notes/", check=False)
    refs = result.stdout.split() if result.returncode == 0 else []
    remote = sorted(r for r in refs if r.startswith(REMOTE_NOTES_PREFIX) and r.endswith("/" + NOTES_NAME))
    return ([NOTES_REF] if NOTES_REF in refs else []) + remote


def read_notes(root: Path) -> dict[str, list[dict[str, Any]]]:
    """commit sha -> the run dicts noted on it, from every notes ref; each run_id once."""
    by_blob: dict[str, list[str]] = {}
    for ref in notes_refs(root):
        listing = run_git(root, "notes", f"--ref={ref}", "list", check=False)
        for line in listing.stdout.splitlines():
            parts = line.split()
            if len(parts) == 2:
                by_blob.setdefault(parts[0], []).append(parts[1])
    blobs = read_blobs(root, by_blob)
    runs: dict[str, dict[str, dict[str, Any]]] = {}
    for blob, commits in by_blob.items():
        noted = parse_note(blobs.get(blob, b"").decode("utf-8", errors="replace"))
        for commit in commits:
            for run in noted:
                runs.setdefault(commit, {}).setdefault(run["run_id"], run)
    return {commit: list(found.values()) for commit, found in runs.items()}
