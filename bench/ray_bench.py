"""Compute-target figures in one run: Ray dispatch overhead, a wide DAG on two nodes, environments.

    .venv/bin/python bench/ray_bench.py                 # all three parts
    .venv/bin/python bench/ray_bench.py --skip-cluster  # without the two-node cluster (about 1 min less)

1. Dispatch: 100 trivial steps (`true`) through the local executor and through the Ray
   executor on an embedded single-node Ray (started before the clock starts), one after the
   other (latency per step) and all at once (throughput); the ratio Ray / local.
2. Wide DAG: `pipeyard run --executor ray` of one pipeline with WIDTH independent steps that
   sleep SLEEP seconds each, on a two-node cluster started on this machine (head 2 CPUs,
   worker 2 CPUs: 4 steps at a time); the run's own duration (from --json, without process
   start and Ray connection) against the ideal ceil(WIDTH / 4) x SLEEP. Target <= 1.3x. For
   scale, the same DAG with the local executor and --cpus 4 on this machine.
3. Environments: building a venv with uv from a tiny local wheel the first time, through
   pipeyard and by hand (`uv venv` + `uv pip install`), and reusing it (realising the
   environment of a step whose venv exists). Target: reuse < 50 ms per step.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeyard.executors.base import StepTask
from pipeyard.executors.environments import VenvSpec, ensure_venv, realise_environments, uv_command
from pipeyard.executors.local import LocalExecutor
from pipeyard.model import Capacity, Stage
from pipeyard.testing.wheels import tiny_wheel

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work" / "ray"
STEPS = 100


def dispatch(make, root: Path) -> tuple[float, float]:
    """(seconds per step one after another, seconds per step all at once) for STEPS `true` steps."""
    executor = make()
    try:

        def task(i: int) -> StepTask:
            return StepTask(name=f"s{i}", command="true", cwd=root, log_path=root / "logs" / f"s{i}.log")

        executor.submit(task(-1)).result()  # warm: workers started, modules imported
        start = time.perf_counter()
        for i in range(STEPS):
            assert executor.submit(task(i)).result().ok
        sequential = (time.perf_counter() - start) / STEPS
        start = time.perf_counter()
        futures = [executor.submit(task(i)) for i in range(STEPS)]
        assert all(f.result().ok for f in futures)
        concurrent = (time.perf_counter() - start) / STEPS
        return sequential, concurrent
    finally:
        executor.shutdown()


def part_dispatch() -> None:
    import ray

    from pipeyard.executors.ray_executor import RayExecutor

    root = WORK / "dispatch"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    capacity = Capacity(cpus=2, memory_mb=0)
    local = dispatch(lambda: LocalExecutor(capacity), root)
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    start = time.perf_counter()
    ray.init(
        address="local", num_cpus=2, include_dashboard=False, log_to_driver=False, logging_level="warning"
    )
    started = time.perf_counter() - start
    on_ray = dispatch(lambda: RayExecutor(), root)
    ray.shutdown()
    print(
        f"1. dispatch of {STEPS} trivial steps (2 CPUs; embedded Ray started in {started:.1f} s, not counted)"
    )
    for label, i in (("one after another", 0), ("all at once", 1)):
        print(
            f"   {label:<17}  local {local[i] * 1000:7.1f} ms/step   ray {on_ray[i] * 1000:7.1f} ms/step"
            f"   ratio ray/local {on_ray[i] / local[i]:5.2f}x"
        )


def wide_project(root: Path, width: int, sleep: float) -> None:
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    (root / "components").mkdir()
    (root / "components" / "nap.yml").write_text(
        "type: command\nname: nap\nversion: '1'\ninputs:\n  i: {type: integer}\n  s: {type: number}\n"
        "outputs:\n  out: {type: uri_folder}\n"
        "command: sleep ${{inputs.s}} && mkdir -p ${{outputs.out}} && echo ${{inputs.i}} > ${{outputs.out}}/i.txt\n"
    )
    jobs = "".join(
        f"  nap{i}:\n    type: command\n    component: ./components/nap.yml\n    inputs: {{i: {i}, s: {sleep}}}\n"
        for i in range(width)
    )
    (root / "pipeline.yml").write_text(f"type: pipeline\njobs:\n{jobs}")
    env = {**os.environ, "DVC_NO_ANALYTICS": "1"}
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(
        [sys.executable, "-m", "pipeyard", "init"], cwd=root, check=True, env=env, capture_output=True
    )
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(
        ["git", "commit", "-q", "-m", "wide"],
        cwd=root,
        check=True,
        env={
            **env,
            "GIT_AUTHOR_NAME": "bench",
            "GIT_AUTHOR_EMAIL": "b@x",
            "GIT_COMMITTER_NAME": "bench",
            "GIT_COMMITTER_EMAIL": "b@x",
        },
    )


def part_wide(width: int, sleep: float) -> None:
    from pipeyard.testing.ray_fixtures import TwoNodeCluster

    root = WORK / "wide"
    wide_project(root, width, sleep)
    local_root = WORK / "wide-local"
    wide_project(local_root, width, sleep)
    local = subprocess.run(
        [sys.executable, "-m", "pipeyard", "run", "--cpus", "4", "--json"],
        cwd=local_root,
        capture_output=True,
        text=True,
        env={**os.environ, "DVC_NO_ANALYTICS": "1"},
        timeout=600,
        check=False,
    )
    local_s = json.loads(local.stdout)["duration_s"] if local.returncode == 0 else float("nan")
    start = time.perf_counter()
    cluster = TwoNodeCluster()
    started = time.perf_counter() - start
    try:
        begin = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pipeyard",
                "run",
                "--executor",
                "ray",
                "--address",
                cluster.address,
                "--json",
            ],
            cwd=root,
            capture_output=True,
            text=True,
            env={**cluster.env, "DVC_NO_ANALYTICS": "1"},
            timeout=600,
            check=False,
        )
        wall = time.perf_counter() - begin
    finally:
        cluster.stop()
    if done.returncode != 0:
        print(done.stdout, done.stderr)
        raise SystemExit("the wide run failed")
    result = json.loads(done.stdout)
    ideal = math.ceil(width / 4) * sleep
    nodes = {s["node"]["node_id"][:8] for s in result["steps"].values()}
    print(
        f"2. wide DAG: {width} steps sleeping {sleep:g} s on 2 nodes x 2 CPUs (cluster started in {started:.0f} s)"
    )
    print(
        f"   run {result['duration_s']:.2f} s (whole command {wall:.2f} s) against ideal {ideal:.2f} s:"
        f" ratio {result['duration_s'] / ideal:.2f}x (target <= 1.3x); steps ran on {len(nodes)} node(s)"
    )
    print(
        f"   the same DAG with the local executor on 4 declared CPUs: {local_s:.2f} s, ratio {local_s / ideal:.2f}x"
    )


def part_environments() -> None:
    if uv_command() is None:
        print("3. environments: skipped, uv is not installed")
        return
    root = Path(tempfile.mkdtemp(prefix="pipeyard-envbench-"))
    try:
        wheel = tiny_wheel(root / "wheels")
        requirement = f"pipeyard-tiny @ {wheel.as_uri()}"
        os.environ["PIPEYARD_ENV_CACHE"] = str(root / "cache")
        start = time.perf_counter()
        folder = ensure_venv(VenvSpec(python=None, requirements=(requirement,)))
        first = time.perf_counter() - start
        by_hand = root / "by-hand"
        start = time.perf_counter()
        subprocess.run([uv_command(), "venv", "--quiet", str(by_hand)], check=True)
        subprocess.run(
            [
                uv_command(),
                "pip",
                "install",
                "--quiet",
                "--python",
                str(by_hand / "bin" / "python"),
                requirement,
            ],
            check=True,
        )
        manual = time.perf_counter() - start
        project = root / "project"
        (project / "env").mkdir(parents=True)
        (project / "env" / "conda.yml").write_text(f"dependencies:\n  - pip:\n    - {requirement}\n")
        stage = Stage(name="s", commands=("true",), environment='{"conda_file":"env/conda.yml"}')
        notes: list[str] = []
        realise_environments([stage], project, "isolated", notes.append)  # builds (python None: current)
        times = []
        for _ in range(100):
            start = time.perf_counter()
            realise_environments([stage], project, "isolated", notes.append)
            times.append(time.perf_counter() - start)
        reuse = statistics.median(times)
        print("3. environments (a venv with one tiny local wheel, uv)")
        print(
            f"   first build through pipeyard {first:.2f} s; the same venv by hand with uv {manual:.2f} s:"
            f" ratio {first / manual:.2f}x"
        )
        print(
            f"   reuse per step (median of 100) {reuse * 1000:.2f} ms, max {max(times) * 1000:.2f} ms"
            f" (target < 50 ms); venv at {folder.name}"
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)


def main() -> int:
    """Run the parts asked for and print their figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-cluster", action="store_true", help="skip the two-node wide DAG")
    parser.add_argument("--width", type=int, default=16, help="steps in the wide DAG (default 16)")
    parser.add_argument("--sleep", type=float, default=2.0, help="seconds each wide step sleeps (default 2)")
    args = parser.parse_args()
    part_dispatch()
    if not args.skip_cluster:
        part_wide(args.width, args.sleep)
    part_environments()
    return 0


if __name__ == "__main__":
    sys.exit(main())
