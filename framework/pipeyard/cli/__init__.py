"""The command-line interface (the top layer).

Ctrl-C in the first fraction of a second of a `pipeyard` command lands while its modules are
still being imported, before `main.main` can catch it. This package is imported first, so it
installs a hook that turns that interrupt into the same one line and exit code 130.
"""

from __future__ import annotations

import os
import signal
import sys

_EXIT_INTERRUPTED = 130  # errors.EXIT_INTERRUPTED; errors is not imported yet on purpose


def _one_line_on_interrupt(kind, value, tb, previous=sys.excepthook) -> None:
    """sys.excepthook: an uncaught Ctrl-C prints one line and exits 130; others go on as before."""
    if isinstance(kind, type) and issubclass(kind, KeyboardInterrupt):
        sys.stderr.write("interrupted while starting: nothing was run\n")
        sys.stderr.flush()
        os._exit(_EXIT_INTERRUPTED)  # a normal exit would re-raise SIGINT (exit -2, not 130)
    previous(kind, value, tb)


_interrupt_seen = False


def _latch_interrupt(signum, frame) -> None:
    """SIGINT: raise KeyboardInterrupt as Python does, and remember it. Python drops an
    exception raised inside a callback (a module lock's, while importing), so the run would
    go on; `interrupt_seen` lets the CLI notice such a Ctrl-C before it starts any step."""
    global _interrupt_seen
    _interrupt_seen = True
    raise KeyboardInterrupt


def interrupt_seen() -> bool:
    """True once Ctrl-C reached this process, even where its KeyboardInterrupt was dropped."""
    return _interrupt_seen


if not os.environ.get("PIPEYARD_TRACEBACK"):
    sys.excepthook = _one_line_on_interrupt
if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
    signal.signal(signal.SIGINT, _latch_interrupt)
