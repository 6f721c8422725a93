"""The page's HTML: one shell for the live server and for the self-contained static export.

Served live, the shell links its scripts and styles from /static/ and carries the session's
token in `<meta name="pipeyard-token">` (another origin cannot read it). Exported, the same
shell has the scripts, styles and the data inlined, and no token: it opens from file://.
"""

from __future__ import annotations

import html
import json
from importlib import resources
from typing import Any

SCRIPTS = ("vendor/dagre.min.js", "app.js")
STYLES = ("app.css",)
DESIGNER_SCRIPT = "designer.js"
DESIGNER_STYLE = "designer.css"
TABS = (("graph", "Graph"), ("history", "History"), ("sweeps", "Sweeps"), ("designer", "Designer"))


def static_text(name: str) -> str:
    """The text of a file shipped under pipeyard/ui/static/."""
    return resources.files("pipeyard.ui").joinpath("static", *name.split("/")).read_text(encoding="utf-8")


def has_static(name: str) -> bool:
    """True when the package ships static/name."""
    return resources.files("pipeyard.ui").joinpath("static", *name.split("/")).is_file()


def live_page(title: str, token: str) -> str:
    """The shell the server sends: scripts from /static/, the token in a meta tag."""
    designer = has_static(DESIGNER_SCRIPT)
    styles = [*STYLES, *([DESIGNER_STYLE] if designer and has_static(DESIGNER_STYLE) else [])]
    scripts = [*SCRIPTS[:-1], *([DESIGNER_SCRIPT] if designer else []), SCRIPTS[-1]]
    head = "".join(f'<link rel="stylesheet" href="/static/{s}">' for s in styles)
    body = "".join(f'<script src="/static/{s}"></script>' for s in scripts)
    meta = f'<meta name="pipeyard-token" content="{html.escape(token)}">'
    return _shell(title, meta + head, body, tabs=TABS if designer else TABS[:-1])


def exported_page(title: str, data: dict[str, Any]) -> str:
    """One self-contained file: styles, scripts and data inline, nothing fetched."""
    styles = "".join(f"<style>{static_text(s)}</style>" for s in STYLES)
    payload = json.dumps(data, separators=(",", ":"), default=str).replace("</", "<\\/")
    scripts = f'<script type="application/json" id="pipeyard-data">{payload}</script>'
    scripts += "".join(f"<script>{_inline_js(static_text(s))}</script>" for s in SCRIPTS)
    return _shell(title, styles, scripts, tabs=TABS[:2])


def _inline_js(text: str) -> str:
    # a script element ends at the first "</script"; no vendored file or app.js needs the sequence
    return text.replace("</script", "<\\/script")


def _shell(title: str, head: str, body: str, tabs) -> str:
    buttons = "".join(
        f'<button class="tab" data-view="{key}" type="button">{label}</button>' for key, label in tabs
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · pipeyard</title>{head}</head>
<body>
<header><strong>pipeyard</strong> <span id="project-title">{html.escape(title)}</span>
<nav>{buttons}</nav><span id="connection" data-connection="connecting"></span>
<button id="run-button" type="button" hidden>Run</button></header>
<div id="banner" hidden></div>
<main>
<section id="view-graph" class="view"><div id="graph" class="graph"></div>
<aside id="details" hidden></aside></section>
<section id="view-history" class="view" hidden><div id="timeline"></div><div id="compare"></div></section>
<section id="view-sweeps" class="view" hidden><div id="sweeps"></div></section>
<section id="view-designer" class="view" hidden><div id="designer"></div></section>
</main>
{body}
</body></html>
"""
