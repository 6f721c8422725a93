"""Faults: a killed run leaves nothing running and nothing half-recorded; DVC and pipeyard
take turns; `compile` waits its turn; a killed sweep is cleaned up by the next one.

Each kill test makes PIPEYARD_FAULT_ITERATIONS trials (default 1) at seeded random moments;
bench/faults.py runs the full count.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from run_events import wait_until

from pipeyard.runner.lock import LOCK_FILE
from pipeyard.testing.faults import (
    KILL_DEADLINE_S,
    command,
    copy_project,
    environment,
    inspect,
    kill_marked,
    kill_trial,
    make_fault_project,
    marked,
    race_trial,
    survivors,
)
from pipeyard.testing.projects import cli_argv

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="process checks read /proc"),
]
ITERATIONS = int(os.environ.get("PIPEYARD_FAULT_ITERATIONS", "1"))
SEED = int(os.environ.get("PIPEYARD_FAULT_SEED", "7"))


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return make_fault_project(tmp_path_factory.mktemp("faults") / "template")


def _run_lock_holder(root: Path) -> int | None:
    """The pid `.pipeyard/run.lock` names, None while no run holds it."""
    line = (root / LOCK_FILE).read_text().split() if (root / LOCK_FILE).exists() else []
    return int(line[0]) if line else None


@pytest.mark.parametrize("target", ["pid", "group"])
def test_a_killed_run_leaves_nothing_running_and_the_next_run_finishes_its_work(template, tmp_path, target):
    rng = random.Random(f"{SEED}-{target}")
    for i in range(ITERATIONS):
        trial = kill_trial(template, tmp_path / f"trial-{i}", rng, target)
        assert trial.ok, trial


def test_dvc_repro_beside_pipeyard_run_never_records_a_partial_output(template, tmp_path):
    rng = random.Random(f"{SEED}-race")
    for i in range(ITERATIONS):
        trial = race_trial(template, tmp_path / f"race-{i}", rng)
        assert trial.ok, trial


DVC_HOLDER = textwrap.dedent(
    """
    import sys
    from dvc.lock import make_lock
    lock = make_lock(".dvc/tmp/lock", tmp_dir=".dvc/tmp", hardlink_lock=False)
    lock.lock()
    print("locked", flush=True)
    sys.stdin.read()
    lock.unlock()
    """
)


def test_a_run_refuses_in_one_line_while_dvc_holds_the_lock_and_waits_when_asked(template, tmp_path):
    root = copy_project(template, tmp_path / "project")
    holder = subprocess.Popen(
        [sys.executable, "-c", DVC_HOLDER], cwd=root, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        refused = command(root, "pipeyard", "run")
        assert refused.returncode == 2, refused.stderr
        assert "Traceback" not in refused.stderr
        errors = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and errors[0].startswith(f"error: a DVC command (pid {holder.pid}")
        assert "holds this repository's lock (.dvc/tmp/lock)" in errors[0]
        assert not (root / "dvc.lock").exists()
        waiting = subprocess.Popen(
            cli_argv("pipeyard", "run", "--wait"),
            cwd=root,
            env=environment(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        # it takes pipeyard's run lock first, then waits for DVC's
        wait_until(
            lambda: _run_lock_holder(root) == waiting.pid,
            "the waiting run to take pipeyard's run lock",
            waiting,
        )
        assert waiting.poll() is None  # still waiting for DVC
        assert not (root / "dvc.lock").exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    _, stderr = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, stderr
    assert len(inspect(root).sound) == 6


def test_hardlink_lock_is_refused_in_one_clear_line(template, tmp_path):
    root = copy_project(template, tmp_path / "project")
    assert command(root, "dvc", "config", "core.hardlink_lock", "true").returncode == 0
    refused = command(root, "pipeyard", "run")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    errors = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "core.hardlink_lock, which pipeyard does not support" in errors[0]


def test_compile_refuses_while_a_run_is_active(template, tmp_path):
    root = copy_project(template, tmp_path / "project")
    params = (root / "params.yaml").read_text()
    token = f"compile-{os.getpid()}"
    run = subprocess.Popen(
        cli_argv("pipeyard", "run", "prepare.message=changed"),
        cwd=root,
        env={**environment(token), "FAULT_PAUSE_S": "0.4"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_until(
            lambda: (root / "outputs" / "prepare" / "out" / "part-0.txt").exists(), "the first step", run
        )
        refused = command(root, "pipeyard", "compile")
        assert refused.returncode == 2 and "Traceback" not in refused.stderr
        errors = [line for line in refused.stderr.splitlines() if line.startswith("error:")]
        assert len(errors) == 1 and f"another pipeyard run (pid {run.pid}, started " in errors[0]
        assert "then run `pipeyard compile` again" in refused.stderr
        _, stderr = run.communicate(timeout=120)
        assert run.returncode == 0, stderr
        assert (root / "params.yaml").read_text() != params  # the run's values, not reset under it
        assert "changed" in (root / "params.yaml").read_text()
    finally:
        if run.poll() is None:
            run.kill()
        kill_marked(token)


def test_a_killed_sweep_leaves_no_worktree_or_worker_once_the_next_command_runs(template, tmp_path):
    root = copy_project(template, tmp_path / "project")
    token = f"sweep-{os.getpid()}"
    sweep = subprocess.Popen(
        cli_argv("pipeyard", "run", "-m", "left.message=a,b"),
        cwd=root,
        env={**environment(token), "FAULT_PAUSE_S": "0.5"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    sweeps = root / ".pipeyard" / "sweeps"
    try:
        wait_until(lambda: any(sweeps.glob("*/point-*/**/part-0.txt")), "a point's step to write", sweep)
        assert any("pipeyard.sweeps.worker" in " ".join(p.cmdline()) for p in marked(token))
        os.kill(sweep.pid, signal.SIGKILL)
        sweep.wait(timeout=30)
        alive = survivors(token)
        assert not alive, f"{len(alive)} processes outlived the sweep by {KILL_DEADLINE_S}s"
        assert list(sweeps.glob("*/point-*"))  # what the next sweep has to clean
    finally:
        kill_marked(token)
    following = command(root, "pipeyard", "status", token=token + "-next", timeout=300)  # any command cleans
    kill_marked(token + "-next")
    assert following.returncode == 0, following.stderr
    assert not list(sweeps.glob("*/point-*")) and not list(sweeps.glob("*/.sweep.lock"))
    listed = command(root, "git", "worktree", "list", "--porcelain").stdout
    assert listed.count("worktree ") == 1, listed
