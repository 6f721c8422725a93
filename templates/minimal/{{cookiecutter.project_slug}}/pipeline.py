"""The pipeline: make_data -> summarize. Run it with `pipeyard run`.

Parameters live in conf/ (conf/make_data/default.yaml); override one on the command line:
`pipeyard run make_data.n_rows=500`.
"""

from pipeyard import pipeline
from {{ cookiecutter.package_name }}.steps import make_data, summarize


@pipeline
def numbers():
    """Draw random numbers, then summarize them into metrics."""
    data = make_data(numbers="data/numbers.csv")
    summarize(numbers=data.outputs.numbers, summary="reports/summary.json")
