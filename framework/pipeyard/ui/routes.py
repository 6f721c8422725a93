"""The HTTP routes of `pipeyard ui`: the page, its JSON API, the event stream, and starting a run.

    GET  /                      the page
    GET  /static/...            its scripts and styles (package data)
    GET  /api/graph             nodes, edges, states; `cursor` is the id of the last event so far
    GET  /api/steps/{name}      one step: why it ran, log tail, outputs, metrics, parameters
    GET  /api/file?path=P       a text file of the project (outputs, logs), never outside it
    GET  /api/history           commits with their runs (git notes)
    GET  /api/compare?a=&b=     two revisions: graph diff, parameters and metrics side by side
    GET  /api/sweeps            sweep points (DVC experiments) as ranked tables
    GET  /api/events            server-sent events (resumes from Last-Event-ID or ?after=)
    POST /api/run               start `pipeyard run` with {"overrides": [...]}

Requests are guarded before they get here (security.GuardMiddleware): Host header, token and
same origin for every request that writes.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from ..errors import PipeyardError
from . import history_view
from .launch import BadOverride, Launcher
from .page import live_page
from .project import ProjectView
from .security import PathRefused, inside_project
from .sse import EventTail, event_stream, parse_event_id

MAX_FILE_BYTES = 1_000_000


class JSON(Response):
    """A JSON response that takes what YAML and metrics files hold: dates become text, NaN and
    infinities become "NaN" / "Infinity" (the page shows them; JSON has no such numbers)."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return json.dumps(_finite(content), default=str, separators=(",", ":")).encode("utf-8")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


class Api:
    """The handlers, bound to one project, its token and its launcher."""

    def __init__(self, root: Path, token: str, poll_s: float = 0.1) -> None:
        self.root = Path(root).resolve()
        self.token = token
        self.poll_s = poll_s
        self.project = ProjectView(self.root)
        self.launcher = Launcher(self.root)

    async def page(self, request: Request) -> Response:
        return HTMLResponse(live_page(self.root.name, self.token), headers=_NO_STORE)

    async def graph(self, request: Request) -> Response:
        def build() -> dict[str, Any]:
            cursor = EventTail(
                self.root
            ).end()  # before the states: an event in between is sent twice, not lost
            data = self.project.graph()
            data["cursor"] = cursor.last_id
            return data

        return JSON(await run_in_threadpool(build))

    async def step(self, request: Request) -> Response:
        found = await run_in_threadpool(self.project.step, request.path_params["name"])
        if found is None:
            return JSON({"error": f"no step named {request.path_params['name']!r}"}, status_code=404)
        return JSON(found)

    async def file(self, request: Request) -> Response:
        try:
            path = inside_project(self.root, request.query_params.get("path", ""))
        except PathRefused as refused:
            return PlainTextResponse(str(refused), status_code=403)
        if not path.is_file():
            return PlainTextResponse("no such file", status_code=404)
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        text = data[:MAX_FILE_BYTES].decode("utf-8", errors="replace")
        if len(data) > MAX_FILE_BYTES:
            text += "\n… (cut at 1 MB)"
        return PlainTextResponse(text)

    async def history(self, request: Request) -> Response:
        limit = _int(request.query_params.get("limit"), 50)
        return await _json_or_error(history_view.timeline, self.root, limit)

    async def compare(self, request: Request) -> Response:
        a, b = request.query_params.get("a"), request.query_params.get("b")
        if not a or not b:
            return JSON({"error": "give two revisions: ?a=REV&b=REV (b may be 'workspace')"}, status_code=400)
        return await _json_or_error(history_view.compare, self.root, a, b)

    async def sweeps(self, request: Request) -> Response:
        return await _json_or_error(history_view.sweeps, self.root)

    async def events(self, request: Request) -> Response:
        cursor = parse_event_id(request.headers.get("last-event-id")) or parse_event_id(
            request.query_params.get("after")
        )
        stream = event_stream(self.root, cursor, self.launcher.ended_since, poll_s=self.poll_s)
        return StreamingResponse(
            stream, media_type="text/event-stream", headers={**_NO_STORE, "X-Accel-Buffering": "no"}
        )

    async def run(self, request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            body = {}
        overrides = body.get("overrides", []) if isinstance(body, dict) else None
        if not isinstance(overrides, list):
            return JSON({"error": "overrides must be a list of KEY=VALUE strings"}, status_code=400)
        try:
            launch = self.launcher.start(overrides)
        except BadOverride as bad:
            return JSON({"error": str(bad)}, status_code=400)
        return JSON({"launch": launch.number, "pid": launch.process.pid}, status_code=202)

    def routes(self) -> list[BaseRoute]:
        """Every route of the server but the designer's."""
        static = Path(__file__).parent / "static"
        return [
            Route("/", self.page),
            Route("/api/graph", self.graph),
            Route("/api/steps/{name:path}", self.step),
            Route("/api/file", self.file),
            Route("/api/history", self.history),
            Route("/api/compare", self.compare),
            Route("/api/sweeps", self.sweeps),
            Route("/api/events", self.events),
            Route("/api/run", self.run, methods=["POST"]),
            Mount("/static", app=StaticFiles(directory=static), name="static"),
        ]


_NO_STORE = {"Cache-Control": "no-store"}


async def _json_or_error(function, *args) -> Response:
    try:
        return JSON(await run_in_threadpool(function, *args))
    except PipeyardError as error:
        return JSON({"error": error.format()}, status_code=400)


def _int(text: str | None, default: int) -> int:
    try:
        return max(1, min(int(text or default), 1000))
    except ValueError:
        return default
