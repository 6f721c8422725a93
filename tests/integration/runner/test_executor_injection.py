"""A run takes its executor from RunOptions when the caller passes one, and reads pipeyard.yaml once."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import Future

from pipeyard import session
from pipeyard.config import project as project_config
from pipeyard.executors.base import Executor, StepResult, StepTask
from pipeyard.executors.local import LocalExecutor
from pipeyard.model import Capacity

PIPELINE = """
type: pipeline
jobs:
  hello:
    type: command
    component:
      type: command
      name: hello
      outputs:
        greeting: {type: uri_file}
      command: echo hi > ${{outputs.greeting}}
    outputs:
      greeting: {path: ./out/greeting.txt}
"""


class CountingExecutor:
    """A local executor that notes the tasks it was given."""

    def __init__(self, capacity: Capacity) -> None:
        self.inner = LocalExecutor(capacity)
        self.name = "counting"
        self.capacity = capacity
        self.tasks: list[str] = []

    def submit(self, task: StepTask) -> Future[StepResult]:
        self.tasks.append(task.name)
        return self.inner.submit(task)

    def cancel_all(self) -> None:
        self.inner.cancel_all()

    def shutdown(self) -> None:
        self.inner.shutdown()


def test_the_run_uses_the_injected_executor_and_reads_pipeyard_yaml_once(project, monkeypatch):
    root = project({"pipeline.yml": PIPELINE, "pipeyard.yaml": "capacity: {cpus: 2}\n"})
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    session.init(root)
    reads = []
    real = project_config.load_project_config
    loaded = session.load(root)  # imports every module a run uses
    for module in [m for name, m in sys.modules.items() if name.startswith("pipeyard.")]:
        if getattr(module, "load_project_config", None) is real:
            monkeypatch.setattr(module, "load_project_config", lambda r: reads.append(r) or real(r))
    made: list[CountingExecutor] = []

    def factory(capacity: Capacity) -> Executor:
        made.append(CountingExecutor(capacity))
        return made[0]

    loaded = session.load(root)
    summary = session.run(loaded, session.RunOptions(executor_factory=factory), lambda event: None)
    assert summary.status == "succeeded" and summary.steps["hello"].executor == "counting"
    assert made and made[0].tasks == ["hello"] and made[0].capacity.cpus == 2
    assert (root / "out" / "greeting.txt").read_text().strip() == "hi"
    assert len(reads) == 1  # by load; the run uses loaded.project
