"""The one door to git: every git command pipeyard runs goes through `run_git` here.

One `git` subprocess per call, never a prompt (GIT_TERMINAL_PROMPT=0), one timeout, and one
error style: a failure is a RepositoryError quoting git's own last words and the next step.
GitPython is not used (nor declared as a dependency; DVC still installs it for itself):
pipeyard's git work is plumbing commands, and importing GitPython costs 75-90 ms on every
command (measured with `python -X importtime -c "import git"`).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, NamedTuple, overload

from ..errors import RepositoryError

TIMEOUT_S = 120
# Used only when git refuses to write a commit (notes) because no identity is configured.
FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "pipeyard",
    "GIT_AUTHOR_EMAIL": "pipeyard@localhost",
    "GIT_COMMITTER_NAME": "pipeyard",
    "GIT_COMMITTER_EMAIL": "pipeyard@localhost",
}
_NO_IDENTITY = ("identity unknown", "unable to auto-detect email", "empty ident name")
_DEFAULT_HINT = "check the repository with `git status`"


@dataclass(frozen=True)
class Commit:
    """One commit as `pipeyard log` shows it."""

    sha: str
    parents: tuple[str, ...]
    time: int  # committer time, seconds since the epoch
    author: str
    subject: str

    @property
    def short(self) -> str:
        """The first 8 characters of the sha."""
        return self.sha[:8]


def run_git(
    cwd: Path,
    *args: str,
    input_text: str | None = None,
    env: Mapping[str, str] | None = None,
    check: bool = True,
    hint: str = _DEFAULT_HINT,
) -> subprocess.CompletedProcess[str]:
    """Run `git args` in cwd; RepositoryError when git is missing or (check) the call fails.

    env adds to (and overrides) this process's environment.
    """
    result = _run(cwd, list(args), input_text, env, text=True)
    if check and result.returncode != 0:
        raise _failed(cwd, args, result.stderr or result.stdout, hint)
    return result


def git_output(cwd: Path, *args: str, env: Mapping[str, str] | None = None, hint: str = _DEFAULT_HINT) -> str:
    """The stripped stdout of `git args`, which must succeed."""
    return run_git(cwd, *args, env=env, hint=hint).stdout.strip()


def git_bytes(cwd: Path, *args: str, input_bytes: bytes | None = None, hint: str = _DEFAULT_HINT) -> bytes:
    """The raw stdout of `git args` (which must succeed), e.g. an archive or a batch of blobs."""
    result = _run(cwd, list(args), input_bytes, None, text=False)
    if result.returncode != 0:
        raise _failed(cwd, args, result.stderr.decode("utf-8", errors="replace"), hint)
    return result.stdout


def succeeds(cwd: Path, *args: str) -> bool:
    """Whether `git args` exits 0 (a question such as `merge-base --is-ancestor`)."""
    return _run(cwd, list(args), None, None, text=True).returncode == 0


@overload
def _run(
    cwd: Path, args: list[str], given: str | None, env: Mapping[str, str] | None, *, text: Literal[True]
) -> subprocess.CompletedProcess[str]: ...
@overload
def _run(
    cwd: Path, args: list[str], given: bytes | None, env: Mapping[str, str] | None, *, text: Literal[False]
) -> subprocess.CompletedProcess[bytes]: ...
def _run(
    cwd: Path, args: list[str], given: str | bytes | None, env: Mapping[str, str] | None, *, text: bool
) -> subprocess.CompletedProcess[str] | subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "GIT_TERMINAL_PROMPT": "0", **(env or {})}
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=given,
            capture_output=True,
            text=text,
            env=environment,
            timeout=TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        raise RepositoryError("git is not installed", hint="install git and put it on PATH") from None
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RepositoryError(f"could not run `git {args[0]}` in {cwd}: {exc}", hint=_DEFAULT_HINT) from None


def _failed(cwd: Path, args: Sequence[str], said: str, hint: str) -> RepositoryError:
    lines = said.strip().splitlines()
    return RepositoryError(
        f"`git {' '.join(args)}` failed in {cwd}: {lines[-1] if lines else 'no output'}", hint=hint
    )


def lacks_identity(result: subprocess.CompletedProcess[str]) -> bool:
    """True when git failed because no user name or email is configured."""
    text = (result.stderr or "").lower()
    return result.returncode != 0 and any(marker in text for marker in _NO_IDENTITY)


def resolve_commit(root: Path, rev: str) -> str:
    """The full sha of the commit rev names; RepositoryError naming rev when there is none."""
    result = run_git(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False
    )
    sha = result.stdout.strip()
    if result.returncode != 0 or not sha:
        raise RepositoryError(
            f"'{rev}' is not a commit of this repository",
            hint="use a branch, tag or commit sha; `pipeyard log` lists commits with runs",
        )
    return sha


def head_commit(root: Path) -> str | None:
    """The sha of HEAD, or None before the first commit (or outside git)."""
    try:
        result = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False)
    except RepositoryError:
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def top_level(root: Path) -> Path:
    """The folder of the git work tree holding root."""
    return Path(run_git(root, "rev-parse", "--show-toplevel").stdout.strip())


def read_files_at(root: Path, commit: str, paths: Sequence[str]) -> dict[str, bytes | None]:
    """The content of each path (relative to root, which may be below the top) at commit.

    None for a path commit does not have (or that is not a file). One git call for all.
    """
    contents = _cat_files(root, [f"{commit}:./{path}" for path in paths])
    return dict(zip(paths, contents, strict=True))


def read_blobs(root: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """The content of each blob sha that exists (one git call for all)."""
    shas = list(dict.fromkeys(shas))
    return {sha: data for sha, data in zip(shas, _cat_files(root, shas), strict=True) if data is not None}


def _cat_files(root: Path, names: Sequence[str]) -> list[bytes | None]:
    """`git cat-file --batch` of each object name: its content, or None when absent or not a blob."""
    if not names:
        return []
    request = "".join(f"{name}\n" for name in names).encode("utf-8")
    output = git_bytes(
        root, "cat-file", "--batch", input_bytes=request, hint="check that this is a git repository"
    )
    return _parse_batch(output, len(names))


def _parse_batch(output: bytes, count: int) -> list[bytes | None]:
    """Split `git cat-file --batch` output into one content (or None: missing/not a blob) per request."""
    contents: list[bytes | None] = []
    position = 0
    for _ in range(count):
        end = output.index(b"\n", position)
        header = output[position:end].split()
        position = end + 1
        if len(header) == 3 and header[1] != b"missing":
            size = int(header[2])
            data = output[position : position + size]
            position += size + 1
            contents.append(data if header[1] == b"blob" else None)
        else:
            contents.append(None)
    return contents


def tracked_files(root: Path, commit: str) -> frozenset[str]:
    """Every file path git tracks at commit, relative to root (only those below root)."""
    result = run_git(root, "ls-tree", "-r", "--name-only", "-z", commit)
    return frozenset(p for p in result.stdout.split("\0") if p)


def commits(root: Path, rev: str = "HEAD", limit: int | None = None) -> list[Commit]:
    """The commits reachable from rev, newest first (empty before the first commit)."""
    if head_commit(root) is None and rev == "HEAD":
        return []
    args = ["log", "--format=%H%x1f%P%x1f%ct%x1f%an%x1f%s%x1e"]
    if limit is not None:
        args.append(f"-n{limit}")
    result = run_git(root, *args, rev, "--")
    found = []
    for chunk in result.stdout.split("\x1e"):
        fields = chunk.strip("\n").split("\x1f")
        if len(fields) == 5:
            sha, parents, time, author, subject = fields
            found.append(Commit(sha, tuple(parents.split()), int(time), author, subject))
    return found


class GitState(NamedTuple):
    """The HEAD commit (None outside a repository or before the first commit) and whether
    tracked files had changes. A named tuple, so `commit, dirty = git_state(root)` works too."""

    commit: str | None = None
    dirty: bool = False


def git_state(root: Path) -> GitState:
    """The git state a run starts from; never fails (outside git: no commit)."""
    try:
        commit = head_commit(root)
        if commit is None:
            return GitState()
        changes = run_git(root, "status", "--porcelain", "--untracked-files=no", check=False)
    except RepositoryError:
        return GitState()
    return GitState(commit=commit, dirty=changes.returncode == 0 and bool(changes.stdout.strip()))


def has_identity(root: Path) -> bool:
    """Whether a commit in root has an author (from git config or GIT_AUTHOR_* variables)."""
    if os.environ.get("GIT_AUTHOR_NAME") and os.environ.get("GIT_AUTHOR_EMAIL"):
        return True
    name = run_git(root, "config", "user.name", check=False).stdout.strip()
    email = run_git(root, "config", "user.email", check=False).stdout.strip()
    return bool(name and email)


def identity_env(root: Path) -> Mapping[str, str]:
    """The env a commit in root needs: nothing when git knows who commits, else FALLBACK_IDENTITY."""
    return {} if has_identity(root) else FALLBACK_IDENTITY


def changed_paths(root: Path) -> tuple[str, ...]:
    """The paths that differ from HEAD in the work tree: changed, staged, new (not ignored), deleted."""
    listing = run_git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames").stdout
    return tuple(entry[3:] for entry in listing.split("\0") if len(entry) > 3)


def is_repository_root(path: Path) -> bool:
    """Whether path is the top of a git work tree or a bare repository (not just inside one)."""
    if not path.is_dir():
        return False
    bare = run_git(path, "rev-parse", "--is-bare-repository", check=False)
    if bare.returncode != 0:
        return False
    if bare.stdout.strip() == "true":
        return True
    top = run_git(path, "rev-parse", "--show-toplevel", check=False)
    return top.returncode == 0 and Path(top.stdout.strip()).resolve() == path.resolve()


def add_worktree(root: Path, folder: Path, commit: str) -> None:
    """Check commit out, detached, into the new worktree folder (its parents made as needed)."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    run_git(root, "worktree", "add", "--detach", "--quiet", str(folder), commit)


def remove_worktree(root: Path, folder: Path) -> None:
    """Remove the worktree at folder, its untracked files included."""
    run_git(root, "worktree", "remove", "--force", str(folder))
