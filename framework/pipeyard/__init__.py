"""pipeyard: git-native ML pipelines as code.

The public API is what this module exports; everything else is internal. Importing it is
cheap on purpose: every Python step imports it when it runs, and the `pipeyard` command
imports it before it can catch Ctrl-C, so the names load on first use.

```python
from pipeyard import step, pipeline, In, Out, Dir, File, Metrics, Plots
```
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .sdk import Dir, File, In, Metrics, Out, Plots, pipeline, step

__version__ = "0.1.0"

__all__ = ["Dir", "File", "In", "Metrics", "Out", "Plots", "__version__", "pipeline", "step"]


def __getattr__(name: str) -> Any:
    """Load the public names from pipeyard.sdk on first use (PEP 562)."""
    if name in __all__:
        from . import sdk

        value = getattr(sdk, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'pipeyard' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
