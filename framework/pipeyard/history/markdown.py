"""A diff as plain text or GitHub-flavoured markdown, and the table helpers reports share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..cache.status import format_value
from .diff import Diff, MetricDelta


def table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A markdown table; pipes and newlines inside cells are escaped."""
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def cell(value: Any) -> str:
    """A value as markdown table cell text."""
    text = "" if value is None else value if isinstance(value, str) else format_value(value)
    return text.replace("|", "\\|").replace("\n", " ")


def delta_text(metric: MetricDelta) -> str:
    """'+0.05', '-3', 'new', 'removed' or ''."""
    if metric.old is None and metric.new is not None:
        return "new"
    if metric.new is None and metric.old is not None:
        return "removed"
    if metric.delta is None or metric.delta == 0:
        return ""
    return f"{metric.delta:+.6g}"


def diff_text(diff: Diff) -> str:
    """The diff for a terminal."""
    lines = [f"{diff.a} -> {diff.b}", "", "steps:"]
    width = max((len(s.step) for s in diff.steps), default=4)
    for step in diff.steps:
        why = "; ".join(step.reasons)
        lines.append(f"  {step.step:<{width}}  {step.state:<8}  {why}".rstrip())
    if not diff.steps:
        lines.append("  (no steps)")
    lines += ["", "params:"]
    lines += [f"  {p.text}" for p in diff.params] or ["  (no changes)"]
    lines += ["", "metrics:"]
    metrics = [m for m in diff.metrics]
    for m in metrics:
        change = delta_text(m)
        lines.append(
            f"  {m.file} {m.key}: {_value(m.old)} -> {_value(m.new)}" + (f" ({change})" if change else "")
        )
    if not metrics:
        lines.append("  (no metrics)")
    return "\n".join(lines)


def diff_markdown(diff: Diff, *, heading: str = "##") -> str:
    """The diff as markdown sections: steps, parameters, metrics."""
    rerun = len(diff.reruns)
    parts = [
        f"{heading} `{diff.a}` → `{diff.b}`",
        f"{rerun} of {len(diff.steps)} steps re-run.",
        steps_markdown(diff, heading),
        params_markdown(diff, heading),
        metrics_markdown(diff, heading),
    ]
    return "\n\n".join(parts) + "\n"


def steps_markdown(diff: Diff, heading: str = "##", latest: dict[str, str] | None = None) -> str:
    """The steps section: one row per step, what happens to it and why."""
    header = ["step", diff.b + " vs " + diff.a, "why"]
    rows = []
    for step in diff.steps:
        row = [f"`{step.step}`", step.state, "; ".join(step.reasons)]
        if latest is not None:
            row.insert(2, latest.get(step.step, ""))
        rows.append(row)
    if latest is not None:
        header.insert(2, "latest run")
    return f"{heading}# Steps\n\n" + (table(header, rows) if rows else "No steps.")


def params_markdown(diff: Diff, heading: str = "##") -> str:
    """The parameters section: each parameter that differs."""
    rows = [[f"`{p.key}`", _value(p.old), _value(p.new)] for p in diff.params]
    body = table(["parameter", diff.a, diff.b], rows) if rows else "No parameter changed."
    return f"{heading}# Parameters\n\n{body}"


def metrics_markdown(diff: Diff, heading: str = "##") -> str:
    """The metrics section: every metric, both values, and the change."""
    rows = [[f"`{m.file}`", f"`{m.key}`", _value(m.old), _value(m.new), delta_text(m)] for m in diff.metrics]
    body = table(["file", "metric", diff.a, diff.b, "change"], rows) if rows else "No metrics."
    return f"{heading}# Metrics\n\n{body}"


def _value(value: Any) -> str:
    return "—" if value is None else format_value(value)
