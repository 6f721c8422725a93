"""The steps as command-line programs; the components in components/ run them from this folder:
`python cli.py <step> --option value ...`."""

import argparse
from pathlib import Path

import card
import data
import evaluation
import model as models


def main(argv: list[str] | None = None) -> None:
    """Run the step named by the first argument with the options that follow."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    steps = parser.add_subparsers(dest="step", required=True)

    ingest = steps.add_parser("ingest", help="copy a bundled dataset into raw/")
    ingest.add_argument("--dataset", choices=data.DATASETS, default="breast_cancer")
    ingest.add_argument("--raw", type=Path, required=True)

    prepare = steps.add_parser("prepare", help="split and select features")
    prepare.add_argument("--raw", type=Path, required=True)
    prepare.add_argument("--train-set", type=Path, required=True)
    prepare.add_argument("--test-set", type=Path, required=True)
    prepare.add_argument("--test-fraction", type=float, default=0.25)
    prepare.add_argument("--n-features", type=int, default=0)
    prepare.add_argument("--seed", type=int, default=42)

    train = steps.add_parser("train", help="fit a classifier")
    train.add_argument("--train-set", type=Path, required=True)
    train.add_argument("--model", type=Path, required=True)
    train.add_argument("--family", choices=models.FAMILIES, default="logistic")
    train.add_argument("--C", type=float, default=1.0)
    train.add_argument("--max-iter", type=int, default=1000)
    train.add_argument("--n-estimators", type=int, default=100)
    train.add_argument("--max-depth", type=int, default=0)
    train.add_argument("--seed", type=int, default=42)

    evaluate = steps.add_parser("evaluate", help="score the model on the test set")
    evaluate.add_argument("--model", type=Path, required=True)
    evaluate.add_argument("--test-set", type=Path, required=True)
    evaluate.add_argument("--metrics", type=Path, required=True)
    evaluate.add_argument("--predictions", type=Path, required=True)

    register = steps.add_parser("register", help="package the model with its model card")
    register.add_argument("--model", type=Path, required=True)
    register.add_argument("--metrics", type=Path, required=True)
    register.add_argument("--train-set", type=Path, required=True)
    register.add_argument("--package", type=Path, required=True)
    register.add_argument("--model-name", default="{{ cookiecutter.model_name }}")
    register.add_argument("--version", default="0.1.0")

    args = parser.parse_args(argv)
    if args.step == "ingest":
        data.ingest(args.dataset, args.raw)
    elif args.step == "prepare":
        data.prepare(args.raw, args.train_set, args.test_set, test_fraction=args.test_fraction,
                     n_features=args.n_features, seed=args.seed)
    elif args.step == "train":
        models.train(args.train_set, args.model, family=args.family, C=args.C, max_iter=args.max_iter,
                     n_estimators=args.n_estimators, max_depth=args.max_depth, seed=args.seed)
    elif args.step == "evaluate":
        evaluation.evaluate(args.model, args.test_set, args.metrics, args.predictions)
    else:
        card.package_model(args.model, args.metrics, args.train_set, args.package,
                           model_name=args.model_name, version=args.version)


if __name__ == "__main__":
    main()
