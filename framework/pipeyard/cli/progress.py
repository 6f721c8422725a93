"""Show run events to a person: a live table on a terminal, plain lines elsewhere."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO

from ..runner import events as ev
from ._output import OutputConsole

if TYPE_CHECKING:  # rich is imported when a live table or coloured lines are drawn
    from rich.live import Live
    from rich.table import Table
    from rich.text import Text

STYLES = {
    "queued": "dim",
    "running": "cyan",
    "ran": "green",
    "cached": "blue",
    "restored": "magenta",
    "failed": "bold red",
    "skipped": "yellow",
}
MAX_LIVE_ROWS = 30
SYMBOLS = {
    "queued": "·",
    "running": "▶",
    "ran": "✓",
    "cached": "=",
    "restored": "↺",
    "failed": "✗",
    "skipped": "-",
}


@dataclass
class _Row:
    state: str = "queued"
    started: float | None = None
    duration: float | None = None
    detail: str = ""


@dataclass
class ProgressView:
    """Consumes runner events and draws them; use as a context manager around the run."""

    console: OutputConsole
    live_mode: bool
    rows: dict[str, _Row] = field(default_factory=dict)
    _live: Live | None = None
    _name_width: int = 8

    @classmethod
    def for_stream(cls, stream: TextIO | None = None) -> ProgressView:
        """A view that draws live on a terminal and prints plain lines otherwise."""
        stream = stream or sys.stderr
        console = OutputConsole(file=stream)
        return cls(console=console, live_mode=not console.plain and console.is_terminal)

    def __enter__(self) -> ProgressView:
        if self.live_mode:
            from rich.live import Live

            self._live = Live(self._table(), console=self.console.rich, refresh_per_second=8, transient=False)
            self._live.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._live is not None:
            self._live.update(self._table())
            self._live.__exit__(*exc)
            self._live = None

    def __call__(self, event: ev.Event) -> None:
        """Draw one runner event."""
        if isinstance(event, ev.Notice):
            self.console.print(f"note: {event.text}", style="yellow", markup=False)
            return
        if isinstance(event, ev.RunStarted):
            for name in event.steps:
                self.rows.setdefault(name, _Row())
            self._name_width = max((len(n) for n in event.steps), default=8)
        elif isinstance(event, ev.StepQueued):
            self.rows.setdefault(event.name, _Row())
        elif isinstance(event, ev.StepStarted):
            row = self.rows.setdefault(event.name, _Row())
            row.state, row.started = "running", time.monotonic()
            attempt = f" (attempt {event.attempt})" if event.attempt > 1 else ""
            gpus = f" on GPU {','.join(event.gpu_ids)}" if event.gpu_ids else ""
            row.detail = f"{event.resources.describe()}{gpus}{attempt}"
            if not self.live_mode:
                self._line("running", event.name, None, row.detail)
        elif isinstance(event, ev.StepFinished):
            row = self.rows.setdefault(event.name, _Row())
            row.state, row.duration = event.status, event.duration_s
            row.detail = "; ".join(event.reasons[:2]) + (" …" if len(event.reasons) > 2 else "")
            if not self.live_mode:
                self._line(event.status, event.name, event.duration_s, row.detail)
        if self._live is not None:
            self._live.update(self._table())

    def _line(self, state: str, name: str, duration: float | None, detail: str) -> None:
        width = self._name_width
        took = f"{duration:6.2f}s" if duration is not None else " " * 7
        line = f"{SYMBOLS[state]} {state:<8} {name:<{width}} {took}  {detail}".rstrip()
        if self.console.plain:  # rich would print it as is, 0.4 ms later
            self.console.file.write(line + "\n")
            return
        from rich.text import Text

        text = Text(line)
        text.stylize(STYLES[state], 0, len(state) + 11)
        self.console.print(text)

    def _visible_rows(self) -> list[tuple[str, _Row]]:
        """Every row for a small pipeline; else what matters now: running, failed, the latest."""
        rows = list(self.rows.items())
        if len(rows) <= MAX_LIVE_ROWS:
            return rows
        busy = [(n, r) for n, r in rows if r.state in ("running", "failed")]
        done = [(n, r) for n, r in rows if r.state not in ("queued", "running", "failed")]
        return (busy + done[-(MAX_LIVE_ROWS // 2) :])[:MAX_LIVE_ROWS]

    def _counts(self) -> Text:
        from rich.text import Text

        counts: dict[str, int] = {}
        for row in self.rows.values():
            counts[row.state] = counts.get(row.state, 0) + 1
        text = Text(f"{len(self.rows)} steps: ")
        text.append(", ".join(f"{counts[s]} {s}" for s in STYLES if counts.get(s)), style="bold")
        return text

    def _table(self) -> Table:
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, show_header=False, pad_edge=False)
        table.add_column(width=1)
        table.add_column()
        table.add_column()
        table.add_column(justify="right")
        table.add_column(overflow="fold")
        now = time.monotonic()
        if len(self.rows) > MAX_LIVE_ROWS:
            table.add_row("", self._counts(), "", "", "")
        for name, row in self._visible_rows():
            took = row.duration if row.duration is not None else (now - row.started if row.started else None)
            table.add_row(
                Text(SYMBOLS[row.state], style=STYLES[row.state]),
                Text(row.state, style=STYLES[row.state]),
                name,
                f"{took:.2f}s" if took is not None else "",
                Text(row.detail, style="dim"),
            )
        return table
