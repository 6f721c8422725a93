"""`pipeyard ui`: the project in the browser, served on loopback, and `pipeyard ui build`'s export.

    app.py           the Starlette app and `serve` (uvicorn on 127.0.0.1)
    security.py      Host check, per-session token, same-origin writes, paths kept in the project
    routes.py        the page, its JSON API, the event stream, runs started from the page
    project.py       the graph with each step's state, and one step in detail
    history_view.py  the timeline from git notes, two commits compared, sweep tables
    sse.py           run events files tailed as server-sent events, resumable by Last-Event-ID
    launch.py        `pipeyard run` started as a child process
    page.py          the HTML shell, live or self-contained
    export.py        `pipeyard ui build`: one HTML file that opens from file://
    static/          app.js, app.css, and vendored dagre (see static/vendor/VENDORED.md)
    designer/        the pipeline designer's API, mounted by app.py beside the page's routes

Nothing is re-exported: Starlette and uvicorn are imported only when the server is wanted.
"""
