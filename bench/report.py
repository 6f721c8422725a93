"""Machine facts and the markdown tables of a benchmark result (plain dicts, as saved in JSON)."""

from __future__ import annotations

import os
import platform
import subprocess
from collections.abc import Callable
from importlib import metadata

import psutil

from tools import snakemake_binary, tool_env

TOOLS = (
    ("pipeyard", "pipeyard"),
    ("dvc", "dvc repro"),
    ("snakemake", "snakemake"),
    ("make", "make"),
)


def machine_facts(with_snakemake: bool) -> dict:
    """Cores, memory, CPU model, OS and the versions of every tool measured."""
    cpu_model = ""
    try:
        with open("/proc/cpuinfo") as handle:
            cpu_model = next(
                (line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")),
                "",
            )
    except OSError:
        pass
    facts = {
        "cpus": os.cpu_count(),
        "cpu_model": cpu_model,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "pipeyard": _package_version("pipeyard"),
        "dvc": _package_version("dvc"),
        "make": _first_line(["make", "--version"]),
        "git": _first_line(["git", "--version"]),
        "load_average_at_start": ", ".join(f"{load:.2f}" for load in os.getloadavg()),
    }
    if with_snakemake:
        facts["snakemake"] = _first_line([str(snakemake_binary()), "--version"])
    return facts


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _first_line(command: list[str]) -> str:
    try:
        result = subprocess.run(
            command, check=False, capture_output=True, text=True, env=tool_env(), timeout=60
        )
    except OSError:
        return "not installed"
    return (result.stdout.strip().splitlines() or ["?"])[0]


def _seconds(entry: dict | None) -> str:
    if entry is None:
        return "—"
    if entry["status"] == "measured":
        seconds = entry["median_s"]
        return f"{seconds:.3f} s" if seconds < 1 else f"{seconds:.2f} s"
    return entry["status"]


def _ratio(peer: dict | None, base: dict | None) -> str:
    if not (peer and base and peer["status"] == base["status"] == "measured") or not base["median_s"]:
        return "—"
    ratio = peer["median_s"] / base["median_s"]
    return f"{ratio:.1f}×" if ratio >= 1 else f"{ratio:.2g}×"


def median(result: dict, scenario: str, phase: str, tool: str) -> float | None:
    """The median seconds of one measurement, or None when it was not measured."""
    entry = _find(result, scenario, phase, tool)
    return entry["median_s"] if entry and entry["status"] == "measured" else None


def _find(result: dict, scenario: str, phase: str, tool: str) -> dict | None:
    for entry in result["measurements"]:
        if (entry["scenario"], entry["phase"], entry["tool"]) == (scenario, phase, tool):
            return entry
    return None


def markdown(result: dict) -> str:
    """The result as markdown: times with ratios, the wide DAG against ideal, targets, notes."""
    tools = [(key, label) for key, label in TOOLS if any(e["tool"] == key for e in result["measurements"])]
    header = ["scenario", "phase", *(label for _, label in tools)]
    header += [f"{label} ÷ pipeyard" for key, label in tools if key != "pipeyard"]
    lines = [
        (
            f"Wall-clock seconds, median of {result['repetitions']} "
            f"run{'s' if result['repetitions'] != 1 else ''}; ratio = peer time ÷ pipeyard time "
            "(above 1 means pipeyard is faster)."
        ),
        "",
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
    ]
    rows = []
    for entry in result["measurements"]:
        key = (entry["scenario"], entry["phase"])
        if key not in rows:
            rows.append(key)
    for scenario, phase in rows:
        cells = [result["titles"][scenario], phase]
        cells += [_seconds(_find(result, scenario, phase, key)) for key, _ in tools]
        base = _find(result, scenario, phase, "pipeyard")
        cells += [_ratio(_find(result, scenario, phase, key), base) for key, _ in tools if key != "pipeyard"]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", *_wide_lines(result), "", *_target_lines(result)]
    notes: dict[tuple[str, str, str], list[str]] = {}
    for e in result["measurements"]:
        if e.get("note"):
            notes.setdefault((e["scenario"], e["tool"], e["note"]), []).append(e["phase"])
    if notes:
        lines += ["", "Notes:", ""]
        lines += [
            f"- {result['titles'][scenario]}, {tool} ({', '.join(phases)}): {note}"
            for (scenario, tool, note), phases in notes.items()
        ]
    return "\n".join(lines)


def _wide_lines(result: dict) -> list[str]:
    wide = result.get("wide")
    if not wide:
        return []
    lines = [
        (
            f"Wide DAG: {wide['steps']} steps of {wide['sleep_s']:g} s, 1 CPU each, declared "
            f"capacity {wide['cpus']} CPUs; ideal = ceil({wide['steps']}/{wide['cpus']}) × "
            f"{wide['sleep_s']:g} s = {wide['ideal_s']:.2f} s."
        ),
        "",
        "| tool | time | ÷ ideal |",
        "|---|---|---|",
    ]
    for key, label in TOOLS:
        entry = _find(result, wide["scenario"], "first run", key)
        if entry:
            ratio = f"{entry['median_s'] / wide['ideal_s']:.2f}×" if entry["status"] == "measured" else "—"
            lines.append(f"| {label} | {_seconds(entry)} | {ratio} |")
    return lines


def targets(result: dict) -> list[dict]:
    """Each target with the measured value and whether it is met (None: not measured)."""
    rows = []

    def add(name: str, value: float | None, met: Callable[[float], bool]) -> None:
        rows.append({"target": name, "value": value, "met": None if value is None else met(value)})

    for scenario in result["titles"]:
        if scenario == (result.get("wide") or {}).get("scenario"):
            continue
        for phase, dvc_factor in (("first run", 10.0), ("no-op run", 3.0)):
            base = median(result, scenario, phase, "pipeyard")
            for tool, factor in (("snakemake", 1.0), ("dvc", dvc_factor)):
                peer = median(result, scenario, phase, tool)
                value = peer / base if peer is not None and base else None
                if _find(result, scenario, phase, tool):
                    add(
                        f"{result['titles'][scenario]}, {phase}: {tool} ÷ pipeyard "
                        f"{'>' if factor == 1 else '≥'} {factor:g}",
                        value,
                        (lambda v, f=factor: v > f) if factor == 1 else (lambda v, f=factor: v >= f),
                    )
    wide = result.get("wide")
    if wide:
        time_ = median(result, wide["scenario"], "first run", "pipeyard")
        add(
            "wide DAG: pipeyard ÷ ideal ≤ 1.2",
            time_ / wide["ideal_s"] if time_ else None,
            lambda v: v <= 1.2,
        )
    small, large = result.get("scaling", (None, None))
    if small and large:
        for phase in ("first run", "no-op run"):
            a, b = (
                median(result, small, phase, "pipeyard"),
                median(result, large, phase, "pipeyard"),
            )
            add(
                f"{result['titles'][large]} ÷ {result['titles'][small]}, {phase} ≤ 12",
                b / a if a and b else None,
                lambda v: v <= 12,
            )
    return rows


def _target_lines(result: dict) -> list[str]:
    lines = ["| target | measured | met |", "|---|---|---|"]
    for row in targets(result):
        value = "not measured" if row["value"] is None else f"{row['value']:.2f}"
        met = "—" if row["met"] is None else ("yes" if row["met"] else "**no**")
        lines.append(f"| {row['target']} | {value} | {met} |")
    return lines


def machine_lines(facts: dict) -> list[str]:
    """Machine facts as a markdown list."""
    return [f"- {key}: {value}" for key, value in facts.items()]
