"""The one door to the DVC command line: every `dvc` command pipeyard runs goes through here.

The `dvc` beside this Python is preferred (the one installed with pipeyard), else the one on
PATH. pipeyard reads and writes DVC's formats itself on the hot path (cache/); this module is
for the commands where DVC's own behaviour is the point: init, checkout, fetch, pull, push.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..errors import RepositoryError
from .git import run_git

_DEFAULT_HINT = "check that DVC is installed in this environment (`dvc --version`)"


def dvc_executable() -> str:
    """The path of the `dvc` installed beside this Python, else plain `dvc` (found on PATH)."""
    beside = Path(sys.executable).with_name("dvc")
    return str(beside) if beside.exists() else "dvc"


def dvc_command(*args: str) -> list[str]:
    """The argv that runs `dvc args` (for callers that start and watch the process themselves)."""
    return [dvc_executable(), *args]


def run_dvc(
    root: Path, *args: str, hint: str = _DEFAULT_HINT, check: bool = True
) -> subprocess.CompletedProcess[str]:
    """Run `dvc args` in root without analytics; RepositoryError when it fails (and check)."""
    try:
        result = subprocess.run(
            dvc_command(*args),
            cwd=root,
            capture_output=True,
            text=True,
            env={**os.environ, "DVC_NO_ANALYTICS": "1"},
            check=False,
        )
    except OSError as exc:
        raise RepositoryError(f"could not run `dvc {args[0]}`: {exc}", hint=_DEFAULT_HINT) from None
    if check and result.returncode != 0:
        lines = (result.stderr.strip() or result.stdout.strip()).splitlines()
        detail = next((line for line in lines if line.startswith("ERROR")), lines[-1] if lines else "")
        raise RepositoryError(
            f"`dvc {' '.join(args)}` failed: {detail.removeprefix('ERROR: ') or 'no output'}", hint=hint
        )
    return result


def tracked_data_files(root: Path) -> list[str]:
    """The `.dvc` files git tracks below root (data added with `dvc add`), relative to root."""
    listed = run_git(root, "ls-files", "-z", "--", "*.dvc", check=False).stdout.split("\0")
    return [path for path in listed if path and not path.startswith(".dvc/")]
