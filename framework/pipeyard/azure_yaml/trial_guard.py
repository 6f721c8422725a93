"""Runs one sweep trial and stops it early when the sweep's ``early_termination`` policy says so.

Run as ``python -m pipeyard.azure_yaml.trial_guard --policy JSON --goal G --metric M --store
STORE [--peer STORE]... [--folder PATH]... [--file PATH]... -- COMMAND`` (the scheduler wraps a
trial's command so when its sweep has a policy; runner.groups). The command runs in a shell of
its own process group. Each time the trial logs the primary metric (an interval), the guard
reads its MLflow store and the stores of the other trials of this run, and applies the policy
(azure_yaml.termination). A trial that must stop is terminated (SIGTERM, then SIGKILL), an
``early_terminated.json`` beside its store says why, outputs it had not written yet are
created empty, and the guard exits 0: the trial ends as Azure ML ends it, and the step that
picks the best trial does not pick it.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from ..mlflow_store import metric_history
from .termination import Policy, should_stop

_LIBC = ctypes.CDLL(None) if sys.platform.startswith("linux") else None
MARKER = "early_terminated.json"
POLL_S = 0.25
GRACE_S = 10.0


def terminated_reason(tracking_output: Path) -> str | None:
    """Why the trial whose tracking output this is was stopped early, or None."""
    try:
        return json.loads((Path(tracking_output) / MARKER).read_text()).get("reason")
    except (OSError, ValueError, AttributeError):
        return None


def main(argv: list[str] | None = None) -> int:
    """The trial's exit status; 0 when the policy stopped it."""
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    parser = argparse.ArgumentParser(prog="trial_guard")
    parser.add_argument("--policy", required=True)
    parser.add_argument("--goal", choices=("maximize", "minimize"), required=True)
    parser.add_argument("--metric", required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--peer", action="append", default=[])
    parser.add_argument("--folder", action="append", default=[])
    parser.add_argument("--file", action="append", default=[])
    args = parser.parse_args(argv[:split])
    command = " ".join(argv[split + 1 :])
    policy = Policy(**json.loads(args.policy))
    # a process group of its own (os.setpgid in the child: Popen's process_group needs 3.11)
    child = subprocess.Popen(["/bin/sh", "-c", command], preexec_fn=_own_group)  # noqa: PLW1509

    def forward(signum, _frame):
        _signal(child, signum)

    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, forward)
    store, seen = Path(args.store), 0
    while child.poll() is None:
        time.sleep(POLL_S)
        own = metric_history(store, args.metric)
        if len(own) <= seen:
            continue
        peers = [metric_history(Path(p), args.metric) for p in args.peer]
        reason = next(
            (
                r
                for k in range(seen + 1, len(own) + 1)
                if (r := should_stop(policy, args.goal, own[:k], peers))
            ),
            None,
        )
        seen = len(own)
        if reason is not None and child.poll() is None:
            _stop(child)
            _finish(store.parent, reason, args.folder, args.file)
            print(f"early termination: {reason}; the trial was stopped", flush=True)
            return 0
    code = child.returncode
    return code if code >= 0 else 128 - code


def _own_group() -> None:
    os.setpgid(0, 0)
    if _LIBC is not None:  # the trial ends with the guard, even one killed without a chance to forward
        _LIBC.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _signal(child: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(child.pid, signum)
    except ProcessLookupError:
        pass


def _stop(child: subprocess.Popen) -> None:
    _signal(child, signal.SIGTERM)
    try:
        child.wait(timeout=GRACE_S)
    except subprocess.TimeoutExpired:
        _signal(child, signal.SIGKILL)
        child.wait()
    _signal(child, signal.SIGKILL)  # what it left running in its group


def _finish(tracking_output: Path, reason: str, folders: list[str], files: list[str]) -> None:
    tracking_output.mkdir(parents=True, exist_ok=True)
    (tracking_output / MARKER).write_text(json.dumps({"reason": reason}, indent=2) + "\n")
    for folder in folders:
        Path(folder).mkdir(parents=True, exist_ok=True)
    for file in files:
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        Path(file).touch()


if __name__ == "__main__":
    sys.exit(main())
