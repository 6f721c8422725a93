"""An Azure ML parallel entry script: init() once per worker, run(mini_batch) per mini-batch."""

import argparse
import logging
import os

args = None


def init():
    global args
    parser = argparse.ArgumentParser()
    parser.add_argument("--factor", type=int)
    parser.add_argument("--broken")
    args, _ = parser.parse_known_args()
    logging.info("scoring with factor %s", args.factor)


def run(mini_batch):
    results = []
    for path in mini_batch:
        if os.path.basename(path) == args.broken:
            raise ValueError(f"cannot score {path}")
        with open(path) as handle:
            value = int(handle.read())
        results.append(f"{os.path.basename(path)} {value * args.factor}")
    return results
