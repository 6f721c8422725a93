"""A past revision run again in a temporary git worktree that shares the project's DVC cache.

`reproduce` checks the revision out with `git worktree add --detach` in a temporary folder,
points the worktree's `.dvc/config.local` at the main repository's cache, lets the caller run
the pipeline there, then checks every output against the revision's committed dvc.lock.
A version that was run before comes back from the cache without executing a step.

The worktree is removed after a run that succeeded and matched, unless asked to keep it; it is
kept, and its path given, after a failure, a mismatch or an error, for inspection. Outputs
can be copied out (`out_dir`) before it goes; they stay in the shared cache in any case.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..cache.hashing import Hasher, HashState
from ..errors import PipeyardError, RepositoryError
from ..runner.records import run_dir
from ..runner.summary import RunSummary
from ..vcs.dvc import run_dvc, tracked_data_files
from ..vcs.git import add_worktree, read_files_at, resolve_commit, run_git, top_level
from .shared_cache import share_cache
from .snapshot import parse_lock, parse_stages


@dataclass(frozen=True)
class Worktree:
    """A temporary checkout of commit: its folder, and the project root inside it."""

    path: Path
    project: Path
    commit: str


@dataclass(frozen=True)
class Mismatch:
    """An output whose hash differs from the one the revision's dvc.lock records."""

    step: str
    path: str
    expected: str
    actual: str | None

    @property
    def text(self) -> str:
        """One line for the user."""
        found = self.actual or "missing"
        return f"{self.step}: {self.path} is {found}, dvc.lock at the revision says {self.expected}"


@dataclass(frozen=True)
class Verification:
    """Outputs checked against the revision's dvc.lock: how many, which differ, which steps had no entry."""

    checked: int = 0
    mismatches: tuple[Mismatch, ...] = ()
    unrecorded: tuple[str, ...] = ()
    skipped: str | None = None  # why nothing was checked (e.g. overrides change the outputs)

    @property
    def ok(self) -> bool:
        """True when no output differs."""
        return not self.mismatches

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "checked": self.checked,
            "ok": self.ok,
            "mismatches": [m.__dict__ for m in self.mismatches],
            "unrecorded": list(self.unrecorded),
            "skipped": self.skipped,
        }


@dataclass(frozen=True)
class Reproduction:
    """The outcome of `reproduce`: the run's summary, the check, and where things are."""

    commit: str
    summary: RunSummary
    verification: Verification = field(default_factory=Verification)
    worktree: Path | None = None  # None once removed
    copied_to: Path | None = None

    @property
    def ok(self) -> bool:
        """True when the run succeeded and every output matched."""
        return self.summary.status == "succeeded" and self.verification.ok


def reproduce(
    root: Path,
    rev: str,
    run: Callable[[Path], RunSummary],
    *,
    verify: bool = True,
    keep_worktree: bool = False,
    out_dir: Path | None = None,
) -> Reproduction:
    """Run revision rev of the project at root in a temporary worktree.

    run(project_root) runs the pipeline there and returns its RunSummary. verify=False skips
    the comparison with dvc.lock (e.g. when overrides change what the steps make). Errors
    raised by run leave the worktree in place and name it in their hint.
    """
    root = Path(root).resolve()
    commit = resolve_commit(root, rev)
    worktree = create_worktree(root, commit)
    try:
        checkout_dvc_tracked(worktree.project)
        summary = run(worktree.project)
        adopt_run(worktree.project, root, summary.run_id)
        if not verify:
            verification = Verification(skipped="overrides given: outputs are not expected to match dvc.lock")
        elif summary.status != "succeeded":
            verification = Verification(skipped=f"the run {summary.status}")
        else:
            verification = verify_outputs(worktree.project, committed_lock(root, commit))
        copied = copy_outputs(worktree.project, out_dir) if out_dir is not None else None
    except PipeyardError as error:
        kept = f"the worktree of {commit[:8]} is kept at {worktree.project}"
        error.hint = f"{error.hint}; {kept}" if error.hint else kept
        raise
    result = Reproduction(commit, summary, verification, worktree.project, copied)
    if result.ok and not keep_worktree:
        remove_worktree(root, worktree)
        result = Reproduction(commit, summary, verification, None, copied)
    return result


def create_worktree(root: Path, commit: str) -> Worktree:
    """Check commit out in a new temporary folder and share root's DVC cache with it."""
    top = top_level(root).resolve()
    inside = Path(root).resolve().relative_to(top)
    folder = Path(tempfile.mkdtemp(prefix=f"pipeyard-{commit[:8]}-"))
    add_worktree(root, folder, commit)
    worktree = Worktree(folder, folder / inside, commit)
    if not (worktree.project / ".dvc").is_dir():
        remove_worktree(root, worktree)
        raise RepositoryError(
            f"revision {commit[:8]} has no DVC set-up (.dvc/) in {inside.as_posix() or 'the repository root'}",
            hint="pick a revision made after `pipeyard init` was committed",
        )
    share_cache(Path(root), worktree.project)
    return worktree


def remove_worktree(root: Path, worktree: Worktree) -> None:
    """Remove the worktree and git's record of it."""
    run_git(root, "worktree", "remove", "--force", str(worktree.path), check=False)
    shutil.rmtree(worktree.path, ignore_errors=True)
    run_git(root, "worktree", "prune", check=False)


def checkout_dvc_tracked(project: Path) -> None:
    """Check out data tracked by `.dvc` files (not pipeline outputs) from the shared cache."""
    targets = tracked_data_files(project)
    if targets:
        run_dvc(
            project,
            "checkout",
            "--quiet",
            *targets,
            hint="`dvc pull` the data in the main repository first (the cache is shared)",
        )


def committed_lock(root: Path, commit: str) -> dict[str, dict[str, Any]]:
    """The stages of dvc.lock as commit has it (empty when it has none)."""
    data = read_files_at(root, commit, ["dvc.lock"])["dvc.lock"]
    return parse_lock(data.decode("utf-8") if data is not None else None, f"{commit[:8]}:dvc.lock")


def verify_outputs(project: Path, lock: Mapping[str, Mapping[str, Any]]) -> Verification:
    """Hash every output anew and compare it with what lock (the revision's dvc.lock) records."""
    with tempfile.TemporaryDirectory() as fresh:  # no remembered hashes: read every byte
        hasher = Hasher(Path(project).resolve(), HashState(Path(fresh) / "hashes.json"))
        checked, mismatches = 0, []
        for step, entry in lock.items():
            for out in entry.get("outs") or ():
                if not isinstance(out, Mapping) or "path" not in out or "md5" not in out:
                    continue
                hashed = hasher.hash_path(out["path"])
                checked += 1
                if hashed is None or hashed.md5 != out["md5"]:
                    mismatches.append(Mismatch(step, out["path"], out["md5"], hashed.md5 if hashed else None))
    unrecorded = _stages_without_entry(project, lock)
    return Verification(checked, tuple(mismatches), unrecorded)


def _stages_without_entry(project: Path, lock: Mapping[str, Any]) -> tuple[str, ...]:
    try:
        text = (Path(project) / "dvc.yaml").read_text(encoding="utf-8")
    except OSError:
        return ()
    return tuple(name for name in parse_stages(text, "dvc.yaml") if name not in lock)


def adopt_run(project: Path, root: Path, run_id: str) -> None:
    """Copy the run's record and logs from the worktree into root's .pipeyard/runs/."""
    source, target = run_dir(project, run_id), run_dir(root, run_id)
    if source.is_dir() and not target.exists():
        shutil.copytree(source, target)


def copy_outputs(project: Path, out_dir: Path) -> Path:
    """Copy every pipeline output of the worktree into out_dir, keeping their relative paths."""
    out_dir = Path(out_dir).resolve()
    stages = parse_stages((Path(project) / "dvc.yaml").read_text(encoding="utf-8"), "dvc.yaml")
    for stage in stages.values():
        for path in stage.outs:
            source, target = Path(project) / path, out_dir / path
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            elif source.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
    return out_dir
