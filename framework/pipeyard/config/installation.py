"""How this pipeyard was installed, from what pip records (``direct_url.json``, PEP 610).

CI installs the same pipeyard (ci/sources.py) and a project made from a built-in template
records where cruft can fetch that template again (project_templates/builtin_source.py): both
need to know whether pipeyard came from a git URL, a local folder (a checkout) or an index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True)
class Installation:
    """Where the installed pipeyard came from: one of vcs_url (+ commit), folder, archive_url,
    or none of them (a package index)."""

    version: str
    vcs_url: str | None = None  # installed from git: the URL and the commit
    commit: str | None = None
    folder: Path | None = None  # installed from a local folder (editable or not)
    archive_url: str | None = None  # installed from an archive's URL


def installation() -> Installation | None:
    """How pipeyard was installed, or None when it is not installed as a package."""
    try:
        dist = metadata.distribution("pipeyard")
    except metadata.PackageNotFoundError:
        return None
    recorded = dist.read_text("direct_url.json")
    if not recorded:
        return Installation(dist.version)
    try:
        info = json.loads(recorded)
    except ValueError:
        return Installation(dist.version)
    url = str(info.get("url", ""))
    if info.get("vcs_info"):
        return Installation(dist.version, vcs_url=url, commit=info["vcs_info"].get("commit_id"))
    if url.startswith("file://") and "dir_info" in info:
        return Installation(dist.version, folder=Path(url.removeprefix("file://")))
    return Installation(dist.version, archive_url=url or None)
