"""A git registry's local clone: fetch it, pin it to a commit, and commit new versions to it.

Clones live in the project's ``.pipeyard/registries/<name>-<hash of the URL>/`` (git-ignored);
only the commit each registry is pinned to is committed, in ``pipeyard.lock.yaml``.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from ..errors import RepositoryError
from ..vcs.git import identity_env, run_git, succeeds

CACHE_FOLDER = ".pipeyard/registries"
DEFAULT_BRANCH = "main"
_REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*://|^[\w.\-]+@[\w.\-]+:")


def clone_url(url: str, root: Path) -> str:
    """url as git should read it: remote URLs unchanged, local paths relative to root."""
    if _REMOTE.match(url):
        return url
    return str((Path(root) / os.path.expanduser(url)).resolve())


class GitRegistry:
    """The clone of one git registry inside a project."""

    def __init__(self, name: str, url: str, ref: str | None, root: Path) -> None:
        self.name = name
        self.url = url
        self.ref = ref
        self.root = Path(root)
        key = hashlib.sha1(url.encode()).hexdigest()[:10]
        self.path = self.root / CACHE_FOLDER / f"{name}-{key}"

    def ensure_clone(self) -> None:
        """Clone the registry when it is not cloned yet."""
        if (self.path / ".git").is_dir():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._git(
            "clone", "--quiet", "--no-checkout", clone_url(self.url, self.root), str(self.path), cwd=self.root
        )

    def fetch(self) -> None:
        """Bring the clone up to date with the remote."""
        self.ensure_clone()
        self._git("fetch", "--quiet", "--prune", "--tags", "origin")

    def branch(self) -> str:
        """The branch registrations go to: ref, else the remote's default, else main."""
        if self.ref:
            return self.ref
        head = self._git("symbolic-ref", "--quiet", "refs/remotes/origin/HEAD", check=False)
        return head.rsplit("/", 1)[-1] if head else DEFAULT_BRANCH

    def head_commit(self) -> str | None:
        """The commit ref (or the default branch) names on the remote, after a fetch; None
        when the remote has no commits yet."""
        self.fetch()
        candidates = [f"refs/remotes/origin/{self.branch()}"]
        if self.ref:
            candidates += [f"refs/tags/{self.ref}", self.ref]
        for candidate in candidates:
            found = self._git("rev-parse", "--verify", "--quiet", f"{candidate}^{{commit}}", check=False)
            if found:
                return found
        if self.ref and self._git("for-each-ref", "--count=1", "refs/remotes/origin", check=False):
            raise RepositoryError(
                f"registry '{self.name}' has no branch or tag '{self.ref}' ({self.url})",
                hint="fix ref: in pipeyard.yaml",
            )
        return None

    def checkout(self, commit: str) -> Path:
        """The registry's files at commit (fetched when the clone lacks it)."""
        self.ensure_clone()
        if not self._has(commit):
            self.fetch()
            if not self._has(commit):
                raise RepositoryError(
                    f"registry '{self.name}' has no commit {commit[:12]} ({self.url})",
                    hint="it was never pushed, or the history was rewritten: push it, or move the "
                    "pin with `pipeyard component update " + self.name + "`",
                )
        self._git("checkout", "--quiet", "--force", "--detach", commit)
        self._git("clean", "--quiet", "-fdx")
        return self.path

    def start_registration(self) -> Path:
        """Check out the registration branch: the remote's tip, or the local branch when it
        holds commits not pushed yet (so registering twice before a push keeps both)."""
        remote = self.head_commit()
        branch = self.branch()
        local = self._git("rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", check=False)
        if local and remote and local != remote and not self._is_ancestor(remote, local):
            if not self._is_ancestor(local, remote):
                raise RepositoryError(
                    f"the clone of registry '{self.name}' has commits that conflict with the remote",
                    hint=f"push or drop them: {self.push_command()}, or delete {self.path}",
                )
            local = ""  # behind the remote: start from the remote's tip
        if local:
            self._git("checkout", "--quiet", "--force", branch)
        elif remote:
            self._git("checkout", "--quiet", "--force", "-B", branch, remote)
        else:
            self._git("symbolic-ref", "HEAD", f"refs/heads/{branch}")
        self._git("clean", "--quiet", "-fdx")
        return self.path

    def _is_ancestor(self, older: str, newer: str) -> bool:
        return succeeds(self.path, "merge-base", "--is-ancestor", older, newer)

    def commit(self, message: str) -> str:
        """Commit every change in the clone; return the new commit."""
        self._git("add", "-A")
        self._git("commit", "--quiet", "-m", message, env=identity_env(self.path))
        return self._git("rev-parse", "HEAD")

    def push(self) -> None:
        """Push the registration branch to the remote."""
        self._git("push", "--quiet", "origin", f"HEAD:refs/heads/{self.branch()}")

    def push_command(self) -> str:
        """The command a person runs to push what was committed."""
        return f"git -C {os.path.relpath(self.path)} push origin HEAD:refs/heads/{self.branch()}"

    def _has(self, commit: str) -> bool:
        return bool(self._git("rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}", check=False))

    def _git(
        self, *args: str, cwd: Path | None = None, check: bool = True, env: Mapping[str, str] | None = None
    ) -> str:
        """The stripped stdout of `git args` in the clone; "" when it fails and not check."""
        result = run_git(
            cwd or self.path,
            *args,
            env=env,
            check=check,
            hint=f"check registry '{self.name}': its git: URL ({self.url}) and that you can reach it",
        )
        return result.stdout.strip() if result.returncode == 0 else ""
