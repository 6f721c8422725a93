"""Benchmark pipeyard against dvc repro, Snakemake and make on the same pipelines, in one run.

    .venv/bin/python bench/run.py            # full: 3 repetitions of every scenario
    .venv/bin/python bench/run.py --quick    # 1 repetition
    .venv/bin/python bench/run.py --profile  # profile a pipeyard no-op run of 100 steps

Writes bench/results/<date>[-quick].json and .md and prints the markdown. Projects are made
fresh under bench/work/ for every repetition (copies of one template per tool); times are
wall clock around each command, medians of the repetitions. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import datetime
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from report import machine_facts, machine_lines, markdown, targets
from shapes import Shape
from tools import BENCH, BenchFailure, DvcRepro, Make, Pipeyard, Snakemake, tool_env

FIRST, NOOP, CHANGE = "first run", "no-op run", "parameter change"
WIDE_CPUS = 8


@dataclass(frozen=True)
class Scenario:
    """One pipeline shape, the phases timed on it and the tools compared."""

    key: str
    title: str
    shape: Shape
    phases: tuple[str, ...]
    tools: tuple[str, ...]
    cpus: int | None = None  # declared capacity; None = the tools' -j2 defaults


SCENARIOS = (
    Scenario(
        "independent-100",
        "(a) 100 independent",
        Shape(100),
        (FIRST, NOOP),
        ("pipeyard", "dvc", "snakemake", "make"),
    ),
    Scenario(
        "independent-1000",
        "(a) 1,000 independent",
        Shape(1000),
        (FIRST, NOOP),
        ("pipeyard", "dvc", "snakemake", "make"),
    ),
    Scenario(
        "chain-50",
        "(b, d) chain of 50",
        Shape(50, chained=True),
        (FIRST, NOOP, CHANGE),
        ("pipeyard", "dvc", "snakemake"),
    ),
    Scenario(
        "wide-24",
        "(c) wide 24 × 1 s",
        Shape(24, sleep_s=1.0),
        (FIRST,),
        ("pipeyard", "dvc", "snakemake"),
        cpus=WIDE_CPUS,
    ),
)


def make_tool(name: str, scenario: Scenario):
    """The tool object for a scenario, given its declared capacity."""
    if name == "pipeyard":
        return Pipeyard(cpus=scenario.cpus)
    if name == "snakemake":
        return Snakemake(cores=scenario.cpus)
    return {"dvc": DvcRepro, "make": Make}[name]()


def measure(scenario: Scenario, tools: list[str], repetitions: int, work: Path, dvc_1000: bool) -> list[dict]:
    """Time every phase of scenario for every tool, repetitions times, each on fresh copies."""
    folder = work / scenario.key
    shutil.rmtree(folder, ignore_errors=True)
    samples: dict[tuple[str, str], list[float]] = {}
    extras: dict[tuple[str, str], list[float]] = {}
    statuses: dict[tuple[str, str], set[str]] = {}
    failures: dict[str, str] = {}
    adopted = scenario.shape.steps >= 1000 and not dvc_1000
    templates = {}
    for name in tools:
        tool = make_tool(name, scenario)
        templates[name] = folder / f"template-{name}"
        _log(f"{scenario.key}: writing the {name} project")
        try:
            tool.make_template(templates[name], scenario.shape)
        except BenchFailure as failure:
            failures[name] = str(failure)
    for rep in range(repetitions):
        pipeyard_root = None
        for name in tools:
            if name in failures or (name == "dvc" and adopted and rep > 0):
                continue
            tool = make_tool(name, scenario)
            root = folder / f"{name}-{rep}"
            shutil.copytree(templates[name], root, symlinks=True)
            try:
                for phase in scenario.phases:
                    if phase == CHANGE and not hasattr(tool, "change_last_param"):
                        continue
                    if name == "dvc" and phase == FIRST and adopted:
                        if pipeyard_root is None:
                            raise BenchFailure("no pipeyard run to take dvc.lock from")
                        DvcRepro.adopt_results(pipeyard_root, root)
                        continue
                    _log(f"{scenario.key}: {name} {phase} (repetition {rep + 1}/{repetitions})")
                    if phase == FIRST:
                        timing = tool.first_run(root, scenario.shape)
                    elif phase == NOOP:
                        timing = tool.noop_run(root, scenario.shape)
                    else:
                        timing = tool.change_last_param(root, scenario.shape, 1000 + rep)
                    _log(f"    {timing.seconds:.2f} s")
                    samples.setdefault((name, phase), []).append(timing.seconds)
                    if "statuses" in timing.extra:
                        seen = statuses.setdefault((name, phase), set())
                        seen.update(timing.extra["statuses"])
                    if "pipeyard_duration_s" in timing.extra:
                        extras.setdefault((name, phase), []).append(timing.extra["pipeyard_duration_s"])
                if name == "pipeyard":
                    pipeyard_root = root
            except BenchFailure as failure:
                failures[name] = str(failure)
                _log(f"    failed: {failure}")
    entries = _entries(scenario, tools, samples, extras, failures, adopted)
    for entry in entries:
        if (entry["tool"], entry["phase"]) in statuses:
            entry["step_statuses"] = sorted(statuses[(entry["tool"], entry["phase"])])
    return entries


def _entries(scenario, tools, samples, extras, failures, adopted) -> list[dict]:
    entries = []
    for phase in scenario.phases:
        for name in tools:
            if phase == CHANGE and name == "make":
                continue
            times = samples.get((name, phase), [])
            entry = {"scenario": scenario.key, "phase": phase, "tool": name, "times_s": times}
            if name == "dvc" and phase == FIRST and adopted:
                entry.update(
                    status="not measured",
                    note=(
                        "dvc repro's first run on 1,000 stages is not measured (quadratic, tens of "
                        "minutes; --with-dvc-1000 includes it); its no-op runs on the dvc.lock, outputs "
                        "and cache that pipeyard wrote, copied in (the formats are DVC's own), in the "
                        "first repetition only (it takes minutes too)"
                    ),
                )
            elif name in failures and len(times) == 0:
                entry.update(status="error", note=_one_line(failures[name]))
            else:
                entry.update(status="measured", median_s=statistics.median(times))
                if name in failures:
                    entry["note"] = "a later repetition failed: " + _one_line(failures[name])
            if extras.get((name, phase)):
                entry["pipeyard_reported_s"] = statistics.median(extras[(name, phase)])
            entries.append(entry)
    return entries


def _one_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " / ".join(lines[:1] + lines[-3:])[:400] if len(lines) > 1 else text


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def profile_run(work: Path, results: Path, stamp: str, steps: int, phase: str) -> None:
    """Profile one pipeyard run (the no-op, or the first) of independent steps; print a summary."""
    folder = work / "profile"
    shutil.rmtree(folder, ignore_errors=True)
    shape = Shape(steps)
    tool = Pipeyard()
    tool.make_template(folder, shape)
    if phase == "noop":
        tool.first_run(folder, shape)
    results.mkdir(parents=True, exist_ok=True)
    stem = f"profile-{phase}-{steps}-{stamp}"
    stats_file = results / f"{stem}.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(stats_file), "-m", "pipeyard", "run"]
    subprocess.run(command, cwd=folder, env=tool_env(), check=True, capture_output=True)
    import pstats

    report = results / f"{stem}.txt"
    with report.open("w") as handle:
        stats = pstats.Stats(str(stats_file), stream=handle).strip_dirs()
        for order in ("cumulative", "tottime"):
            handle.write(f"\n==== top 40 by {order} ====\n")
            stats.sort_stats(order).print_stats(40)
    imports = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import pipeyard.cli.main"],
        check=False,
        env=tool_env(),
        capture_output=True,
        text=True,
        cwd=folder,
    ).stderr
    slowest = sorted(
        (
            line
            for line in imports.splitlines()
            if line.startswith("import time:") and "|" in line and line.split("|")[1].strip().isdigit()
        ),
        key=lambda line: -int(line.split("|")[1]),
    )[:25]
    with report.open("a") as handle:
        handle.write(
            "\n==== python -X importtime: slowest cumulative imports of pipeyard.cli.main (us) ====\n"
        )
        handle.write("\n".join(slowest) + "\n")
    print(report.read_text())
    _log(f"profile: {stats_file} (open with `python -m pstats` or snakeviz), summary {report}")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, measure, write results and print the markdown."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1 repetition instead of 3")
    parser.add_argument("--repetitions", type=int, help="repetitions per measurement (median taken)")
    parser.add_argument(
        "--scenarios",
        default=",".join(s.key for s in SCENARIOS),
        help="comma-separated subset of: " + ", ".join(s.key for s in SCENARIOS),
    )
    parser.add_argument(
        "--tools",
        default="pipeyard,dvc,snakemake,make",
        help="comma-separated subset of: pipeyard, dvc, snakemake, make",
    )
    parser.add_argument(
        "--with-dvc-1000",
        action="store_true",
        help="also time dvc repro's first run on 1,000 stages (tens of minutes)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="only profile a pipeyard no-op run of 100 steps (cProfile); see --profile-*",
    )
    parser.add_argument("--profile-steps", type=int, default=100, help="steps in the profiled pipeline (100)")
    parser.add_argument(
        "--profile-phase",
        choices=("noop", "first"),
        default="noop",
        help="profile the no-op run (default) or the first run",
    )
    parser.add_argument("--work", type=Path, default=BENCH / "work", help="scratch folder")
    parser.add_argument("--results", type=Path, default=BENCH / "results", help="results folder")
    args = parser.parse_args(argv)

    stamp = datetime.date.today().isoformat()
    if args.profile:
        profile_run(args.work, args.results, stamp, args.profile_steps, args.profile_phase)
        return 0
    repetitions = args.repetitions or (1 if args.quick else 3)
    wanted_tools = [t.strip() for t in args.tools.split(",") if t.strip()]
    wanted = {s.strip() for s in args.scenarios.split(",")}
    scenarios = [s for s in SCENARIOS if s.key in wanted]
    unknown = wanted - {s.key for s in SCENARIOS}
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")

    facts = machine_facts(with_snakemake="snakemake" in wanted_tools)
    measurements = []
    for scenario in scenarios:
        tools = [t for t in scenario.tools if t in wanted_tools]
        measurements += measure(scenario, tools, repetitions, args.work, args.with_dvc_1000)

    wide = next((s for s in scenarios if s.cpus), None)
    keys = [s.key for s in scenarios]
    result = {
        "date": stamp,
        "command": "python bench/run.py " + " ".join(sys.argv[1:] if argv is None else argv),
        "repetitions": repetitions,
        "machine": facts,
        "titles": {s.key: s.title for s in scenarios},
        "measurements": measurements,
        "scaling": ("independent-100", "independent-1000")
        if {"independent-100", "independent-1000"} <= set(keys)
        else (None, None),
    }
    if wide:
        result["wide"] = {
            "scenario": wide.key,
            "steps": wide.shape.steps,
            "sleep_s": wide.shape.sleep_s,
            "cpus": wide.cpus,
            "ideal_s": math.ceil(wide.shape.steps / wide.cpus) * wide.shape.sleep_s,
        }
    facts["load_average_at_end"] = ", ".join(f"{load:.2f}" for load in os.getloadavg())
    result["targets"] = targets(result)
    text = "\n".join(
        [
            f"Command: `{result['command'].strip()}`",
            "",
            *machine_lines(facts),
            "",
            markdown(result),
        ]
    )
    args.results.mkdir(parents=True, exist_ok=True)
    name = stamp + ("-quick" if repetitions == 1 else "")
    (args.results / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    (args.results / f"{name}.md").write_text(text + "\n")
    print(text)
    _log(f"\nwrote {args.results / (name + '.json')} and .md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
