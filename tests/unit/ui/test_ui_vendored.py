"""Every vendored JavaScript file is listed in VENDORED.md, has its licence, and is unchanged."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pipeyard.ui

VENDOR = Path(pipeyard.ui.__file__).parent / "static" / "vendor"
ROW = re.compile(r"^\| (?P<file>[\w.-]+\.js) \|(?P<rest>.*)\| (?P<sha>[0-9a-f]{64}) \|$", re.M)


def _rows() -> list[re.Match]:
    return list(ROW.finditer((VENDOR / "VENDORED.md").read_text()))


def test_every_vendored_file_is_listed():
    listed = {row["file"] for row in _rows()}
    assert listed == {p.name for p in VENDOR.glob("*.js")}
    assert listed


def test_each_has_its_licence_files_and_pinned_hash():
    for row in _rows():
        cells = [c.strip() for c in row["rest"].split("|")]
        assert "MIT" in cells or any("Apache" in c or "BSD" in c for c in cells), cells
        licences = [name.strip() for name in cells[3].split(",")]
        for name in licences:
            text = (VENDOR / name).read_text()
            assert "Permission is hereby granted" in text or "License" in text, name
        data = (VENDOR / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha"], (
            f"{row['file']} differs from the pinned release"
        )
