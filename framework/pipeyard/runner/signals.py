"""Ctrl-C and SIGTERM during a run: the first asks the run to stop cleanly, a second Ctrl-C aborts."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from typing_extensions import Self

_Handler = Callable[[int, FrameType | None], object] | int | None


class DeferredSignals:
    """Turn the first Ctrl-C or SIGTERM into a call of on_signal; a second Ctrl-C raises.

    Signal handlers can only be set from the main thread; elsewhere this does nothing. The
    handlers that were there before come back on exit.
    """

    def __init__(self, on_signal: Callable[[], None]) -> None:
        self.on_signal = on_signal
        self.previous: dict[int, _Handler] = {}
        self.seen = False

    def __enter__(self) -> Self:
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                self.previous[signum] = signal.signal(signum, self.handle)
        return self

    def handle(self, signum: int, frame: FrameType | None) -> None:
        """The handler: a KeyboardInterrupt on the second Ctrl-C, else on_signal."""
        if self.seen and signum == signal.SIGINT:
            raise KeyboardInterrupt
        self.seen = True
        self.on_signal()

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.previous.items():
            signal.signal(signum, handler)
