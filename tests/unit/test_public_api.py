"""The public API is the short list in pipeyard/__init__.py; changing it is a deliberate act."""

import subprocess
import sys

import pipeyard


def test_public_names_are_pinned():
    assert sorted(pipeyard.__all__) == [
        "Dir",
        "File",
        "In",
        "Metrics",
        "Out",
        "Plots",
        "__version__",
        "pipeline",
        "step",
    ]
    for name in pipeyard.__all__:
        assert hasattr(pipeyard, name)


def test_importing_pipeyard_stays_light():
    code = "import sys, pipeyard; print(sorted(m for m in ('dvc', 'hydra', 'rich', 'click') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
