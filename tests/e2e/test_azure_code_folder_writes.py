"""Files a step writes into its own code folder (Azure commands run `cd <code> && ...`) are moved
out of it after the step: they change no code hash (no rerun), `git status` stays clean, and
nothing the user had there is lost."""

from __future__ import annotations

import json

import pytest
from projects import new_project

pytestmark = pytest.mark.slow

WRITER = """
import argparse, os, pathlib
parser = argparse.ArgumentParser()
parser.add_argument("--out")
args = parser.parse_args()
pathlib.Path("scratch.txt").write_text("written by the step into its working folder")
os.makedirs("mlruns/0", exist_ok=True)
pathlib.Path("mlruns/0/meta.yaml").write_text("name: Default")
os.makedirs("__pycache__", exist_ok=True)
pathlib.Path("__pycache__/helper.cpython-311.pyc").write_bytes(b"not really bytecode")
with open("notes.txt", "a") as handle:  # the user's untracked file, changed in place: left there
    handle.write("")
os.makedirs(args.out, exist_ok=True)
pathlib.Path(args.out, "done.txt").write_text("ok")
"""

PIPELINE = """
type: pipeline
jobs:
  analysed:
    type: command
    code: ./src
    command: python write.py --out ${{outputs.out}}
    outputs:
      out: {type: uri_folder}
  whole_folder:
    type: command
    code: ./src
    command: python write.py --out ${{outputs.out}} && echo whole folder key
    outputs:
      out: {type: uri_folder}
"""


def test_a_steps_own_writes_leave_its_code_folder_its_hash_and_git_status(tmp_path):
    project = new_project(tmp_path / "writes")
    project.write("src/write.py", WRITER)
    project.write("pipeline.yml", PIPELINE)
    with open(project.root / ".gitignore", "a") as handle:
        handle.write("notes.txt\n")
    project.commit_all("two steps that write into their code folder")
    project.write("src/notes.txt", "the user's own untracked notes\n")

    first = project.run_json("--jobs", "1")
    assert {n: s["status"] for n, s in first["steps"].items()} == {"analysed": "ran", "whole_folder": "ran"}
    assert project.git("status", "--porcelain", "--", "src") == ""
    assert sorted(p.name for p in (project.root / "src").iterdir()) == ["notes.txt", "write.py"]
    assert (project.root / "src/notes.txt").read_text() == "the user's own untracked notes\n"

    work = project.root / ".pipeyard" / "runs" / first["run_id"] / "work"
    moved = {p.relative_to(work).as_posix() for p in work.rglob("*") if p.is_file()}
    assert moved == {
        f"{step}/{name}"
        for step in ("analysed", "whole_folder")
        for name in ("scratch.txt", "mlruns/0/meta.yaml", "__pycache__/helper.cpython-311.pyc")
    }
    record = json.loads((project.root / ".pipeyard" / "runs" / first["run_id"] / "record.json").read_text())
    log = (project.root / record["steps"]["whole_folder"]["log_path"]).read_text()
    assert "moved what the step wrote into its code folder src/" in log and "  mlruns/" in log

    second = project.run_json("--jobs", "2")
    assert {s["status"] for s in second["steps"].values()} == {"cached"}
    assert project.git("status", "--porcelain", "--", "src") == ""
