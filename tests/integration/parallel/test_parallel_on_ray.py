"""A parallel job's driver whose step runs on Ray (`PIPEYARD_RAY_ADDRESS` set, as the Ray
executor sets it) submits its mini-batches as Ray tasks of the embedded Ray: the results are
gathered as a local run gathers them, a failed attempt is retried the same way, and the driver's
log names the Ray node each mini-batch ran on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pipeyard.parallel.ray_batches import RAY_ADDRESS_VARIABLE
from pipeyard.testing.ray_fixtures import embedded_ray  # noqa: F401

ENTRY = """
import os
from pathlib import Path

def init():
    global PREFIX
    PREFIX = "seen"

def run(mini_batch):
    names = [Path(p).name for p in mini_batch]
    flag = Path("flaky-once")
    if "flaky.txt" in names and not flag.exists():
        flag.write_text("failed once")
        raise RuntimeError("a flaky first attempt")
    return [f"{PREFIX} {n}" for n in names]
"""


def _driver(folder: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pipeyard.parallel",
            "--entry-script",
            "entry.py",
            "--input-data",
            "data",
            "--mini-batch-size",
            "2",
            "--workers",
            "2",
            "--max-retries",
            "1",
            "--append-row-to",
            "out/",
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _project(folder: Path) -> Path:
    (folder / "data").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "c.txt", "flaky.txt", "e.txt"):
        (folder / "data" / name).write_text(name)
    (folder / "entry.py").write_text(ENTRY)
    return folder


def test_mini_batches_run_as_ray_tasks_and_gather_as_locally(embedded_ray, tmp_path):  # noqa: F811
    env = {k: v for k, v in os.environ.items() if k != RAY_ADDRESS_VARIABLE}
    local = _driver(_project(tmp_path / "local"), env)
    assert local.returncode == 0, local.stderr
    address = embedded_ray.get_runtime_context().gcs_address
    on_ray = _driver(
        _project(tmp_path / "ray"), {**env, RAY_ADDRESS_VARIABLE: address, "RAY_AUTH_MODE": "disabled"}
    )
    assert on_ray.returncode == 0, on_ray.stderr

    rows = (tmp_path / "ray" / "out" / "parallel_run_step.txt").read_text()
    assert rows == (tmp_path / "local" / "out" / "parallel_run_step.txt").read_text()
    assert rows.splitlines() == ["seen a.txt", "seen b.txt", "seen c.txt", "seen e.txt", "seen flaky.txt"]
    assert "3 mini-batches as Ray tasks (2 at once) on 1 node(s): 3 succeeded, 0 failed" in on_ray.stdout
    assert "3 mini-batches on 2 worker(s): 3 succeeded, 0 failed" in local.stdout
    node = embedded_ray.get_runtime_context().get_node_id()
    assert "mini-batch 2 attempt 1 failed: RuntimeError: a flaky first attempt" in on_ray.stderr
    assert sum(f"ran on Ray node {node}" in line for line in on_ray.stderr.splitlines()) == 4  # 3 + the retry
    assert f"mini-batches ran on 1 Ray node(s): {node}" in on_ray.stderr
