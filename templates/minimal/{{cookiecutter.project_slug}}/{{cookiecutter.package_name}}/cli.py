"""The steps as command-line programs; components/*.yml run them from this folder."""

import argparse
from pathlib import Path

from sampling import make_numbers, read_numbers, summary_of, write_numbers, write_summary


def make_data(args: argparse.Namespace) -> None:
    """Draw n_rows random numbers and write them to a CSV file."""
    if args.n_rows < 1:
        raise SystemExit(f"--n-rows must be at least 1, got {args.n_rows}")
    write_numbers(args.numbers, make_numbers(args.n_rows, args.seed))
    print(f"wrote {args.n_rows} numbers (seed {args.seed})")


def summarize(args: argparse.Namespace) -> None:
    """Summarize the numbers into a metrics file."""
    result = summary_of(read_numbers(args.numbers))
    write_summary(args.summary, result)
    print(f"mean {result['mean']}, stdev {result['stdev']}")


def main(argv: list[str] | None = None) -> None:
    """Run the step named by the first argument."""
    parser = argparse.ArgumentParser(description=__doc__)
    steps = parser.add_subparsers(dest="step", required=True)
    one = steps.add_parser("make_data", help=make_data.__doc__)
    one.add_argument("--n-rows", type=int, default=100)
    one.add_argument("--seed", type=int, default=0)
    one.add_argument("--numbers", type=Path, required=True)
    two = steps.add_parser("summarize", help=summarize.__doc__)
    two.add_argument("--numbers", type=Path, required=True)
    two.add_argument("--summary", type=Path, required=True)
    args = parser.parse_args(argv)
    {"make_data": make_data, "summarize": summarize}[args.step](args)


if __name__ == "__main__":
    main()
