"""pipeyard: git-native ML pipelines as code.

The public API is what this module exports; everything else is internal. Importing it is
cheap on purpose: every Python step imports it when it runs.

```python
from pipeyard import step, pipeline, In, Out, Dir, File, Metrics, Plots
```
"""

from .sdk import Dir, File, In, Metrics, Out, Plots, pipeline, step

__version__ = "0.1.0"

__all__ = ["Dir", "File", "In", "Metrics", "Out", "Plots", "__version__", "pipeline", "step"]
