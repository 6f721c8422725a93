"""Worker processes of a sweep: each runs points' pipelines, one run at a time.

    python -m pipeyard.sweeps.worker      reads "SPEC<TAB>RESULT" lines on stdin

SPEC is a pickle of {"loaded": session.Loaded, "options": session.RunOptions}: a point's
pipeline already loaded and compiled by the sweep, with its root at the point's worktree and
only the steps to run. For each line the worker runs it, writes {"run_id", "status"} or
{"error"} as JSON to RESULT and answers the exit code `pipeyard run` would give on stdout.
The run's record is in <root>/.pipeyard/runs/<run_id>/.

A process per slot keeps each run's runner to itself (its signal handling: Ctrl-C stops its
steps and records what finished; the libraries' module-level state), and starting one per
slot rather than per run pays Python's start-up once.
"""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from pathlib import Path
from typing import IO

from .. import session
from ..errors import EXIT_INTERRUPTED, EXIT_STEP_FAILED, Interrupted, PipeyardError
from ..executors.local import parent_death_signal


def write_spec(path: Path, loaded: session.Loaded, options: session.RunOptions) -> None:
    """Write the spec of one run for a worker."""
    path.write_bytes(pickle.dumps({"loaded": loaded, "options": options}))


def run_one(spec_path: Path, result_path: Path) -> int:
    """Make the run spec_path describes; write its result; return the exit code."""
    spec = pickle.loads(spec_path.read_bytes())  # written by the sweep, in its own folder
    try:
        summary = session.run(spec["loaded"], spec["options"], lambda event: None)
        result = {"run_id": summary.run_id, "status": summary.status}
        code = 0 if summary.status == "succeeded" else EXIT_STEP_FAILED
    except (Interrupted, KeyboardInterrupt):
        result, code = {"error": "interrupted"}, EXIT_INTERRUPTED
    except PipeyardError as error:
        result, code = {"error": error.format()}, error.exit_code
    result_path.write_text(json.dumps(result), encoding="utf-8")
    return code


def serve(requests: IO[str], answers: IO[str]) -> None:
    """Run each requested spec in turn until requests end."""
    for line in requests:
        spec, result = line.rstrip("\n").split("\t")
        answers.write(f"{run_one(Path(spec), Path(result))}\n")
        answers.flush()


class Worker:
    """The sweep's side of one worker process; not thread-safe (one run at a time).

    On Linux the worker gets SIGKILL when the sweep dies (the death signal belongs to the
    thread that made the Worker: make it on the sweep's main thread); its executor's watchdog
    then ends its steps. Elsewhere a killed sweep's workers are ended by the next sweep
    (`worktrees.remove_stale_sweeps`).
    """

    def __init__(self, log: Path) -> None:
        self.log = log
        self._log_handle = open(log, "ab")  # noqa: SIM115 - closed in close()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pipeyard.sweeps.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log_handle,
            text=True,
            # prctl is resolved before the fork; the child calls no import machinery or locks
            preexec_fn=parent_death_signal(),  # noqa: PLW1509
        )

    def run(self, spec: Path, result: Path) -> int | None:
        """Make one run; its exit code, or None when the worker process died."""
        assert self.process.stdin is not None and self.process.stdout is not None  # both are pipes
        try:
            self.process.stdin.write(f"{spec}\t{result}\n")
            self.process.stdin.flush()
            answer = self.process.stdout.readline()
        except (BrokenPipeError, OSError):
            return None
        try:
            return int(answer)
        except ValueError:
            return None

    def last_words(self, lines: int = 15) -> str:
        """The end of what the worker wrote on stderr (a traceback when it died)."""
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.strip().splitlines()[-lines:])

    def close(self) -> None:
        """Let the worker finish and wait for it."""
        try:
            if self.process.stdin is not None:
                self.process.stdin.close()
        except OSError:
            pass
        self.process.wait()
        self._log_handle.close()


def _main() -> int:
    # answers go to the original stdout; anything else written there goes to stderr (the log)
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    try:
        serve(sys.stdin, answers)
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(_main())
