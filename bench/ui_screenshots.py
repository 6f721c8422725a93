"""Screenshots of every view of `pipeyard ui` for docs/ui.md, taken from a real project and server.

    .venv/bin/python bench/ui_screenshots.py [--out docs/ui] [--chromium /usr/bin/chromium]

Makes the tests' example project (three commits, two runs in git notes), runs a sweep, then
opens each view in headless Chromium: the graph while a run goes, a node's details, history
with two commits compared, sweeps, the designer, and the `pipeyard ui build` export.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ui"))
from ui_projects import env, pipeyard, start_pipeyard, ui_project  # noqa: E402 - the tests' example project
from ui_server import start_server  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "ui")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pipeyard-ui-shots-") as temp, sync_playwright() as playwright:
        project = ui_project(Path(temp) / "fit-a-line")
        sweep = pipeyard(project, "run", "-m", "train.lr=0.05,0.2,0.4", timeout=600)
        assert sweep.returncode == 0, sweep.stderr
        server = start_server(project)
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=["--no-sandbox"], headless=True
        )
        page = browser.new_page(viewport={"width": 1280, "height": 720}, device_scale_factor=1)
        try:
            shoot(page, server, project, Path(temp), args.out)
        finally:
            browser.close()
            server.stop()
    for path in sorted(args.out.glob("*.png")):
        print(f"wrote {path.relative_to(ROOT)}")


def shoot(page, server, project: Path, temp: Path, out: Path) -> None:
    page.goto(server.url + "#graph")
    page.wait_for_selector("#connection[data-connection='live']")
    run = start_pipeyard(project, "run", "train.lr=0.3", "train.sleep=3")
    page.wait_for_selector("#graph [data-step='train'][data-state='running']", timeout=60_000)
    page.screenshot(path=out / "live-run.png")
    page.wait_for_selector("#graph [data-step='evaluate'][data-state='ran']", timeout=60_000)
    run.wait(timeout=120)
    page.click("#graph [data-step='train']")
    page.locator("#details pre.log").wait_for()
    page.screenshot(path=out / "node-details.png")

    page.click("header .tab[data-view='history']")
    page.wait_for_selector("#timeline .commit")
    commits = page.eval_on_selector_all("#timeline .commit", "cs => cs.map(c => c.dataset.commit)")
    page.check(f"#timeline input.pick[value='{commits[0]}']")
    page.check(f"#timeline input.pick[value='{commits[1]}']")
    page.click("#compare-button")
    page.wait_for_selector("#compare-graph [data-step='train']")
    page.screenshot(path=out / "history-compare.png")

    page.click("header .tab[data-view='sweeps']")
    page.wait_for_selector("#sweeps table")
    page.screenshot(path=out / "sweeps.png")

    if page.locator("header .tab[data-view='designer']").count():
        page.click("header .tab[data-view='designer']")
        page.wait_for_timeout(1500)
        page.screenshot(path=out / "designer.png")

    report = temp / "report.html"
    subprocess.run(
        [sys.executable, "-m", "pipeyard", "ui", "build", "-o", str(report)],
        cwd=project,
        env=env(),
        check=True,
        capture_output=True,
    )
    page.goto(report.as_uri())
    page.wait_for_function("window.pipeyard && window.pipeyard.ready")
    page.click("#graph [data-step='train']")
    page.screenshot(path=out / "export.png")


if __name__ == "__main__":
    main()
