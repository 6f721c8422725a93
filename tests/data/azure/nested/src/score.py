import argparse
import os

from common import read_rows, write

parser = argparse.ArgumentParser()
parser.add_argument("--model")
parser.add_argument("--data")
parser.add_argument("--scores")
args = parser.parse_args()
with open(os.path.join(args.model, "model.txt")) as handle:
    slope = float(handle.read())
errors = [abs(float(y) - slope * float(x)) for x, y in read_rows(args.data)]
write(args.scores, "errors.txt", "".join(f"{e:.6f}\n" for e in errors))
