"""Benchmark of `pipeyard ui`: how fast a 500-step graph renders, and how soon a run's event shows.

    .venv/bin/python bench/ui.py [--steps 500] [--repetitions 5] [--chromium /usr/bin/chromium]

1. render: a 500-step pipeline in a new git + DVC project, in two shapes: 25 layers of 20 steps
   (each step reading one or two steps of the layer before) and one chain of 500, served by the real `pipeyard ui`,
   opened in headless Chromium. Measured: the server's /api/graph (cold: loads and compiles
   the pipeline and checks every step's status; warm: the pipeline cached), the page's layout
   (dagre) and drawing, and navigation start -> every node in the DOM (median of the
   repetitions, and once for the server's very first page load).
2. event latency: a real `pipeyard run` from the terminal in a 20-step project while the page
   is open; for every event, the time from the runner writing it to the page applying it
   (both clocks are this machine's). Median, 95th percentile and maximum over all events.

Figures are printed, never asserted (the tests only check that events arrive).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from tools import tool_env

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "ui"))
from ui_server import start_server  # noqa: E402 - the real CLI on a free port, as the tests start it

JOIN_COMPONENT = """\
type: command
name: join
inputs:
  i: {type: integer, default: 0}
  a: {type: uri_file, optional: true}
  b: {type: uri_file, optional: true}
outputs:
  out: {type: uri_file}
command: echo ${{inputs.i}} > ${{outputs.out}}
"""


def layered_pipeline(root: Path, steps: int, width: int = 20) -> None:
    """steps steps in layers of width; step j of a layer reads steps j and j+7 of the layer before."""
    (root / "components").mkdir(parents=True, exist_ok=True)
    (root / "components" / "join.yml").write_text(JOIN_COMPONENT)
    lines = ["type: pipeline", "jobs:"]
    for index in range(steps):
        layer, column = divmod(index, width)
        inputs = [f"i: {index}"]
        if layer:
            before = (layer - 1) * width
            inputs.append(f"a: ${{{{parent.jobs.s{before + column}.outputs.out}}}}")
            if column % 3 == 0:
                inputs.append(f"b: ${{{{parent.jobs.s{before + (column + 7) % width}.outputs.out}}}}")
        lines += [f"  s{index}:", "    type: command", "    component: ./components/join.yml", "    inputs:"]
        lines += [f"      {line}" for line in inputs]
    (root / "pipeline.yml").write_text("\n".join(lines) + "\n")


def new_project(root: Path, steps: int, width: int) -> Path:
    """A committed git + DVC project holding the layered pipeline."""
    root.mkdir(parents=True)
    env = tool_env()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True, env=env)
    subprocess.run(
        [sys.executable, "-m", "pipeyard", "init"], cwd=root, check=True, env=env, capture_output=True
    )
    layered_pipeline(root, steps, width)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=env)
    subprocess.run(["git", "commit", "-q", "-m", "pipeline"], cwd=root, check=True, env=env)
    return root


def fetch_seconds(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=120) as response:
        response.read()
    return time.perf_counter() - started


def bench_render(browser, workdir: Path, steps: int, repetitions: int, width: int) -> dict:
    project = new_project(workdir / f"render-{steps}-{width}", steps, width)
    server = start_server(project)
    try:
        samples = []
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(server.url)  # the first page load: the server loads the pipeline then
        page.wait_for_function("window.pipeyard && window.pipeyard.ready", timeout=120_000)
        first_load = page.evaluate("pipeyard.readyAt")
        (project / "pipeline.yml").touch()  # the next /api/graph loads it again
        cold = fetch_seconds(server.url + "api/graph")
        warm = [fetch_seconds(server.url + "api/graph") for _ in range(repetitions)]
        for _ in range(repetitions):
            page.goto(server.url)
            page.wait_for_function("window.pipeyard && window.pipeyard.ready", timeout=120_000)
            count = page.eval_on_selector_all("#graph [data-step]", "nodes => nodes.length")
            assert count == steps, count
            samples.append(
                page.evaluate(
                    "({render: pipeyard.renderMs, layout: pipeyard.layoutMs, ready: pipeyard.readyAt})"
                )
            )
        page.close()
    finally:
        server.stop()
    return {
        "steps": steps,
        "shape": f"{steps // width} layers of {width}" if width > 1 else "one chain",
        "api_graph_cold_s": cold,
        "api_graph_warm_s": statistics.median(warm),
        "layout_ms": statistics.median(s["layout"] for s in samples),
        "layout_and_draw_ms": statistics.median(s["render"] for s in samples),
        "navigation_to_graph_ms": statistics.median(s["ready"] for s in samples),
        "first_navigation_to_graph_ms": first_load,
        "repetitions": repetitions,
    }


def bench_latency(browser, workdir: Path, steps: int = 20) -> dict:
    project = new_project(workdir / "latency", steps, steps)
    server = start_server(project)
    try:
        page = browser.new_page()
        page.goto(server.url)
        page.wait_for_function("window.pipeyard && window.pipeyard.ready")
        page.wait_for_selector("#connection[data-connection='live']")
        run = subprocess.run(
            [sys.executable, "-m", "pipeyard", "run"],
            cwd=project,
            env=tool_env(),
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert run.returncode == 0, run.stderr
        ran = "document.querySelectorAll(\"[data-state='ran']\").length"
        page.wait_for_function(f"{ran} === {steps}", timeout=30_000)
        time.sleep(0.5)
        latencies = sorted(page.evaluate("window.pipeyard.latencies"))
        page.close()
    finally:
        server.stop()
    return {
        "events": len(latencies),
        "median_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))],
        "max_ms": 1000 * latencies[-1],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--widths", default="20,1", help="steps per layer of each shape (1: a chain)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="pipeyard-ui-bench-") as temp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=args.chromium, args=["--no-sandbox"], headless=True
        )
        widths = [int(w) for w in args.widths.split(",")]
        renders = [bench_render(browser, Path(temp), args.steps, args.repetitions, w) for w in widths]
        latency = bench_latency(browser, Path(temp))
        browser.close()
    print(json.dumps({"render": renders, "event_latency": latency}, indent=2))
    print()
    for render in renders:
        print(
            f"{render['steps']}-step graph ({render['shape']}): layout {render['layout_ms']:.0f} ms, layout + draw "
            f"{render['layout_and_draw_ms']:.0f} ms, navigation -> graph {render['navigation_to_graph_ms']:.0f} ms "
            f"(median of {render['repetitions']}; the server's first page load: "
            f"{render['first_navigation_to_graph_ms']:.0f} ms); /api/graph cold {render['api_graph_cold_s']:.2f} s, "
            f"warm {render['api_graph_warm_s']:.2f} s"
        )
    print(
        f"event -> page over {latency['events']} events of a real run: median {latency['median_ms']:.0f} ms, "
        f"p95 {latency['p95_ms']:.0f} ms, max {latency['max_ms']:.0f} ms"
    )


if __name__ == "__main__":
    main()
