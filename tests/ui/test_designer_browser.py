"""The designer in a real browser (Debian's Chromium through Playwright) against a real
`pipeyard ui` server on a copy of the packaged example: drag a component in, connect it
by dragging between ports (an incompatible one, clicked, is refused saying why), set a parameter, save, commit; an edit of
pipeline.yml made outside the page shows on the canvas; a save over it is refused with Reload.
"""

from __future__ import annotations

import time

import pytest
from designer_projects import example_project, git, pipeyard

pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path):
    root = example_project(tmp_path)
    result = pipeyard(root, "init")
    assert result.returncode == 0, result.stderr
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "pipeyard init")
    return root


def _open(page, server) -> None:
    page.goto(server.url + "#designer")
    page.wait_for_selector("#designer .pd-node[data-step='compare']")
    page.wait_for_selector("#pd-palette .pd-component")


def _node(job: str) -> str:
    return f"#designer .pd-node[data-step='{job}']"


def test_drag_connect_set_save_commit(page, project, ui_server):
    server = ui_server(project)
    _open(page, server)
    page.drag_and_drop("#pd-palette .pd-component[data-reference='./components/train.yml']", "#pd-canvas")
    page.wait_for_selector(_node("train"))
    assert "train_set" in page.inner_text("#pd-message")  # connect it before saving
    assert page.is_disabled("#pd-save")

    page.click(f"{_node('train_linear')} .pd-out[data-port='model']")
    page.click(f"{_node('compare')} .pd-in[data-port='test_set']")
    page.wait_for_selector("#pd-message[data-kind='error']")
    assert "cannot connect train_linear.model (uri_file) to compare.test_set (uri_folder)" in page.inner_text(
        "#pd-message"
    )

    page.drag_and_drop(
        f"{_node('prepare')} .pd-out[data-port='train_set']",
        f"{_node('train')} .pd-in[data-port='train_set']",
    )
    page.wait_for_selector("path.pd-edge[data-edge='prepare.train_set->train.train_set']", state="attached")

    page.click(f"{_node('train')} .pd-node-title")
    page.select_option("#pd-side select[data-parameter='method']", "mean")
    page.wait_for_function(
        "document.getElementById('pd-diff') && document.getElementById('pd-diff').textContent.includes('method: mean')"
    )
    page.click("#pd-save")
    page.wait_for_selector(".pd-status:text-is('saved')")
    text = (project / "pipeline.yml").read_text()
    assert "  train:\n    type: command\n    component: ./components/train.yml\n" in text
    assert "      train_set: ${{parent.jobs.prepare.outputs.train_set}}\n      method: mean\n" in text
    assert pipeyard(project, "validate").returncode == 0

    page.fill("#pd-commit-message", "Add a mean model")
    page.click("#pd-commit")
    page.wait_for_selector("#pd-message:text('Committed pipeline.yml')")
    assert git(project, "log", "-1", "--format=%s").strip() == "Add a mean model"
    assert git(project, "show", "--name-only", "--format=", "HEAD").split() == ["pipeline.yml"]


def test_outside_edits_show_and_a_stale_save_offers_reload(page, project, ui_server):
    server = ui_server(project)
    polls: list[float] = []
    page.on(
        "request", lambda request: "/api/designer/version" in request.url and polls.append(time.monotonic())
    )
    _open(page, server)
    page.wait_for_timeout(2_000)
    gaps = sorted(b - a for a, b in zip(polls, polls[1:], strict=False))
    assert gaps and gaps[len(gaps) // 2] < 0.75, gaps  # it looks twice a second

    path = project / "pipeline.yml"
    started = time.monotonic()
    path.write_text(path.read_text().replace("train_baseline", "train_mean"))
    page.wait_for_selector(_node("train_mean"), timeout=10_000)
    shown_after = time.monotonic() - started
    # about 0.5 s on an idle machine; the bound leaves room for a loaded CI machine
    assert shown_after < 3, f"the canvas showed the outside edit after {shown_after:.2f} s"

    page.click(f"{_node('compare')} .pd-node-title")
    page.fill("#pd-compute", "local")
    page.press("#pd-compute", "Enter")
    page.wait_for_selector(".pd-status:text-is('unsaved changes')")
    path.write_text(path.read_text() + "# edited in my editor\n")
    page.wait_for_selector("#pd-conflict:not([hidden])")
    with page.expect_response(lambda response: response.url.endswith("/api/designer/save")) as saved:
        page.click("#pd-save")
    assert saved.value.status == 409
    page.wait_for_function(
        "document.getElementById('pd-conflict').textContent.includes('reload it to see the change')"
    )
    assert path.read_text().endswith("# edited in my editor\n")  # not overwritten
    page.click("#pd-reload")
    page.wait_for_selector("#pd-conflict", state="hidden")
    page.wait_for_selector(".pd-status:text-is('saved')")
