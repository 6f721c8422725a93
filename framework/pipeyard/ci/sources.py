"""Where a generated workflow gets its pipeyard and its actions, and which branch it watches.

* pipeyard: the same pipeyard this project runs, from a source GitHub can reach. pip records
  how a package was installed (``direct_url.json``, PEP 610): from a git URL, that URL pinned
  to the installed commit; from a local checkout, the checkout's ``origin`` remote pinned to
  its HEAD commit; from a package index, ``pipeyard==<version>``. ``ci.github.install`` in
  pipeyard.yaml wins over all of these.
* actions: pinned by commit SHA with the tag in a comment (``# v4.2.2``), or by tag alone.
* branch: the repository's default branch (origin's HEAD, else the local main or master).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..config.installation import installation
from ..errors import RepositoryError
from ..vcs.git import run_git

# action -> (tag, the commit that tag names); update both together
ACTIONS = {
    "actions/checkout": ("v4.2.2", "11bd71901bbe5b1630ceea73d27597364c9af683"),
    "actions/setup-python": ("v5.6.0", "a26af69be951a213d495a4c3e4e4022e16d87065"),
}
PIN_STYLES = ("sha", "tag")
_SCP_URL = re.compile(r"^(?:[\w.-]+@)?([\w.-]+):(?!//)(.+)$")  # git@github.com:org/repo.git


@dataclass(frozen=True)
class PipeyardSource:
    """What pip installs in CI to get pipeyard (None: no reachable source known), and why."""

    requirement: str | None
    origin: str


def action_ref(action: str, pin: str = "sha") -> str:
    """``owner/name@<sha>`` (pin 'sha') or ``owner/name@<tag>`` (pin 'tag')."""
    tag, sha = ACTIONS[action]
    return f"{action}@{sha if pin == 'sha' else tag}"


def tag_comments(text: str) -> str:
    """YAML text with ``# <tag>`` after each ``uses:`` of an action pinned by SHA."""
    for action, (tag, sha) in ACTIONS.items():
        text = re.sub(rf"(uses: {re.escape(action)}@{sha})$", rf"\1  # {tag}", text, flags=re.MULTILINE)
    return text


def pipeyard_source(configured: str | None = None) -> PipeyardSource:
    """The requirement that installs this pipeyard in CI; configured (ci.github.install) wins."""
    if configured:
        return PipeyardSource(configured, "ci.github.install in pipeyard.yaml")
    found = installation()
    if found is None:
        return PipeyardSource(None, "pipeyard is not installed as a package here")
    if found.vcs_url:
        return PipeyardSource(
            f"pipeyard @ git+{found.vcs_url}@{found.commit}",
            f"the git URL pip installed from ({found.vcs_url})",
        )
    if found.folder is not None:
        return _from_checkout(found.folder)
    if found.archive_url and found.archive_url.startswith(("https://", "http://")):
        return PipeyardSource(
            f"pipeyard @ {found.archive_url}", f"the archive pip installed from ({found.archive_url})"
        )
    if found.archive_url:
        return PipeyardSource(None, f"pipeyard was installed from {found.archive_url}, which CI cannot reach")
    return PipeyardSource(f"pipeyard=={found.version}", "the package index pipeyard was installed from")


def _from_checkout(folder: Path) -> PipeyardSource:
    """A local checkout: its origin remote, pinned to the commit checked out."""
    try:
        origin = run_git(folder, "remote", "get-url", "origin", check=False).stdout.strip()
        commit = run_git(folder, "rev-parse", "--verify", "--quiet", "HEAD", check=False).stdout.strip()
    except RepositoryError:
        origin = commit = ""
    if not origin or not commit:
        return PipeyardSource(
            None, f"pipeyard is installed from the folder {folder}, which has no 'origin' remote"
        )
    return PipeyardSource(
        f"pipeyard @ git+{https_url(origin)}@{commit}", f"the origin of {folder} at {commit[:12]}"
    )


def https_url(remote: str) -> str:
    """A git remote as a URL a CI runner can clone without keys: scp-like SSH becomes https."""
    match = _SCP_URL.match(remote)
    if match and "://" not in remote:
        return f"https://{match.group(1)}/{match.group(2)}"
    if remote.startswith("ssh://"):
        rest = remote.removeprefix("ssh://").split("@", 1)[-1]
        host, _, path = rest.partition("/")
        return f"https://{host.split(':')[0]}/{path}"
    return remote


def default_branch(root: Path) -> str:
    """The repository's default branch: origin's HEAD, else a local main or master, else the
    branch checked out, else main."""
    try:
        remote_head = run_git(
            root, "symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD", check=False
        )
        if remote_head.returncode == 0 and remote_head.stdout.strip():
            return remote_head.stdout.strip().split("/", 1)[-1]
        current = run_git(root, "symbolic-ref", "--quiet", "--short", "HEAD", check=False).stdout.strip()
        local = set(run_git(root, "branch", "--format=%(refname:short)", check=False).stdout.split())
    except RepositoryError:
        return "main"
    for name in ("main", "master"):
        if name == current or name in local:
            return name
    return current or "main"
