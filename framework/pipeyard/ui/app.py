"""The `pipeyard ui` server: a Starlette app behind the guard, served by uvicorn on loopback.

`create_app` puts the routes together (the page's and the designer's) behind
`security.GuardMiddleware`; `serve` binds it, says the address and opens the browser.
"""

from __future__ import annotations

import socket
import threading
import webbrowser
from collections.abc import Callable
from pathlib import Path

from starlette.applications import Starlette
from starlette.middleware import Middleware

from ..errors import UserError
from .designer.routes import designer_routes
from .routes import Api
from .security import Guard, GuardMiddleware, is_loopback, is_unspecified, new_token

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


def create_app(root: Path, guard: Guard, *, poll_s: float = 0.1, warm: bool = True) -> Starlette:
    """The application of one project: every route, each request checked by guard.

    With warm, the pipeline starts loading at once (in a thread), so the first page that asks
    for the graph waits less.
    """
    api = Api(root, guard.token, poll_s=poll_s)
    if warm:
        threading.Thread(target=api.project.loaded, name="pipeyard-ui-warm", daemon=True).start()
    routes = [*api.routes(), *designer_routes(Path(root))]
    return Starlette(routes=routes, middleware=[Middleware(GuardMiddleware, guard=guard)])


def free_port(host: str = DEFAULT_HOST) -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def check_port(host: str, port: int) -> None:
    """Refuse a port something else listens on, with the option that avoids it."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            raise UserError(
                f"cannot serve on {host}:{port}: {error.strerror}",
                hint="is `pipeyard ui` already running? --port 0 picks a free port",
            ) from None


def check_host(host: str, allow_remote: bool) -> None:
    """Refuse a non-loopback host unless the user said so explicitly."""
    if not is_loopback(host) and not allow_remote:
        raise UserError(
            f"--host {host} would serve the project beyond this machine",
            hint="add --allow-remote to do so on purpose (every request then needs the printed token), "
            "or leave --host out to serve on 127.0.0.1",
        )


def serve(
    root: Path,
    *,
    host: str = DEFAULT_HOST,
    port: int | None = DEFAULT_PORT,
    open_browser: bool = True,
    allow_remote: bool = False,
    say: Callable[[str], None] = print,
) -> None:
    """Serve the project until interrupted."""
    import uvicorn

    check_host(host, allow_remote)
    port = port if port else free_port(host)
    check_port(host, port)
    guard = Guard.for_address(host, port, new_token())
    app = create_app(root, guard)
    name = "127.0.0.1" if is_loopback(host) else socket.gethostname() if is_unspecified(host) else host
    url = f"http://{name if ':' not in name else f'[{name}]'}:{port}/"
    if guard.token_for_reads:
        url += f"?token={guard.token}"
    config = uvicorn.Config(
        app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=1, access_log=False
    )
    server = uvicorn.Server(config)
    say(f"pipeyard ui: serving {root} at {url}  (Ctrl-C stops it)")
    if open_browser:
        threading.Timer(0.8, webbrowser.open, args=(url,)).start()
    server.run()
