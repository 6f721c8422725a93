"""Text renderings for the CLI: the DAG (text, mermaid, dot, json), status, run summaries."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..model import Stage
from ..model.pipeline import NESTING_SEPARATOR, nesting_of

if TYPE_CHECKING:  # `dag` and `compile` do without the runner package (~70 ms to import)
    from ..runner.summary import RunSummary

DAG_FORMATS = ("text", "mermaid", "dot", "json")
Line = TypeVar("Line")


def dag_edges(stages: Sequence[Stage]) -> list[tuple[str, str]]:
    """Every (upstream, downstream) pair, in stage order."""
    return [(up, s.name) for s in stages for up in s.upstream]


def render_dag(stages: Sequence[Stage], fmt: str, actions: dict[str, str] | None = None) -> str:
    """The stage graph in one of DAG_FORMATS: 'text', 'mermaid', 'dot' or 'json'."""
    actions = actions or {}
    edges = dag_edges(stages)
    if fmt == "json":
        return json.dumps(
            {
                "nodes": [
                    {
                        "name": s.name,
                        "upstream": list(s.upstream),
                        "compute": s.compute,
                        "resources": {
                            "cpus": s.resources.cpus,
                            "memory_mb": s.resources.memory_mb,
                            "gpus": s.resources.gpus,
                        },
                        **({"action": actions[s.name]} if s.name in actions else {}),
                    }
                    for s in stages
                ],
                "edges": [list(e) for e in edges],
            },
            indent=2,
        )
    if fmt == "mermaid":
        lines = ["flowchart TD"]
        lines += _grouped(
            stages,
            lambda s, pad: f'{pad}{_node_id(s.name)}["{s.name}"]',
            lambda g, pad: f'{pad}subgraph {_node_id("g_" + "__".join(g))}["{g[-1]}"]',
            lambda pad: f"{pad}end",
        )
        lines += [f"    {_node_id(a)} --> {_node_id(b)}" for a, b in edges]
        return "\n".join(lines)
    if fmt == "dot":
        lines = ["digraph pipeline {", "    rankdir=LR;", "    node [shape=box];"]
        lines += _grouped(
            stages,
            lambda s, pad: f'{pad}"{s.name}";',
            lambda g, pad: f'{pad}subgraph "cluster_{"__".join(g)}" {{ label="{g[-1]}";',
            lambda pad: f"{pad}}}",
        )
        lines += [f'    "{a}" -> "{b}";' for a, b in edges]
        lines.append("}")
        return "\n".join(lines)
    return _text_dag(stages, actions)


def _text_dag(stages: Sequence[Stage], actions: dict[str, str]) -> str:
    """One line per step with its upstream; steps of a pipeline component indented under it."""
    nested = any(nesting_of(s.name) for s in stages)
    rows: list[tuple[str, str]] = []  # (label, rest); rest "" for a component's heading

    def step(stage: Stage, pad: str) -> tuple[str, str]:
        label = pad[4:] + (stage.name.split(NESTING_SEPARATOR)[-1] if nested else stage.name)
        arrow = f"<- {', '.join(stage.upstream)}" if stage.upstream else "(source)"
        mark = f"  [{actions[stage.name]}]" if stage.name in actions else ""
        return (label, f"{arrow}  [{stage.compute}: {stage.resources.describe()}]{mark}")

    if nested:
        for row in _grouped(stages, step, lambda g, pad: (f"{pad[4:]}{g[-1]}/", ""), lambda pad: None):
            if row is not None:
                rows.append(row)
    else:
        rows = [step(s, "    ") for s in stages]
    width = max((len(label) for label, rest in rows if rest), default=4)
    return "\n".join(f"{label:<{width}}  {rest}" if rest else label for label, rest in rows)


def _grouped(
    stages: Sequence[Stage],
    node: Callable[[Stage, str], Line],
    opening: Callable[[tuple[str, ...], str], Line],
    closing: Callable[[str], Line],
) -> list[Line]:
    """Node lines, with the steps of each pipeline component inside a (nested) group."""
    lines: list[Line] = []
    open_groups: tuple[str, ...] = ()
    first: dict[tuple[str, ...], int] = {}  # each component at the place of its first step
    for index, stage in enumerate(stages):
        groups = nesting_of(stage.name)
        for depth in range(1, len(groups) + 1):
            first.setdefault(groups[:depth], index)
    order = {s.name: i for i, s in enumerate(stages)}

    def place(stage: Stage) -> tuple[int, ...]:
        groups = nesting_of(stage.name)
        return (*(first[groups[:d]] for d in range(1, len(groups) + 1)), order[stage.name])

    for stage in sorted(stages, key=place):
        groups = nesting_of(stage.name)
        common = 0
        while common < min(len(groups), len(open_groups)) and groups[common] == open_groups[common]:
            common += 1
        for depth in range(len(open_groups), common, -1):
            lines.append(closing("    " * depth))
        for depth in range(common, len(groups)):
            lines.append(opening(groups[: depth + 1], "    " * (depth + 1)))
        open_groups = groups
        lines.append(node(stage, "    " * (len(groups) + 1)))
    for depth in range(len(open_groups), 0, -1):
        lines.append(closing("    " * depth))
    return lines


def _node_id(name: str) -> str:
    return "n_" + "".join(c if c.isalnum() else "_" for c in name)


def summary_line(statuses: Sequence[str], duration_s: float) -> str:
    """'5 steps in 1.20s: 2 ran, 3 cached'."""
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status] = counts.get(status, 0) + 1
    order = ["ran", "restored", "cached", "failed", "skipped"]
    parts = [f"{counts[k]} {k}" for k in order if counts.get(k)]
    n = len(statuses)
    return f"{n} step{'s' if n != 1 else ''} in {duration_s:.2f}s: {', '.join(parts) or 'nothing to do'}"


def summary_json(summary: RunSummary) -> dict[str, Any]:
    """A run's summary as `pipeyard run --json` prints it."""
    return {
        "run_id": summary.run_id,
        "commit": summary.commit,
        "status": summary.status,
        "duration_s": round(summary.duration_s, 3),
        "steps": {
            name: {
                "status": r.status,
                "duration_s": round(r.duration_s, 3),
                "reasons": list(r.reasons),
                **({"attempts": r.attempts} if r.attempts > 1 else {}),
                **({"node": {"host": r.host, "node_id": r.node_id}} if r.host or r.node_id else {}),
            }
            for name, r in summary.steps.items()
        },
    }


def tail(path: Path | str | None, lines: int = 20) -> str:
    """The last lines of a log file (empty if there is none or it does not exist)."""
    if path is None:
        return ""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 16384))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
