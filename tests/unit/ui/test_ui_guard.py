"""The guard's rules as a pure function of method, headers and query; project paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeyard.ui.security import Guard, PathRefused, inside_project, is_loopback

TOKEN = "t" * 43
LOCAL = Guard.for_address("127.0.0.1", 8765, TOKEN)


def _write(**extra: str) -> dict[str, str]:
    return {"host": "127.0.0.1:8765", "origin": "http://127.0.0.1:8765", "x-pipeyard-token": TOKEN, **extra}


def test_loopback_names_are_answered_others_refused():
    for host in ("127.0.0.1:8765", "localhost:8765", "[::1]:8765"):
        assert LOCAL.check("GET", {"host": host}, "") is None
    for host in ("evil.example:8765", "127.0.0.1:80", "localhost", "", "127.0.0.1.nip.io:8765"):
        assert LOCAL.check("GET", {"host": host}, "")[0] == 403


def test_writes_need_same_origin_and_token():
    assert LOCAL.check("POST", _write(), "") is None
    assert LOCAL.check("POST", _write(origin="http://localhost:8765", host="localhost:8765"), "") is None
    assert LOCAL.check("POST", _write(origin="http://evil.example"), "")[0] == 403
    assert LOCAL.check("POST", _write(origin="http://localhost:8765"), "")[0] == 403  # not the Host asked
    assert LOCAL.check("POST", _write(origin="null"), "")[0] == 403
    assert LOCAL.check("POST", _write(**{"x-pipeyard-token": "wrong"}), "")[0] == 403
    no_token = {k: v for k, v in _write().items() if k != "x-pipeyard-token"}
    assert LOCAL.check("POST", no_token, "")[0] == 403
    assert (
        LOCAL.check("POST", {**no_token, "cookie": f"pipeyard_token={TOKEN}"}, "")[0] == 403
    )  # a cookie is not enough
    referer = {k: v for k, v in _write().items() if k != "origin"}
    assert LOCAL.check("POST", {**referer, "referer": "http://127.0.0.1:8765/#graph"}, "") is None
    assert LOCAL.check("DELETE", referer, "")[0] == 403


def test_a_remote_server_asks_every_request_for_the_token():
    remote = Guard.for_address("192.0.2.10", 9000, TOKEN)
    assert remote.check("GET", {"host": "192.0.2.10:9000"}, "")[0] == 401
    assert remote.check("GET", {"host": "192.0.2.10:9000"}, f"token={TOKEN}") is None
    assert (
        remote.check("GET", {"host": "192.0.2.10:9000", "cookie": f"a=b; pipeyard_token={TOKEN}"}, "") is None
    )
    assert remote.check("GET", {"host": "evil.example:9000"}, f"token={TOKEN}")[0] == 403
    anywhere = Guard.for_address("0.0.0.0", 9000, TOKEN)
    assert anywhere.check("GET", {"host": "build-box:9000"}, f"token={TOKEN}") is None
    assert anywhere.check("GET", {"host": "build-box:9000"}, "")[0] == 401


def test_loopback():
    assert (
        is_loopback("127.0.0.1")
        and is_loopback("::1")
        and is_loopback("localhost")
        and is_loopback("127.1.2.3")
    )
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.1") and not is_loopback("example.com")


def test_paths_stay_inside_the_project(tmp_path: Path):
    root = tmp_path / "project"
    (root / ".git").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "a.csv").write_text("x")
    os.symlink(tmp_path, root / "escape")
    assert inside_project(root, "data/a.csv") == (root / "data" / "a.csv").resolve()
    assert inside_project(root, "data/../data/a.csv") == (root / "data" / "a.csv").resolve()
    for bad in (
        "../x",
        "/etc/passwd",
        "escape/other",
        ".git/config",
        ".dvc/config.local",
        "",
        "a\x00b",
        "data/../../x",
    ):
        with pytest.raises(PathRefused):
            inside_project(root, bad)
