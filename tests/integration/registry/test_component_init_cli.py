"""`pipeyard component init` through the CLI: writes a component that runs as a pipeline step."""

from __future__ import annotations

import pytest
from registry_projects import component, plain_project

pytestmark = pytest.mark.slow

SCRIPT = """
import argparse, os

parser = argparse.ArgumentParser(description="Copy text with a suffix.")
parser.add_argument("--input-dir", required=True)
parser.add_argument("--suffix", default="!")
parser.add_argument("--out", required=True)
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
text = open(os.path.join(args.input_dir, "data.txt")).read()
open(os.path.join(args.out, "data.txt"), "w").write(text + args.suffix)
"""


def test_init_writes_a_component_that_validates_in_a_pipeline(tmp_path):
    project = plain_project(tmp_path / "p")
    project.write("src/copy.py", SCRIPT)
    project.write("data/data.txt", "hi")
    result = component(project, "init", "src/copy.py")
    assert "wrote components/copy.yml (component 'copy')" in result.stdout
    assert "--input-dir  -> input 'input_dir' (uri_folder)" in result.stdout
    assert "--out        -> output 'out' (uri_folder)" in result.stdout
    assert "review:" in result.stderr
    text = (project.root / "components/copy.yml").read_text()
    assert "code: ../src" in text
    project.write(
        "pipeline.yml",
        """
        type: pipeline
        jobs:
          copy:
            component: ./components/copy.yml
            inputs:
              input_dir: {type: uri_folder, path: ./data}
        """,
    )
    assert project.pipeyard("validate", "--no-capacity").returncode == 0
    exists = component(project, "init", "src/copy.py", check=False)
    assert exists.returncode == 2 and "--force" in exists.stderr


def test_init_refuses_a_script_without_argparse(tmp_path):
    project = plain_project(tmp_path / "p")
    project.write("run.py", "import sys\nprint(sys.argv)\n")
    result = component(project, "init", "run.py", "-o", "run.yml", check=False)
    assert result.returncode == 2
    assert "run.py has no argparse.ArgumentParser" in result.stderr
    assert not (project.root / "run.yml").exists()
