"""The parallel driver with real worker processes: a stuck mini-batch's worker is killed at its
timeout (not at the end), a worker that dies fails only its mini-batch, and the workers never
outnumber the CPUs the step reserves."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from pipeyard.azure_yaml import load_pipeline_yaml
from pipeyard.parallel.driver import ParallelSettings, gather, main, run_parallel, worker_count

PARALLEL = Path(__file__).parents[2] / "data" / "azure" / "parallel"

ENTRY = """
import os, time
from pathlib import Path

def init():
    pass

def run(mini_batch):
    names = [Path(p).name for p in mini_batch]
    if "stuck.txt" in names:
        time.sleep(600)
    if "crash.txt" in names:
        os._exit(3)
    return [f"{n} {os.getpid()}" for n in names]
"""


def _inputs(tmp_path: Path, names: list[str]) -> tuple[Path, Path]:
    data = tmp_path / "data"
    data.mkdir()
    for name in names:
        (data / name).write_text(name)
    script = tmp_path / "entry.py"
    script.write_text(ENTRY)
    return data, script


def test_a_stuck_mini_batch_is_killed_at_its_timeout_and_the_others_finish(tmp_path):
    data, script = _inputs(tmp_path, ["a.txt", "b.txt", "stuck.txt", "z.txt"])
    settings = ParallelSettings(
        entry_script=str(script), input_data=str(data), workers=2, max_retries=1, timeout_s=1.5
    )
    start = time.monotonic()
    outcome, batches = run_parallel(settings)
    elapsed = time.monotonic() - start
    assert elapsed < 30  # two attempts of 1.5 s, not the 600 s the script sleeps
    assert outcome.failed == {2: "timed out after 1.5s"} and outcome.attempts[2] == 2
    assert sorted(outcome.results) == [0, 1, 3]
    assert gather(outcome, batches, None) == 1


def test_a_worker_that_dies_fails_its_mini_batch_and_a_new_worker_takes_over(tmp_path):
    data, script = _inputs(tmp_path, ["a.txt", "crash.txt", "d.txt", "e.txt"])
    settings = ParallelSettings(entry_script=str(script), input_data=str(data), workers=1, max_retries=0)
    outcome, _ = run_parallel(settings)
    assert outcome.failed == {1: "its worker died (exit code 3)"}
    assert sorted(outcome.results) == [0, 2, 3]
    pids = {outcome.results[i][0].split()[1] for i in (0, 2)}
    assert len(pids) == 2  # the worker after the crash is a new process


@pytest.mark.parametrize(
    ("requested", "reserved", "workers"), [(4, None, 4), (4, "2", 2), (4, "0.5", 1), (2, "8", 2), (3, "x", 3)]
)
def test_workers_are_at_most_the_reserved_cpus(requested, reserved, workers):
    assert worker_count(requested, reserved) == workers


def test_the_driver_starts_no_more_workers_than_the_step_reserves(tmp_path, monkeypatch, capsys):
    data, script = _inputs(tmp_path, [f"f{i}.txt" for i in range(6)])
    monkeypatch.setenv("PIPEYARD_CPUS", "2")
    assert (
        main(
            [
                "--entry-script",
                str(script),
                "--input-data",
                str(data),
                "--workers",
                "6",
                "--append-row-to",
                str(tmp_path / "rows.txt"),
            ]
        )
        == 0
    )
    assert "6 mini-batches on 2 worker(s): 6 succeeded" in capsys.readouterr().out
    pids = {line.split()[1] for line in (tmp_path / "rows.txt").read_text().splitlines()}
    assert len(pids) <= 2


def test_a_parallel_job_reserves_one_cpu_per_worker_unless_it_says_otherwise(project):
    pipeline = load_pipeline_yaml(Path("pipeline.yml"), PARALLEL)
    # max_concurrency 2 x instance_count 2, at most the machine's CPUs
    assert pipeline.job("score_files").resources.cpus == min(4, os.cpu_count() or 1)
    root = project(
        {
            "p.yml": (PARALLEL / "pipeline.yml")
            .read_text()
            .replace("      instance_count: 2\n", "      instance_count: 2\n      cpus: 1\n"),
            "src/score.py": "",
        }
    )
    assert load_pipeline_yaml(Path("p.yml"), root).job("score_files").resources.cpus == 1
