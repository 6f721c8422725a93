"""Static import analysis: the local modules a step's file runs, never stdlib or installed ones."""

from __future__ import annotations

import pytest

from pipeyard.compile.codedeps import CodeDependencies
from pipeyard.errors import DefinitionError


def make_tree(root, files: dict[str, str]):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def project(tmp_path):
    return make_tree(
        tmp_path,
        {
            "steps/train.py": (
                "import os, json\n"
                "import numpy\n"
                "import helpers\n"
                "from lib.models import Net\n"
                "from . import siblings\n"
                "def run():\n"
                "    from lib import metrics\n"
            ),
            "steps/__init__.py": "",
            "steps/helpers.py": "from lib.util import clamp\n",
            "steps/siblings.py": "",
            "steps/unused.py": "",
            "lib/__init__.py": "",
            "lib/models.py": "from .layers import Dense\nfrom ..outside import x\n",
            "lib/layers.py": "import collections\n",
            "lib/util.py": "",
            "lib/metrics.py": "",
            "json.py": "",  # shadows the standard library; never counted
            ".venv/lib/python3.11/site-packages/numpy/__init__.py": "",
        },
    )


def test_transitive_local_imports(project):
    assert CodeDependencies(project).closure("steps/train.py") == (
        "lib/__init__.py",
        "lib/layers.py",
        "lib/metrics.py",
        "lib/models.py",
        "lib/util.py",
        "steps/__init__.py",
        "steps/helpers.py",
        "steps/siblings.py",
        "steps/train.py",
    )


def test_a_new_helper_import_is_found(project):
    (project / "lib" / "extra.py").write_text("")
    (project / "lib" / "util.py").write_text("from lib import extra\n")
    assert "lib/extra.py" in CodeDependencies(project).closure("steps/train.py")


def test_src_layout(tmp_path):
    make_tree(
        tmp_path,
        {
            "pipeline/step.py": "import mypkg.core\n",
            "src/mypkg/__init__.py": "",
            "src/mypkg/core.py": "",
        },
    )
    assert CodeDependencies(tmp_path).closure("pipeline/step.py") == (
        "pipeline/step.py",
        "src/mypkg/__init__.py",
        "src/mypkg/core.py",
    )


def test_each_file_is_parsed_once_per_instance(project, monkeypatch):
    deps = CodeDependencies(project)
    first = deps.closure("steps/train.py")
    (project / "steps" / "helpers.py").write_text("import lib.metrics\nimport steps.unused\n")
    assert deps.closure("steps/train.py") == first  # cached within one compilation
    assert "steps/unused.py" in CodeDependencies(project).closure("steps/train.py")


def test_syntax_error_names_file_and_line(tmp_path):
    make_tree(tmp_path, {"step.py": "import ok\n\ndef broken(:\n"})
    with pytest.raises(DefinitionError) as caught:
        CodeDependencies(tmp_path).closure("step.py")
    assert caught.value.location.file == "step.py" and caught.value.location.line == 3


def test_missing_file(tmp_path):
    with pytest.raises(DefinitionError, match="does not exist"):
        CodeDependencies(tmp_path).closure("nope.py")


def test_environment_file_is_the_first_found(tmp_path):
    assert CodeDependencies(tmp_path).environment_file() is None
    (tmp_path / "requirements.txt").write_text("numpy\n")
    (tmp_path / "poetry.lock").write_text("")
    assert CodeDependencies(tmp_path).environment_file() == "poetry.lock"
