"""A real `pipeyard ui` server for tests and benchmarks: the CLI on a free loopback port.

start_server(root, *extra) -> UiServer   starts it and waits until it answers
UiServer.request(...)                     one raw HTTP request (any Host header can be set)
"""

from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

TOKEN = re.compile(r'<meta name="pipeyard-token" content="([^"]+)">')


@dataclass
class UiServer:
    """A running `pipeyard ui` process."""

    root: Path
    port: int
    process: subprocess.Popen
    token: str = ""

    @property
    def url(self) -> str:
        """The address the server prints: http://127.0.0.1:PORT/."""
        return f"http://127.0.0.1:{self.port}/"

    @property
    def origin(self) -> str:
        """The server's own origin."""
        return f"http://127.0.0.1:{self.port}"

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """One raw HTTP request (any Host header can be set); returns (status, body)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.putrequest(method, path, skip_host="host" in {k.lower() for k in headers or {}})
            for key, value in (headers or {}).items():
                connection.putheader(key, value)
            if body is not None:
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def write_headers(self) -> dict[str, str]:
        """The headers the page sends with a request that writes."""
        return {"Origin": self.origin, "X-Pipeyard-Token": self.token, "Content-Type": "application/json"}

    def stop(self) -> None:
        """Stop the server (Ctrl-C, then kill)."""
        if self.process.poll() is None:
            self.process.send_signal(2)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_server(root: Path, *extra: str, timeout: float = 30.0) -> UiServer:
    """Start `pipeyard ui` in root and wait until it answers."""
    port = free_port()
    env = {
        **os.environ,
        "DVC_NO_ANALYTICS": "1",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pipeyard.cli.main", "ui", "--no-browser", "--port", str(port), *extra],
        cwd=root,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
    )
    server = UiServer(Path(root), port, process)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"pipeyard ui exited: {process.stdout.read().decode()}")
        try:
            status, body = server.request("GET", "/")
        except OSError:
            time.sleep(0.1)
            continue
        found = TOKEN.search(body.decode())
        server.token = found.group(1) if found else ""
        return server
    server.stop()
    raise AssertionError("pipeyard ui did not answer in time")
