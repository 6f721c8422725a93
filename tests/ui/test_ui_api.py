"""The JSON API and the event stream of a real `pipeyard ui` server.

Server-sent events resume after a reconnect (Last-Event-ID) without losing or repeating one;
the history works from a fresh clone (runs come from git notes, no local state); compare gives
the graph diff with parameters and metrics side by side; sweeps come back as ranked tables.
"""

from __future__ import annotations

import http.client
import json
import time
from pathlib import Path

import pytest
from ui_projects import copy_project, git, pipeyard

from pipeyard.model import Capacity
from pipeyard.runner import events as ev
from pipeyard.runner.eventlog import EventLog
from pipeyard.runner.lock import RunLock

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(ui_example, tmp_path_factory) -> Path:
    return copy_project(ui_example, tmp_path_factory.mktemp("ui-api") / "project")


@pytest.fixture(scope="module")
def server(project, ui_server):
    return ui_server(project)


class Stream:
    """One server-sent events connection, read message by message."""

    def __init__(self, server, path: str, headers: dict[str, str] | None = None) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        self.connection.request("GET", path, headers=headers or {})
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("content-type").startswith("text/event-stream")

    def next_run_events(self, count: int) -> list[tuple[str, dict]]:
        found: list[tuple[str, dict]] = []
        fields: dict[str, str] = {}
        while len(found) < count:
            line = self.response.readline().decode().rstrip("\n")
            if line == "":
                if fields.get("event") == "run":
                    found.append((fields["id"], json.loads(fields["data"])))
                fields = {}
            elif not line.startswith(":") and ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.lstrip()
        return found

    def close(self) -> None:
        self.connection.close()


def test_events_resume_after_a_reconnect_without_loss_or_repeats(server, project):
    cursor = json.loads(server.request("GET", "/api/graph")[1])["cursor"]
    log = EventLog(project, ev.ignore)
    first = Stream(server, f"/api/events?after={cursor}")
    log(ev.RunStarted("29990101-000000-000-aaaa", ("prepare",), Capacity(1.0, 0)))
    log(ev.StepQueued("prepare"))
    got = first.next_run_events(2)
    assert [e["type"] for _, e in got] == ["RunStarted", "StepQueued"]
    first.close()
    log(ev.StepStarted("prepare", "local", ev.Resources()))  # while disconnected
    log(ev.StepFinished("prepare", "ran", 0.1))
    second = Stream(server, f"/api/events?after={cursor}", headers={"Last-Event-ID": got[-1][0]})
    log(ev.RunFinished("succeeded", 0.2, {"ran": 1}))
    resumed = second.next_run_events(3)
    second.close()
    assert [e["type"] for _, e in resumed] == ["StepStarted", "StepFinished", "RunFinished"]
    assert [i for i, _ in resumed] == [f"29990101-000000-000-aaaa:{n}" for n in (2, 3, 4)]


def test_history_reads_git_notes_in_a_fresh_clone(project, ui_server, tmp_path):
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(project), str(clone))
    git(clone, "fetch", "-q", "origin", "refs/notes/*:refs/notes/*")
    assert not (clone / ".pipeyard").exists()
    server = ui_server(clone)
    commits = json.loads(server.request("GET", "/api/history")[1])
    assert [c["subject"] for c in commits] == [
        "lower learning rate",
        "results of the first version",
        "first version",
    ]
    runs = [r for c in commits for r in c["runs"]]
    assert len(runs) == 2 and all(r["in_git"] for r in runs)
    assert any("train.lr: 0.1 -> 0.01" in line for r in runs for line in r["params_changed"])


def test_compare_two_commits(server, project):
    newer, older = git(project, "rev-parse", "HEAD", "HEAD~1").split()
    status, body = server.request("GET", f"/api/compare?a={older}&b={newer}")
    assert status == 200
    diff = json.loads(body)
    assert diff["steps"]["train"]["state"] == "re-runs"
    assert diff["steps"]["train"]["changed"] is False  # its definition is the same; a value changed
    assert diff["steps"]["report"]["state"] == "reused"
    assert sorted(map(tuple, diff["edges"])) == [
        ("prepare", "report"),
        ("prepare", "train"),
        ("train", "evaluate"),
    ]
    lr = next(p for p in diff["params_side_by_side"] if p["key"] == "train.lr")
    assert (lr["a"], lr["b"], lr["changed"]) == (0.1, 0.01, True)
    score = next(m for m in diff["metrics"] if m["key"] == "score")
    assert (score["old"], score["new"]) == (1.0, 0.1)
    assert server.request("GET", "/api/compare?a=nope&b=HEAD")[0] == 400
    assert server.request("GET", "/api/compare?a=HEAD")[0] == 400


def test_sweeps_are_ranked_tables(server, project):
    result = pipeyard(project, "run", "-m", "train.lr=0.2,0.3", timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    deadline = time.monotonic() + 10
    sweeps = []
    while not sweeps and time.monotonic() < deadline:
        sweeps = json.loads(server.request("GET", "/api/sweeps")[1])
    assert len(sweeps) == 1
    sweep = sweeps[0]
    assert "train.lr" in sweep["parameters"] and sweep["sorted_by"] == sweep["metrics"][0]
    lr = sweep["columns"].index("train.lr")
    assert sorted(row[lr] for row in sweep["rows"]) == [0.2, 0.3]
    score = sweep["columns"].index("score")
    assert [row[score] for row in sweep["rows"]] == sorted(
        (row[score] for row in sweep["rows"]), reverse=True
    )


def test_the_server_never_holds_the_run_lock(server, project):
    stream = Stream(server, "/api/events")
    try:
        assert server.request("GET", "/api/graph")[0] == 200
        assert server.request("GET", "/api/steps/train")[0] == 200
        with RunLock(project):  # would raise RepositoryError (busy) if the server held it
            pass
    finally:
        stream.close()


def test_ui_build_holds_every_step_and_the_history(project, tmp_path):
    output = tmp_path / "out" / "report.html"
    result = pipeyard(project, "ui", "build", "-o", str(output))
    assert result.returncode == 0, result.stderr
    text = output.read_text()
    data = json.loads(
        text.split('<script type="application/json" id="pipeyard-data">')[1].split("</script>")[0]
    )
    assert {n["id"] for n in data["graph"]["nodes"]} == {"prepare", "train", "evaluate", "report"}
    assert data["last_run"]["status"] == "succeeded"
    assert [c["subject"] for c in data["history"]][-1] == "first version"
    assert "<script src=" not in text and "<link rel=" not in text  # nothing to fetch
    assert "dagre" in text
