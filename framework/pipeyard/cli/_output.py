"""The consoles `out` and `err` every command prints through: rich on a terminal, plain elsewhere.

Importing rich and building its Console cost every run 60-70 ms of start-up (measured with
`python -X importtime`). Most output that is not a terminal is plain text, which rich would
print unchanged, so OutputConsole writes that text itself and builds
a rich Console only when rich would change something: a terminal (colours, a live table),
markup, an emoji code, control characters, or any other print option.
"""

from __future__ import annotations

import builtins
import os
import re
import sys
from typing import Any, TextIO

_MAY_CHANGE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]|:\S*?:")  # control codes, tabs; emoji codes
_PLAIN_OPTIONS = frozenset({"style", "markup", "end"})  # no effect on uncoloured text


class OutputConsole:
    """A rich Console(highlight=False, soft_wrap=True) for stdout or stderr, made on first need.

    ``print`` of plain text to a stream that is no terminal writes the text directly; every
    other use is rich's own, on the stream current at the time (as rich's own Console does).
    """

    def __init__(self, *, stderr: bool = False, file: TextIO | None = None) -> None:
        self._stderr = stderr
        self._file = file
        self._rich: Any = None

    @property
    def file(self) -> TextIO:
        """The stream written to: the given file, else sys.stdout or sys.stderr as they are now."""
        if self._file is not None:
            return self._file
        return sys.stderr if self._stderr else sys.stdout

    @property
    def plain(self) -> bool:
        """True when rich would print without colour or cursor moves: not a terminal, by rich's
        own tests (TTY_COMPATIBLE, FORCE_COLOR, isatty), and not inside Jupyter."""
        if self._rich is not None:
            return self._rich.color_system is None and not self._rich.is_terminal
        environ = os.environ
        if "TTY_COMPATIBLE" in environ or "FORCE_COLOR" in environ or hasattr(builtins, "get_ipython"):
            return False
        isatty = getattr(self.file, "isatty", None)
        try:
            return isatty is None or not isatty()
        except ValueError:  # a closed stream
            return True

    @property
    def rich(self) -> Any:
        """The rich Console behind this one."""
        if self._rich is None:
            from rich.console import Console

            self._rich = Console(file=self._file, stderr=self._stderr, highlight=False, soft_wrap=True)
        return self._rich

    def print(self, *objects: Any, **options: Any) -> None:
        """Console.print: plain text straight to the stream when rich would print it unchanged."""
        if len(objects) == 1 and isinstance(objects[0], str) and options.keys() <= _PLAIN_OPTIONS:
            text = objects[0]
            markup = options.get("markup", True)
            if not (markup and "[" in text) and not _MAY_CHANGE.search(text) and self.plain:
                end = options.get("end", "\n")
                stream = self.file
                stream.write(text + end)
                stream.flush()  # as rich does after every print
                return
        self.rich.print(*objects, **options)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not rich's: copy and pickle probe before __init__ has run
            raise AttributeError(name)
        return getattr(self.rich, name)


out = OutputConsole()  # what a command answers, on stdout
err = OutputConsole(stderr=True)  # notes, progress, problems and errors, on stderr
