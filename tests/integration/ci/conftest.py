"""Fixtures for the CI tests: the e2e project builders and this Python's `pipeyard` on PATH."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "e2e"))

# The real CLI of this Python, whichever `pipeyard` the PATH would find first.
_SHIM = f"""#!{sys.executable}
import sys
from pipeyard.cli import main
sys.exit(main.main(sys.argv[1:]))
"""


@pytest.fixture(scope="session")
def cli_bin(tmp_path_factory) -> Path:
    """A folder holding this Python's `pipeyard`, to put first on PATH."""
    folder = tmp_path_factory.mktemp("bin")
    shim = folder / "pipeyard"
    shim.write_text(_SHIM)
    shim.chmod(0o755)
    return folder


@pytest.fixture
def ci_env(cli_bin) -> dict:
    """The environment a CI job's commands run in: the shim and this venv's tools on PATH."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(cli_bin), str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("PIPEYARD_TRACEBACK", None)
    return env
