"""Keep the files of the chosen pipeline format and delete the other format's.

Pure file operations: no network and no git, because templates are rendered again for
three-way template updates.
"""

import shutil
import sys
from pathlib import Path

CHOSEN = "{{ cookiecutter.pipeline_format }}"
PACKAGE = "{{ cookiecutter.package_name }}"
ONLY_FOR = {
    "python": ["pipeline.py", f"{PACKAGE}/steps.py"],
    "yaml": ["pipeline.yml", "components", f"{PACKAGE}/cli.py"],
}

if CHOSEN not in ONLY_FOR:
    sys.exit(f"pipeline_format must be one of {sorted(ONLY_FOR)}, got {CHOSEN!r}")
for form, paths in ONLY_FOR.items():
    if form == CHOSEN:
        continue
    for relative in paths:
        path = Path(relative)
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
