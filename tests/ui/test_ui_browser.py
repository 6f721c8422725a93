"""`pipeyard ui` in a real browser (Debian's Chromium through Playwright) against a real server.

One project and one server for the module: the graph matches the pipeline, a run started
from the terminal moves each node's data-state live, node details say why a step ran, the
history compares two commits, a run starts from the page, and an edit of pipeline.yml made
outside the page shows on the canvas.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from ui_projects import copy_project, pipeline_text, pipeyard, start_pipeyard

pytestmark = pytest.mark.slow
STEPS = {"prepare", "train", "evaluate", "report"}


@pytest.fixture(scope="module")
def project(ui_example, tmp_path_factory) -> Path:
    return copy_project(ui_example, tmp_path_factory.mktemp("ui") / "project")


@pytest.fixture(scope="module")
def server(project, ui_server):
    return ui_server(project)


def _states(page) -> dict[str, str]:
    return page.eval_on_selector_all(
        "#graph [data-step]", "nodes => Object.fromEntries(nodes.map(n => [n.dataset.step, n.dataset.state]))"
    )


def _open(page, server) -> None:
    page.goto(server.url)
    page.wait_for_function("window.pipeyard && window.pipeyard.ready")
    page.wait_for_selector("#connection[data-connection='live']")


def test_graph_matches_the_pipeline(page, server, project):
    _open(page, server)
    assert _states(page) == {name: "up_to_date" for name in STEPS}
    edges = page.eval_on_selector_all(
        "#graph path.edge", "paths => paths.map(p => [p.dataset.from, p.dataset.to])"
    )
    assert sorted(map(tuple, edges)) == [("prepare", "report"), ("prepare", "train"), ("train", "evaluate")]


def test_a_run_from_the_terminal_moves_the_nodes_live(page, server, project):
    _open(page, server)
    page.evaluate(
        """() => { window.seen = {}; new MutationObserver(records => { for (const r of records) {
             const n = r.target; (window.seen[n.dataset.step] ||= []).push(n.dataset.state); } })
           .observe(document.getElementById('graph'), {subtree: true, attributeFilter: ['data-state']}); }"""
    )
    run = start_pipeyard(project, "run", "train.lr=0.5", "train.sleep=1.5")
    try:
        page.wait_for_selector("#graph [data-step='train'][data-state='running']", timeout=30_000)
        page.wait_for_selector("#graph [data-step='evaluate'][data-state='ran']", timeout=60_000)
    finally:
        assert run.wait(timeout=120) == 0
    seen = page.evaluate("window.seen")
    assert seen["train"][-2:] == ["running", "ran"]
    assert seen["prepare"][-1] == "cached" and seen["report"][-1] == "cached"
    assert _states(page) == {"prepare": "cached", "train": "ran", "evaluate": "ran", "report": "cached"}
    latencies = page.evaluate("window.pipeyard.latencies")
    assert latencies and max(latencies) < 5  # measured in bench/ui.py; here only "it arrives"

    page.click("#graph [data-step='train']")
    details = page.locator("#details")
    details.get_by_text("params train.lr changed").wait_for()
    assert "working with lr=0.5" in details.locator("pre.log").inner_text()
    assert "score" in details.inner_text() and "5" in details.inner_text()


def test_history_compares_two_commits(page, server, project):
    _open(page, server)
    page.click("header .tab[data-view='history']")
    page.wait_for_selector("#timeline .commit")
    commits = page.eval_on_selector_all("#timeline .commit", "cs => cs.map(c => c.dataset.commit)")
    assert len(commits) == 3
    page.check(f"#timeline input.pick[value='{commits[0]}']")
    page.check(f"#timeline input.pick[value='{commits[1]}']")
    page.click("#compare-button")
    page.wait_for_selector("#compare-graph [data-step='train']")
    changes = page.eval_on_selector_all(
        "#compare-graph [data-step]",
        "ns => Object.fromEntries(ns.map(n => [n.dataset.step, n.dataset.change]))",
    )
    assert changes["train"] in ("re-runs", "changed") and changes["prepare"] == "reused"
    params = page.locator("#compare-params").inner_text()
    assert "train.lr" in params and "0.1" in params and "0.01" in params
    assert "score" in page.locator("#compare-metrics").inner_text()


def test_a_run_started_from_the_page(page, server, project):
    _open(page, server)
    page.fill("#run-overrides", "train.lr=0.25")
    page.click("#run-start")
    page.wait_for_selector("#graph [data-step='train'][data-state='ran']", timeout=60_000)
    page.wait_for_selector("#banner[data-kind='ok']", timeout=60_000)
    deadline = time.monotonic() + 30  # the record is written just after the run's last event
    while time.monotonic() < deadline:
        newest = sorted((project / ".pipeyard" / "runs").glob("*/record.json"))[-1]
        if "train.lr=0.25" in json.loads(newest.read_text())["overrides"]:
            break
        time.sleep(0.1)
    else:
        raise AssertionError(f"no record of the run started from the page; newest: {newest.read_text()}")


def test_an_edit_outside_the_page_shows_on_the_canvas(page, server, project):
    _open(page, server)
    extra = (
        "  audit:\n    type: command\n    component: ./components/work.yml\n    inputs:\n"
        "      source: ${{parent.jobs.evaluate.outputs.out}}\n"
    )
    original = (project / "pipeline.yml").read_text()
    try:
        (project / "pipeline.yml").write_text(pipeline_text(lr="0.01", extra=extra))
        page.wait_for_selector("#graph [data-step='audit'][data-state='stale']", timeout=15_000)
        assert set(_states(page)) == STEPS | {"audit"}
        (project / "pipeline.yml").write_text(
            original.replace("./components/work.yml", "./components/missing.yml", 1)
        )
        page.wait_for_selector("#banner[data-kind='error']", timeout=15_000)
        assert "missing.yml" in page.locator("#banner").inner_text()
    finally:
        (project / "pipeline.yml").write_text(original)
    page.wait_for_function("!document.querySelector(\"#graph [data-step='audit']\")", timeout=15_000)
    page.wait_for_selector("#graph [data-step='prepare']")
    assert page.locator("#banner").is_hidden()


def test_ui_build_writes_one_file_that_opens_from_file_urls(page, project, tmp_path):
    output = tmp_path / "report.html"
    result = pipeyard(project, "ui", "build", "-o", str(output))
    assert result.returncode == 0, result.stderr
    text = output.read_text()
    assert 'src="/' not in text and 'href="/static' not in text
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(output.as_uri())
    page.wait_for_function("window.pipeyard && window.pipeyard.ready")
    states = _states(page)
    assert set(states) == STEPS
    assert set(states.values()) <= {"ran", "cached", "restored"}
    assert requests == [output.as_uri()]
    page.click("#graph [data-step='train']")
    page.locator("#details").get_by_text("reports/train.json").first.wait_for()  # its metrics, inline
    page.click("header .tab[data-view='history']")
    page.wait_for_selector("#timeline .commit")
    assert requests == [output.as_uri()]  # history is inline too: nothing else was fetched


def test_a_failed_step_shows_why_and_what_it_printed(page, server, project):
    """Last in the module: the failing override stays in params.yaml for later runs."""
    _open(page, server)
    run = start_pipeyard(project, "run", "train.lr=-1")
    try:
        page.wait_for_selector("#graph [data-step='train'][data-state='failed']", timeout=60_000)
        page.wait_for_selector("#graph [data-step='evaluate'][data-state='skipped']", timeout=60_000)
    finally:
        assert run.wait(timeout=120) == 1
    page.wait_for_selector("#banner[data-kind='error']")
    page.click("#graph [data-step='train']")
    page.locator("#details pre.log").get_by_text("lr must be positive").wait_for()
