"""The table of a sweep: one row per point, its swept values, its metrics and its status.

Metric columns are named by their key (`accuracy`, `scores.f1`), or `file:key` where two
metrics files hold the same key. Sorting: `--sort-by accuracy` puts the largest first,
`--sort-by -loss` the smallest first; points without the value come last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterError, did_you_mean, known


@dataclass(frozen=True)
class SweepTable:
    """Columns (point, parameters..., metrics..., status) and one row of values per point."""

    parameters: tuple[str, ...]
    metrics: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    sorted_by: str | None = None

    @property
    def columns(self) -> tuple[str, ...]:
        """Every column name, in order."""
        return ("point", *self.parameters, *self.metrics, "status")


def metric_columns(metrics: Sequence[Mapping[str, Mapping[str, Any]]]) -> dict[str, tuple[str, str]]:
    """Column name -> (metrics file, key), over the metrics of every point."""
    pairs: list[tuple[str, str]] = []
    for one in metrics:
        for file, values in one.items():
            pairs.extend((file, key) for key in values if (file, key) not in pairs)
    keys = [key for _, key in pairs]
    return {(key if keys.count(key) == 1 else f"{file}:{key}"): (file, key) for file, key in pairs}


def sweep_table(results: Sequence, sort_by: str | None = None) -> SweepTable:
    """The table of the results (sweep.PointResult values), sorted by sort_by if given.

    Raises ParameterError when sort_by names no column.
    """
    parameters: list[str] = []
    for result in results:
        parameters.extend(key for key, _ in result.point.swept if key not in parameters)
    columns = metric_columns([r.metrics for r in results])
    rows = []
    for result in results:
        swept = dict(result.point.swept)
        values = [result.metrics.get(file, {}).get(key) for file, key in columns.values()]
        rows.append((result.point.number, *(swept.get(p) for p in parameters), *values, result.status))
    table = SweepTable(tuple(parameters), tuple(columns), tuple(rows))
    return sort_table(table, sort_by) if sort_by else table


def sort_table(table: SweepTable, sort_by: str) -> SweepTable:
    """The table sorted by a column: 'name' largest first, '-name' smallest first."""
    ascending = sort_by.startswith("-")
    name = sort_by[1:] if ascending else sort_by
    if name not in table.columns:
        raise ParameterError(
            f"--sort-by names no column '{name}'{did_you_mean(name, table.columns)}",
            hint=f"columns: {known(table.columns)}; prefix - to sort the smallest first",
        )
    index = table.columns.index(name)
    present = [row for row in table.rows if row[index] is not None]
    missing = [row for row in table.rows if row[index] is None]
    numeric = all(isinstance(row[index], (int, float)) for row in present)
    present.sort(key=lambda row: row[index] if numeric else str(row[index]), reverse=not ascending)
    return SweepTable(table.parameters, table.metrics, tuple(present + missing), sort_by)


def format_value(value: Any) -> str:
    """A cell's text: numbers with at most 6 significant digits, '-' for no value."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def plain_text(table: SweepTable) -> str:
    """The table as aligned plain-text columns."""
    cells = [list(table.columns)] + [[format_value(v) for v in row] for row in table.rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(table.columns))]
    return "\n".join(
        "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in cells
    )


def markdown(table: SweepTable) -> str:
    """The table in GitHub markdown, e.g. for a pull-request comment."""
    lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
    lines += [
        "| " + " | ".join(format_value(v).replace("|", "\\|") for v in row) + " |" for row in table.rows
    ]
    return "\n".join(lines)
