"""`pipeyard ui build`: the graph, the last run and the history in one HTML file.

The file holds its scripts, styles and data inline and fetches nothing, so it opens from
file:// and works as a CI artifact or a pull-request attachment. Each node shows what the
last run did with its step (ran, cached, restored, failed, skipped) and why; a click shows its
details as the live page does (parameters, outputs, metrics, command, log tail).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

from ..errors import PipeyardError
from ..runner.records import list_records
from . import history_view
from .page import exported_page
from .project import ProjectView


def report_data(root: Path, limit: int = 30) -> dict[str, Any]:
    """What the exported page shows: the graph with the last run's states, and the history."""
    root = Path(root).resolve()
    project = ProjectView(root)
    graph = project.graph()
    details = {node["id"]: project.step(node["id"]) for node in graph["nodes"]}
    records = list_records(root, limit=1)
    last = records[0] if records else None
    if last is not None:
        for node in graph["nodes"]:
            step = last.steps.get(node["id"])
            if step is not None:
                node["state"] = step.get("status", node["state"])
                node["reasons"] = list(step.get("reasons") or ())
                node["duration_s"] = step.get("duration_s")
    try:
        history = history_view.timeline(root, limit)
    except PipeyardError:
        history = []
    return {
        "static": True,
        "project": root.name,
        "generated_at": time.time(),
        "graph": graph,
        "details": details,
        "last_run": last.to_dict() if last else None,
        "history": history,
    }


def write_report(root: Path, output: Path, limit: int = 30) -> Path:
    """Write the report file atomically; returns its path."""
    root = Path(root).resolve()
    text = exported_page(root.name, report_data(root, limit))
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=output.parent, prefix=".report-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, output)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return output
