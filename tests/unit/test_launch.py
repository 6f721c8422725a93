"""pipeyard.launch: the variables each rank gets, and one line for what is missing."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pipeyard.launch import main, rank_variables
from pipeyard.model import Distribution, Stage


def test_pytorch_ranks_count_across_instances():
    env = rank_variables("pytorch", 2, 3, node_rank=2, local_rank=1, master=("10.0.0.1", 29500), workers=[])
    assert env == {
        "MASTER_ADDR": "10.0.0.1",
        "MASTER_PORT": "29500",
        "WORLD_SIZE": "6",
        "RANK": "5",
        "LOCAL_RANK": "1",
        "LOCAL_WORLD_SIZE": "2",
        "NODE_RANK": "2",
        "GROUP_RANK": "2",
    }


def test_tensorflow_gets_one_worker_per_process():
    env = rank_variables(
        "tensorflow", 2, 1, node_rank=0, local_rank=1, master=("h", 1), workers=["h:7000", "h:7001"]
    )
    assert json.loads(env["TF_CONFIG"]) == {
        "cluster": {"worker": ["h:7000", "h:7001"]},
        "task": {"type": "worker", "index": 1},
    }


def test_every_rank_runs_and_a_failing_rank_fails_the_step(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "pipeyard.launch", "pytorch", "2", "2", "--", 'echo "r=$RANK/$WORLD_SIZE"'],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0
    assert sorted(line.split("] ", 1)[1] for line in done.stdout.splitlines()) == [
        f"r={i}/4" for i in range(4)
    ]
    failing = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeyard.launch",
            "pytorch",
            "2",
            "1",
            "--",
            '[ "$RANK" = 1 ] && exit 7; sleep 30',
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert failing.returncode == 7


def test_mpi_without_mpirun_and_bad_arguments_are_one_line(monkeypatch, capsys):
    monkeypatch.setenv("PATH", "/nonexistent")
    assert main(["mpi", "2", "1", "--", "true"]) == 2
    assert "needs mpirun" in capsys.readouterr().err
    assert main(["horovod", "2", "1", "--", "true"]) == 2
    assert "usage:" in capsys.readouterr().err


def test_a_distributed_stage_runs_through_the_launcher_but_keeps_its_command():
    stage = Stage(name="t", commands=("python train.py",), distribution=Distribution("pytorch", 2, 1))
    assert stage.shell_command == "python -m pipeyard.launch pytorch 2 1 -- 'python train.py'"
    assert stage.cmd == "python train.py"
    with pytest.raises(ValueError):
        Distribution("horovod")
