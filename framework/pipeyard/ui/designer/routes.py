"""The designer's JSON API, under ``/api/designer/``.

    GET  files                      the project's pipeline files, and the one to open first
    GET  document?path=P            text, version, graph, whether it loads (or why not), read-only reason
    GET  palette?path=P             local component files and registry components, with references
    GET  version?path=P             the file's version now: the page polls it to follow outside edits
    POST edit    {path, version, text, edit}   the draft after one edit, its graph, and the diff
                                               a save would write; 422 with the reason when refused
    POST save    {path, version, text}         write the draft; 409 when the file changed since
    POST commit  {path, message[, version]}    commit that file alone

Host, token and same-origin checks are the app's middleware (ui.security); paths are
resolved inside the project here, on every request.
"""

from __future__ import annotations

import threading
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from ...config.project import load_project_config
from ...errors import DefinitionError, PipeyardError, ReferenceError_
from ...registry import component_resolver
from ...registry.registries import ProjectRegistries
from ..security import PathRefused
from . import files
from .components import local_palette, registry_palette
from .document import Designer, unified_diff
from .edits import edit_from_json

PREFIX = "/api/designer"


class _Project:
    """The project the routes serve; its configuration is read again on each request, so a
    registry added to pipeyard.yaml shows without a restart."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.write_lock = threading.Lock()

    def designer(self) -> Designer:
        """A Designer with the project's component resolver (none when pipeyard.yaml is invalid)."""
        notes: list[str] = []
        try:
            resolver = component_resolver(load_project_config(self.root))
        except PipeyardError as error:
            resolver = None
            notes.append(f"registries unavailable: {error.message}")
        return Designer(self.root, resolver, notes)

    def registries(self) -> ProjectRegistries:
        """The project's registries."""
        return ProjectRegistries(load_project_config(self.root))


def designer_routes(root: Path) -> list[BaseRoute]:
    """The designer's routes for the project at root."""
    project = _Project(root)

    def endpoint(
        handler: Callable[[_Project, dict[str, Any]], Any], method: str
    ) -> Callable[[Request], Awaitable[JSONResponse]]:
        async def run(request: Request) -> JSONResponse:
            if method == "GET":
                arguments = dict(request.query_params)
            else:
                try:
                    arguments = await request.json()
                except ValueError:
                    return _error(400, "the request body is not JSON")
                if not isinstance(arguments, dict):
                    return _error(400, "the request body must be a JSON object")
            try:
                return await run_in_threadpool(handler, project, arguments)
            except PathRefused as refused:
                return _error(403, str(refused))
            except ReferenceError_ as error:
                return _error(404, error.message, error.hint)
            except PipeyardError as error:
                return _error(422, error.message, error.hint)

        return run

    return [
        Route(f"{PREFIX}/files", endpoint(_files, "GET"), methods=["GET"]),
        Route(f"{PREFIX}/document", endpoint(_document, "GET"), methods=["GET"]),
        Route(f"{PREFIX}/palette", endpoint(_palette, "GET"), methods=["GET"]),
        Route(f"{PREFIX}/version", endpoint(_version, "GET"), methods=["GET"]),
        Route(f"{PREFIX}/edit", endpoint(_edit, "POST"), methods=["POST"]),
        Route(f"{PREFIX}/save", endpoint(_save, "POST"), methods=["POST"]),
        Route(f"{PREFIX}/commit", endpoint(_commit, "POST"), methods=["POST"]),
    ]


def _error(status: int, message: str, hint: str | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": message, "hint": hint, **extra}, status_code=status)


def _text(arguments: dict[str, Any], key: str, default: str | None = None) -> str:
    value = arguments.get(key, default)
    if not isinstance(value, str):
        raise DefinitionError(f"the request needs '{key}' as a string")
    return value


def _path(project: _Project, arguments: dict[str, Any]) -> str:
    path = arguments.get("path")
    if path:
        return _text(arguments, "path")
    found = files.pipeline_files(project.root)
    if not found:
        raise ReferenceError_("this project has no pipeline file", hint="create pipeline.yml")
    return found[0]


def _files(project: _Project, arguments: dict[str, Any]) -> JSONResponse:
    found = files.pipeline_files(project.root)
    return JSONResponse({"files": found, "default": found[0] if found else None})


def _document(project: _Project, arguments: dict[str, Any]) -> JSONResponse:
    state = files.read(project.root, _path(project, arguments))
    designer = project.designer()
    inspection = designer.inspect(state.path, state.text)
    body = inspection.to_json()
    body.update(text=state.text, version=state.version, notes=[*designer.notes, *body["notes"]])
    return JSONResponse(body)


def _palette(project: _Project, arguments: dict[str, Any]) -> JSONResponse:
    path = files.resolve(project.root, _path(project, arguments))
    entries, problems = local_palette(project.root, path)
    try:
        registries = project.registries()
        found, missing = registry_palette(registries)
        entries += found
        problems += missing + registries.notes
    except PipeyardError as error:
        problems.append(f"registries: {error.message}")
    return JSONResponse({"components": entries, "problems": problems})


def _version(project: _Project, arguments: dict[str, Any]) -> JSONResponse:
    path = _path(project, arguments)
    return JSONResponse({"path": path, "version": files.current_version(project.root, path)})


def _edit(project: _Project, arguments: dict[str, Any]) -> JSONResponse:
    path = _path(project, arguments)
    edit = edit_from_json(arguments.get("edit"))
    text, inspection = project.designer().edit(path, _text(arguments, "text"), edit)
    disk = files.read(project.root, path)
    body = inspection.to_json()
    body.update(
        text=text,
        diff=unified_diff(disk.path, disk.text, text),
        stale=disk.version != arguments.get("version"),
        disk_version=disk.version,
    )
    return JSONResponse(body)


def _save(project: _Project, arguments: dict[str, Any]) -> JSONResponse:
    path = _path(project, arguments)
    text, version = _text(arguments, "text"), _text(arguments, "version")
    inspection = project.designer().inspect(path, text)
    if inspection.read_only:
        return _error(422, inspection.reason or "read-only")
    if not inspection.valid:
        return _error(
            422,
            f"not saved: {inspection.problem}",
            "connect the inputs still open" if inspection.incomplete else "undo the last edit",
        )
    with project.write_lock:
        before = files.read(project.root, path) if files.current_version(project.root, path) else None
        result = files.save(project.root, path, text, version)
    if isinstance(result, files.Conflict):
        return _error(409, result.message, "reload the file", reload=True, version=result.version)
    diff = unified_diff(result.path, before.text if before else "", text)
    return JSONResponse({"path": result.path, "version": result.version, "diff": diff})


def _commit(project: _Project, arguments: dict[str, Any]) -> JSONResponse:
    path = _path(project, arguments)
    expected = arguments.get("version")
    with project.write_lock:
        if expected is not None and files.current_version(project.root, path) != expected:
            conflict = files.Conflict(path, files.current_version(project.root, path))
            return _error(409, conflict.message, "reload the file", reload=True, version=conflict.version)
        sha = files.commit(project.root, path, _text(arguments, "message", ""))
    return JSONResponse({"path": path, "commit": sha})
