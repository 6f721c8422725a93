"""Plot data (DVC plots files: CSV, TSV, JSON, YAML) drawn as mermaid `xychart-beta` charts.

GitHub renders mermaid blocks in pull-request comments itself, so a report needs no image host
and no file next to it; inline SVG and data: images are stripped by GitHub's sanitizer.
xychart has no legend, so each chart's caption names its lines in order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .snapshot import table_of

X_COLUMNS = ("step", "epoch", "iteration", "iter", "x")
MAX_POINTS = 50
MAX_SERIES_PER_FILE = 4


@dataclass(frozen=True)
class Line:
    """One line of a chart: what it shows (e.g. 'base 1a2b3c4d') and its y values."""

    name: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Chart:
    """One y column of a plots file against its x column, for one or two revisions."""

    file: str
    y: str
    x: str
    categories: tuple[str, ...]
    lines: tuple[Line, ...]

    @property
    def title(self) -> str:
        """'file: y'."""
        return f"{self.file}: {self.y}"

    def mermaid(self) -> str:
        """The chart as a mermaid xychart-beta block body (without the ``` fence)."""
        categories = ", ".join(f'"{_clean(c)}"' for c in self.categories)
        rows = [
            "xychart-beta",
            f'    title "{_clean(self.title)}"',
            f'    x-axis "{_clean(self.x)}" [{categories}]',
            f'    y-axis "{_clean(self.y)}"',
        ]
        rows += [f"    line [{', '.join(_number_text(v) for v in line.values)}]" for line in self.lines]
        return "\n".join(rows)

    def caption(self) -> str:
        """Which line is which, in drawing order."""
        return "; ".join(f"line {i + 1}: {line.name}" for i, line in enumerate(self.lines))


def charts_for(
    file: str,
    texts: Mapping[str, str | None],
) -> list[Chart]:
    """Charts of a plots file for each labelled version of its text ({'base abc': text, ...}).

    The last version sets the x values; an earlier one is drawn too when its x values match.
    """
    tables = {label: table_of(file, text) for label, text in texts.items() if text}
    tables = {label: rows for label, rows in tables.items() if rows}
    if not tables:
        return []
    last_label = list(tables)[-1]
    head = tables[last_label]
    x = _x_column(head)
    categories = _sample([str(row.get(x)) if x else str(i) for i, row in enumerate(head)])
    charts = []
    for y in _y_columns(head, x)[:MAX_SERIES_PER_FILE]:
        lines = []
        for label, rows in tables.items():
            xs = _sample([str(row.get(x)) if x else str(i) for i, row in enumerate(rows)])
            values = _sample([row.get(y) for row in rows])
            if xs == categories and all(_finite(v) for v in values):
                lines.append(Line(label, tuple(float(v) for v in values)))
        if lines:
            charts.append(Chart(file, y, x or "row", tuple(categories), tuple(lines)))
    return charts


def _x_column(rows: Sequence[Mapping[str, Any]]) -> str | None:
    columns = list(rows[0])
    for name in X_COLUMNS:
        if name in columns:
            return name
    if len(columns) > 1 and all(_finite(row.get(columns[0])) for row in rows):
        return columns[0]
    return None


def _y_columns(rows: Sequence[Mapping[str, Any]], x: str | None) -> list[str]:
    return [c for c in rows[0] if c != x and all(_finite(row.get(c)) for row in rows)]


def _sample(values: list) -> list:
    """At most MAX_POINTS values, evenly spread, first and last kept."""
    if len(values) <= MAX_POINTS:
        return values
    step = (len(values) - 1) / (MAX_POINTS - 1)
    return [values[round(i * step)] for i in range(MAX_POINTS)]


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _number_text(value: float) -> str:
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)


def _clean(text: str) -> str:
    return str(text).replace('"', "'").replace("\n", " ")
