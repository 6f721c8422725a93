"""pipeyard.vcs.dvc with the real `dvc`: its error wording, and the data files git tracks."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from pipeyard.errors import RepositoryError
from pipeyard.vcs.dvc import dvc_command, run_dvc, tracked_data_files


def test_a_failure_quotes_dvcs_error_line_and_the_hint(tmp_path):
    with pytest.raises(RepositoryError) as caught:
        run_dvc(tmp_path, "status", hint="run `pipeyard init` first")
    assert caught.value.message.startswith("`dvc status` failed: ")
    assert "not inside of a DVC repository" in caught.value.message
    assert "ERROR" not in caught.value.message
    assert caught.value.hint == "run `pipeyard init` first"


def test_unchecked_calls_return_the_result(tmp_path):
    assert run_dvc(tmp_path, "status", check=False).returncode != 0


def test_the_dvc_beside_this_python_is_used():
    assert Path(dvc_command("version")[0]).name == "dvc"


def test_tracked_data_files_are_the_dvc_files_git_tracks(tmp_path):
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "data.csv.dvc").write_text("outs: []\n")
    (tmp_path / "loose.dvc").write_text("outs: []\n")
    subprocess.run(["git", "add", "data.csv.dvc"], cwd=tmp_path, check=True)
    assert tracked_data_files(tmp_path) == ["data.csv.dvc"]


def test_outside_git_no_data_files_are_tracked(tmp_path):
    assert tracked_data_files(tmp_path) == []
