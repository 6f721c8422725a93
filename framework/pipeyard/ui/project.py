"""The project as the page sees it: its graph with each step's state, and one step in detail.

The pipeline is loaded through the session (as `pipeyard status` does) and kept until one of
its source files changes; nothing here takes the run lock, so a run from the terminal is
never blocked by an open page. Step states:

    up_to_date, stale          what `pipeyard status` says when no run is going on
    queued, running, ran,      what the newest run's events say while it runs
    cached, restored, failed, skipped
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import session as sess
from ..errors import PipeyardError
from ..model import OutputRole
from ..model.project_layout import PARAMS_FILE
from ..runner.eventlog import EVENTS_FILE, read_events
from ..runner.lock import LOCK_FILE
from ..runner.records import RUNS_DIR, flatten, list_records, read_metrics
from .security import PathRefused, inside_project

WATCHED_DIRS = ("components", "conf")
WATCHED_SUFFIXES = (".yml", ".yaml", ".py")
GROUP_SEPARATOR = "/"
LOG_TAIL_LINES = 60
_STATUS_STATE = {"skip": "up_to_date", "restore": "stale", "run": "stale"}


def pipeline_signature(root: Path) -> tuple[tuple[str, int], ...]:
    """(path, mtime) of the files a pipeline is read from: pipeline.*, conf/, components/, pipeyard.yaml."""
    found = []
    for entry in os.scandir(root):
        if entry.is_file() and (entry.name.startswith("pipeline.") or entry.name == "pipeyard.yaml"):
            found.append((entry.name, entry.stat().st_mtime_ns))
    for folder in WATCHED_DIRS:
        base = Path(root) / folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not d.startswith(".") and d != "__pycache__"]
            for name in filenames:
                if name.endswith(WATCHED_SUFFIXES):
                    path = os.path.join(dirpath, name)
                    found.append((os.path.relpath(path, root), os.stat(path).st_mtime_ns))
    return tuple(sorted(found))


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def run_folders(root: Path, after: str = "") -> list[str]:
    """The ids of the runs that have an events file, oldest first; only those after `after` when given."""
    base = Path(root) / RUNS_DIR
    try:
        names = sorted(e.name for e in os.scandir(base) if e.name > after and e.is_dir())
    except OSError:
        return []
    return [n for n in names if (base / n / EVENTS_FILE).is_file()]


def newest_run(root: Path) -> str | None:
    """The id of the newest run that has an events file, or None."""
    base = Path(root) / RUNS_DIR
    try:
        names = sorted((e.name for e in os.scandir(base) if e.is_dir()), reverse=True)
    except OSError:
        return None
    return next((n for n in names if (base / n / EVENTS_FILE).is_file()), None)


def live_run(root: Path) -> tuple[str, list[dict[str, Any]]] | None:
    """The newest run's id and events when it has not finished yet, else None."""
    run_id = newest_run(root)
    if run_id is None:
        return None
    events = [e for _, e in read_events(Path(root) / RUNS_DIR / run_id / EVENTS_FILE)]
    if any(e.get("type") == "RunFinished" for e in events) or not run_lock_holder_alive(root):
        return None  # finished, or killed before it could say so
    return run_id, events


def run_lock_holder_alive(root: Path) -> bool:
    """True when the process the run lock file names is alive; read only, never locking."""
    try:
        pid = int((Path(root) / LOCK_FILE).read_text(encoding="utf-8").split()[0])
        os.kill(pid, 0)
    except PermissionError:
        return True  # alive, another user's
    except (OSError, ValueError, IndexError):
        return False
    return True


def states_from_events(events: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Step name -> {state, reasons, executor, duration_s, log_path} after the events, in order."""
    steps: dict[str, dict[str, Any]] = {}
    for event in events:
        kind = event.get("type")
        if kind == "RunStarted":
            for name in event.get("steps") or ():
                steps[name] = {"state": "queued"}
        elif kind == "StepQueued":
            steps.setdefault(event["name"], {})["state"] = "queued"
        elif kind == "StepStarted":
            step = steps.setdefault(event["name"], {})
            step.update(state="running", executor=event.get("executor"), attempt=event.get("attempt"))
        elif kind == "StepFinished":
            step = steps.setdefault(event["name"], {})
            step.update(
                state=event.get("status"),
                reasons=event.get("reasons") or [],
                duration_s=event.get("duration_s"),
                log_path=event.get("log_path"),
            )
    return steps


@dataclass
class _Cached:
    signature: tuple
    loaded: sess.Loaded | None
    error: str | None


class ProjectView:
    """One project, read for the page; safe to share between the server's threads."""

    def __init__(self, root: Path, pipeline_file: str | None = None) -> None:
        self.root = Path(root).resolve()
        self.pipeline_file = pipeline_file
        self._cached: _Cached | None = None
        self._lock = threading.Lock()

    def loaded(self) -> tuple[sess.Loaded | None, str | None]:
        """The loaded pipeline (or None) and the error that stopped it loading (or None)."""
        signature = (
            pipeline_signature(self.root),
            _mtime(self.root / PARAMS_FILE),
        )  # a run rewrites params.yaml
        with self._lock:
            if self._cached is None or self._cached.signature != signature:
                try:
                    loaded, error = sess.load(self.root, self.pipeline_file), None
                except PipeyardError as failure:
                    loaded, error = None, failure.format()
                self._cached = _Cached(signature, loaded, error)
            return self._cached.loaded, self._cached.error

    def graph(self) -> dict[str, Any]:
        """The nodes, edges and groups of the pipeline, each node with its current state."""
        loaded, error = self.loaded()
        if loaded is None:
            return {"nodes": [], "edges": [], "error": error, "run": None}
        stages = loaded.compiled.stages
        try:
            states = {
                s.name: {"state": _STATUS_STATE[s.action], "reasons": list(s.reasons)}
                for s in sess.status(loaded)
            }
        except PipeyardError as failure:
            states, error = {}, failure.format()
        live = live_run(self.root)
        if live is not None:
            states.update(states_from_events(live[1]))
        nodes = []
        for stage in stages:
            state = states.get(stage.name, {})
            nodes.append(
                {
                    "id": stage.name,
                    "group": stage.name.rsplit(GROUP_SEPARATOR, 1)[0]
                    if GROUP_SEPARATOR in stage.name
                    else None,
                    "component": _component_of(loaded, stage.name),
                    "state": state.get("state", "stale"),
                    "reasons": state.get("reasons", []),
                }
            )
        edges = [[up, stage.name] for stage in stages for up in stage.upstream]
        return {
            "pipeline": loaded.source,
            "nodes": nodes,
            "edges": edges,
            "error": error,
            "run": live[0] if live else None,
        }

    def step(self, name: str) -> dict[str, Any] | None:
        """One step in detail: why it ran, its log tail, outputs, metrics, parameters; None if unknown."""
        loaded, _ = self.loaded()
        if loaded is None:
            return None
        stages = {s.name: s for s in loaded.compiled.stages}
        stage = stages.get(name)
        if stage is None:
            return None
        last = self._last_result(name)
        params = flatten({key: _lookup(loaded.compiled.params, key) for key in stage.params})
        outputs = [_output(self.root, o.path, o.role.value) for o in stage.outs]
        metric_files = [o.path for o in stage.outs if o.role == OutputRole.METRICS]
        return {
            "name": name,
            "component": _component_of(loaded, name),
            "command": " && ".join(stage.commands),
            "upstream": list(stage.upstream),
            "downstream": [s.name for s in stages.values() if name in s.upstream],
            "params": params,
            "deps": list(stage.deps),
            "outputs": outputs,
            "metrics": read_metrics(self.root, metric_files),
            "last": last,
            "log_tail": self._log_tail(last.get("log_path") if last else None),
        }

    def _last_result(self, name: str) -> dict[str, Any] | None:
        """What the newest run that touched the step says of it: live events first, then records."""
        live = live_run(self.root)
        if live is not None:
            state = states_from_events(live[1]).get(name)
            if state:
                return {"run_id": live[0], "status": state.get("state"), **state}
        for record in list_records(self.root, limit=20):
            step = record.steps.get(name)
            if step is not None:
                given = step.get("node")
                node: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
                return {
                    "run_id": record.run_id,
                    "commit": record.commit,
                    **dict(step),
                    "host": node.get("host"),
                    "node_id": node.get("node_id"),
                }
        return None

    def _log_tail(self, log_path: str | None) -> str:
        if not log_path:
            return ""
        try:
            path = inside_project(self.root, log_path)
            lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
        except (PathRefused, OSError):
            return ""
        return "\n".join(lines[-LOG_TAIL_LINES:])


def _component_of(loaded: sess.Loaded, name: str) -> str | None:
    try:
        return loaded.pipeline.job(name).component.name
    except (KeyError, PipeyardError, AttributeError):
        return None


def _lookup(params: Mapping[str, Any], key: str) -> Any:
    if key in params:
        return params[key]
    node: Any = params
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def _output(root: Path, path: str, role: str) -> dict[str, Any]:
    target = Path(root) / path
    exists = target.exists()
    size = None
    if target.is_file():
        size = target.stat().st_size
    elif target.is_dir():
        size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    return {"path": path, "role": role, "exists": exists, "size": size, "is_dir": target.is_dir()}
