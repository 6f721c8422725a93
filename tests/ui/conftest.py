"""Fixtures for `pipeyard ui` tests: a real server (the CLI, on a free port) and a real browser.

The browser is Debian's Chromium driven by Playwright, launched by its path because Playwright
cannot download its own builds here. Browser tests skip, saying why, where it is missing.

    ui_example                      the example project of ui_projects.py (history: three commits,
                                    two runs), made once per test process: copy it before changing it
    ui_server(root) -> UiServer     start `pipeyard ui --no-browser --port N` in root (module-scoped
                                    factory; every server it started is stopped after the module)
    browser                         one Chromium per test module
    page                            a fresh page (tab) per test, closed after it
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from ui_projects import ui_project
from ui_server import UiServer, start_server

CHROMIUM = Path(os.environ.get("PIPEYARD_TEST_CHROMIUM", "/usr/bin/chromium"))


@pytest.fixture(scope="session")
def ui_example(tmp_path_factory) -> Path:
    """The example project with its history, made once; tests copy it (ui_projects.copy_project)."""
    return ui_project(tmp_path_factory.mktemp("ui-example") / "project")


@pytest.fixture(scope="module")
def ui_server() -> Iterator:
    """A factory: ui_server(root, *extra_args) starts a server; all are stopped after the module."""
    started: list[UiServer] = []

    def start(root: Path, *extra: str) -> UiServer:
        server = start_server(root, *extra)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, one per module; skips when it or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium (CI's .ci/run does)")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[dev]')"
    )
    playwright = sync_api.sync_playwright().start()
    try:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
    except Exception as error:  # noqa: BLE001 - say why and skip, whatever the launcher raised
        playwright.stop()
        pytest.skip(f"could not start {CHROMIUM}: {error}")
    yield launched
    launched.close()
    playwright.stop()


@pytest.fixture
def page(browser):
    """A new page of its own browser context (no shared cookies), closed after the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    opened = context.new_page()
    yield opened
    context.close()
