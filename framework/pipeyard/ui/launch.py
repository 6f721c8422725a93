"""Runs started from the page: `pipeyard run` in a child process, the same as from a terminal.

The child writes its run's events where a terminal run does, so the page follows both alike.
Its own output goes to `.pipeyard/ui/launch-<n>.log`; when it ends, the page is told its exit
code and the last lines of that output (why a run that never started did not: the run lock
was held, the pipeline does not load).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..runner.records import RUNS_DIR

LAUNCH_DIR = RUNS_DIR.parent / "ui"
OVERRIDE = re.compile(r"^[A-Za-z0-9_+~][A-Za-z0-9_.+~/@\-\[\]]*=[^\n\r\x00]*$")
TAIL_LINES = 20


class BadOverride(ValueError):
    """An override that is not KEY=VALUE (or that would read as a command-line option)."""


@dataclass
class Launch:
    """One run started from the page."""

    number: int
    process: subprocess.Popen
    log: Path
    started: float = field(default_factory=time.time)

    def summary(self) -> dict[str, Any]:
        """What the page is told when it ends."""
        try:
            tail = self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-TAIL_LINES:]
        except OSError:
            tail = []
        return {"launch": self.number, "returncode": self.process.returncode, "output_tail": "\n".join(tail)}


class Launcher:
    """Starts runs and remembers, in order, which have ended."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._launches: list[Launch] = []
        self._ended: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def start(self, overrides: list[str]) -> Launch:
        """Start `pipeyard run -- OVERRIDES` in the project; BadOverride for a malformed one."""
        for item in overrides:
            if not isinstance(item, str) or not OVERRIDE.match(item):
                raise BadOverride(f"not an override (KEY=VALUE): {item!r}")
        folder = self.root / LAUNCH_DIR
        folder.mkdir(parents=True, exist_ok=True)
        with self._lock:
            number = len(self._launches) + 1
            log = folder / f"launch-{number}.log"
            with open(log, "wb") as output:
                process = subprocess.Popen(
                    [sys.executable, "-m", "pipeyard.cli.main", "run", "--", *overrides],
                    cwd=self.root,
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    env={**os.environ, "PYTHONUNBUFFERED": "1"},
                )
            launch = Launch(number, process, log)
            self._launches.append(launch)
        threading.Thread(target=self._wait, args=(launch,), daemon=True).start()
        return launch

    def _wait(self, launch: Launch) -> None:
        launch.process.wait()
        with self._lock:
            self._ended.append(launch.summary())

    def ended_since(self, seen: int) -> tuple[int, list[dict[str, Any]]]:
        """(how many have ended, those after the first seen); seen=-1 asks only for the count."""
        with self._lock:
            count = len(self._ended)
            return count, ([] if seen < 0 else list(self._ended[seen:]))
