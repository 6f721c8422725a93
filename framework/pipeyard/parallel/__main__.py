"""``python -m pipeyard.parallel``: the command a compiled Azure ML parallel job runs."""

import sys

from .driver import main
from .ray_batches import run_where_asked

sys.exit(main(run=run_where_asked))
