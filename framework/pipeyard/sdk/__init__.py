"""The Python SDK: ``@step`` and ``@pipeline`` turn functions into the pipeline model.

```python
from pipeyard import step, pipeline, In, Out, Dir, File, Metrics

@step(compute="gpu", retries=1, timeout="10m")
def train(data: In[Dir], model: Out[File], metrics: Out[Metrics], lr: float = 0.1): ...

@pipeline
def training(raw: In[File] = "data/raw.csv", lr: float = 0.1):
    prep = prepare(raw=raw)
    train(data=prep.outputs.train_set, lr=lr)
```

Importing this package is cheap (no pipeyard.model): every step module imports it. The model
is imported only by ``PipelineDefinition.build`` (``build.py``). Modules, each importing only
those above it in this list: ports, handles, step (and its Recorder), build, recording, loader.
"""

from .handles import JobHandle, OutputRef
from .loader import load_pipeline_module
from .ports import Dir, File, In, Metrics, Out, Plots
from .recording import PipelineDefinition, pipeline
from .step import Step, step

__all__ = [
    "Dir",
    "File",
    "In",
    "JobHandle",
    "Metrics",
    "Out",
    "OutputRef",
    "PipelineDefinition",
    "Plots",
    "Step",
    "load_pipeline_module",
    "pipeline",
    "step",
]
