"""The steps, as pipeyard Python steps. Their signatures are the schema: pipeyard checks
every parameter value from conf/ or the command line against these types."""

from pipeyard import File, In, Metrics, Out, step

from .sampling import make_numbers, read_numbers, summary_of, write_numbers, write_summary


@step
def make_data(numbers: Out[File], n_rows: int = 100, seed: int = 0) -> None:
    """Draw n_rows random numbers and write them to a CSV file."""
    if n_rows < 1:
        raise ValueError(f"n_rows must be at least 1, got {n_rows}")
    write_numbers(numbers, make_numbers(n_rows, seed))
    print(f"wrote {n_rows} numbers (seed {seed})")


@step
def summarize(numbers: In[File], summary: Out[Metrics]) -> None:
    """Summarize the numbers into a metrics file."""
    result = summary_of(read_numbers(numbers))
    write_summary(summary, result)
    print(f"mean {result['mean']}, stdev {result['stdev']}")
