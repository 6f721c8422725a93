"""CPU time of a no-op `pipeyard run` and of `pipeyard --version` (issue 12, item 7).

    .venv/bin/python bench/startup.py                      # 100 and 1,000 steps, 9 runs each
    .venv/bin/python bench/startup.py --snakemake          # and Snakemake's no-op on the same shapes
    .venv/bin/python bench/startup.py --compare /tmp/old/framework    # A/B against another copy

On a shared machine wall time swings with the load; the CPU time a command spends (user +
system of the child, from getrusage) is steadier, so this reports both, as medians. Each
project is made and run once, then the no-op is timed; before every run the git notes ref is
reset to what the first run left, so every no-op appends to a note of the same size, as in
bench/run.py's fresh copies. --compare FOLDER times the package in FOLDER (put first on
PYTHONPATH; e.g. an export of an older commit's framework/) in turns with this checkout's, run
for run, so both see the same load.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from shapes import Shape
from tools import BENCH, Pipeyard, Snakemake, snakemake_binary, tool_env

NOTES_REF = "refs/notes/pipeyard"


def cpu_and_wall(command: list[str], cwd: Path, pythonpath: str | None = None) -> tuple[float, float]:
    """(user + system CPU seconds of the child, wall seconds) of one command that must succeed."""
    env = tool_env()
    if pythonpath:
        env["PYTHONPATH"] = pythonpath + os.pathsep + env.get("PYTHONPATH", "")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime, wall


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def measure(
    label: str, command: list[str], cwd: Path, repetitions: int, before_each=None, compare: str | None = None
) -> list[dict]:
    """Medians of repetitions runs after one untimed run; with compare, of the package in that
    folder too, the two taking turns."""
    variants = [None, compare] if compare else [None]
    samples: dict[str | None, list[tuple[float, float]]] = {v: [] for v in variants}
    for index in range(repetitions + 1):
        for variant in variants if index % 2 else variants[::-1]:
            if before_each is not None:
                before_each()
            sample = cpu_and_wall(command, cwd, variant)
            if index:
                samples[variant].append(sample)
    rows = []
    for variant in variants:
        name = f"{label} ({variant})" if variant else label
        cpu = statistics.median(s[0] for s in samples[variant])
        wall = statistics.median(s[1] for s in samples[variant])
        print(f"{name}: CPU {cpu:.3f} s, wall {wall:.3f} s (median of {repetitions})", file=sys.stderr)
        rows.append({"label": name, "cpu_s": cpu, "wall_s": wall})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", default="100,1000", help="pipeline sizes (100,1000)")
    parser.add_argument("--repetitions", type=int, default=9, help="timed runs per measure (9)")
    parser.add_argument("--snakemake", action="store_true", help="time Snakemake's no-op too")
    parser.add_argument("--compare", metavar="FOLDER", help="time the package in FOLDER as well, in turns")
    parser.add_argument("--work", type=Path, default=BENCH / "work" / "startup", help="scratch folder")
    args = parser.parse_args(argv)

    pipeyard = [*Pipeyard.command, "run", "--json"]
    rows = measure(
        "pipeyard --version", [*Pipeyard.command, "--version"], BENCH, args.repetitions, compare=args.compare
    )
    ratios = []
    for steps in (int(n) for n in args.steps.split(",")):
        shape = Shape(steps)
        folder = args.work / f"independent-{steps}"
        shutil.rmtree(folder, ignore_errors=True)
        root = folder / "pipeyard"
        Pipeyard().make_template(root, shape)
        Pipeyard().first_run(root, shape)
        noted = _git(root, "rev-parse", NOTES_REF)
        timed = measure(
            f"pipeyard no-op, {steps} steps",
            pipeyard,
            root,
            args.repetitions,
            before_each=lambda root=root, noted=noted: _git(root, "update-ref", NOTES_REF, noted),
            compare=args.compare,
        )
        rows.extend(timed)
        row = timed[0]
        if args.snakemake:
            snake_root = folder / "snakemake"
            snake_root.mkdir(parents=True)
            Snakemake().make_template(snake_root, shape)
            Snakemake().first_run(snake_root, shape)
            snake = measure(
                f"snakemake no-op, {steps} steps",
                [str(snakemake_binary()), "-j2"],
                snake_root,
                args.repetitions,
            )[0]
            rows.append(snake)
            ratios.append((steps, snake["cpu_s"] / row["cpu_s"], snake["wall_s"] / row["wall_s"]))

    print("| measure | CPU s (median) | wall s (median) |\n|---|---|---|")
    for row in rows:
        print(f"| {row['label']} | {row['cpu_s']:.3f} | {row['wall_s']:.3f} |")
    if ratios:
        print("\n| no-op | snakemake ÷ pipeyard, CPU | snakemake ÷ pipeyard, wall |\n|---|---|---|")
        for steps, cpu, wall in ratios:
            print(f"| {steps:,} steps | {cpu:.1f}× | {wall:.1f}× |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
