"""The command-line interface (the top layer).

Ctrl-C in the first fraction of a second of a `pipeyard` command lands while its modules are
still being imported, before `main.main` can catch it. This package is imported first, so it
installs a hook that turns that interrupt into the same one line and exit code 130.
"""

from __future__ import annotations

import os
import sys

_EXIT_INTERRUPTED = 130  # errors.EXIT_INTERRUPTED; errors is not imported yet on purpose


def _one_line_on_interrupt(kind, value, tb, previous=sys.excepthook) -> None:
    """sys.excepthook: an uncaught Ctrl-C prints one line and exits 130; others go on as before."""
    if isinstance(kind, type) and issubclass(kind, KeyboardInterrupt):
        sys.stderr.write("interrupted while starting: nothing was run\n")
        sys.stderr.flush()
        os._exit(_EXIT_INTERRUPTED)  # a normal exit would re-raise SIGINT (exit -2, not 130)
    previous(kind, value, tb)


if not os.environ.get("PIPEYARD_TRACEBACK"):
    sys.excepthook = _one_line_on_interrupt
