"""The license: an Apache-2.0 LICENSE file and SPDX metadata (PEP 639), as setuptools builds it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def test_the_built_metadata_names_the_license_by_spdx_and_ships_the_file(tmp_path):
    source = tmp_path / "src"
    (source / "framework" / "pipeyard").mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(REPO / name, source / name)
    (source / "framework" / "pipeyard" / "__init__.py").write_text("")
    out = tmp_path / "meta"
    out.mkdir()
    build = "import sys\nfrom setuptools import build_meta as b\nprint(b.prepare_metadata_for_build_wheel(sys.argv[1]))"
    done = subprocess.run(
        [sys.executable, "-c", build, str(out)], cwd=source, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    info = out / done.stdout.strip().splitlines()[-1]
    metadata = (info / "METADATA").read_text()
    assert "License-Expression: Apache-2.0" in metadata
    assert "License-File: LICENSE" in metadata
    assert "\nLicense: " not in metadata  # the deprecated free-text field is gone
    assert (info / "licenses" / "LICENSE").read_text() == (REPO / "LICENSE").read_text()
    assert "Apache License" in (REPO / "LICENSE").read_text().splitlines()[1]
