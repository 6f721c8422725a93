"""Every run a repository knows of: git notes (shared) and `.pipeyard/runs/` (this clone).

A run is found by its id or a unique prefix of it, or listed by the commit it started from.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import RepositoryError, did_you_mean
from ..runner.records import RunRecord, list_records
from .notes import read_notes


@dataclass(frozen=True)
class StoredRun:
    """One run: its record, the parameters it used (when noted), and where it was found.

    in_git is True when the run is in git notes (pushed and fetched with the repository),
    False when only this clone's `.pipeyard/runs/` has it.
    """

    record: RunRecord
    params: Mapping[str, Any] | None = None
    in_git: bool = False

    @property
    def run_id(self) -> str:
        """The run's id."""
        return self.record.run_id

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict: the record's fields, params and in_git."""
        return {**self.record.to_dict(), "params": self.params, "in_git": self.in_git}


@dataclass(frozen=True)
class RunHistory:
    """Known runs, newest first."""

    runs: tuple[StoredRun, ...] = ()

    def of_commit(self, sha: str) -> list[StoredRun]:
        """The runs started from commit sha, newest first."""
        return [r for r in self.runs if r.record.commit == sha]

    def latest_of(self, sha: str) -> StoredRun | None:
        """The newest run started from commit sha, or None."""
        found = self.of_commit(sha)
        return found[0] if found else None

    def previous(self, run: StoredRun) -> StoredRun | None:
        """The run that started just before run (on any commit), or None."""
        older = [r for r in self.runs if r.record.started_at < run.record.started_at]
        return older[0] if older else None

    def find(self, run_id: str) -> StoredRun | None:
        """The run with this id or unique id prefix; None when no run matches.

        Raises RepositoryError when the prefix matches several runs.
        """
        exact = [r for r in self.runs if r.run_id == run_id]
        if exact:
            return exact[0]
        matches = [r for r in self.runs if r.run_id.startswith(run_id)]
        if len(matches) > 1:
            shown = ", ".join(r.run_id for r in matches[:5])
            raise RepositoryError(
                f"run id prefix '{run_id}' matches {len(matches)} runs: {shown}",
                hint="give more characters of the run id (`pipeyard log` lists them)",
            )
        return matches[0] if matches else None

    def suggestion(self, run_id: str) -> str:
        """A ' (did you mean ...?)' text for an unknown run id, or ''."""
        return did_you_mean(run_id, [r.run_id for r in self.runs])


def load_history(root: Path) -> RunHistory:
    """The runs in git notes and in .pipeyard/runs/ of root, each once, newest first."""
    runs: dict[str, StoredRun] = {}
    for noted in read_notes(root).values():
        for data in noted:
            try:
                record = RunRecord.from_dict(data)
            except (KeyError, TypeError, ValueError):
                continue
            params = data.get("params") if isinstance(data.get("params"), Mapping) else None
            runs[record.run_id] = StoredRun(record, params, in_git=True)
    for record in list_records(root):
        runs.setdefault(record.run_id, StoredRun(record, None, in_git=False))
    ordered = sorted(runs.values(), key=lambda r: (r.record.started_at, r.run_id), reverse=True)
    return RunHistory(tuple(ordered))
