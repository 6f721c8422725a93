"""Azure ML parallel jobs run locally: mini-batches over a pool of workers (``python -m pipeyard.parallel``).

batches splits the input (files, or rows of a table) into mini-batches; driver loads the
entry script in each worker, calls ``init()`` once and ``run(mini_batch)`` per mini-batch,
retries failures, applies the error thresholds and gathers the results as Azure ML does.
"""

from .batches import MiniBatch, mini_batches
from .driver import ParallelSettings, run_parallel

__all__ = ["MiniBatch", "ParallelSettings", "mini_batches", "run_parallel"]
