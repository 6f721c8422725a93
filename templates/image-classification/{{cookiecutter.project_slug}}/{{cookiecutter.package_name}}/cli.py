"""The steps as command-line programs; the components in components/ run them from this folder:
`python cli.py <step> --option value ...`."""

import argparse
from pathlib import Path

import digits as images
import evaluation
import network as networks


def main(argv: list[str] | None = None) -> None:
    """Run the step named by the first argument with the options that follow."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)

    ingest = steps.add_parser("ingest", help="split the bundled digits")
    ingest.add_argument("--test-fraction", type=float, default=0.25)
    ingest.add_argument("--seed", type=int, default=0)
    ingest.add_argument("--digits", type=Path, required=True)

    train = steps.add_parser("train", help="train the network (on cuda when a GPU is visible)")
    train.add_argument("--digits", type=Path, required=True)
    train.add_argument("--arch", choices=networks.ARCHITECTURES, default="cnn")
    train.add_argument("--hidden", type=int, default=32)
    train.add_argument("--epochs", type=int, default=5)
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--lr", type=float, default=0.01)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    train.add_argument("--model", type=Path, required=True)
    train.add_argument("--history", type=Path, required=True)

    evaluate = steps.add_parser("evaluate", help="score the network on the test images")
    evaluate.add_argument("--model", type=Path, required=True)
    evaluate.add_argument("--digits", type=Path, required=True)
    evaluate.add_argument("--metrics", type=Path, required=True)
    evaluate.add_argument("--predictions", type=Path, required=True)

    args = parser.parse_args(argv)
    if args.step == "ingest":
        images.ingest(args.digits, test_fraction=args.test_fraction, seed=args.seed)
    elif args.step == "train":
        networks.train(args.digits, args.model, args.history, arch=args.arch, hidden=args.hidden,
                       epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                       device=args.device)
    else:
        evaluation.evaluate(args.model, args.digits, args.metrics, args.predictions)


if __name__ == "__main__":
    main()
