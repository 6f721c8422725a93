"""`pipeyard ui` keeps to its user and its project: raw HTTP requests against a real server.

Foreign Host headers (DNS rebinding) are refused; every request that writes needs the same
origin and the session's token (the designer's routes included, whatever they are); no path
outside the project can be read; a non-loopback address needs --allow-remote and the token.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from ui_projects import copy_project, pipeyard

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def project(ui_example, tmp_path_factory) -> Path:
    root = copy_project(ui_example, tmp_path_factory.mktemp("ui-security") / "project")
    (root / "notes.txt").write_text("inside the project\n")
    outside = root.parent / "secret.txt"
    outside.write_text("outside the project\n")
    os.symlink(outside, root / "link-out.txt")
    return root


@pytest.fixture(scope="module")
def server(project, ui_server):
    return ui_server(project)


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1:1", "attacker.test", ""])
def test_a_foreign_host_header_is_refused(server, host):
    for path in ("/", "/api/graph", "/api/events", "/static/app.js"):
        status, body = server.request("GET", path, headers={"Host": host.format(port=server.port)})
        assert status == 403, (path, status)
        assert b"Host" in body


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost"])
def test_the_loopback_names_are_served(server, name):
    status, body = server.request("GET", "/api/graph", headers={"Host": f"{name}:{server.port}"})
    assert status == 200
    assert {n["id"] for n in json.loads(body)["nodes"]} == {"prepare", "train", "evaluate", "report"}


def test_the_page_carries_a_per_session_token(server):
    assert re.fullmatch(r"[A-Za-z0-9_-]{40,}", server.token)


@pytest.mark.parametrize("path", ["/api/run", "/api/designer/save", "/api/designer/commit", "/api/anything"])
def test_writes_need_the_same_origin_and_the_token(server, path):
    body = json.dumps({"overrides": ["no such override"]}).encode()
    good = server.write_headers()
    attempts = {
        "no origin": {k: v for k, v in good.items() if k != "Origin"},
        "cross origin": {**good, "Origin": "http://evil.example"},
        "cross origin referer": {
            **{k: v for k, v in good.items() if k != "Origin"},
            "Referer": "http://evil.example/x",
        },
        "other port": {**good, "Origin": "http://127.0.0.1:1"},
        "no token": {k: v for k, v in good.items() if k != "X-Pipeyard-Token"},
        "wrong token": {**good, "X-Pipeyard-Token": "guessed"},
    }
    for why, headers in attempts.items():
        for method in ("POST", "PUT", "DELETE"):
            status, _ = server.request(method, path, body, headers)
            assert status == 403, (why, method, status)
    status, answer = server.request("POST", "/api/run", body, good)
    assert status == 400 and b"KEY=VALUE" in answer  # past the guard: refused as a bad override
    referer = {**{k: v for k, v in good.items() if k != "Origin"}, "Referer": server.url}
    assert server.request("POST", "/api/run", body, referer)[0] == 400


def test_an_override_cannot_become_an_option(server):
    for bad in (["--rev=HEAD~1"], ["-f"], ["a=b\nc"], [1]):
        status, _ = server.request(
            "POST", "/api/run", json.dumps({"overrides": bad}).encode(), server.write_headers()
        )
        assert status == 400, bad


@pytest.mark.parametrize(
    "path",
    [
        "../secret.txt",
        "../../etc/passwd",
        "/etc/passwd",
        "%2e%2e/secret.txt",
        "link-out.txt",
        ".git/config",
        ".dvc/config",
        "components/../../secret.txt",
        "",
        "notes.txt%00.png",
    ],
)
def test_no_path_outside_the_project_can_be_read(server, path):
    status, body = server.request("GET", f"/api/file?path={path}")
    assert status in (403, 404), (path, status)
    assert b"outside the project" not in body or status == 403
    assert b"outside the project\n" != body


def test_a_file_inside_the_project_can_be_read(server):
    assert server.request("GET", "/api/file?path=notes.txt") == (200, b"inside the project\n")


def test_static_files_stay_in_the_package(server):
    for path in ("/static/../security.py", "/static/..%2fsecurity.py", "/static/%2e%2e/routes.py"):
        status, body = server.request("GET", path)
        assert status == 404, (path, status)
    assert server.request("GET", "/static/vendor/dagre.min.js")[0] == 200


def test_a_step_name_is_no_path(server):
    assert server.request("GET", "/api/steps/..%2f..%2fetc%2fpasswd")[0] == 404


def test_a_non_loopback_host_needs_allow_remote(project):
    result = pipeyard(project, "ui", "--no-browser", "--host", "0.0.0.0", "--port", "0", timeout=60)
    assert result.returncode == 2
    assert "--allow-remote" in result.stderr


def test_allow_remote_asks_every_request_for_the_token(project, ui_server):
    server = ui_server(project, "--host", "0.0.0.0", "--allow-remote")
    assert server.request("GET", "/")[0] == 401
    assert server.request("GET", "/api/graph")[0] == 401
    status, _ = server.request("GET", f"/?token={'x' * 43}")
    assert status == 401
    connection_headers = {"Host": f"127.0.0.1:{server.port}"}
    status, page = server.request("GET", f"/?token={_token_of(project, server)}", headers=connection_headers)
    assert status == 200 and b"pipeyard-token" in page


def _token_of(project: Path, server) -> str:
    """The token the remote server printed (its first output line)."""
    line = server.process.stdout.readline().decode()
    found = re.search(r"token=([A-Za-z0-9_-]+)", line)
    assert found, line
    return found.group(1)
