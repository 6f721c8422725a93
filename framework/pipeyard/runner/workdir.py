"""What a step writes into its code folder is moved out of it, so it changes no hash nor `git status`.

Azure ML command components run inside their ``code`` folder (``cd <code> && <command>``, paths
relative to it), and scripts write there by themselves: ``mlruns/``, caches, ``scratch.txt``.
Left there, those files enter the code hash of every step keyed on the whole folder (which
then reruns) and show in ``git status``. Running elsewhere would break the relative paths, so
the scheduler lets the step run in place and this guard cleans up after it:

* when the first step of a run starts in a code folder, the guard lists what the folder holds;
* when the last step running in that folder finishes (before its outputs and dependencies
  are hashed), everything new in the folder that is no step's declared output is moved to
  ``.pipeyard/runs/<run>/work/<step>/``, and the step's log says what moved where.

Nothing that was there before is touched (a user's untracked file stays, tracked files are
never new), and nothing is deleted. While several steps run in one folder at once, their files
wait until the last of them finishes, so none loses a file it is still writing.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from ..compile.stages import CODE_FOLDER_VARIABLE
from ..model.stage import Stage
from .records import run_dir, step_log_path

WORK_FOLDER = "work"


def code_folder_of(stage: Stage) -> str | None:
    """The folder (relative to the project root) the stage's command runs in, if not the root."""
    folder = stage.env.get(CODE_FOLDER_VARIABLE)
    return folder if folder and folder != "." else None


def listing(folder: Path) -> frozenset[str]:
    """Every file and folder under folder, as paths relative to it (symbolic links not followed)."""
    found: set[str] = set()
    for current, dirs, files in os.walk(folder):
        base = os.path.relpath(current, folder)
        for name in (*dirs, *files):
            found.add(name if base == "." else f"{base}/{name}")
    return frozenset(found)


def new_entries(before: frozenset[str], after: frozenset[str], protected: Iterable[str]) -> list[str]:
    """The topmost paths in after but not in before, skipping protected paths and never
    taking a folder that holds (or lies in) one of them: such a folder's new children are
    listed instead. Pure: paths relative to one folder, '/'-separated."""
    protected = {p.strip("/") for p in protected}
    added = sorted(after - before)
    chosen: list[str] = []
    for path in added:
        if any(path == c or path.startswith(c + "/") for c in chosen):
            continue
        if any(path == p or path.startswith(p + "/") for p in protected):
            continue
        if any(p.startswith(path + "/") for p in protected):
            continue  # a new folder around an output: its other new children are listed on their own
        chosen.append(path)
    return chosen


class CodeFolderGuard:
    """Moves what steps write into their code folders out of them (one guard per run)."""

    def __init__(self, root: Path, run_id: str, stages: Iterable[Stage], log_dir: Path) -> None:
        self.root = Path(root)
        self.run_id = run_id
        self.log_dir = Path(log_dir)
        self.outputs = tuple(path for stage in stages for path in stage.out_paths)
        self.listings: dict[str, frozenset[str]] = {}
        self.active: dict[str, set[str]] = {}

    def started(self, stage: Stage) -> None:
        """Note what the stage's code folder holds, unless a step already runs there."""
        folder = code_folder_of(stage)
        if folder is None:
            return
        running = self.active.setdefault(folder, set())
        if not running:
            self.listings[folder] = listing(self.root / folder)
        running.add(stage.name)

    def finished(self, stage: Stage) -> list[str]:
        """Move what is new in the stage's code folder when no other step runs there; the
        paths moved (relative to the code folder)."""
        folder = code_folder_of(stage)
        if folder is None or stage.name not in self.active.get(folder, ()):
            return []
        running = self.active[folder]
        running.discard(stage.name)
        if running:
            return []
        before = self.listings.pop(folder)
        prefix = folder.rstrip("/") + "/"
        inside = [p[len(prefix) :] for p in self.outputs if p.startswith(prefix)]
        moved = new_entries(before, listing(self.root / folder), inside)
        if moved:
            self._move(folder, moved, stage.name)
        return moved

    def _move(self, folder: str, paths: list[str], step: str) -> None:
        target = run_dir(self.root, self.run_id) / WORK_FOLDER / step
        lines, failed = [], []
        for path in paths:
            destination = _free(target / path)
            try:
                destination.parent.mkdir(parents=True, exist_ok=True)
                shutil.move(str(self.root / folder / path), str(destination))
                lines.append(f"  {path}{'/' if destination.is_dir() else ''}")
            except OSError as error:
                failed.append(f"  {path}: {error.strerror or error}")
        where = os.path.relpath(target, self.root)
        text = ""
        if lines:
            text += (
                f"pipeyard: moved what the step wrote into its code folder {folder}/ to {where}/ "
                "(so it changes no code hash nor git status; write such files to an output):\n"
                + "\n".join(lines)
                + "\n"
            )
        if failed:
            text += f"pipeyard: could not move out of {folder}/:\n" + "\n".join(failed) + "\n"
        log = step_log_path(self.log_dir, step)
        log.parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(text)


def _free(path: Path) -> Path:
    """path, or path.1, path.2, ... when something is already there (a retried step)."""
    candidate, number = path, 0
    while candidate.exists() or candidate.is_symlink():
        number += 1
        candidate = path.with_name(f"{path.name}.{number}")
    return candidate
