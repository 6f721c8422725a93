"""What keeps `pipeyard ui` to its own user and its own project.

    Host check      every request's Host header must name the address the server is bound
                    to (127.0.0.1:PORT, localhost:PORT, or the --host name): a page on another
                    site that rebinds its DNS name to 127.0.0.1 is refused (403). Bound to
                    every interface (0.0.0.0, --allow-remote), any name goes, with the token.
    token           a random per-session token; every request that is not GET/HEAD must
                    carry it in the X-Pipeyard-Token header. The page gets it from its
                    <meta name="pipeyard-token">, which another origin cannot read. On a
                    non-loopback --host every request must carry it (header, or ?token= once,
                    which sets a same-site cookie).
    same origin     every request that is not GET/HEAD must have an Origin (or, without it, a
                    Referer) that is the server's own (http:// and the Host it was asked by);
                    a cross-origin form post is refused.
    project paths   `inside_project` resolves a path the page names and refuses one outside
                    the project root (.., absolute paths, symlinks that leave it) or in .git
                    or .dvc (where credentials live: .dvc/config.local).

The middleware is plain ASGI, so it wraps streaming responses (server-sent events) untouched.
"""

from __future__ import annotations

import hmac
import ipaddress
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:  # Starlette is the ui extra; `pipeyard ui build` does without it
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

TOKEN_HEADER = "x-pipeyard-token"
TOKEN_COOKIE = "pipeyard_token"
SAFE_METHODS = frozenset({"GET", "HEAD"})
PRIVATE_DIRS = frozenset({".git", ".dvc"})
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")


class PathRefused(ValueError):
    """A path the page named is outside the project (or inside .git or .dvc)."""


def new_token() -> str:
    """A fresh random token for one server session."""
    return secrets.token_urlsafe(32)


def is_unspecified(host: str) -> bool:
    """True for the any-interface addresses (0.0.0.0, ::)."""
    try:
        return ipaddress.ip_address(host.strip("[]")).is_unspecified
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    """True when host is a loopback address or 'localhost'."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class Guard:
    """The rules of one server: the Host names it answers to, and its token.

    hosts holds the "name:port" values a Host header may have; empty means any (a server bound
    to every interface with --allow-remote, where every request needs the token anyway).
    """

    hosts: frozenset[str]
    token: str
    token_for_reads: bool = False  # True on a non-loopback host: every request needs the token

    @classmethod
    def for_address(cls, host: str, port: int, token: str) -> Guard:
        """The guard of a server bound to host:port."""
        if is_unspecified(host):
            return cls(hosts=frozenset(), token=token, token_for_reads=True)
        bracketed = f"[{host}]" if ":" in host else host
        names = {*LOOPBACK_NAMES, bracketed} if is_loopback(host) else {bracketed}
        return cls(
            hosts=frozenset(f"{name}:{port}" for name in names),
            token=token,
            token_for_reads=not is_loopback(host),
        )

    def check(self, method: str, headers: dict[str, str], query: str) -> tuple[int, str] | None:
        """None when the request may go on, else (status, why)."""
        host = headers.get("host", "").lower()
        if self.hosts and host not in self.hosts:
            return 403, f"unknown Host header {host!r}: pipeyard ui answers only to {sorted(self.hosts)[0]}"
        given = (
            headers.get(TOKEN_HEADER)
            or _cookie(headers.get("cookie", ""), TOKEN_COOKIE)
            or _query_token(query)
        )
        if self.token_for_reads and not self._is_token(given):
            return 401, "this server needs its token: open the address `pipeyard ui` printed"
        if method in SAFE_METHODS:
            return None
        origin = headers.get("origin") or _origin_of(headers.get("referer", ""))
        if not host or origin != f"http://{host}":
            return 403, f"cross-origin request refused (origin {origin or 'missing'})"
        if not self._is_token(headers.get(TOKEN_HEADER)):
            return 403, "missing or wrong X-Pipeyard-Token header"
        return None

    def _is_token(self, given: str | None) -> bool:
        return given is not None and given != "" and hmac.compare_digest(given.encode(), self.token.encode())


class GuardMiddleware:
    """ASGI middleware that applies a Guard to every HTTP request."""

    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", ())}
        query = scope.get("query_string", b"").decode("latin-1")
        refused = self.guard.check(scope["method"], headers, query)
        if refused is None:
            if self.guard.token_for_reads and _query_token(query):
                send = _setting_cookie(send, self.guard.token)
            await self.app(scope, receive, send)
            return
        status, why = refused
        body = why.encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def inside_project(root: Path, relpath: str) -> Path:
    """The file relpath names inside root; PathRefused when it leaves root or enters .git or .dvc."""
    if not relpath or "\x00" in relpath:
        raise PathRefused("no path given")
    base = Path(root).resolve()
    candidate = Path(relpath)
    if candidate.is_absolute():
        raise PathRefused(f"{relpath}: absolute paths are refused; give a path inside the project")
    target = (base / candidate).resolve()
    try:
        inner = target.relative_to(base)
    except ValueError:
        raise PathRefused(f"{relpath}: outside the project") from None
    if inner.parts and inner.parts[0] in PRIVATE_DIRS:
        raise PathRefused(
            f"{relpath}: inside {inner.parts[0]} (git's and DVC's own files, credentials among them)"
        )
    return target


def _origin_of(url: str) -> str | None:
    if not url:
        return None
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def _cookie(header: str, name: str) -> str | None:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return None


def _query_token(query: str) -> str | None:
    values = parse_qs(query).get("token")
    return values[0] if values else None


def _setting_cookie(send: Send, token: str) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            cookie = f"{TOKEN_COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict".encode()
            message = {**message, "headers": [*message.get("headers", []), (b"set-cookie", cookie)]}
        await send(message)

    return wrapped
