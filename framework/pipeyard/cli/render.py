"""Text renderings for the CLI: the DAG (text, mermaid, dot, json), status, run summaries."""

from __future__ import annotations

import json
from collections.abc import Sequence


def dag_edges(stages) -> list[tuple[str, str]]:
    """Every (upstream, downstream) pair, in stage order."""
    return [(up, s.name) for s in stages for up in s.upstream]


def render_dag(stages, fmt: str, actions: dict[str, str] | None = None) -> str:
    """The stage graph as 'text', 'mermaid', 'dot' or 'json'."""
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
        lines += [f"    {_node_id(s.name)}[\"{s.name}\"]" for s in stages]
        lines += [f"    {_node_id(a)} --> {_node_id(b)}" for a, b in edges]
        return "\n".join(lines)
    if fmt == "dot":
        lines = ["digraph pipeline {", "    rankdir=LR;", "    node [shape=box];"]
        lines += [f'    "{s.name}";' for s in stages]
        lines += [f'    "{a}" -> "{b}";' for a, b in edges]
        lines.append("}")
        return "\n".join(lines)
    return _text_dag(stages, actions)


def _text_dag(stages, actions: dict[str, str]) -> str:
    width = max((len(s.name) for s in stages), default=4)
    lines = []
    for s in stages:
        arrow = f"<- {', '.join(s.upstream)}" if s.upstream else "(source)"
        mark = f"  [{actions[s.name]}]" if s.name in actions else ""
        lines.append(f"{s.name:<{width}}  {arrow}  [{s.compute}: {s.resources.describe()}]{mark}")
    return "\n".join(lines)


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


def tail(path, lines: int = 20) -> str:
    """The last lines of a log file (empty if it does not exist)."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            size = handle.tell()
            handle.seek(max(0, size - 16384))
            text = handle.read().decode("utf-8", "replace")
    except OSError:
        return ""
    return "\n".join(text.splitlines()[-lines:])
